package io.thermowatch.sensor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sensor jar against the real native cluster (three RabbitMQ nodes behind HAProxy). Each test uses its own
 * sensor id and picks its messages out of the shared quorum queues by routing key.
 */
class SensorIT {

    /** The wire contract, exactly as the sensor writes it: one decimal, epoch milliseconds. */
    private static final Pattern PAYLOAD = Pattern.compile("\\{\"value\":-?\\d+\\.\\d,\"timestamp\":(\\d{13})}");

    private static final Duration START = Duration.ofSeconds(30);
    /** Other tests may leave thousands of messages in the shared queues; ours are behind them. */
    private static final Duration ARRIVAL = Duration.ofSeconds(90);

    private static final int BACKLOG_LIMIT = 2_000;
    private static final int HOME_NODE = 2;
    /** The sensor's SHUTDOWN_DRAIN default (15 s) plus time to disconnect and exit. */
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);

    private static Stack stack;

    @BeforeAll
    static void stack() {
        stack = Stack.get();
        stack.awaitClusterComplete(Duration.ofSeconds(90));
    }

    private static String uniqueId(String what) {
        return "it_" + what + "_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static long timestampOf(QueueProbe.Message message) {
        Matcher m = PAYLOAD.matcher(message.bodyText());
        assertTrue(m.matches(), "payload not in the wire format: " + message);
        return Long.parseLong(m.group(1));
    }

    private static long lineCount(Path file) throws java.io.IOException {
        try (var lines = Files.lines(file)) {
            return lines.count();
        }
    }

    private static void awaitLines(Path file, long count) {
        await().atMost(START).until(() -> Files.exists(file) && lineCount(file) >= count);
    }

    /**
     * Our messages queue behind whatever earlier runs left (a benchmark can leave hundreds of thousands, more than a
     * test can read in its time): above {@value #BACKLOG_LIMIT} ready messages the shared queue is purged. We hold
     * the IT lock, so no other test is using it.
     */
    private static void clearBacklog(QueueProbe probe, String queue) {
        long ready = probe.readyCount(queue);
        if (ready > BACKLOG_LIMIT) {
            System.out.println("SensorIT - purging " + ready + " leftover messages from " + queue);
            probe.purge(queue);
        }
    }

    private static ServiceProcess startAfterClearingBacklog(QueueProbe probe, Map<String, String> env) {
        clearBacklog(probe, Stack.DB_WRITER_QUEUE);
        return ServiceProcess.start("sensor", env);
    }

    @Test
    void readings_arrive_in_both_quorum_queues_with_only_the_original_variables() {
        // Given: exactly the original system's variables, plus the one addition they need: a credential (no default,
        // a device never falls back to a shared one; here the tests' fleet publisher, as the id is made up)
        String id = uniqueId("orig");
        Map<String, String> original = Map.of(
                "MQTT_HOST",
                "127.0.0.1",
                "MQTT_PORT",
                "1883",
                "MQTT_TOPIC",
                "temperature/" + id,
                "PUBLISH_INTERVAL",
                "0.2",
                "MQTT_USERNAME",
                stack.sensor().username(),
                "MQTT_PASSWORD",
                stack.sensor().password());

        try (QueueProbe probe = stack.queueProbe()) {
            clearBacklog(probe, Stack.DB_WRITER_QUEUE);
            clearBacklog(probe, Stack.EMAIL_SENDER_QUEUE);

            // When
            try (ServiceProcess sensor = ServiceProcess.start("sensor", original)) {

                // Then: readings in both queues, and the online status in email-sender's
                String readingKey = "temperature." + id;
                String statusKey = "sensors." + id + ".status";
                probe.awaitMessages(Stack.DB_WRITER_QUEUE, readingKey, 3, ARRIVAL)
                        .forEach(SensorIT::timestampOf);
                List<QueueProbe.Message> forEmail = probe.awaitMessages(
                        Stack.EMAIL_SENDER_QUEUE,
                        m -> m.routingKey().equals(readingKey) || m.routingKey().equals(statusKey),
                        kept -> kept.stream()
                                                .filter(m -> m.routingKey().equals(readingKey))
                                                .count()
                                        >= 3
                                && kept.stream().anyMatch(m -> m.routingKey().equals(statusKey)),
                        ARRIVAL);
                forEmail.stream().filter(m -> m.routingKey().equals(readingKey)).forEach(SensorIT::timestampOf);
                assertEquals(
                        List.of("online"),
                        forEmail.stream()
                                .filter(m -> m.routingKey().equals(statusKey))
                                .map(QueueProbe.Message::bodyText)
                                .toList());
                sensor.sigterm();
                assertEquals(0, sensor.awaitExit(Duration.ofSeconds(10)), sensor.tail());
            }
        }
    }

    @Test
    void graceful_stop_publishes_offline_and_exits_0() throws Exception {
        // Given
        String id = uniqueId("stop");
        try (MqttTestClient subscriber = MqttTestClient.connect(stack.mqttUri(), stack.admin());
                ServiceProcess sensor = startSeenOnline(id, subscriber)) {

            // When
            long stopAt = System.nanoTime();
            sensor.sigterm();

            // Then
            assertEquals(0, sensor.awaitExit(Duration.ofSeconds(10)), sensor.tail());
            assertTrue(System.nanoTime() - stopAt < Duration.ofSeconds(5).toNanos(), "stopped within 5 s");
            subscriber.awaitReceived(r -> r.text().equals("offline"), 1, Duration.ofSeconds(10));
        }
    }

    @Test
    void a_crashed_sensor_is_reported_offline_by_its_last_will() throws Exception {
        // Given
        String id = uniqueId("crash");
        try (MqttTestClient subscriber = MqttTestClient.connect(stack.mqttUri(), stack.admin());
                ServiceProcess sensor = startSeenOnline(id, subscriber)) {

            // When
            sensor.sigkill();
            sensor.awaitExit(Duration.ofSeconds(10));

            // Then
            subscriber.awaitReceived(r -> r.text().equals("offline"), 1, Duration.ofSeconds(30));
        }
    }

    /** Starts sensor {@code id} publishing every second, once {@code subscriber} has seen it say {@code online}. */
    private ServiceProcess startSeenOnline(String id, MqttTestClient subscriber) throws Exception {
        subscriber.subscribe("sensors/" + id + "/status");
        ServiceProcess sensor = ServiceProcess.start(
                "sensor",
                ServiceEnv.forSensor(stack)
                        .with("SENSOR_ID", id)
                        .with("PUBLISH_INTERVAL", "1")
                        .build());
        try {
            sensor.awaitReady(START);
            subscriber.awaitReceived(r -> r.text().equals("online"), 1, START);
            return sensor;
        } catch (Exception | AssertionError e) {
            sensor.close();
            throw e;
        }
    }

    @Test
    void a_bad_configuration_value_exits_non_zero_with_one_line_naming_it() {
        // Given
        Map<String, String> env =
                ServiceEnv.forSensor(stack).with("PUBLISH_INTERVAL", "soon").build();

        // When
        try (ServiceProcess sensor = ServiceProcess.start("sensor", env)) {
            int exit = sensor.awaitExit(Duration.ofSeconds(20));

            // Then
            assertTrue(exit != 0, "exit code " + exit);
            List<String> naming = sensor.output()
                    .lines()
                    .filter(l -> l.contains("PUBLISH_INTERVAL='soon'"))
                    .toList();
            assertEquals(1, naming.size(), sensor.output());
            assertTrue(naming.get(0).contains("expected"), naming.get(0));
            assertTrue(
                    sensor.output().lines().noneMatch(l -> l.startsWith("\tat ")),
                    "no stack trace: " + sensor.output());
        }
    }

    @Test
    void killing_the_home_node_loses_no_reading() throws Exception {
        // Given: a sensor homed on node 2 (then HAProxy), a reading every 100 ms, each one logged as produced
        String id = uniqueId("kill");
        Path produced = stack.workDir().resolve(id + ".readings");
        Files.createDirectories(produced.getParent());
        Map<String, String> env = ServiceEnv.forSensor(stack)
                .with("MQTT_URIS", stack.nodeMqttUri(HOME_NODE) + "," + stack.mqttUri())
                .with("SENSOR_ID", id)
                .with("PUBLISH_INTERVAL", "100ms")
                .with("EXCURSION_PROBABILITY", "0")
                .with("READINGS_LOG", produced.toString())
                .build();
        try (QueueProbe probe = stack.queueProbe();
                ServiceProcess sensor = startAfterClearingBacklog(probe, env)) {
            sensor.awaitReady(START);
            sensor.awaitOutput("Connected to " + stack.nodeMqttUri(HOME_NODE), START);
            awaitLines(produced, 20);

            // When
            try {
                stack.killNode(HOME_NODE);
                sensor.awaitOutput("Connected to " + stack.mqttUri() + " (reconnect)", Duration.ofSeconds(60));
                awaitLines(produced, lineCount(produced) + 20);
                sensor.sigterm();
                assertEquals(0, sensor.awaitExit(SHUTDOWN), sensor.tail());
            } finally {
                stack.startNode(HOME_NODE);
            }

            // Then: every reading produced is in the quorum queue (duplicates allowed, gaps not)
            assertEveryProducedReadingArrived(probe, produced, id, sensor);
        }
    }

    @Test
    void a_full_in_flight_window_queues_readings_instead_of_dropping_them() throws Exception {
        // Given: 20 sensors on one connection, 200 readings/s, and a window of one unacknowledged publish
        String id = uniqueId("window");
        Path produced = stack.workDir().resolve(id + ".readings");
        Files.createDirectories(produced.getParent());
        Map<String, String> env = ServiceEnv.forSensor(stack)
                .with("SENSOR_ID", id)
                .with("SENSOR_COUNT", "20")
                .with("SENSORS_PER_CONNECTION", "20")
                .with("PUBLISH_INTERVAL", "100ms")
                .with("MQTT_MAX_INFLIGHT", "1")
                .with("EXCURSION_PROBABILITY", "0")
                .with("READINGS_LOG", produced.toString())
                .build();
        try (QueueProbe probe = stack.queueProbe();
                ServiceProcess sensor = startAfterClearingBacklog(probe, env)) {
            sensor.awaitReady(START);

            // When
            awaitLines(produced, 400);
            sensor.sigterm();

            // Then
            assertEquals(0, sensor.awaitExit(SHUTDOWN), sensor.tail());
            assertEveryProducedReadingArrived(probe, produced, id + "-", sensor);
        }
    }

    /** Every line of the readings log (sensor id and timestamp) is in db-writer's queue. */
    private static void assertEveryProducedReadingArrived(
            QueueProbe probe, Path produced, String idPrefix, ServiceProcess sensor) throws java.io.IOException {
        Set<String> producedReadings = Files.readAllLines(produced).stream()
                .map(line -> line.split(" ")[0] + " " + line.split(" ")[1])
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(producedReadings.size() >= 30, "produced " + producedReadings.size());
        String keyPrefix = "temperature." + idPrefix;
        Set<String> received = new TreeSet<>();
        try {
            probe.awaitMessages(
                    Stack.DB_WRITER_QUEUE,
                    m -> m.routingKey().startsWith(keyPrefix),
                    kept -> {
                        kept.forEach(m ->
                                received.add(m.routingKey().substring("temperature.".length()) + " " + timestampOf(m)));
                        return received.containsAll(producedReadings);
                    },
                    ARRIVAL);
        } catch (AssertionError e) {
            Set<String> missing = new TreeSet<>(producedReadings);
            missing.removeAll(received);
            throw new AssertionError(
                    missing.size() + " of " + producedReadings.size() + " readings never arrived: " + missing + "\n"
                            + sensor.tail(),
                    e);
        }
        assertEquals(producedReadings, received, "no reading that was not produced");
    }
}
