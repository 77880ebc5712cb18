package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * email-sender against the real cluster (through HAProxy) and a real SMTP server (GreenMail, in this JVM so the
 * test can stop and start it). Run serialized: {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl email-sender -am verify}.
 */
class EmailSenderIT {

    private static final String QUEUE = Stack.EMAIL_SENDER_QUEUE;
    private static final String DEAD_LETTER_QUEUE = Stack.EMAIL_SENDER_DEAD_LETTER_QUEUE;
    private static final String OPS = "ops@example.com";
    private static final String ONCALL = "oncall@example.com";
    private static final Duration READY = Duration.ofSeconds(60);

    private static Stack stack;
    private static MqttTestClient mqtt;

    private final List<ServiceProcess> processes = new ArrayList<>();
    private SmtpServer smtp;

    @BeforeAll
    static void connect() throws Exception {
        stack = Stack.get();
        mqtt = MqttTestClient.connect(stack.mqttUri(), stack.sensor());
    }

    @AfterAll
    static void disconnect() {
        if (mqtt != null) {
            mqtt.close();
        }
    }

    @BeforeEach
    void purgeQueueAndPrepareSmtp() {
        // Other tests leave readings in this queue; they would only add noise.
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(QUEUE);
        }
        smtp = new SmtpServer();
    }

    @AfterEach
    void stopEverything() {
        processes.forEach(ServiceProcess::close);
        smtp.close();
    }

    private ServiceProcess startEmailSender() {
        return startEmailSender(Map.of());
    }

    private ServiceProcess startEmailSender(Map<String, String> extra) {
        ServiceEnv builder = ServiceEnv.forEmailSender(stack);
        extra.forEach(builder::with);
        Map<String, String> env = builder.with("SMTP_HOST", "127.0.0.1")
                .with("SMTP_PORT", Integer.toString(smtp.port()))
                .with("SMTP_TIMEOUT", "2s")
                .with("SMTP_RETRY_MAX_DELAY", "1s")
                .with("EMAIL_FROM", "thermowatch@example.com")
                .with("EMAIL_TO", OPS + "," + ONCALL)
                .with("ALERT_GROUP_WAIT", "1s")
                .with("ALERT_TIME_ZONE", "Europe/Paris")
                .with("DASHBOARD_URL", "http://dashboard.example.com:8080/")
                .build();
        ServiceProcess process = ServiceProcess.start("email-sender", env);
        processes.add(process);
        process.awaitReady(READY);
        return process;
    }

    private static String uniqueSensor() {
        return "it_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void publishReadings(String sensor, double value, int count) throws Exception {
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            // Distinct, increasing timestamps: equal ones are duplicates by design.
            mqtt.publish("temperature/" + sensor, "{\"value\": " + value + ", \"timestamp\": " + (now + i) + "}");
        }
    }

    /**
     * Mails to OPS about any of these sensors. Other mails may arrive: sensors of other tests (or their MQTT
     * last wills) publish into the same queue.
     */
    private List<SmtpServer.Mail> mailsAbout(String... sensors) {
        return smtp.mailsTo(OPS).stream()
                .filter(m ->
                        java.util.Arrays.stream(sensors).anyMatch(s -> m.text().contains("temperature/" + s)))
                .toList();
    }

    private void assertNoMoreMailsThan(int count, Duration during, String... sensors) {
        await().during(during)
                .atMost(during.plusSeconds(5))
                .until(() -> mailsAbout(sensors).size() <= count);
    }

    @Test
    void a_hot_reading_over_mqtt_gives_exactly_one_mail_with_the_right_subject_and_body() throws Exception {
        // Given
        smtp.start();
        ServiceProcess process = startEmailSender();
        String sensor = uniqueSensor();
        // When
        publishReadings(sensor, 31.2, 20);
        // Then
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsAbout(sensor).size() == 1);
        assertNoMoreMailsThan(1, Duration.ofSeconds(3), sensor);
        SmtpServer.Mail mail = mailsAbout(sensor).get(0);
        assertEquals("Temperature Alert: 31.2°C on temperature/" + sensor, mail.subject());
        assertTrue(mail.contentType().startsWith("multipart/alternative"), mail.contentType());
        for (String part : List.of(mail.text(), mail.html())) {
            assertTrue(part.contains("temperature/" + sensor), part);
            assertTrue(part.contains("threshold 25.0°C") || part.contains("above 25.0°C"), part);
            assertTrue(part.contains(" UTC"), part);
            assertTrue(part.contains("Europe/Paris"), part);
            assertTrue(part.contains("http://dashboard.example.com:8080/"), part);
        }
        assertEquals(
                1,
                smtp.mailsTo(ONCALL).stream()
                        .filter(m -> m.subject().equals(mail.subject()))
                        .count(),
                "every EMAIL_TO address gets the mail");
        String metrics = get(process, "/metrics");
        assertTrue(metrics.contains("thermowatch_mails_sent_total{service=\"email-sender\"}"), metrics);
        assertTrue(metrics.contains("thermowatch_sensors_firing{service=\"email-sender\"}"), metrics);
        // Every message was acknowledged: the 19 that changed nothing at once, the hot one after the mail.
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stack.management().queue(QUEUE).messages() == 0);
    }

    @Test
    void a_hot_reading_dead_lettered_from_its_queue_is_evaluated_late_mailed_and_drained() throws Exception {
        // Given: a sensor never seen, and nothing else in email-sender's dead-letter queue
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(DEAD_LETTER_QUEUE);
        }
        smtp.start();
        ServiceProcess process = startEmailSender();
        String sensor = uniqueSensor();
        long stamp = System.currentTimeMillis() - Duration.ofHours(10).toMillis();
        // When: RabbitMQ gave up on a hot reading of it in email-sender's queue (past delivery-limit)
        try (QueueProbe probe = stack.queueProbe()) {
            probe.publishDeadLetter(
                    DEAD_LETTER_QUEUE,
                    QUEUE,
                    "temperature." + sensor,
                    ("{\"value\": 33.0, \"timestamp\": " + stamp + "}").getBytes(StandardCharsets.UTF_8));
        }
        // Then: it fires like a live hot reading would, the queue is drained and the dead letter counted
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsAbout(sensor).size() == 1);
        assertEquals(
                "Temperature Alert: 33.0°C on temperature/" + sensor,
                mailsAbout(sensor).get(0).subject());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stack.management().queue(DEAD_LETTER_QUEUE).messages() == 0);
        String metrics = get(process, "/metrics");
        assertTrue(
                metrics.contains("thermowatch_dead_letters_total{outcome=\"alerted\",service=\"email-sender\"} 1.0"),
                metrics);
    }

    private static void publishStamped(String sensor, double value, long timestampMillis) throws Exception {
        mqtt.publish("temperature/" + sensor, "{\"value\": " + value + ", \"timestamp\": " + timestampMillis + "}");
    }

    @Test
    void a_reading_stamped_four_minutes_ahead_does_not_keep_the_hot_readings_after_it_from_firing() throws Exception {
        // Given: ALERT_GROUP_WAIT 1 s; one cool reading stamped +4 min (inside the codec's 5 min allowance)
        smtp.start();
        startEmailSender();
        String sensor = uniqueSensor();
        publishStamped(
                sensor, 21.0, System.currentTimeMillis() + Duration.ofMinutes(4).toMillis());
        Duration readingEvery = Duration.ofSeconds(2);
        // When: real 40 °C readings stamped "now" every 2 s
        long firstHotNanos = System.nanoTime();
        java.util.concurrent.ScheduledExecutorService sensorLoop =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        try {
            sensorLoop.scheduleAtFixedRate(
                    () -> {
                        try {
                            publishStamped(sensor, 40.0, System.currentTimeMillis());
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    0,
                    readingEvery.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
            // Then: FIRING within ALERT_GROUP_WAIT + one reading (+ 2 s for the way through broker and SMTP)
            await().atMost(Duration.ofSeconds(1).plus(readingEvery).plusSeconds(2))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> !mailsAbout(sensor).isEmpty());
        } finally {
            sensorLoop.shutdownNow();
        }
        long tookMillis = (System.nanoTime() - firstHotNanos) / 1_000_000;
        assertEquals(
                "Temperature Alert: 40.0°C on temperature/" + sensor,
                mailsAbout(sensor).get(0).subject(),
                "after " + tookMillis + " ms");
        assertNoMoreMailsThan(1, Duration.ofSeconds(2), sensor);
    }

    @Test
    void a_sensor_whose_clock_steps_back_ten_minutes_stays_online_and_alerts_normally() throws Exception {
        // Given: offline after 4 s of silence; a sensor talking every 500 ms
        smtp.start();
        startEmailSender(Map.of("SENSOR_OFFLINE_AFTER", "4s"));
        String sensor = uniqueSensor();
        long stepBack = Duration.ofMinutes(10).toMillis();
        for (int i = 0; i < 4; i++) {
            publishStamped(sensor, 21.0, System.currentTimeMillis());
            Thread.sleep(500); // the sensor's own cadence, not a wait for the system under test
        }
        // When: its clock steps back 10 minutes, and it keeps talking for longer than SENSOR_OFFLINE_AFTER
        for (int i = 0; i < 16; i++) {
            publishStamped(sensor, 21.0, System.currentTimeMillis() - stepBack);
            Thread.sleep(500);
        }
        publishStamped(sensor, 33.0, System.currentTimeMillis() - stepBack);
        // Then: one FIRING mail and no OFFLINE
        await().atMost(Duration.ofSeconds(10)).until(() -> !mailsAbout(sensor).isEmpty());
        assertEquals(
                List.of("Temperature Alert: 33.0°C on temperature/" + sensor),
                mailsAbout(sensor).stream().map(SmtpServer.Mail::subject).toList());
        // And when it cools down (stamps still 10 minutes behind), the resolution is mailed as usual
        publishStamped(sensor, 20.0, System.currentTimeMillis() - stepBack);
        await().atMost(Duration.ofSeconds(10)).until(() -> mailsAbout(sensor).size() == 2);
        assertEquals(
                "Resolved: 20.0°C on temperature/" + sensor,
                mailsAbout(sensor).get(1).subject());
    }

    private static String get(ServiceProcess process, String path) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(
                                        java.net.URI.create("http://127.0.0.1:" + process.healthPort() + path))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    void an_alert_raised_while_smtp_is_down_survives_a_restart_and_is_mailed_when_smtp_is_back() throws Exception {
        // Given: no SMTP server listening
        ServiceProcess first = startEmailSender();
        String sensor = uniqueSensor();
        // When
        publishReadings(sensor, 33.5, 3);
        first.awaitOutput(
                "SMTP did not accept 'Temperature Alert: 33.5°C on temperature/" + sensor + "'",
                Duration.ofSeconds(20));
        // Then: the triggering message is still unacknowledged
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stack.management().queue(QUEUE).messages() >= 1);

        // When: restarted during the outage (SIGTERM; its last attempt fails too), then SMTP comes back
        first.sigterm();
        assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), first.tail());
        ServiceProcess second = startEmailSender();
        second.awaitOutput("SMTP did not accept", Duration.ofSeconds(20));
        smtp.start();
        // Then
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsAbout(sensor).size() == 1);
        assertEquals(
                "Temperature Alert: 33.5°C on temperature/" + sensor,
                mailsAbout(sensor).get(0).subject());
        assertNoMoreMailsThan(1, Duration.ofSeconds(3), sensor);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stack.management().queue(QUEUE).messages() == 0);
    }

    @Test
    void a_restart_while_firing_causes_at_most_one_repeated_alert_and_no_storm() throws Exception {
        // Given: three sensors firing together: one grouped mail
        smtp.start();
        ServiceProcess first = startEmailSender();
        String[] ids = {uniqueSensor(), uniqueSensor(), uniqueSensor()};
        List<String> sensors = List.of(ids);
        for (String sensor : sensors) {
            publishReadings(sensor, 29.0, 5);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsAbout(ids).size() == 1);
        assertEquals("Temperature Alerts: 3 firing", mailsAbout(ids).get(0).subject());

        // When: restarted while they keep firing
        first.sigterm();
        assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), first.tail());
        startEmailSender();
        for (int round = 0; round < 10; round++) {
            for (String sensor : sensors) {
                publishReadings(sensor, 29.5, 5);
            }
        }
        // Then: at most one repeated FIRING per sensor, grouped into one mail
        assertNoMoreMailsThan(2, Duration.ofSeconds(6), ids);
        List<SmtpServer.Mail> mails = mailsAbout(ids);
        if (mails.size() == 2) {
            assertEquals("Temperature Alerts: 3 firing", mails.get(1).subject());
        }
    }

    @Test
    void with_a_state_file_a_restart_while_firing_repeats_nothing_and_a_later_resolution_is_mailed() throws Exception {
        // Given
        Map<String, String> withState = Map.of(
                "ALERT_STATE_FILE",
                stack.workDir()
                        .resolve("email-sender-state-" + UUID.randomUUID())
                        .toString());
        smtp.start();
        ServiceProcess first = startEmailSender(withState);
        String hot = uniqueSensor();
        String other = uniqueSensor();
        publishReadings(hot, 28.0, 3);
        publishReadings(other, 28.0, 3);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> mailsAbout(hot, other).size() == 1);
        // When: restarted while both keep firing
        first.sigterm();
        assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), first.tail());
        ServiceProcess second = startEmailSender(withState);
        second.awaitOutput("Restored ", Duration.ofSeconds(5));
        publishReadings(hot, 28.5, 5);
        publishReadings(other, 28.5, 5);
        // Then: nothing is repeated
        assertNoMoreMailsThan(1, Duration.ofSeconds(4), hot, other);
        // And when one cools down after the restart, its resolution is mailed
        publishReadings(hot, 20.0, 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsAbout(hot).size() == 2);
        assertEquals(
                "Resolved: 20.0°C on temperature/" + hot, mailsAbout(hot).get(1).subject());
    }

    @Test
    void after_an_amqp_connection_recovery_a_pending_alert_is_mailed_once_and_its_redelivered_message_acked()
            throws Exception {
        // Given: an alert waiting for SMTP, its message unacknowledged
        ServiceProcess process = startEmailSender();
        String sensor = uniqueSensor();
        publishReadings(sensor, 27.5, 3);
        process.awaitOutput(
                "SMTP did not accept 'Temperature Alert: 27.5°C on temperature/" + sensor + "'",
                Duration.ofSeconds(20));
        // When: the broker drops the connection (the client recovers it; old delivery tags become void)
        closeConnectionsNamed("email-sender");
        process.awaitOutput("Connection recovered", Duration.ofSeconds(30));
        smtp.start();
        // Then: one mail, and the redelivered copy was held and acked with it
        await().atMost(Duration.ofSeconds(30)).until(() -> mailsAbout(sensor).size() == 1);
        assertNoMoreMailsThan(1, Duration.ofSeconds(3), sensor);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> stack.management().queue(QUEUE).messages() == 0);
    }

    /**
     * Closes the broker side of every AMQP connection named {@code clientName}. The management API lists a new
     * connection only after its next statistics emission (seconds), and may still list connections of processes
     * that just exited (404 on close), so this retries until at least one live connection was closed.
     */
    private static void closeConnectionsNamed(String clientName) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> closeListedConnections(clientName) > 0);
    }

    private static int closeListedConnections(String clientName) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                (stack.admin().username() + ":" + stack.admin().password())
                                        .getBytes(StandardCharsets.UTF_8));
        int closed = 0;
        for (JsonNode c : stack.management().connections()) {
            if (!clientName.equals(
                    c.path("client_properties").path("connection_name").asText())) {
                continue;
            }
            String name = URLEncoder.encode(c.path("name").asText(), StandardCharsets.UTF_8)
                    .replace("+", "%20");
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(stack.managementUri().resolve("/api/connections/" + name))
                            .header("Authorization", auth)
                            .header("X-Reason", "EmailSenderIT: recovery test")
                            .DELETE()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 2) {
                closed++;
            }
        }
        return closed;
    }
}
