package io.thermowatch.systemtests;

import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The load/bench command (never run in CI; see README.md): on the native stack,
 * <ol>
 *   <li><b>broker only</b>: QoS 1 publishes as fast as {@code bench.connections} connections go, for
 *       {@code bench.seconds}, into the two quorum queues with no consumer — the ceiling of the broker here;</li>
 *   <li><b>end to end</b>: the same with db-writer, email-sender and dashboard running, then the time until the
 *       last acknowledged reading is a row: sustained msg/s with the loss counted (acknowledged vs rows);</li>
 *   <li><b>latency</b>: {@code bench.sensors} virtual sensors at {@code bench.rate} readings/s each for
 *       {@code bench.seconds}, and a marker sensor at 20/s whose rows are watched: publish→row p50/p99;</li>
 *   <li>RSS of each service and each RabbitMQ node before and after.</li>
 * </ol>
 * Prints a Markdown report and writes it to {@code system-tests/target/bench-report.md}.
 */
public final class SystemBenchmark {

    private static final int SECONDS = Integer.getInteger("bench.seconds", 30);
    private static final int CONNECTIONS = Integer.getInteger("bench.connections", 8);
    private static final int SENSORS = Integer.getInteger("bench.sensors", 500);
    private static final double RATE = Double.parseDouble(System.getProperty("bench.rate", "1"));

    private final Stack stack = Stack.get();
    private final Rows rows = new Rows(stack);
    private final StringBuilder report = new StringBuilder();

