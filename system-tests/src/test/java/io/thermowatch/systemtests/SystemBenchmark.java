package io.thermowatch.systemtests;

import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;

/**
 * The bench command (never run in CI; see README.md): on the native stack,
 * <ol>
 *   <li><b>broker only</b>: QoS 1 publishes as fast as {@code bench.connections} connections go, for
 *       {@code bench.seconds}, into the two quorum queues with no consumer — the ceiling of the broker here;</li>
 *   <li><b>end to end</b>: the same with db-writer, email-sender and dashboard running, then the time until the
 *       last acknowledged reading is a row: sustained msg/s with the loss counted (acknowledged vs rows);</li>
 *   <li><b>publish → row</b>: a steady fleet ({@code bench.sensors} × {@code bench.rate}/s) for
 *       {@code bench.seconds}, and a marker sensor at 20/s whose rows are watched: p50/p99;</li>
 *   <li><b>publish → browser</b>: the same fleet, the dashboard in headless Chromium, a marker at 5/s for
 *       {@code bench.browser.seconds}: when each value is rendered, p50/p99, with each count of {@code bench.pages}
 *       (default 1, 5, 20) pages open, and the CPU per 1,000 readings of the nodes and the dashboard meanwhile;</li>
 *   <li><b>drain after a db-writer outage</b> of {@code bench.outage.seconds} with the fleet publishing: backlog,
 *       drain seconds, rows/s, loss;</li>
 *   <li>RSS of each service and each RabbitMQ node before and after;</li>
 *   <li>CPU milliseconds per 1,000 readings of each RabbitMQ node in the broker-only phase, and of each service and
 *       node over the end-to-end phase (until both service queues are empty: email-sender's work counts too);</li>
 *   <li>what an ack costs the brokers: the broker-only phase's backlog drained by a plain consumer ({@link RawDrain}),
 *       half of each queue with one ack per delivery, half with one multiple ack per {@link #ACK_BATCH}, in the
 *       order per-delivery, batched (email-sender's queue) then batched, per-delivery (db-writer's).</li>
 * </ol>
 * Writes the report to {@code bench.out} (default {@code system-tests/BENCHMARKS.md}) and prints it.
 */
public final class SystemBenchmark {

    /** Every sensor id of a run starts with it; the run deletes its readings when it ends. */
    private static final String RUN_PREFIX = "bench";

