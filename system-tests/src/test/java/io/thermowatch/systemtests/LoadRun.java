package io.thermowatch.systemtests;

import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The load run (never in CI; see README.md): {@code load.sensors} virtual sensors (default 2,000, at most 10,000)
 * over {@code load.connections} QoS 1 connections to the nodes, each publishing {@code load.rate} readings/s for
 * {@code load.minutes}, with db-writer, email-sender and dashboard running. Every second it reads the depth of both
 * service queues; every 15 s it records a sample (acknowledged, rows, depths, RSS of each service and node). At
 * the end it looks for every acknowledged reading and judges the run against {@link Verdict}'s rules; the figures
 * are appended to {@code load.out} (default {@code system-tests/LOAD.md}). A FAIL fails the build (exit code 1).
 */
public final class LoadRun {

    private static final int SENSORS = Integer.getInteger("load.sensors", 2000);
    private static final int CONNECTIONS = Integer.getInteger("load.connections", 20);
    private static final double RATE = Double.parseDouble(System.getProperty("load.rate", "1"));
    private static final int MINUTES = Integer.getInteger("load.minutes", 10);
    private static final Duration SAMPLE_EVERY = Duration.ofSeconds(15);
    private static final int MAX_SENSORS = 10_000;

    private final Stack stack = Stack.get();
    private final Rows rows = new Rows(stack);

    private LoadRun() {}

    public static void main(String[] args) throws Exception {
        if (SENSORS < 1 || SENSORS > MAX_SENSORS) {
            throw new IllegalArgumentException("load.sensors=" + SENSORS + ": expected 1 to " + MAX_SENSORS);
        }
        if (MINUTES < 4) {
            throw new IllegalArgumentException("load.minutes=" + MINUTES + ": expected at least 4 (a 2-minute warm-up,"
                    + " then first and last minutes that do not overlap)");
        }
        Verdict verdict = new LoadRun().run();
        if (!verdict.passed()) {
            throw new IllegalStateException("load run FAILED: " + verdict.failures());
        }
    }

    /** One 15-second sample; depths are ready messages, exact ({@code queue.declare} passive). */
    record Sample(
            long elapsedSeconds,
            long acked,
            long rows,
            long dbWriterDepth,
            long emailSenderDepth,
            Map<String, Long> rssKb) {}

    /** The maximum depth of both queues in one second of the run. */
    record Depth(long elapsedSeconds, long depth) {}