    private SystemBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        new SystemBenchmark().run();

    }

    private void run() throws Exception {
        String run = "bench" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        line("# System benchmark " + Instant.now());
        line("");
        line("Machine: " + Runtime.getRuntime().availableProcessors() + " cores, "
                + firstLine(Path.of("/proc/meminfo")) + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version"));
        line("Settings: bench.seconds=" + SECONDS + ", bench.connections=" + CONNECTIONS + ", bench.sensors=" + SENSORS
                + ", bench.rate=" + RATE + "/s per sensor");
        line("");
        purge();

        // 1. broker only
        Blast broker = blast(run + "_b", Duration.ofSeconds(SECONDS));
        line("| phase | acknowledged | msg/s |");
        line("|---|---:|---:|");
        line("| broker only (QoS 1 into both quorum queues, no consumers) | " + broker.acked + " | "
                + fmt(broker.acked / broker.seconds) + " |");
        purge();

        // 2. end to end
        try (SystemUnderTest system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of(), Map.of())) {
            Map<String, Long> rssBefore = rss(system);
            Instant start = Instant.now();
            Blast e2e = blast(run + "_e", Duration.ofSeconds(SECONDS));
            long stored = awaitRows(e2e, Duration.ofMinutes(5));
            double drainedSeconds = Duration.between(start, Instant.now()).toMillis() / 1000.0;
            line("| end to end (publish → row, until the last acknowledged reading is stored) | " + e2e.acked + " | "
                    + fmt(stored / drainedSeconds) + " |");
            line("");
            line("End to end: " + e2e.acked + " acknowledged, " + stored + " rows, lost " + Math.max(0, e2e.acked - stored)
                    + " (rows beyond the acknowledged ones: publishes whose PUBACK was not seen)"
                    + "; publishing took " + fmt(e2e.seconds) + " s, storing everything " + fmt(drainedSeconds)
                    + " s; ratio end-to-end / broker-only = " + fmt((stored / drainedSeconds) / (broker.acked / broker.seconds)));
            line("");

            // 3. latency under a steady fleet
            List<Long> latencies = steadyFleet(run + "_f", Duration.ofSeconds(SECONDS));
            Collections.sort(latencies);
            line("Steady fleet: " + SENSORS + " virtual sensors × " + RATE + "/s over " + CONNECTIONS
                    + " connections for " + SECONDS + " s; publish→row latency of a 20/s marker sensor (" + latencies.size()
                    + " samples, 10 ms polling): p50 " + percentile(latencies, 50) + " ms, p99 "
                    + percentile(latencies, 99) + " ms, max " + (latencies.isEmpty() ? "-" : latencies.get(latencies.size() - 1))
                    + " ms");
            line("");
            Map<String, Long> rssAfter = rss(system);
            line("| process | RSS before (MB) | RSS after (MB) |");
            line("|---|---:|---:|");
            rssAfter.forEach((name, after) -> line("| " + name + " | " + rssBefore.getOrDefault(name, 0L) / 1024 + " | "
                    + after / 1024 + " |"));
        }
        Path out = stack.root().resolve("system-tests/target/bench-report.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println();
        System.out.println(report);
        System.out.println("(written to " + out + ")");
    }

    // ------------------------------------------------------------------------------------------------

    private record Blast(List<String> sensors, Map<String, List<Long>> acknowledged, long acked, double seconds) {
    }

    /** Publishes as fast as the connections go (QoS 1, 1,000 in flight each) for {@code duration}. */
    private Blast blast(String prefix, Duration duration) throws Exception {
        List<MqttAsyncClient> clients = connect(prefix, CONNECTIONS);
        Map<String, List<Long>> acknowledged = new ConcurrentHashMap<>();
        AtomicLong acked = new AtomicLong();
        AtomicLong lastAck = new AtomicLong(System.nanoTime());
        List<Thread> threads = new ArrayList<>();
        long end = System.nanoTime() + duration.toNanos();
        long started = System.nanoTime();
        for (int c = 0; c < clients.size(); c++) {
            MqttAsyncClient client = clients.get(c);
            String sensor = prefix + "_c" + c;
            List<Long> mine = Collections.synchronizedList(new ArrayList<>());
            acknowledged.put(sensor, mine);
            Thread t = new Thread(() -> {
                long ts = System.currentTimeMillis() - 60_000;
                while (System.nanoTime() < end) {
                    long timestamp = ts++;
                    if (!publish(client, sensor, timestamp, 21.0, () -> {
                        mine.add(timestamp);
                        acked.incrementAndGet();
                        lastAck.set(System.nanoTime());
                    })) {
                        ts--;
                    }
                }
            }, "blast-" + c);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        int stuck = awaitInflight(clients);
        // from the first publish to the last PUBACK (not to the end of the in-flight wait)
        double seconds = (lastAck.get() - started) / 1e9;
        close(clients);
        if (stuck > 0) {
            line("(" + stuck + " publishes still unacknowledged 30 s after the end of " + prefix
                    + ": not counted; they may be stored all the same)");
        }
        return new Blast(new ArrayList<>(acknowledged.keySet()), acknowledged, acked.get(), seconds);
    }

    /** {@link #SENSORS} virtual sensors at {@link #RATE}/s each over {@link #CONNECTIONS} connections, plus a marker. */
    private List<Long> steadyFleet(String prefix, Duration duration) throws Exception {
        List<MqttAsyncClient> clients = connect(prefix, CONNECTIONS + 1);
        MqttAsyncClient markerClient = clients.remove(clients.size() - 1);
        String marker = prefix + "_marker";
        Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            MqttAsyncClient client = clients.get(c);
            int first = c;
            Thread t = new Thread(() -> {
                long periodNanos = (long) (1e9 / RATE);
                long next = System.nanoTime();
                while (System.nanoTime() < end) {
                    long now = System.currentTimeMillis();
                    for (int s = first; s < SENSORS; s += clients.size()) {
                        publish(client, prefix + "_s" + s, now, 20 + s % 5, () -> { });
                    }
                    next += periodNanos;
                    LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
                }
            }, "fleet-" + c);
            threads.add(t);
            t.start();
        }
        Thread markerThread = new Thread(() -> {
            while (System.nanoTime() < end) {
                long ts = System.currentTimeMillis();
                publishedAt.put(ts, System.nanoTime());
                publish(markerClient, marker, ts, 21.0, () -> { });
                LockSupport.parkNanos(50_000_000L);
            }
        }, "marker");
        markerThread.start();
        List<Long> latencies = new ArrayList<>();
        long seen = 0;
        while (System.nanoTime() < end + 10_000_000_000L && (markerThread.isAlive() || latencies.size() < publishedAt.size())) {
            long[] newest = {0};
            long since = seen;
            List<Long> arrived = new ArrayList<>();
            rows.query("SELECT (extract(epoch FROM time) * 1000)::bigint FROM temperature WHERE sensor = ? AND time > to_timestamp(? / 1000.0)",
                    List.of(marker, since), rs -> arrived.add(rs.getLong(1)));
            long now = System.nanoTime();
            for (long ts : arrived) {
                Long at = publishedAt.get(ts);
                if (at != null && ts > seen) {
                    latencies.add((now - at) / 1_000_000);
                }
                newest[0] = Math.max(newest[0], ts);
            }
            seen = Math.max(seen, newest[0]);
            LockSupport.parkNanos(10_000_000L);
        }
        for (Thread t : threads) {
            t.join();
        }
        markerThread.join();
        awaitInflight(clients);
        close(clients);
        close(List.of(markerClient));
        return latencies;
    }

    private boolean publish(MqttAsyncClient client, String sensor, long timestamp, double value, Runnable onAck) {
        MqttMessage message = new MqttMessage(("{\"value\":" + value + ",\"timestamp\":" + timestamp + "}")
                .getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        try {
            client.publish("temperature/" + sensor, message, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    onAck.run();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable e) {
                    // not acknowledged: not counted
                }
            });
            return true;
        } catch (MqttException e) {
            // window full (REASON_CODE_MAX_INFLIGHT) or disconnected: back off a little
            LockSupport.parkNanos(200_000L);
            return false;
        }
    }

    private long awaitRows(Blast blast, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        long stored = 0;
        while (Instant.now().isBefore(deadline)) {
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

    private List<MqttAsyncClient> connect(String prefix, int count) throws MqttException {
        List<MqttAsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            MqttAsyncClient client = new MqttAsyncClient(stack.nodeMqttUri(1 + i % Stack.NODES), prefix + "-" + i,
                    new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMaxInflight(1000);
            options.setUserName(stack.sensor().username());
            options.setPassword(stack.sensor().password().toCharArray());
            client.connect(options).waitForCompletion(15_000);
            clients.add(client);
        }
        return clients;
    }

    /** Waits up to 30 s for every in-flight publish to be acknowledged; returns how many were not. */
    private static int awaitInflight(List<MqttAsyncClient> clients) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        int stuck = 0;
        for (MqttAsyncClient client : clients) {
            while (client.getInFlightMessageCount() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000L);
            }
            stuck += client.getInFlightMessageCount();
        }
        return stuck;
    }

    private static void close(List<MqttAsyncClient> clients) {
        for (MqttAsyncClient client : clients) {
            try {
                client.disconnect().waitForCompletion(5_000);
                client.close();
            } catch (MqttException e) {
                // best effort
            }
        }
    }

    private void purge() {
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(Stack.DB_WRITER_QUEUE);
            probe.purge(Stack.EMAIL_SENDER_QUEUE);
        }
    }

    /** RSS in kB of each service process and RabbitMQ node. */
    private Map<String, Long> rss(SystemUnderTest system) {
        Map<String, Long> rss = new LinkedHashMap<>();
        for (String service : List.of("db-writer", "email-sender", "dashboard")) {
            ServiceProcess p = system.service(service);
            rss.put(service, rssOf(p.pid()));
        }
        for (int n = 1; n <= Stack.NODES; n++) {
            try {
                long pid = Long.parseLong(Files.readString(stack.root().resolve(".stack/rabbitmq/rabbit" + n + ".pid")).trim());
                rss.put("rabbit" + n, rssOf(pid));
            } catch (IOException | NumberFormatException e) {
                rss.put("rabbit" + n, 0L);
            }
        }
        return rss;
    }

    private static long rssOf(long pid) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return 0;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static String firstLine(Path file) {
        try {
            return Files.readAllLines(file).get(0).replaceAll("\\s+", " ");
        } catch (IOException | IndexOutOfBoundsException e) {
            return "?";
        }
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d);
    }

    private void line(String text) {
        report.append(text).append('\n');
        System.out.println(text);
    }
}
