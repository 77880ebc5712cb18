package io.thermowatch.dbwriter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import io.thermowatch.common.runtime.ServiceMain;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * db-writer as a process against the real native stack: three RabbitMQ nodes behind HAProxy, PostgreSQL.
 * Each test starts the instances it needs and reads only the sensors it wrote, so any one runs alone and in any
 * order. Run alone: {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl db-writer -am verify -Dit.test=DbWriterIT}.
 */
class DbWriterIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final Duration STORED = Duration.ofSeconds(60);
    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Stack stack;
    /** The test's db-writer instance, if it started one; stopped after the test. */
    private ServiceProcess writer;

    @BeforeAll
    static void emptyTheQueue() {
        stack = Stack.get();
        try (var probe = stack.queueProbe()) {
            // Other modules' tests leave readings in the queue; they are not ours to store.
            probe.purge(Topics.DB_WRITER_QUEUE);
        }
    }

    @AfterEach
    void stopWriter() {
        if (writer != null) {
            writer.close();
        }
    }

    private static ServiceProcess startInstance() {
        ServiceProcess process = ServiceProcess.start(
                "db-writer",
                ServiceEnv.forDbWriter(stack).with("BATCH_MAX_WAIT", "50ms").build());
        process.awaitReady(READY);
        return process;
    }

    private static String sensor(String name) {
        return "it-dw-" + RUN + "-" + name;
    }

    @Test
    void a_reading_published_over_mqtt_is_stored_with_its_sensor_time_and_value() throws Exception {
        // Given
        writer = startInstance();
        String sensor = sensor("mqtt");
        long time = System.currentTimeMillis() - 1_000;
        // When
        try (MqttTestClient mqtt = connectMqtt()) {
            mqtt.publishUntilAcknowledged(
                    Topics.readingTopic(sensor),
                    bytes("{\"value\": 23.4, \"timestamp\": " + time + "}"),
                    Duration.ofSeconds(30));
        }
        // Then
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == 1);
        try (Connection c = stack.openDatabase();
                PreparedStatement q = c.prepareStatement("SELECT time, value FROM temperature WHERE sensor = ?")) {
            q.setString(1, sensor);
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(Instant.ofEpochMilli(time), rs.getTimestamp(1).toInstant());
                assertEquals(23.4, rs.getDouble(2));
            }
        }
    }

    @Test
    void the_same_reading_delivered_twice_yields_one_row() throws Exception {
        // Given
        writer = startInstance();
        String sensor = sensor("dup");
        byte[] payload = ("{\"value\": 21.0, \"timestamp\": " + (System.currentTimeMillis() - 5_000) + "}")
                .getBytes(StandardCharsets.UTF_8);
        String marker = sensor("dup-marker");
        AtomicReference<Double> duplicatesBefore = new AtomicReference<>();
        // When: the same message twice, in different batches, then a marker behind them
        try (MqttTestClient mqtt = connectMqtt()) {
            mqtt.publishUntilAcknowledged(Topics.readingTopic(sensor), payload, Duration.ofSeconds(30));
            // the first copy is committed before the second is published, so they are in different batches
            await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == 1);
            duplicatesBefore.set(metric(writer, "dbwriter_readings_duplicate_total"));
            mqtt.publishUntilAcknowledged(Topics.readingTopic(sensor), payload, Duration.ofSeconds(30));
            mqtt.publishUntilAcknowledged(
                    Topics.readingTopic(marker),
                    bytes("{\"value\": 1, \"timestamp\": " + System.currentTimeMillis() + "}"),
                    Duration.ofSeconds(30));
        }
        // Then
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", marker) == 1);
        // Lanes commit independently: wait until the second copy was judged a duplicate, this one and no other.
        await().atMost(STORED)
                .until(() -> metric(writer, "dbwriter_readings_duplicate_total") >= duplicatesBefore.get() + 1);
        assertEquals(duplicatesBefore.get() + 1, metric(writer, "dbwriter_readings_duplicate_total"));
        assertEquals(1, count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor));
    }

    @Test
    void every_malformed_payload_is_kept_in_rejected_messages_with_its_reason_and_the_stream_behind_it_is_stored()
            throws Exception {
        // Given one message per rejection rule of the codec, then a valid reading
        writer = startInstance();
        String sensor = sensor("bad");
        long now = System.currentTimeMillis();
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("not valid JSON", bytes("{value: 1"));
        cases.put("not a JSON object", bytes("[1, 2]"));
        cases.put("missing field 'value'", bytes("{\"timestamp\": " + now + "}"));
        cases.put("missing field 'timestamp'", bytes("{\"value\": 20}"));
        cases.put("field 'value' must be a number", bytes("{\"value\": \"hot\", \"timestamp\": " + now + "}"));
        cases.put("field 'timestamp' must be an integer", bytes("{\"value\": 20, \"timestamp\": \"now\"}"));
        cases.put("NaN", bytes("{\"value\": NaN, \"timestamp\": " + now + "}"));
        cases.put("below absolute zero", bytes("{\"value\": -300, \"timestamp\": " + now + "}"));
        cases.put("above the plausible maximum", bytes("{\"value\": 5000, \"timestamp\": " + now + "}"));
        cases.put("in the future", bytes("{\"value\": 20, \"timestamp\": " + (now + 3_600_000) + "}"));
        cases.put("before 2000-01-01", bytes("{\"value\": 20, \"timestamp\": " + now / 1000 + "}"));
        cases.put("empty payload", new byte[0]);
        cases.put(
                "exceeds the limit",
                bytes("{\"value\": 20, \"pad\": \"" + "x".repeat(5000) + "\", \"timestamp\": " + now + "}"));
        String badIdKey = "temperature." + sensor + "!x";
        // When
        try (BulkPublisher publisher = new BulkPublisher(stack.amqpAddress(), stack.admin())) {
            for (byte[] body : cases.values()) {
                publisher.publishRaw(Topics.readingRoutingKey(sensor), body);
            }
            publisher.publishRaw(badIdKey, bytes("{\"value\": 20, \"timestamp\": " + now + "}"));
            publisher.publish(new Reading(sensor, 19.5, now));
            publisher.confirm();
        }
        // Then
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == 1);
        await().atMost(STORED)
                .until(() -> count(
                                "SELECT count(*) FROM rejected_messages WHERE routing_key IN (?, ?)",
                                Topics.readingRoutingKey(sensor),
                                badIdKey)
                        == cases.size() + 1);
        // Lanes commit independently, so match each stored rejection to its case by the bytes.
        Map<String, String> reasonByPayload = new LinkedHashMap<>();
        try (Connection c = stack.openDatabase();
                PreparedStatement q =
                        c.prepareStatement("SELECT reason, payload FROM rejected_messages WHERE routing_key = ?")) {
            q.setString(1, Topics.readingRoutingKey(sensor));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    reasonByPayload.put(new String(rs.getBytes(2), StandardCharsets.ISO_8859_1), rs.getString(1));
                }
            }
        }
        assertEquals(cases.size(), reasonByPayload.size(), "rejections: " + reasonByPayload.values());
        for (Map.Entry<String, byte[]> expected : cases.entrySet()) {
            // A payload beyond 4 KiB is kept as its first 4 KiB (with length and digest, see PostgresSinkIT).
            byte[] kept = KeptPayload.of(expected.getValue()).head();
            String reason = reasonByPayload.get(new String(kept, StandardCharsets.ISO_8859_1));
            assertTrue(reason != null, "no rejection stored with the bytes of case '" + expected.getKey() + "'");
            assertTrue(
                    reason.contains(expected.getKey())
                            || expected.getKey().equals("NaN") && reason.startsWith("not valid JSON"),
                    "expected '" + expected.getKey() + "' in '" + reason + "'");
        }
        assertEquals(
                1,
                count(
                        "SELECT count(*) FROM rejected_messages WHERE routing_key = ?"
                                + " AND reason LIKE '%does not match%'",
                        badIdKey));
    }

    @Test
    void the_schema_is_the_one_of_the_mode_the_database_supports() throws Exception {
        // Given what this server offers, and one reading stored
        writer = startInstance();
        String sensor = sensor("schema");
        long time = System.currentTimeMillis() - 1_000;
        try (BulkPublisher publisher = new BulkPublisher(stack.amqpAddress(), stack.admin())) {
            publisher.publish(new Reading(sensor, 21.0, time));
            publisher.confirm();
        }
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == 1);
        boolean timescale = count("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'"
                                + " AND current_setting('shared_preload_libraries') ~ 'timescaledb'")
                        == 1
                || count("SELECT count(*) FROM pg_extension WHERE extname = 'timescaledb'") == 1;
        SchemaMode expected = timescale ? SchemaMode.TIMESCALEDB : SchemaMode.PLAIN;
        // Then db-writer detected it
        writer.awaitOutput("Running in " + expected + " mode", Duration.ofSeconds(1));
        // and built the schema of that mode
        assertEquals(
                1,
                count("SELECT count(*) FROM pg_constraint WHERE conname = 'temperature_sensor_time_key'"
                        + " AND contype = 'u'"));
        SchemaAssertions.assertSchema(stack, expected);
        // and the original query answers: at most 10 rows (this test's among the table's), newest first
        List<Instant> newest = new ArrayList<>();
        try (Connection c = stack.openDatabase();
                PreparedStatement q = c.prepareStatement("SELECT * FROM temperature ORDER BY time DESC LIMIT 10");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                assertTrue(rs.getString("sensor") != null && !Double.isNaN(rs.getDouble("value")));
                newest.add(rs.getTimestamp("time").toInstant());
            }
        }
        assertTrue(!newest.isEmpty() && newest.size() <= 10, "rows: " + newest);
        assertEquals(newest.stream().sorted(java.util.Comparator.reverseOrder()).toList(), newest);
        // and the aggregates count the reading
        assertEquals(1, count("SELECT sum(samples) FROM temperature_1m WHERE sensor = ?", sensor));
        assertEquals(1, count("SELECT sum(samples) FROM temperature_1h WHERE sensor = ?", sensor));
    }

    @Test
    void two_instances_on_one_queue_store_every_reading_once() throws Exception {
        // Given two instances
        writer = startInstance();
        try (ServiceProcess second = startInstance()) {
            String sensor = sensor("pair");
            List<Reading> readings = readings(sensor, 20_000);
            // When
            try (BulkPublisher publisher = new BulkPublisher(stack.amqpAddress(), stack.admin())) {
                publisher.publishAll(readings, 500);
            }
            // Then
            await().atMost(STORED)
                    .until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == readings.size());
            assertTrue(metric(writer, "dbwriter_rows_written_total") > 0, "first instance wrote nothing");
            assertTrue(metric(second, "dbwriter_rows_written_total") > 0, "second instance wrote nothing");
        }
    }

    @Test
    void a_sigkilled_writer_restarted_mid_stream_stores_every_reading_once() throws Exception {
        // Given a stream being published and written
        writer = startInstance();
        String sensor = sensor("kill");
        List<Reading> readings = readings(sensor, 30_000);
        BackgroundStream stream = new BackgroundStream("kill-stream", readings);
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) > 0);
        // When
        writer.sigkill();
        writer.awaitExit(Duration.ofSeconds(10));
        long storedAtKill = count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor);
        writer = startInstance();
        stream.awaitPublished(Duration.ofMinutes(2));
        // Then
        await().atMost(STORED)
                .until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == readings.size());
        assertTrue(storedAtKill < readings.size(), "the kill came too late to test anything: " + storedAtKill);
        assertEquals(0, count("SELECT count(*) - count(DISTINCT time) FROM temperature WHERE sensor = ?", sensor));
    }

    @Test
    void postgres_stopped_for_30_seconds_during_a_stream_loses_and_doubles_nothing() throws Exception {
        // Given a steady stream over MQTT
        writer = startInstance();
        String sensor = sensor("pgdown");
        AtomicInteger published = new AtomicInteger();
        AtomicBoolean streaming = new AtomicBoolean(true);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long base = System.currentTimeMillis() - 600_000;
        Thread stream = new Thread(
                () -> {
                    try (MqttTestClient mqtt = MqttTestClient.connect(List.of(stack.mqttUri()), stack.sensor(), true)) {
                        while (streaming.get()) {
                            int n = published.get();
                            mqtt.publishUntilAcknowledged(
                                    Topics.readingTopic(sensor),
                                    new ReadingCodec().encode(new Reading(sensor, 20 + n % 10, base + n)),
                                    Duration.ofSeconds(30));
                            published.incrementAndGet();
                            Thread.sleep(20);
                        }
                    } catch (Throwable e) {
                        failure.set(e);
                    }
                },
                "pgdown-stream");
        stream.start();
        try {
            await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) > 0);
            // When
            stack.stopPostgres();
            await().atMost(Duration.ofSeconds(20)).until(() -> readyStatus(writer) == 503);
            Thread.sleep(30_000); // the outage itself, not a wait for a condition
            assertTrue(writer.isAlive());
            stack.startPostgres();
            // keep streaming a little after the restart
            int atRestart = published.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> published.get() >= atRestart + 50);
        } finally {
            streaming.set(false);
            stream.join(60_000);
            if (!isPostgresUp()) {
                stack.startPostgres();
            }
        }
        // Then
        assertEquals(null, failure.get());
        int total = published.get();
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == total);
        await().atMost(Duration.ofSeconds(20)).until(() -> readyStatus(writer) == 200);
        assertEquals(0, count("SELECT count(*) - count(DISTINCT time) FROM temperature WHERE sensor = ?", sensor));
        assertTrue(metric(writer, "dbwriter_write_failures_total") >= 1);
    }

    @Test
    void sigterm_mid_stream_commits_and_acknowledges_what_it_took_and_exits_cleanly() throws Exception {
        // Given readings being written, and none of anyone else's in the queue
        try (var probe = stack.queueProbe()) {
            probe.purge(Topics.DB_WRITER_QUEUE);
        }
        writer = startInstance();
        String sensor = sensor("term");
        List<Reading> readings = readings(sensor, 30_000);
        BackgroundStream stream = new BackgroundStream("term-stream", readings);
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) > 0);
        // When
        writer.sigterm();
        int exit = writer.awaitExit(Duration.ofSeconds(30));
        stream.awaitPublished(Duration.ofMinutes(2));
        // Then it exits 0 after its shutdown
        assertEquals(0, exit, "exit code after SIGTERM (ServiceMain guarantees 0)\n" + writer.tail());
        assertTrue(writer.output().contains("Shutdown completed."), writer.tail());
        // and each reading is either committed (and acknowledged) or back in the queue, never both
        long stored = count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor);
        assertTrue(stored < readings.size(), "the SIGTERM came too late to test anything: " + stored);
        try (var probe = stack.queueProbe()) {
            await("stored + requeued = published")
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> stored + probe.readyCount(Topics.DB_WRITER_QUEUE) >= readings.size());
            assertEquals(readings.size(), stored + probe.readyCount(Topics.DB_WRITER_QUEUE), "stored " + stored);
        }
        // and the next instance stores the rest, once
        writer = startInstance();
        await().atMost(STORED)
                .until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == readings.size());
        assertEquals(0, count("SELECT count(*) - count(DISTINCT time) FROM temperature WHERE sensor = ?", sensor));
    }

    @Test
    void a_consumer_cancelled_by_the_broker_is_not_ready_and_consumes_again_within_seconds() throws Exception {
        // Given
        writer = startInstance();
        ServiceProcess process = writer;
        // When the broker cancels the consumers (their queue is deleted), then the queue is back
        try {
            stack.management().deleteQueue(Topics.DB_WRITER_QUEUE);
            await().atMost(Duration.ofSeconds(20)).until(() -> readyStatus(process) == 503);
        } finally {
            declareDbWriterQueue();
        }
        long declaredAt = System.nanoTime();
        // Then it subscribes again within the resubscribe back-off cap, and stores what arrives
        await().atMost(Duration.ofSeconds(20)).until(() -> readyStatus(process) == 200);
        Duration recovery = Duration.ofNanos(System.nanoTime() - declaredAt);
        assertTrue(recovery.compareTo(Duration.ofSeconds(13)) <= 0, "ready again after " + recovery);
        assertTrue(process.output().contains("consumer cancelled by the broker"), process.tail());
        String sensor = sensor("cancel");
        try (BulkPublisher publisher = new BulkPublisher(stack.amqpAddress(), stack.admin())) {
            publisher.publish(new Reading(sensor, 22.0, System.currentTimeMillis()));
            publisher.confirm();
        }
        await().atMost(STORED).until(() -> count("SELECT count(*) FROM temperature WHERE sensor = ?", sensor) == 1);
    }

    @Test
    void a_writer_thread_killed_by_an_out_of_memory_error_fails_readiness_and_exits_non_zero() throws Exception {
        // Given an instance the test can reach through the Java debug interface (no hook in the service)
        int debugPort = ServiceEnv.freePort();
        try (ServiceProcess process = ServiceProcess.start(
                "db-writer",
                ServiceEnv.forDbWriter(stack).with("BATCH_MAX_WAIT", "50ms").build(),
                List.of(ErrorInjector.agentOption(debugPort)))) {
            process.awaitReady(READY);
            // When its first writer thread dies of an OutOfMemoryError inside its loop
            ErrorInjector.throwOutOfMemoryError(
                    debugPort, "db-writer-writer-1", Batcher.class.getName(), "millisUntilDue", Duration.ofSeconds(30));
            // Then it stops answering ready at once and exits with the worker-death status
            await().atMost(Duration.ofSeconds(10)).until(() -> !isReady(process));
            assertEquals(ServiceMain.EXIT_WORKER_DIED, process.awaitExit(Duration.ofSeconds(90)), process.tail());
            assertTrue(process.output().contains("Worker 'db-writer-writer-1' died"), process.tail());
            assertTrue(process.output().contains("OutOfMemoryError"), process.tail());
            assertTrue(process.output().contains("Shutdown completed."), process.tail());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The queue as the broker's definitions declare it (its policy applies by name), with its binding. */
    private static void declareDbWriterQueue() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUsername(stack.admin().username());
        factory.setPassword(stack.admin().password());
        try (com.rabbitmq.client.Connection connection = factory.newConnection(
                        List.of(Address.parseAddress(stack.amqpAddress())), "db-writer-it-admin");
                Channel channel = connection.createChannel()) {
            channel.queueDeclare(Topics.DB_WRITER_QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
            channel.queueBind(Topics.DB_WRITER_QUEUE, Topics.EXCHANGE, "temperature.*");
        }
    }

    /** Ready, as /readyz says; false also when it does not answer (the process is shutting down). */
    private static boolean isReady(ServiceProcess process) {
        try {
            return readyStatus(process) == 200;
        } catch (Exception e) {
            return false;
        }
    }

    /** A sensor-user MQTT client; a node still settling after another test may refuse a connect for a moment. */
    private static MqttTestClient connectMqtt() {
        AtomicReference<MqttTestClient> client = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            client.set(MqttTestClient.connect(List.of(stack.mqttUri()), stack.sensor(), true));
            return true;
        });
        return client.get();
    }

    private static List<Reading> readings(String sensor, int n) {
        long base = System.currentTimeMillis() - 3_600_000;
        List<Reading> readings = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            readings.add(new Reading(sensor, 20 + (i % 100) / 10.0, base + i));
        }
        return readings;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static long count(String sql, Object... args) throws SQLException {
        try (Connection c = stack.openDatabase();
                PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                q.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static boolean isPostgresUp() {
        try {
            count("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static int readyStatus(ServiceProcess process) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + process.env().get("HEALTH_PORT") + "/readyz");
        return HTTP.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    private static double metric(ServiceProcess process, String name) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + process.env().get("HEALTH_PORT") + "/metrics");
        String body = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /** Publishes readings, 200 per batch, on a thread of its own while a test stops and starts the writer. */
    private final class BackgroundStream {

        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread thread;

        BackgroundStream(String name, List<Reading> readings) {
            thread = new Thread(
                    () -> {
                        try (BulkPublisher publisher = new BulkPublisher(stack.amqpAddress(), stack.admin())) {
                            publisher.publishAll(readings, 200);
                        } catch (Throwable e) {
                            failure.set(e);
                        }
                    },
                    name);
            thread.start();
        }

        /** Waits until every reading is published (confirmed) and fails the test if publishing failed. */
        void awaitPublished(Duration within) throws InterruptedException {
            thread.join(within.toMillis());
            assertFalse(thread.isAlive(), thread.getName() + " still publishing after " + within);
            assertEquals(null, failure.get(), thread.getName() + " failed");
        }
    }
}
