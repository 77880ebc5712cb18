package io.thermowatch.dbwriter;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark of db-writer against the real native stack; prints figures (BENCHMARKS.md records them).
 *
 * <ol>
 *   <li>ceiling: raw COPY of the rows into a table shaped like {@code temperature} (same key and index);</li>
 *   <li>the original's pattern: one INSERT and one commit per row;</li>
 *   <li>db-writer's two batch methods through {@link BenchmarkSink} (UNNEST arrays, COPY into staging, COPY first);</li>
 *   <li>drain: preload N readings into {@code thermowatch.db-writer}, start {@code db-writer.jar}, rows/s until
 *       every row is stored (for each {@code BENCH_BATCH_SIZES});</li>
 *   <li>latency: publish→row p50/p99 at a steady {@code BENCH_RATE} msg/s for {@code BENCH_SECONDS}.</li>
 * </ol>
 * Run alone (it purges the queue): {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl db-writer -am -Pbench package -DskipTests}.
 */
public final class DrainBenchmark {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The testkit starts services with C1 only (fast start); a benchmark wants the JIT production gets. */
    private static final List<String> FULL_JIT = List.of("-XX:TieredStopAtLevel=4");
    /** Extra JVM options for the drained db-writer, e.g. a flight recording: BENCH_JVM_OPTS="-XX:StartFlightRecording=...". */
    private static final List<String> EXTRA_JVM_OPTIONS =
            System.getenv().getOrDefault("BENCH_JVM_OPTS", "").isBlank()
                    ? List.of()
                    : List.of(System.getenv("BENCH_JVM_OPTS").trim().split("\\s+"));

    private DrainBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rows = intEnv("BENCH_ROWS", 200_000);
        int perCommitRows = intEnv("BENCH_PER_COMMIT_ROWS", 10_000);
        // BATCH_SIZE:PREFETCH[:CONSUMERS] for each drain
        List<int[]> configs = Arrays.stream(System.getenv()
                        .getOrDefault("BENCH_CONFIGS", "2000:8000:2")
                        .split(","))
                .map(String::trim)
                .map(pair -> Arrays.stream(pair.split(":"))
                        .mapToInt(Integer::parseInt)
                        .toArray())
                .toList();
        int rate = intEnv("BENCH_RATE", 1000);
        int seconds = intEnv("BENCH_SECONDS", 30);