    private static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 8);
    private static final int SENSORS = Integer.getInteger("bench.sensors", 500);
    private static final double RATE = Double.parseDouble(System.getProperty("bench.rate", "1"));
    private static final int BROWSER_SECONDS = Integer.getInteger("bench.browser.seconds", 60);
    private static final int OUTAGE_SECONDS = Integer.getInteger("bench.outage.seconds", 300);
    /**
     * An unmeasured burst before each throughput phase (0: none): the publishers' JVM before the broker-only phase,
     * the freshly started services before the end-to-end one. The services run for days, so their cost per reading
     * is a warm JVM's; the first burst's (JIT compilation and class loading included) is reported beside it.
     */
    private static final int WARM_UP_SECONDS = Integer.getInteger("bench.warmup.seconds", 10);
    /** Pages open in each publish → browser phase. */
    private static final List<Integer> PAGES = java.util.Arrays.stream(
                    System.getProperty("bench.pages", "1,5,20").split(","))
            .map(String::trim)
            .map(Integer::valueOf)
            .toList();
    /** The page identity's connection limit on the stack (scripts/stack), set back after the page phases. */
    private static final int PAGE_TOKEN_MAX_CONNECTIONS = 10;
    /** email-sender's batch of acks with its default AMQP_PREFETCH (2,000 / 4), and that prefetch. */
    static final int ACK_BATCH = 500;

    private static final int ACK_PREFETCH = 2000;
    /** db-writer's default BATCH_MAX_WAIT: the floor of publish → row latency at low rates. */
    private static final long BATCH_MAX_WAIT_MS = 100;

    private final Stack stack = Stack.get();
    private final Rows rows = new Rows(stack);
    private final List<String> notes = new ArrayList<>();

    private SystemBenchmark() {}

    public static void main(String[] args) throws Exception {
        new SystemBenchmark().run();
    }

    private void run() throws Exception {
        String run = RUN_PREFIX + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        Instant started = Instant.now();
        List<String> machine = Machine.describe(stack);
        requireNoOtherConsumers("at the start");
        purge();
        // The page draws every sensor with a stored reading: an earlier run's thousands of sensors would be drawn too
        // (a page of 20,000 rows managed two frames a second here), and not the fleet this run measures.
        int leftovers = rows.deleteSensorsStartingWith(RUN_PREFIX);
        if (leftovers > 0) {
            progress("deleted the readings of " + leftovers + " sensors left by earlier runs");
        }

        if (WARM_UP_SECONDS > 0) {
            // the publishers' JVM and the nodes warm, so that the broker-only phase measures their steady pace
            Blast warmUp = blast(run + "_w", Duration.ofSeconds(WARM_UP_SECONDS));
            progress("warm-up, broker only: " + warmUp.acked + " acknowledged (not counted)");
            purge();
            awaitNodesQuiet("after the broker-only warm-up");
        }
        Map<String, ProcessCpu.Sample> brokerCpuBefore = ProcessCpu.withoutServices(stack);
        Blast broker = blast(run + "_b", Duration.ofSeconds(SECONDS));
        Map<String, ProcessCpu.Sample> brokerCpuAfter = ProcessCpu.withoutServices(stack);
        progress("broker only: " + broker.acked + " acknowledged in " + fmt(broker.seconds) + " s; CPU ms per 1,000: "
                + cpuSummary(brokerCpuBefore, brokerCpuAfter, broker.acked));
        requireNoOtherConsumers("after the broker-only phase");
        List<RawDrain.Result> drains = ackCost();
        purge();

        Report report;
        try (SystemUnderTest system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of(), Map.of())) {
            Map<String, Long> rssBefore = ProcessRss.of(system, stack);
            FirstBurst firstBurst = WARM_UP_SECONDS > 0 ? firstBurst(system, run) : null;

            Jfr jfr = Jfr.startIfAsked(system);
            Map<String, ProcessCpu.Sample> cpuBefore = ProcessCpu.of(system, stack);
            double consumedBefore = metric(system, "email-sender", "thermowatch_messages_consumed_total");
            double writtenBefore = metric(system, "db-writer", "dbwriter_rows_written_total");
            Instant e2eStart = Instant.now();
            Blast e2e = blast(run + "_e", Duration.ofSeconds(SECONDS));
            long stored = awaitRows(e2e, Duration.ofMinutes(5));
            double e2eSeconds = Duration.between(e2eStart, Instant.now()).toMillis() / 1000.0;
            // CPU until email-sender has taken its copy of every reading too (it may trail db-writer)
            boolean drained = awaitNothingReady(Duration.ofMinutes(2));
            Map<String, ProcessCpu.Sample> cpuAfter = ProcessCpu.of(system, stack);
            jfr.dump(run).forEach(file -> progress("JFR recording: " + file));
            double cpuSeconds = Duration.between(e2eStart, Instant.now()).toMillis() / 1000.0;
            checkOurServicesTookEverything(
                    e2e.acked,
                    stored,
                    metric(system, "email-sender", "thermowatch_messages_consumed_total") - consumedBefore,
                    metric(system, "db-writer", "dbwriter_rows_written_total") - writtenBefore);
            if (!drained) {
                notes.add("the service queues still had ready messages 2 min after the end-to-end phase: its CPU "
                        + "figures miss their processing");
            }
            progress("end to end: " + e2e.acked + " acknowledged, " + stored + " rows in " + fmt(e2eSeconds)
                    + " s; CPU ms per 1,000: " + cpuSummary(cpuBefore, cpuAfter, e2e.acked));

            List<Long> rowLatencies;
            try (Fleet fleet = new Fleet(stack, run + "_f", SENSORS, CONNECTIONS, RATE)) {
                fleet.start();
                rowLatencies = rowLatencies(run + "_rowmarker", Duration.ofSeconds(SECONDS));
                fleet.stop();
            }
            progress("publish → row: " + summary(rowLatencies));

            List<PagePhase> pagePhases = pagePhases(system, run);
            PageLatency.Result page = pagePhases.get(0).result();

            OutageDrain.Result drain;
            try (Fleet fleet = new Fleet(stack, run + "_o", SENSORS, CONNECTIONS, RATE)) {
                progress("db-writer outage of " + OUTAGE_SECONDS + " s with the fleet publishing...");
                drain = new OutageDrain(stack, system).run(fleet, Duration.ofSeconds(OUTAGE_SECONDS));
            }
            progress("drain: backlog " + drain.backlog() + " in " + fmt(drain.drainSeconds()) + " s, lost "
                    + drain.lost());

            report = new Report(
                    started,
                    machine,
                    broker,
                    e2e,
                    stored,
                    e2eSeconds,
                    rowLatencies,
                    page,
                    pagePhases,
                    drain,
                    rssBefore,
                    ProcessRss.of(system, stack),
                    new Cpu(brokerCpuBefore, brokerCpuAfter, cpuBefore, cpuAfter, cpuSeconds),
                    firstBurst,
                    drains);
        }
        requireNoOtherConsumers("at the end");
        progress("deleted the readings of this run's " + rows.deleteSensorsStartingWith(run) + " sensors");
        String markdown = report.markdown();
        Path out = stack.root().resolve(System.getProperty("bench.out", "system-tests/BENCHMARKS.md"));
        Files.createDirectories(out.getParent());
        Files.writeString(out, markdown);
        Path copy = stack.root().resolve("system-tests/target/bench-report.md");
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, markdown);
        System.out.println();
        System.out.println(markdown);
        System.out.println("(written to " + out + ")");
    }

    // ------------------------------------------------------------------------------------------------ phases

    /** One publish → browser phase with {@code pages} pages open: latencies and CPU over the phase. */
    private record PagePhase(
            int pages,
            PageLatency.Result result,
            long readings,
            Map<String, ProcessCpu.Sample> before,
            Map<String, ProcessCpu.Sample> after) {

        double perThousand(String process) {
            return ProcessCpu.perThousand(before.get(process), after.get(process), readings);
        }

        double nodesPerThousand() {
            double sum = 0;
            for (int n = 1; n <= Stack.NODES; n++) {
                sum += perThousand("rabbit" + n);
            }
            return sum;
        }
    }

    /**
     * Publish → browser with each count of {@code bench.pages} (default 1, 5, 20) open, the fleet publishing. The
     * page identity's connection limit (10 on the stack) is raised for the phase and set back after it.
     */
    private List<PagePhase> pagePhases(SystemUnderTest system, String run) throws Exception {
        List<PagePhase> phases = new ArrayList<>();
        int most = PAGES.stream().mapToInt(Integer::intValue).max().orElse(1);
        String limit = "/api/user-limits/" + stack.pageTokenUser() + "/max-connections";
        stack.management().put(limit, "{\"value\": " + (2 * most + 2) + "}");
        try {
            for (int pages : PAGES) {
                try (Fleet fleet = new Fleet(stack, run + "_p" + pages, SENSORS, CONNECTIONS, RATE);
                        PageLatency browser =
                                PageLatency.open(system.dashboard("/").toString(), pages)) {
                    List<MqttAsyncClient> marker = Publishers.connect(stack, run + "_pagemarker" + pages, 1);
                    fleet.start();
                    Map<String, ProcessCpu.Sample> before = ProcessCpu.of(system, stack);
                    long ackedBefore = fleet.acked();
                    PageLatency.Result result = browser.measure(
                            marker.get(0), run + "_pagemarker" + pages, Duration.ofSeconds(BROWSER_SECONDS));
                    Map<String, ProcessCpu.Sample> after = ProcessCpu.of(system, stack);
                    long readings = fleet.acked() - ackedBefore + result.published();
                    fleet.stop();
                    Publishers.close(marker);
                    PagePhase phase = new PagePhase(pages, result, readings, before, after);
                    phases.add(phase);
                    progress("publish → browser, " + pages + " page(s): " + summary(result.latencies()) + ", "
                            + result.missed() + " not rendered; the page: " + fmt(result.messagesPerSecond())
                            + " live messages/s, " + fmt(result.framesPerSecond()) + " frames drawn/s, "
                            + fmt(result.drawMillisPerFrame()) + " ms per draw; CPU ms per 1,000 readings: nodes "
                            + fmt(phase.nodesPerThousand()) + ", dashboard " + fmt(phase.perThousand("dashboard"))
                            + ", machine " + fmt(phase.perThousand(ProcessCpu.MACHINE)));
                }
            }
        } finally {
            stack.management().put(limit, "{\"value\": " + PAGE_TOKEN_MAX_CONNECTIONS + "}");
        }
        return phases;
    }

    private record Blast(List<String> sensors, long acked, double seconds, int stuck) {

        double rate() {
            return acked / seconds;
        }
    }

    /** Publishes as fast as the connections go (QoS 1, 1,000 in flight each) for {@code duration}. */
    private Blast blast(String prefix, Duration duration) throws Exception {
        List<MqttAsyncClient> clients = Publishers.connect(stack, prefix, CONNECTIONS);
        List<String> sensors = new ArrayList<>();
        AtomicLong acked = new AtomicLong();
        AtomicLong lastAck = new AtomicLong(System.nanoTime());
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        long started = System.nanoTime();
        for (int c = 0; c < clients.size(); c++) {
            MqttAsyncClient client = clients.get(c);
            String sensor = prefix + "_c" + c;
            sensors.add(sensor);
            Thread t = new Thread(
                    () -> {
                        long ts = System.currentTimeMillis() - 60_000;
                        while (System.nanoTime() < end) {
                            if (Publishers.publish(client, sensor, ts, 21.0, () -> {
                                acked.incrementAndGet();
                                lastAck.set(System.nanoTime());
                            })) {
                                ts++;
                            }
                        }
                    },
                    "blast-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        int stuck = Publishers.awaitInflight(clients, 30_000);
        // from the first publish to the last PUBACK (not to the end of the in-flight wait)
        double seconds = (lastAck.get() - started) / 1e9;
        Publishers.close(clients);
        if (stuck > 0) {
            notes.add(stuck + " publishes of " + prefix + " still unacknowledged 30 s after the end: not counted "
                    + "(they may be stored all the same)");
        }
        return new Blast(sensors, acked.get(), seconds, stuck);
    }

    /** The services' first burst after their start: its CPU per 1,000 readings, cold JVMs included. */
    private record FirstBurst(long acked, Map<String, ProcessCpu.Sample> before, Map<String, ProcessCpu.Sample> after) {

        double perThousand(String process) {
            return ProcessCpu.perThousand(before.get(process), after.get(process), acked);
        }

        double services() {
            double sum = 0;
            for (String service : ProcessRss.SERVICES) {
                sum += perThousand(service);
            }
            return sum;
        }
    }

    /** A burst through the just-started services, until every reading is a row and both queues are empty. */
    private FirstBurst firstBurst(SystemUnderTest system, String run) throws Exception {
        Map<String, ProcessCpu.Sample> before = ProcessCpu.of(system, stack);
        Blast burst = blast(run + "_v", Duration.ofSeconds(WARM_UP_SECONDS));
        long stored = awaitRows(burst, Duration.ofMinutes(5));
        if (!awaitNothingReady(Duration.ofMinutes(2)) || stored < burst.acked()) {
            notes.add("the warm-up burst through the services was not fully processed (" + stored + " rows of "
                    + burst.acked() + ") when the end-to-end phase began");
        }
        Map<String, ProcessCpu.Sample> after = ProcessCpu.of(system, stack);
        FirstBurst first = new FirstBurst(burst.acked(), before, after);
        progress("warm-up, end to end (the services' first burst, not counted): " + burst.acked()
                + " acknowledged; CPU ms per 1,000: " + cpuSummary(before, after, burst.acked()));
        return first;
    }

    /** A marker sensor at 20/s whose rows are polled every 10 ms: publish → row latency of each reading (ms). */
    private List<Long> rowLatencies(String marker, Duration duration) throws Exception {
        List<MqttAsyncClient> clients = Publishers.connect(stack, marker, 1);
        Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
        long end = System.nanoTime() + duration.toNanos();
        Thread markerThread = new Thread(
                () -> {
                    while (System.nanoTime() < end) {
                        long ts = System.currentTimeMillis();
                        publishedAt.put(ts, System.nanoTime());
                        Publishers.publish(clients.get(0), marker, ts, 21.0, () -> {});
                        LockSupport.parkNanos(50_000_000L);
                    }
                },
                "row-marker");
        markerThread.start();
        List<Long> latencies = new ArrayList<>();
        long seen = 0;
        while (System.nanoTime() < end + 10_000_000_000L
                && (markerThread.isAlive() || latencies.size() < publishedAt.size())) {
            List<Long> arrived = new ArrayList<>();
            rows.query(
                    "SELECT (extract(epoch FROM time) * 1000)::bigint FROM temperature WHERE sensor = ? "
                            + "AND time > to_timestamp(? / 1000.0)",
                    List.of(marker, seen),
                    rs -> arrived.add(rs.getLong(1)));
            long now = System.nanoTime();
            long newest = seen;
            for (long ts : arrived) {
                Long at = publishedAt.get(ts);
                if (at != null && ts > seen) {
                    latencies.add((now - at) / 1_000_000);
                }
                newest = Math.max(newest, ts);
            }
            seen = newest;
            LockSupport.parkNanos(10_000_000L);
        }
        markerThread.join();
        Publishers.awaitInflight(clients, 30_000);
        Publishers.close(clients);
        return latencies;
    }

    /**
     * The broker-only backlog (both queues hold every reading) drained by a plain consumer: per-delivery acks and
     * batched acks on equal halves, ABBA across the two queues so that neither pattern always goes first.
     */
    private List<RawDrain.Result> ackCost() throws Exception {
        long backlog;
        try (QueueProbe probe = stack.queueProbe()) {
            backlog = Math.min(probe.readyCount(Stack.EMAIL_SENDER_QUEUE), probe.readyCount(Stack.DB_WRITER_QUEUE));
        }
        long half = Math.min(100_000, backlog / 2);
        List<RawDrain.Result> drains = new ArrayList<>();
        if (half < ACK_BATCH) {
            notes.add("no ack-cost drains: the broker-only backlog was " + backlog);
            return drains;
        }
        awaitNodesQuiet("after the broker-only phase, when the ack-cost drains started");
        drains.add(RawDrain.drain(stack, Stack.EMAIL_SENDER_QUEUE, half, 1, ACK_PREFETCH));
        drains.add(RawDrain.drain(stack, Stack.EMAIL_SENDER_QUEUE, half, ACK_BATCH, ACK_PREFETCH));
        drains.add(RawDrain.drain(stack, Stack.DB_WRITER_QUEUE, half, ACK_BATCH, ACK_PREFETCH));
        drains.add(RawDrain.drain(stack, Stack.DB_WRITER_QUEUE, half, 1, ACK_PREFETCH));
        for (RawDrain.Result d : drains) {
            progress("ack cost: " + d.queue() + ", "
                    + (d.ackEvery() == 1 ? "ack per delivery" : "ack every " + d.ackEvery()) + ": " + d.messages()
                    + " in " + fmt(d.seconds()) + " s, nodes "
                    + fmt(d.nodesPerThousand()) + " ms per 1,000, consumer " + fmt(d.consumerPerThousand()) + " ms");
        }
        return drains;
    }

    /**
     * No consumer on either service queue while the benchmark runs none: another run sharing the stack (its services
     * competing for the readings) would make every figure wrong, so the benchmark stops instead.
     */
    private void requireNoOtherConsumers(String when) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // our own closed consumers may linger
        try (QueueProbe probe = stack.queueProbe()) {
            for (String queue : List.of(Stack.DB_WRITER_QUEUE, Stack.EMAIL_SENDER_QUEUE)) {
                int consumers;
                while ((consumers = probe.consumerCount(queue)) > 0 && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(200_000_000L);
                }
                if (consumers > 0) {
                    throw new IllegalStateException(queue + " has " + consumers + " consumer(s) " + when
                            + " that this benchmark did not start: another run uses the stack (take the IT lock);"
                            + " its figures would be wrong");
                }
            }
        }
    }

    /**
     * Our email-sender consumed every reading of the end-to-end phase and our db-writer wrote every row: otherwise a
     * consumer of another run took some between the consumer checks, and the CPU per reading is wrong.
     */
    private void checkOurServicesTookEverything(long acked, long stored, double consumed, double written) {
        if (Double.isNaN(consumed) || Double.isNaN(written)) {
            notes.add("the services' /metrics could not be read: whether another run's services took readings is"
                    + " unchecked");
        } else if (consumed < acked || written < stored) {
            String problem = "FIGURES INVALID: in the end-to-end phase our email-sender consumed " + (long) consumed
                    + " of " + acked + " readings and our db-writer wrote " + (long) written + " of " + stored
                    + " rows: another run's services consumed the rest";
            notes.add(0, "**" + problem + "**");
            progress(problem);
        }
    }

    /** The sum of a Prometheus metric's samples on a service's /metrics (NaN if unreadable). */
    private static double metric(SystemUnderTest system, String service, String name) {
        try {
            java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                            + system.service(service).healthPort() + "/metrics"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            return response.body()
                    .lines()
                    .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (java.io.IOException | RuntimeException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    /**
     * Until the nodes are nearly idle (under 150 ms of CPU together in a second), at most 30 s: after a burst the
     * quorum queues keep writing their logs for a while, which would be charged to the first drain.
     */
    private void awaitNodesQuiet(String when) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Map<String, ProcessCpu.Sample> last = ProcessCpu.withoutServices(stack);
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000_000L);
            Map<String, ProcessCpu.Sample> now = ProcessCpu.withoutServices(stack);
            long busyMillis = 0;
            for (int n = 1; n <= Stack.NODES; n++) {
                busyMillis += now.get("rabbit" + n).cpuMillis()
                        - last.get("rabbit" + n).cpuMillis();
            }
            if (busyMillis < 150) {
                return;
            }
            last = now;
        }
        notes.add("the nodes were still busy 30 s " + when);
    }

    /** Until neither service queue has a ready message; false on timeout. */
    private boolean awaitNothingReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (QueueProbe probe = stack.queueProbe()) {
            while (System.nanoTime() < deadline) {
                if (probe.readyCount(Stack.DB_WRITER_QUEUE) == 0 && probe.readyCount(Stack.EMAIL_SENDER_QUEUE) == 0) {
                    return true;
                }
                LockSupport.parkNanos(100_000_000L);
            }
        }
        return false;
    }

    private long awaitRows(Blast blast, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long stored = 0;
        while (System.nanoTime() < deadline) {
            stored = 0;
            for (String sensor : blast.sensors()) {
                stored += rows.count(sensor);
            }
            if (stored >= blast.acked()) {
                return stored;
            }
            LockSupport.parkNanos(100_000_000L);
        }
        return stored;
    }

    private void purge() {
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(Stack.DB_WRITER_QUEUE);
            probe.purge(Stack.EMAIL_SENDER_QUEUE);
        }
    }

    // ------------------------------------------------------------------------------------------------ report

    /**
     * CPU samples: the nodes around the broker-only phase, every process around the end-to-end phase (which lasts
     * {@code e2eSeconds} of wall time, until both queues are empty).
     */
    private record Cpu(
            Map<String, ProcessCpu.Sample> brokerBefore,
            Map<String, ProcessCpu.Sample> brokerAfter,
            Map<String, ProcessCpu.Sample> e2eBefore,
            Map<String, ProcessCpu.Sample> e2eAfter,
            double e2eSeconds) {

        /** CPU ms per 1,000 readings of one process in the broker-only or the end-to-end phase (NaN if unknown). */
        double per(String process, boolean brokerOnly, long readings) {
            return brokerOnly
                    ? ProcessCpu.perThousand(brokerBefore.get(process), brokerAfter.get(process), readings)
                    : ProcessCpu.perThousand(e2eBefore.get(process), e2eAfter.get(process), readings);
        }

        double services(long readings) {
            double sum = 0;
            for (String service : ProcessRss.SERVICES) {
                sum += per(service, false, readings);
            }
            return sum;
        }

        double nodes(boolean brokerOnly, long readings) {
            double sum = 0;
            for (int n = 1; n <= Stack.NODES; n++) {
                sum += per("rabbit" + n, brokerOnly, readings);
            }
            return sum;
        }

        /** Every process sampled on its own: the services (end to end only), the nodes and the benchmark's JVM. */
        double listed(boolean brokerOnly, long readings) {
            return (brokerOnly ? 0 : services(readings))
                    + nodes(brokerOnly, readings)
                    + per(ProcessCpu.BENCH, brokerOnly, readings);
        }

        /** CPU seconds per wall second of the end-to-end phase. */
        double coresBusy(String process) {
            ProcessCpu.Sample before = e2eBefore.get(process);
            ProcessCpu.Sample after = e2eAfter.get(process);
            return (after.cpuMillis() - before.cpuMillis()) / 1000.0 / e2eSeconds;
        }
    }

    /** Every figure of one run, and the Markdown written to BENCHMARKS.md. */
    private final class Report {

        private final Instant started;
        private final List<String> machine;
        private final Blast broker;
        private final Blast e2e;
        private final long e2eStored;
        private final double e2eSeconds;
        private final List<Long> rowLatencies;
        private final PageLatency.Result page;
        private final List<PagePhase> pagePhases;
        private final OutageDrain.Result drain;
        private final Map<String, Long> rssBefore;
        private final Map<String, Long> rssAfter;
        private final Cpu cpu;
        private final FirstBurst firstBurst;
        private final List<RawDrain.Result> drains;
        private final StringBuilder text = new StringBuilder();

        Report(
                Instant started,
                List<String> machine,
                Blast broker,
                Blast e2e,
                long e2eStored,
                double e2eSeconds,
                List<Long> rowLatencies,
                PageLatency.Result page,
                List<PagePhase> pagePhases,
                OutageDrain.Result drain,
                Map<String, Long> rssBefore,
                Map<String, Long> rssAfter,
                Cpu cpu,
                FirstBurst firstBurst,
                List<RawDrain.Result> drains) {
            this.started = started;
            this.machine = machine;
            this.broker = broker;
            this.e2e = e2e;
            this.e2eStored = e2eStored;
            this.e2eSeconds = e2eSeconds;
            this.rowLatencies = sorted(rowLatencies);
            this.page = page;
            this.pagePhases = pagePhases;
            this.drain = drain;
            this.rssBefore = rssBefore;
            this.rssAfter = rssAfter;
            this.cpu = cpu;
            this.firstBurst = firstBurst;
            this.drains = drains;
        }

        String markdown() {
            double e2eRate = e2eStored / e2eSeconds;
            double ratio = e2eRate / broker.rate();
            List<Long> pageLatencies = sorted(page.latencies());
            line("# System benchmark — figures from this machine");
            line("");
            line("Written by `SystemBenchmark` (system-tests/src/test/java), run "
                    + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                            .withZone(ZoneOffset.UTC)
                            .format(started)
                    + ", " + Duration.between(started, Instant.now()).toMinutes() + " minutes. Command (never in CI; "
                    + "the jars first: `./mvnw -B -o -pl system-tests -am package -DskipTests`):");
            line("");
            line("```bash");
            line("flock /tmp/thermowatch-it.lock ./mvnw -B -o -pl system-tests -am -Psystem-bench verify \\");
            line("    -DskipITs -DskipSystemTests -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \\");
            line("    -Dbench.seconds=" + SECONDS + " -Dbench.connections=" + CONNECTIONS + " -Dbench.sensors="
                    + SENSORS
                    + " -Dbench.rate=" + fmt(RATE) + " -Dbench.browser.seconds=" + BROWSER_SECONDS
                    + " -Dbench.pages="
                    + PAGES.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(","))
                    + " -Dbench.outage.seconds=" + OUTAGE_SECONDS + " -Dbench.warmup.seconds=" + WARM_UP_SECONDS);
            line("```");
            line("");
            line("Machine:");
            machine.forEach(this::line);
            line("- Publishers: QoS 1 from the benchmark JVM, connection *i* to node 1 + *i* mod 3 directly, "
                    + Publishers.MAX_INFLIGHT + " in flight per connection, " + CONNECTIONS + " connections.");
            line("");
            line("## Throughput: end to end against the broker alone");
            line("");
            line("| phase | acknowledged | seconds | msg/s |");
            line("|---|---:|---:|---:|");
            line("| broker only (QoS 1 into both quorum queues, no consumer; first publish → last PUBACK) | "
                    + broker.acked + " | " + fmt(broker.seconds) + " | " + fmt(broker.rate()) + " |");
            line("| end to end (first publish → last acknowledged reading stored as a row) | " + e2e.acked + " | "
                    + fmt(e2eSeconds) + " | " + fmt(e2eRate) + " |");
            line("");
            line("CPU per 1,000 readings end to end: " + cpuSummary(cpu.e2eBefore(), cpu.e2eAfter(), e2e.acked)
                    + " (details below).");
            line("");
            line("End to end: " + e2e.acked + " acknowledged, " + e2eStored + " rows, **lost "
                    + Math.max(0, e2e.acked - e2eStored) + "** (rows beyond the acknowledged ones are publishes whose"
                    + " PUBACK was not seen: " + Math.max(0, e2eStored - e2e.acked) + ").");
            line("");
            line("## Latency");
            line("");
            line("Under a steady fleet of " + SENSORS + " virtual sensors × " + fmt(RATE) + " readings/s over "
                    + CONNECTIONS + " connections (db-writer, email-sender and dashboard running):");
            line("");
            line("| path | samples | p50 ms | p99 ms | max ms |");
            line("|---|---:|---:|---:|---:|");
            line("| publish → row (marker at 20/s, rows polled every 10 ms, " + SECONDS + " s) | " + rowLatencies.size()
                    + " | " + percentile(rowLatencies, 50) + " | " + percentile(rowLatencies, 99) + " | "
                    + max(rowLatencies) + " |");
            line("| publish → browser (marker at 5/s, value cell watched by a MutationObserver in headless Chromium, "
                    + BROWSER_SECONDS + " s) | " + pageLatencies.size() + " | " + percentile(pageLatencies, 50) + " | "
                    + percentile(pageLatencies, 99) + " | " + max(pageLatencies) + " |");
            line("");
            line("Browser: " + page.published() + " marker values published ("
                    + fmt(page.published() / (double) BROWSER_SECONDS) + "/s), " + page.missed()
                    + " never shown within 2 s"
                    + " of the end (the page draws once per animation frame, so a value followed by the next one within"
                    + " a frame is never drawn; and it subscribes with QoS 0).");
            line("");
            line("Open pages (tabs of one headless Chromium, background tabs not throttled; the marker watched in the"
                    + " first), each phase " + BROWSER_SECONDS + " s with the fleet publishing; CPU in ms per 1,000"
                    + " readings published in the phase:");
            line("");
            line("| pages | samples | p50 ms | p99 ms | max ms | not rendered | watched page: live messages/s |"
                    + " frames drawn/s | ms per draw | RabbitMQ nodes | dashboard | whole machine |");
            line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (PagePhase phase : pagePhases) {
                List<Long> l = sorted(phase.result().latencies());
                line("| " + phase.pages() + " | " + l.size() + " | " + percentile(l, 50) + " | " + percentile(l, 99)
                        + " | " + max(l) + " | " + phase.result().missed() + " | "
                        + fmt(phase.result().messagesPerSecond()) + " | "
                        + fmt(phase.result().framesPerSecond())
                        + " | " + fmt(phase.result().drawMillisPerFrame()) + " | " + fmt(phase.nodesPerThousand())
                        + " | " + fmt(phase.perThousand("dashboard")) + " | "
                        + fmt(phase.perThousand(ProcessCpu.MACHINE)) + " |");
            }
            line("");
            line("## Drain after a " + OUTAGE_SECONDS + " s db-writer outage");
            line("");
            line("The same fleet publishing throughout; db-writer stopped with SIGTERM, restarted after "
                    + OUTAGE_SECONDS + " s; the drain is timed from its `/readyz` until every reading acknowledged "
                    + "before the restart is a row and at most one second of readings is ready in its queue.");
            line("");
            line("| figure | value |");
            line("|---|---:|");
            line("| readings acknowledged during the outage | " + drain.ackedDuringOutage() + " |");
            line("| backlog in `thermowatch.db-writer` at the restart (ready messages) | " + drain.backlog() + " |");
            line("| restart → `/readyz` | " + fmt(drain.restartToReadySeconds()) + " s |");
            line("| drain (ready → caught up) | " + fmt(drain.drainSeconds()) + " s |");
            line("| restart → caught up | " + fmt(drain.restartToReadySeconds() + drain.drainSeconds()) + " s |");
            line("| drain rate (rows stored during the drain / drain seconds; the fleet's own " + fmt(SENSORS * RATE)
                    + "/s included) | " + fmt(drain.rowsPerSecond()) + " rows/s |");
            line("| acknowledged over the phase / rows | " + drain.acked() + " / " + drain.stored() + " |");
            line("| **lost** (acknowledged, not a row) | **" + drain.lost() + "** |");
            line("");
            line("## CPU per reading");
            line("");
            line("CPU time (user + system, all threads, from `/proc/<pid>/stat`) used over a phase, divided by the"
                    + " readings acknowledged in it. End to end: from the first publish until every reading is a row"
                    + " and neither service queue has a ready message (" + fmt(cpu.e2eSeconds()) + " s); each reading"
                    + " is consumed twice (db-writer, email-sender). Broker only: the publishing phase, no consumer.");
            line("");
            line("| process | broker only: CPU s | ms per 1,000 readings | end to end: CPU s | ms per 1,000 readings |"
                    + " cores busy |");
            line("|---|---:|---:|---:|---:|---:|");
            double servicesMs = 0;
            double nodesMs = 0;
            double nodesBrokerMs = 0;
            for (String name : cpu.e2eAfter().keySet()) {
                ProcessCpu.Sample b0 = cpu.brokerBefore().get(name);
                ProcessCpu.Sample b1 = cpu.brokerAfter().get(name);
                double brokerPer = ProcessCpu.perThousand(b0, b1, broker.acked);
                double e2ePer = ProcessCpu.perThousand(
                        cpu.e2eBefore().get(name), cpu.e2eAfter().get(name), e2e.acked);
                double e2eCpuSeconds = e2ePer * e2e.acked / 1000 / 1000;
                line("| " + name + " | " + (b0 == null ? "–" : fmt(cpuSeconds(b0, b1))) + " | "
                        + (b0 == null ? "–" : fmt(brokerPer)) + " | " + fmt(e2eCpuSeconds) + " | " + fmt(e2ePer)
                        + " | " + fmt2(e2eCpuSeconds / cpu.e2eSeconds()) + " |");
                if (ProcessRss.SERVICES.contains(name)) {
                    servicesMs += e2ePer;
                } else if (name.startsWith("rabbit")) {
                    nodesMs += e2ePer;
                    nodesBrokerMs += brokerPer;
                }
            }
            line("| **services** (db-writer + email-sender + dashboard) | – | – | – | **" + fmt(servicesMs)
                    + "** | – |");
            line("| **RabbitMQ nodes** | – | " + fmt(nodesBrokerMs) + " | – | **" + fmt(nodesMs) + "** | – |");
            line("");
            if (firstBurst == null) {
                line("No warm-up (`bench.warmup.seconds=0`): the end-to-end figures include the services' JIT"
                        + " compilation and class loading, and the broker-only ones the publishers'.");
            } else {
                line("Both phases follow an unmeasured " + WARM_UP_SECONDS + " s burst (the services run for days, so"
                        + " a reading costs them what it costs a warm JVM). The services' first burst after their start,"
                        + " " + firstBurst.acked() + " readings with the JIT compiling and classes loading, cost them "
                        + fmt(firstBurst.services()) + " ms per 1,000 (db-writer "
                        + fmt(firstBurst.perThousand("db-writer")) + ", email-sender "
                        + fmt(firstBurst.perThousand("email-sender")) + ", dashboard "
                        + fmt(firstBurst.perThousand("dashboard")) + ") against " + fmt(servicesMs) + " warm.");
            }
            line("");
            line("The whole machine's figure includes HAProxy, PostgreSQL, the kernel and whatever else ran meanwhile"
                    + " (the machine is shared); cores busy = CPU s / wall s of the phase ("
                    + Runtime.getRuntime().availableProcessors() + " cores here).");
            line("");
            line("## What an ack costs the brokers");
            line("");
            line(
                    "The broker-only backlog drained through HAProxy by a plain consumer (this JVM; no service, no work per"
                            + " message), prefetch " + ACK_PREFETCH
                            + ": one ack per delivery (`multiple=false`, as email-sender"
                            + " acked until issue 18) against one multiple ack per " + ACK_BATCH
                            + " deliveries (db-writer's"
                            + " batches, email-sender's AckBatcher at its default prefetch), on equal halves of each queue.");
            line("");
            line(
                    "| queue | acks | messages | seconds | msg/s | nodes: CPU ms per 1,000 | consumer: CPU ms per 1,000 |");
            line("|---|---|---:|---:|---:|---:|---:|");
            double singleNodes = 0;
            double batchNodes = 0;
            for (RawDrain.Result d : drains) {
                line("| `" + d.queue() + "` | " + (d.ackEvery() == 1 ? "one per delivery" : "one per " + d.ackEvery())
                        + " | " + d.messages() + " | " + fmt(d.seconds()) + " | " + fmt(d.rate()) + " | "
                        + fmt(d.nodesPerThousand()) + " | " + fmt(d.consumerPerThousand()) + " |");
                if (d.ackEvery() == 1) {
                    singleNodes += d.nodesPerThousand() / 2;
                } else {
                    batchNodes += d.nodesPerThousand() / 2;
                }
            }
            if (!drains.isEmpty()) {
                line("");
                line("Mean over both queues: the nodes spend " + fmt(singleNodes) + " ms per 1,000 deliveries acked one"
                        + " by one, " + fmt(batchNodes) + " ms batched: a settle command per delivery costs them "
                        + fmt(singleNodes - batchNodes) + " ms per 1,000 (" + fmt2(batchNodes / singleNodes)
                        + " of the per-delivery figure left).");
            }
            line("");
            line("## Resident memory");
            line("");
            line("| process | RSS before the end-to-end phase (MB) | RSS at the end (MB) |");
            line("|---|---:|---:|");
            rssAfter.forEach((name, after) ->
                    line("| " + name + " | " + rssBefore.getOrDefault(name, 0L) / 1024 + " | " + after / 1024 + " |"));
            line("(db-writer was restarted by the outage phase: its second figure is the new process.)");
            line("");
            line("## What the figures say");
            line("");
            double machineBroker = cpu.per(ProcessCpu.MACHINE, true, broker.acked);
            double machineE2e = cpu.per(ProcessCpu.MACHINE, false, e2e.acked);
            double listedBroker = cpu.listed(true, broker.acked);
            double listedE2e = cpu.listed(false, e2e.acked);
            line("- Ratio end-to-end / broker-only = **" + fmt2(ratio) + "**. The machine spent " + fmt(machineE2e)
                    + " ms of CPU per 1,000 readings end to end against " + fmt(machineBroker) + " broker only (its "
                    + Runtime.getRuntime().availableProcessors() + " cores " + fmt2(cpu.coresBusy(ProcessCpu.MACHINE))
                    + " busy end to end); of the end-to-end figure the services took "
                    + percent(cpu.services(e2e.acked), machineE2e) + ", the RabbitMQ nodes "
                    + percent(cpu.nodes(false, e2e.acked), machineE2e)
                    + ": every cycle a consumer spends on these shared cores is taken from the brokers.");
            line("- Everything else on the machine (HAProxy, PostgreSQL, the kernel, and other work on this shared"
                    + " machine) took " + fmt(machineE2e - listedE2e) + " ms per 1,000 readings end to end ("
                    + percent(machineE2e - listedE2e, machineE2e) + " of the machine), "
                    + fmt(machineBroker - listedBroker)
                    + " broker only (" + percent(machineBroker - listedBroker, machineBroker)
                    + "): a much larger share than in another run means other work disturbed this one.");
            line("- Loss: "
                    + (Math.max(0, e2e.acked - e2eStored) + drain.lost() == 0
                            ? "**0** in every phase that counts it (end to end and the outage)."
                            : "**NOT 0**: " + Math.max(0, e2e.acked - e2eStored) + " end to end, " + drain.lost()
                                    + " after the outage."));
            line("- The steady fleet (" + fmt(SENSORS * RATE) + " readings/s) is " + fmt2(SENSORS * RATE / e2eRate)
                    + " of the end-to-end ceiling; publish → row p50 " + percentile(rowLatencies, 50) + " ms is "
                    + fmt2(percentile(rowLatencies, 50) / (double) BATCH_MAX_WAIT_MS)
                    + " × db-writer's BATCH_MAX_WAIT (" + BATCH_MAX_WAIT_MS
                    + " ms), which a batch waits at low rates.");
            line("- The browser sees a reading "
                    + (percentile(pageLatencies, 50) <= percentile(rowLatencies, 50) ? "before" : "after")
                    + " the database has it (p50 " + percentile(pageLatencies, 50) + " vs "
                    + percentile(rowLatencies, 50) + " ms): the page takes its live values from MQTT over WebSocket, "
                    + "not from db-writer.");
            line("- After the outage, db-writer caught up at " + fmt(drain.rowsPerSecond()) + " rows/s, "
                    + fmt2(drain.rowsPerSecond() / (SENSORS * RATE)) + " × the fleet's rate: a " + OUTAGE_SECONDS
                    + " s backlog of " + drain.backlog() + " readings took " + fmt(drain.drainSeconds()) + " s.");
            notes.forEach(note -> line("- " + note + "."));
            line("");
            line(
                    "The 10-minute load run (a separate command, `-Psystem-load`) writes its figures to [LOAD.md](LOAD.md).");
            return text.toString();
        }

        private void line(String s) {
            text.append(s).append('\n');
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static List<Long> sorted(List<Long> values) {
        List<Long> copy = new ArrayList<>(values);
        Collections.sort(copy);
        return copy;
    }

    static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String max(List<Long> sorted) {
        return sorted.isEmpty() ? "-" : sorted.get(sorted.size() - 1).toString();
    }

    /** "db-writer 12.3 ms, email-sender 4.5 ms, ..." per 1,000 readings. */
    private static String cpuSummary(
            Map<String, ProcessCpu.Sample> before, Map<String, ProcessCpu.Sample> after, long readings) {
        List<String> parts = new ArrayList<>();
        after.forEach((name, sample) ->
                parts.add(name + " " + fmt(ProcessCpu.perThousand(before.get(name), sample, readings)) + " ms"));
        return String.join(", ", parts);
    }

    private static double cpuSeconds(ProcessCpu.Sample before, ProcessCpu.Sample after) {
        return before.pid() == after.pid() ? (after.cpuMillis() - before.cpuMillis()) / 1000.0 : Double.NaN;
    }

    private static String summary(List<Long> latencies) {
        List<Long> s = sorted(latencies);
        return s.size() + " samples, p50 " + percentile(s, 50) + " ms, p99 " + percentile(s, 99) + " ms, max " + max(s)
                + " ms";
    }

    private static void progress(String text) {
        System.out.println("[system-bench] " + Instant.now() + " " + text);
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%,.1f", d);
    }

    private static String percent(double part, double whole) {
        return String.format(Locale.ROOT, "%.0f %%", 100 * part / whole);
    }

    private static String fmt2(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