    private Verdict run() throws Exception {
        String prefix = "load" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Instant started = Instant.now();
        List<String> machine = Machine.describe(stack);
        List<Sample> samples = new ArrayList<>();
        List<Depth> depths = new ArrayList<>();
        double ackedRate;
        long acked;
        long lost;
        int unacknowledged;
        try (SystemUnderTest system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of(), Map.of());
                Fleet fleet = new Fleet(stack, prefix, SENSORS, CONNECTIONS, RATE);
                QueueProbe probe = stack.queueProbe()) {
            long since = System.currentTimeMillis();
            long startNanos = System.nanoTime();
            long endNanos = startNanos + Duration.ofMinutes(MINUTES).toNanos();
            long nextSample = startNanos + SAMPLE_EVERY.toNanos();
            fleet.start();
            progress("load run " + prefix + ": " + SENSORS + " sensors × " + RATE + "/s over " + CONNECTIONS
                    + " connections for " + MINUTES + " min");
            printHeader();
            long nextTick = startNanos;
            while (System.nanoTime() < endNanos) {
                long db = probe.readyCount(Stack.DB_WRITER_QUEUE);
                long email = probe.readyCount(Stack.EMAIL_SENDER_QUEUE);
                long elapsed = (System.nanoTime() - startNanos) / 1_000_000_000L;
                depths.add(new Depth(elapsed, Math.max(db, email)));
                if (System.nanoTime() >= nextSample) {
                    Sample sample = new Sample(
                            elapsed, fleet.acked(), stored(prefix, since), db, email, ProcessRss.of(system, stack));
                    samples.add(sample);
                    System.out.println(row(sample));
                    nextSample += SAMPLE_EVERY.toNanos();
                }
                nextTick += 1_000_000_000L;
                LockSupport.parkNanos(Math.max(0, nextTick - System.nanoTime()));
            }
            unacknowledged = fleet.stop();
            ackedRate = fleet.ackedRate();
            acked = fleet.acked();
            lost = awaitStored(fleet, since, Duration.ofMinutes(3));
        }
        Verdict verdict = Verdict.judge(SENSORS * RATE, ackedRate, lost, depths, samples, MINUTES);
        String markdown = markdown(started, machine, samples, verdict, acked, ackedRate, lost, unacknowledged);
        Path out = stack.root().resolve(System.getProperty("load.out", "system-tests/LOAD.md"));
        Files.createDirectories(out.getParent());
        if (!Files.exists(out)) {
            Files.writeString(
                    out,
                    "# Load run — figures from this machine\n\nEach run appends a section (newest last)."
                            + " Command and rules: system-tests/README.md; the benchmark figures: [BENCHMARKS.md](BENCHMARKS.md).\n");
        }
        Files.writeString(out, "\n" + markdown, StandardOpenOption.APPEND);
        System.out.println();
        System.out.println(markdown);
        System.out.println("(appended to " + out + ")");
        return verdict;
    }

    private long stored(String prefix, long sinceMillis) {
        long[] n = {0};
        rows.query(
                "SELECT count(*) FROM temperature WHERE time >= to_timestamp(? / 1000.0) AND starts_with(sensor, ?)",
                List.of(sinceMillis - 1000, prefix + "_s"),
                rs -> n[0] = rs.getLong(1));
        return n[0];
    }

    /** Waits until each sensor has a row for every acknowledged reading; returns how many are missing at the end. */
    private long awaitStored(Fleet fleet, long sinceMillis, Duration timeout) {
        Map<String, Long> ackedBySensor = fleet.ackedBySensor();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long missing =
                    OutageDrain.missing(ackedBySensor, OutageDrain.storedBySensor(rows, fleet.prefix(), sinceMillis));
            if (missing == 0 || System.nanoTime() > deadline) {
                return missing;
            }
            LockSupport.parkNanos(1_000_000_000L);
        }
    }

    private static void printHeader() {
        System.out.println(
                "|   s | acknowledged |     rows | db-writer q | email-sender q | RSS MB: db-writer email-sender "
                        + "dashboard rabbit1 rabbit2 rabbit3 |");
    }

    private static String row(Sample s) {
        StringBuilder rss = new StringBuilder();
        s.rssKb().values().forEach(kb -> rss.append(" | ").append(kb / 1024));
        return String.format(
                Locale.ROOT,
                "| %d | %d | %d | %d | %d%s |",
                s.elapsedSeconds(),
                s.acked(),
                s.rows(),
                s.dbWriterDepth(),
                s.emailSenderDepth(),
                rss);
    }

    private static String markdown(
            Instant started,
            List<String> machine,
            List<Sample> samples,
            Verdict verdict,
            long acked,
            double ackedRate,
            long lost,
            int unacknowledged) {
        StringBuilder md = new StringBuilder();
        String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                .withZone(ZoneOffset.UTC)
                .format(started);
        md.append("## ")
                .append(when)
                .append(": ")
                .append(SENSORS)
                .append(" sensors × ")
                .append(RATE)
                .append("/s for ")
                .append(MINUTES)
                .append(" min — **")
                .append(verdict.passed() ? "PASS" : "FAIL")
                .append("**\n\n```bash\nflock /tmp/thermowatch-it.lock ./mvnw -B -o -pl system-tests -am "
                        + "-Psystem-load verify \\\n    -DskipITs -DskipSystemTests -Dtest=none "
                        + "-Dsurefire.failIfNoSpecifiedTests=false \\\n    -Dload.sensors=")
                .append(SENSORS)
                .append(" -Dload.rate=")
                .append(RATE)
                .append(" -Dload.connections=")
                .append(CONNECTIONS)
                .append(" -Dload.minutes=")
                .append(MINUTES)
                .append("\n```\n\n");
        machine.forEach(line -> md.append(line).append('\n'));
        md.append("- Load: ")
                .append(SENSORS)
                .append(" virtual sensors × ")
                .append(RATE)
                .append(" readings/s = ")
                .append(SystemBenchmark.fmt(SENSORS * RATE))
                .append(" msg/s target, QoS 1 over ")
                .append(CONNECTIONS)
                .append(" connections to the nodes directly; db-writer, email-sender and dashboard from their jars "
                        + "(no browser open).\n\n");
        md.append("| s | acknowledged | rows | db-writer queue | email-sender queue | db-writer MB | email-sender MB | "
                + "dashboard MB | rabbit1 MB | rabbit2 MB | rabbit3 MB |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        samples.forEach(s -> md.append(row(s)).append('\n'));
        md.append("\n(Queue columns: ready messages at the sample; unacknowledged ones are bounded by each consumer's "
                + "prefetch. Rows: rows of this run's sensors at the sample.)\n\n");
        md.append("- Acknowledged: ")
                .append(acked)
                .append(" (")
                .append(SystemBenchmark.fmt(ackedRate))
                .append(" msg/s sustained); ")
                .append(unacknowledged)
                .append(" publishes unacknowledged 30 s after the end (not counted).\n");
        md.append("- **Lost: ")
                .append(lost)
                .append("** (Σ per sensor of acknowledged − rows, rows with unique "
                        + "timestamps per sensor, looked for up to 3 minutes after the end).\n");
        verdict.lines().forEach(line -> md.append("- ").append(line).append('\n'));
        md.append("\nVerdict: **")
                .append(verdict.passed() ? "PASS" : "FAIL: " + verdict.failures())
                .append("**\n");
        return md.toString();
    }

    private static void progress(String text) {
        System.out.println("[system-load] " + Instant.now() + " " + text);
    }
}