        Stack stack = Stack.get();
        System.out.println("== db-writer benchmark, run " + RUN);
        System.out.println("machine: " + machine());
        try (Connection c = stack.openDatabase()) {
            System.out.println("database: "
                    + SchemaAssertions.strings(c, "SELECT version()").get(0));
        }
        purge(stack);
        try (HikariDataSource ds = WriterSchema.dataSource(stack)) {
            ceiling(ds, readings("ceil", rows));
            onePerCommit(ds, readings("one", perCommitRows));
            sinkMethod(ds, BenchmarkSink.Method.UNNEST, readings("unnest", rows), 1000);
            sinkMethod(ds, BenchmarkSink.Method.COPY, readings("copy", rows), 1000);
            List<Reading> copyFirst = readings("copyfirst", rows);
            sinkMethod(ds, BenchmarkSink.Method.COPY_FIRST, copyFirst, 1000);
            // the same rows again: every batch hits the key and falls back (the worst case: all duplicates)
            sinkMethod(ds, BenchmarkSink.Method.COPY_FIRST, copyFirst, 1000);
        }
        brokerOnly(stack, readings("broker", rows), 1000, 2000);
        for (int[] config : configs) {
            int consumers = config.length > 2 ? config[2] : 1;
            drain(
                    stack,
                    readings("drain" + config[0] + "x" + config[1] + "x" + consumers, rows),
                    config[0],
                    config[1],
                    consumers);
        }
        latency(stack, rate, seconds);
        cleanUp(stack);
    }

    // ------------------------------------------------------------ database-only figures

    private static void ceiling(HikariDataSource ds, List<Reading> readings) throws SQLException {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_ceiling");
            s.execute("CREATE TABLE bench_ceiling (LIKE temperature INCLUDING INDEXES INCLUDING CONSTRAINTS)");
            c.commit();
            long start = System.nanoTime();
            long copied = BenchmarkSink.copyIn(c, "COPY bench_ceiling (time, sensor, value) FROM STDIN", readings);
            c.commit();
            report("raw COPY, one transaction (ceiling)", copied, start);
            s.execute("DROP TABLE bench_ceiling");
            c.commit();
        }
    }

    private static void onePerCommit(HikariDataSource ds, List<Reading> readings) throws SQLException {
        try (Connection c = ds.getConnection();
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO temperature (time, sensor, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            c.setAutoCommit(true);
            long start = System.nanoTime();
            for (Reading r : readings) {
                insert.setObject(1, java.time.OffsetDateTime.ofInstant(r.time(), java.time.ZoneOffset.UTC));
                insert.setString(2, r.sensorId());
                insert.setDouble(3, r.value());
                insert.executeUpdate();
            }
            report("one INSERT + commit per row (original pattern)", readings.size(), start);
            c.setAutoCommit(false);
        }
    }

    private static void sinkMethod(
            HikariDataSource ds, BenchmarkSink.Method method, List<Reading> readings, int batchSize)
            throws SQLException {
        PostgresSink sink = new BenchmarkSink(ds, method);
        long start = System.nanoTime();
        long inserted = 0;
        for (int i = 0; i < readings.size(); i += batchSize) {
            inserted += sink.write(readings.subList(i, Math.min(readings.size(), i + batchSize)), List.of());
        }
        report("PostgresSink " + method + ", batches of " + batchSize, inserted, start);
    }

    // ------------------------------------------------------------ the service

    private static void preload(Stack stack, List<Reading> readings) throws Exception {
        long publishStart = System.nanoTime();
        // Four publishers in parallel (one connection each): one alone waits on its confirms most of the time.
        int publishers = 4;
        int slice = (readings.size() + publishers - 1) / publishers;
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(publishers);
        try {
            for (int i = 0; i < readings.size(); i += slice) {
                List<Reading> part = readings.subList(i, Math.min(readings.size(), i + slice));
                done.add(pool.submit(() -> {
                    try (BulkPublisher publisher = new BulkPublisher(stack.amqpAddress(), stack.admin())) {
                        publisher.publishAll(part, 1000);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        report("preload over AMQP with confirms (not db-writer)", readings.size(), publishStart);
        try (var probe = stack.queueProbe()) {
            System.out.printf(
                    Locale.ROOT, "   queue depth before start: %d%n", probe.readyCount(Topics.DB_WRITER_QUEUE));
        }
    }

    /** The broker's own ceiling for this drain: consume and multiple-ack every {@code ackEvery}, no database. */
    private static void brokerOnly(Stack stack, List<Reading> readings, int ackEvery, int prefetch) throws Exception {
        preload(stack, readings);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(stack.dbWriter().username());
        factory.setPassword(stack.dbWriter().password());
        try (com.rabbitmq.client.Connection amqp =
                factory.newConnection(List.of(Address.parseAddress(stack.amqpAddress())), "bench-broker-only")) {
            Channel channel = amqp.createChannel();
            channel.basicQos(prefetch);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(readings.size());
            long start = System.nanoTime();
            channel.basicConsume(Topics.DB_WRITER_QUEUE, false, new com.rabbitmq.client.DefaultConsumer(channel) {
                private int sinceAck;

                @Override
                public void handleDelivery(
                        String tag,
                        com.rabbitmq.client.Envelope envelope,
                        com.rabbitmq.client.AMQP.BasicProperties properties,
                        byte[] body)
                        throws java.io.IOException {
                    if (++sinceAck >= ackEvery || done.getCount() == 1) {
                        channel.basicAck(envelope.getDeliveryTag(), true);
                        sinceAck = 0;
                    }
                    done.countDown();
                }
            });
            if (!done.await(5, java.util.concurrent.TimeUnit.MINUTES)) {
                throw new AssertionError("broker-only drain did not finish: " + done.getCount() + " left");
            }
            report(
                    "broker only: consume + multiple ack per " + ackEvery + ", prefetch " + prefetch + " (no DB)",
                    readings.size(),
                    start);
        }
    }

    private static void drain(Stack stack, List<Reading> readings, int batchSize, int prefetch, int consumers)
            throws Exception {
        preload(stack, readings);
        long start = System.nanoTime();
        try (ServiceProcess writer = ServiceProcess.start(
                "db-writer",
                ServiceEnv.forDbWriter(stack)
                        .with("BATCH_SIZE", Integer.toString(batchSize))
                        .with("PREFETCH", Integer.toString(prefetch))
                        .with("CONSUMERS", Integer.toString(consumers))
                        .build(),
                java.util.stream.Stream.concat(FULL_JIT.stream(), EXTRA_JVM_OPTIONS.stream())
                        .toList())) {
            writer.awaitReady(Duration.ofSeconds(60));
            long ready = System.nanoTime();
            double written;
            while ((written = metric(writer, "dbwriter_rows_written_total")) < readings.size()) {
                if (System.nanoTime() - ready > Duration.ofMinutes(5).toNanos()) {
                    throw new AssertionError("drain did not finish in 5 minutes: " + written);
                }
                Thread.sleep(50); // each poll is a Prometheus scrape inside the measured process: not too often
            }
            long done = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "%-55s %10.0f rows/s  (%d rows in %.2f s after ready; %.2f s incl. JVM"
                            + " start and migration check; batch p50 %.1f ms)%n",
                    "db-writer drain, BATCH_SIZE=" + batchSize + " PREFETCH=" + prefetch + " CONSUMERS=" + consumers,
                    readings.size() / seconds(ready, done),
                    readings.size(),
                    seconds(ready, done),
                    seconds(start, done),
                    quantile(writer, "dbwriter_batch_latency_seconds", "0.5") * 1000);
        }
        try (Connection c = stack.openDatabase();
                PreparedStatement q = c.prepareStatement("SELECT count(*) FROM temperature WHERE sensor LIKE ?")) {
            q.setString(1, readings.get(0).sensorId().replaceAll("-s\\d+$", "") + "-s%");
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                System.out.printf(Locale.ROOT, "   rows stored: %d of %d%n", rs.getLong(1), readings.size());
            }
        }
    }

    private static void latency(Stack stack, int rate, int seconds) throws Exception {
        String sensor = "bench-" + RUN + "-latency";
        int n = rate * seconds;
        long[] publishedAt = new long[n];
        long[] storedAt = new long[n];
        long base = System.currentTimeMillis() - 3_600_000;
        ReadingCodec codec = new ReadingCodec();
        try (ServiceProcess writer = ServiceProcess.start(
                        "db-writer", ServiceEnv.forDbWriter(stack).build(), FULL_JIT);
                Connection db = stack.openDatabase()) {
            writer.awaitReady(Duration.ofSeconds(60));
            int seen;
            ConnectionFactory factory = new ConnectionFactory();
            factory.setUsername(stack.admin().username());
            factory.setPassword(stack.admin().password());
            try (com.rabbitmq.client.Connection amqp =
                    factory.newConnection(List.of(Address.parseAddress(stack.amqpAddress())), "bench-latency")) {
                Channel channel = amqp.createChannel();
                channel.confirmSelect();
                Thread publisher = new Thread(
                        () -> {
                            long start = System.nanoTime();
                            long interval = 1_000_000_000L / rate;
                            try {
                                for (int i = 0; i < n; i++) {
                                    long due = start + i * interval;
                                    long wait = due - System.nanoTime();
                                    if (wait > 0) {
                                        LockSupport.parkNanos(wait);
                                    }
                                    publishedAt[i] = System.nanoTime();
                                    channel.basicPublish(
                                            Topics.EXCHANGE,
                                            Topics.readingRoutingKey(sensor),
                                            MessageProperties.PERSISTENT_BASIC,
                                            codec.encode(new Reading(sensor, 22.0, base + i)));
                                }
                                channel.waitForConfirmsOrDie(30_000);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "bench-publisher");
                publisher.start();
                // Lanes commit out of order: find each reading beyond the contiguous stored prefix by its time.
                try (PreparedStatement beyond = db.prepareStatement(
                        "SELECT (extract(epoch FROM time) * 1000)::bigint"
                                + " FROM temperature WHERE sensor = ? AND time >= timestamptz 'epoch' + ? * INTERVAL '1 millisecond'")) {
                    beyond.setString(1, sensor);
                    int prefix = 0;
                    long deadline =
                            System.nanoTime() + Duration.ofSeconds(seconds + 60).toNanos();
                    while (prefix < n && System.nanoTime() < deadline) {
                        beyond.setLong(2, base + prefix);
                        try (ResultSet rs = beyond.executeQuery()) {
                            long now = System.nanoTime();
                            while (rs.next()) {
                                int i = (int) (rs.getLong(1) - base);
                                if (i >= 0 && i < n && storedAt[i] == 0) {
                                    storedAt[i] = now;
                                }
                            }
                        }
                        while (prefix < n && storedAt[prefix] != 0) {
                            prefix++;
                        }
                        Thread.sleep(5);
                    }
                    seen = prefix;
                }
                publisher.join();
                if (seen < n) {
                    throw new AssertionError("only " + seen + " of " + n + " latency readings stored");
                }
            }
        }
        long[] latencies = new long[n];
        for (int i = 0; i < n; i++) {
            latencies[i] = storedAt[i] - publishedAt[i];
        }
        Arrays.sort(latencies);
        System.out.printf(
                Locale.ROOT,
                "%-55s p50 %.0f ms, p99 %.0f ms, max %.0f ms (%d readings; poll every ~5 ms)%n",
                "publish->row latency at " + rate + " msg/s for " + seconds + " s",
                latencies[n / 2] / 1e6,
                latencies[(int) (n * 0.99)] / 1e6,
                latencies[n - 1] / 1e6,
                n);
    }

    // ------------------------------------------------------------ helpers

    private static List<Reading> readings(String phase, int n) {
        long base = System.currentTimeMillis() - 86_400_000L;
        List<Reading> readings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // ten sensors, one reading per sensor per 10 ms
            readings.add(new Reading("bench-" + RUN + "-" + phase + "-s" + (i % 10), 18 + (i % 70) / 10.0, base + i));
        }
        return readings;
    }

    private static void purge(Stack stack) {
        try (var probe = stack.queueProbe()) {
            probe.purge(Topics.DB_WRITER_QUEUE);
        }
    }

    private static void cleanUp(Stack stack) throws SQLException {
        try (Connection c = stack.openDatabase();
                Statement s = c.createStatement()) {
            int deleted = s.executeUpdate("DELETE FROM temperature WHERE sensor LIKE 'bench-" + RUN + "-%'");
            System.out.println("cleaned up " + deleted + " benchmark rows");
        }
    }

    /** A small pool on the stack's database as db-writer's role, autocommit off (also used by PostgresSinkIT). */
    private static void report(String what, long rows, long startNanos) {
        double s = seconds(startNanos, System.nanoTime());
        System.out.printf(Locale.ROOT, "%-55s %10.0f rows/s  (%d rows in %.2f s)%n", what, rows / s, rows, s);
    }

    private static double seconds(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1e9;
    }

    private static double metric(ServiceProcess process, String name) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + process.env().get("HEALTH_PORT") + "/metrics");
        String body = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ") || line.startsWith(name + ",")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static double quantile(ServiceProcess process, String name, String q) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + process.env().get("HEALTH_PORT") + "/metrics");
        String body = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") && line.contains("quantile=\"" + q + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static int intEnv(String name, int defaultValue) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? defaultValue : Integer.parseInt(value.trim());
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 2))
                    .orElse("?");
        } catch (Exception e) {
            // not Linux: leave it unknown
        }
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpu + ", Java "
                + System.getProperty("java.version");
    }
}
