package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * email-sender cut from the broker (its permissions revoked and its connection closed through the management API,
 * as in issue 12's reproduction) for longer than {@code SENSOR_OFFLINE_AFTER} while a sensor keeps publishing:
 * no OFFLINE mail. Real cluster, real SMTP (GreenMail). Run serialized like every IT.
 */
class BrokerCutIT {

    private static final String OPS = "ops@example.com";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Stack stack;
    private MqttTestClient mqtt;
    private SmtpServer smtp;
    private ServiceProcess process;
    private ScheduledExecutorService publisher;
    private String savedPermissions;

    @BeforeEach
    void start() throws Exception {
        stack = Stack.get();
        mqtt = MqttTestClient.connect(stack.mqttUri(), stack.sensor());
        try (QueueProbe probe = stack.queueProbe()) {
            probe.purge(Stack.EMAIL_SENDER_QUEUE);
        }
        smtp = new SmtpServer();
        smtp.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (publisher != null) {
            publisher.shutdownNow();
        }
        if (savedPermissions != null) {
            putPermissions(savedPermissions); // never leave the shared stack without its email-sender user
        }
        if (process != null) {
            process.close();
        }
        mqtt.close();
        smtp.close();
    }

    @Test
    void a_broker_cut_longer_than_sensor_offline_after_sends_no_offline_mail() throws Exception {
        // Given: email-sender with a short offline timeout, and a sensor publishing every second
        process = ServiceProcess.start(
                "email-sender",
                ServiceEnv.forEmailSender(stack)
                        .with("SMTP_HOST", "127.0.0.1")
                        .with("SMTP_PORT", Integer.toString(smtp.port()))
                        .with("EMAIL_TO", OPS)
                        .with("ALERT_GROUP_WAIT", "1s")
                        .with("SENSOR_OFFLINE_AFTER", "5s")
                        .with("AMQP_RECOVERY_INTERVAL", "1s")
                        .build());
        process.awaitReady(Duration.ofSeconds(60));
        String sensor = "it_cut_" + UUID.randomUUID().toString().substring(0, 8);
        AtomicLong stamp = new AtomicLong(System.currentTimeMillis());
        publisher = Executors.newSingleThreadScheduledExecutor();
        publisher.scheduleAtFixedRate(
                () -> {
                    try {
                        mqtt.publish(
                                "temperature/" + sensor,
                                "{\"value\": 21.5, \"timestamp\": "
                                        + stamp.updateAndGet(t -> Math.max(t + 1, System.currentTimeMillis())) + "}");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                0,
                1,
                TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        stack.management().queue(Stack.EMAIL_SENDER_QUEUE).messages() == 0 && sensorCount(process) > 0);

        // When: cut for three times SENSOR_OFFLINE_AFTER
        savedPermissions = getPermissions();
        putPermissions("{\"configure\":\"\",\"write\":\"\",\"read\":\"\"}");
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> closeConnectionsOf(stack.emailSender().username()) > 0);
        await().atMost(Duration.ofSeconds(20)).until(() -> readyz(process) != 200);
        // It stays cut (not consuming) for three times SENSOR_OFFLINE_AFTER
        await().during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(17)).until(() -> readyz(process) != 200);
        putPermissions(savedPermissions);
        savedPermissions = null;

        // Then: it consumes again, and no OFFLINE (nor BACK ONLINE) mail about the sensor that never stopped
        await().atMost(Duration.ofSeconds(60)).until(() -> readyz(process) == 200);
        await().during(Duration.ofSeconds(10))
                .atMost(Duration.ofSeconds(15))
                .until(() -> mailsAbout(sensor).isEmpty());
        assertEquals(List.of(), mailsAbout(sensor));
    }

    private List<String> mailsAbout(String sensor) {
        return smtp.mailsTo(OPS).stream()
                .filter(m -> m.text().contains("temperature/" + sensor))
                .map(SmtpServer.Mail::subject)
                .toList();
    }

    private static double sensorCount(ServiceProcess process) throws Exception {
        String metrics = get(process, "/metrics").body();
        return metrics.lines()
                .filter(l -> l.startsWith("thermowatch_sensors_tracked"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static int readyz(ServiceProcess process) throws Exception {
        return get(process, "/readyz").statusCode();
    }

    private static HttpResponse<String> get(ServiceProcess process, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + process.healthPort() + path))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String permissionsPath() {
        return "/api/permissions/%2F/" + encode(stack.emailSender().username());
    }

    private String getPermissions() throws Exception {
        JsonNode p = JSON.readTree(admin("GET", permissionsPath(), null).body());
        return JSON.createObjectNode()
                .put("configure", p.path("configure").asText())
                .put("write", p.path("write").asText())
                .put("read", p.path("read").asText())
                .toString();
    }

    private void putPermissions(String json) throws Exception {
        int status = admin("PUT", permissionsPath(), json).statusCode();
        if (status / 100 != 2) {
            throw new IllegalStateException("PUT " + permissionsPath() + " answered " + status);
        }
    }

    private int closeConnectionsOf(String user) throws Exception {
        int closed = 0;
        for (JsonNode c : stack.management().connections()) {
            if (user.equals(c.path("user").asText())
                    && admin(
                                                    "DELETE",
                                                    "/api/connections/"
                                                            + encode(c.path("name")
                                                                    .asText()),
                                                    null)
                                            .statusCode()
                                    / 100
                            == 2) {
                closed++;
            }
        }
        return closed;
    }

    private HttpResponse<String> admin(String method, String path, String body) throws Exception {
        String auth = "Basic "
                + Base64.getEncoder()
                        .encodeToString(
                                (stack.admin().username() + ":" + stack.admin().password())
                                        .getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        stack.managementUri().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", auth)
                .header("X-Reason", "BrokerCutIT")
                .header("Content-Type", "application/json");
        request.method(
                method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
