package io.thermowatch.systemtests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.ConnectionFactory;
import io.thermowatch.testkit.Credentials;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Security of the whole system, from the outside. Already covered by the testkit's walking-skeleton ITs and not
 * repeated here: anonymous MQTT refused and a wrong password refused over TCP, the sensor user publishing outside
 * its topics and the page user publishing over TCP ({@code testkit/.../MqttSecurityIT}). This class adds the
 * browser's path (MQTT over WebSocket through HAProxy), subscriptions, the dashboard's pages and API, the
 * management UI and AMQP.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private SystemUnderTest system;
    private Stack stack;

    @BeforeAll
    void startTheSystem() {
        system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of(), Map.of());
        stack = system.stack;
    }

    @AfterAll
    void stopTheSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void an_anonymous_websocket_client_is_refused() {
        assertThrows(
                MqttException.class,
                () -> MqttTestClient.connect(stack.webMqttUri().toString(), null)
                        .close());
    }

    @Test
    void a_wrong_password_over_websocket_is_refused() {
        Credentials wrong =
                new Credentials(stack.page().username(), "not-" + stack.page().password());
        assertThrows(
                MqttException.class,
                () -> MqttTestClient.connect(stack.webMqttUri().toString(), wrong)
                        .close());
    }

    @Test
    void the_page_user_cannot_publish_over_websocket() throws Exception {
        // Given
        String sensorId = system.run + "_pagepub";
        try (MqttTestClient page = MqttTestClient.connect(stack.webMqttUri().toString(), stack.page())) {
            // When / Then: denied, and the broker closes the connection
            assertThrows(
                    MqttException.class,
                    () -> page.publish(
                            "temperature/" + sensorId,
                            "{\"value\": 99, \"timestamp\": " + System.currentTimeMillis() + "}"));
            page.awaitDisconnected(TIMEOUT);
        }
        assertNothingStoredFor(sensorId);
    }

    @Test
    void the_sensor_user_cannot_subscribe_to_readings() throws Exception {
        // Given
        String sensorId = system.run + "_spy";
        try (MqttTestClient spy = MqttTestClient.connect(stack.mqttUri(), stack.sensor());
                MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            // When: the subscription is refused (SUBACK failure) or the connection closed
            boolean refused;
            try {
                spy.subscribe("temperature/#");
                refused = false;
            } catch (MqttException e) {
                refused = true;
            }
            sensor.publish(
                    "temperature/" + sensorId, "{\"value\": 21, \"timestamp\": " + System.currentTimeMillis() + "}");

            // Then: nothing reaches the spy; the reading itself is stored (the system works)
            Awaitility.await().atMost(TIMEOUT).until(() -> new Rows(stack).count(sensorId) == 1);
            assertTrue(refused || !spy.isConnected() || spy.received().isEmpty(), "spy received " + spy.received());
            assertTrue(
                    spy.received().stream().noneMatch(m -> m.topic().contains(sensorId)),
                    "spy received " + spy.received());
        }
    }

    @Test
    void the_page_user_sees_readings_but_only_reads() throws Exception {
        // Given: the browser's user subscribes over WebSocket, as the page does
        String sensorId = system.run + "_visible";
        try (MqttTestClient page = MqttTestClient.connect(stack.webMqttUri().toString(), stack.page());
                MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            page.subscribe("temperature/+");
            // When
            sensor.publish(
                    "temperature/" + sensorId, "{\"value\": 21, \"timestamp\": " + System.currentTimeMillis() + "}");
            // Then
            page.awaitReceived(m -> m.topic().equals("temperature/" + sensorId), 1, TIMEOUT);
        }
    }

    @Test
    void the_monitoring_and_admin_credentials_never_reach_the_browser() {
        List<String> secrets = List.of(
                stack.monitor().password(),
                stack.admin().password(),
                stack.dbWriter().password(),
                stack.emailSender().password(),
                stack.database().password() + "\"",
                stack.dbWriterDatabase().password(),
                stack.dashboardDatabase().password());
        for (String path :
                List.of("/", "/index.html", "/app.js", "/app.css", "/api/config", "/api/cluster", "/api/sensors")) {
            HttpResponse<String> response = SystemUnderTest.get(system.dashboard(path));
            assertTrue(response.statusCode() < 500 || path.equals("/api/cluster"), path + " " + response.statusCode());
            for (String secret : secrets) {
                assertFalse(response.body().contains(secret), path + " contains a secret");
            }
            assertFalse(response.body().contains("RABBITMQ_MONITOR"), path + " names the monitor variables");
        }
        // the browser gets no password: /api/config names where to fetch its short-lived token (issue 14)
        String config = SystemUnderTest.get(system.dashboard("/api/config")).body();
        assertTrue(config.contains("api/mqtt-token"), config);
        assertFalse(config.contains(stack.page().password()), config);
    }

    @Test
    void the_management_ui_is_not_anonymous_and_refuses_guest_and_the_page_user() {
        for (String front : List.of(
                stack.managementUri().toString(), stack.nodeManagementUri(1).toString())) {
            assertEquals(401, status(front + "/api/overview", null), front + " anonymous");
            assertEquals(401, status(front + "/api/overview", new Credentials("guest", "guest")), front + " guest");
            assertEquals(401, status(front + "/api/overview", stack.page()), front + " page user");
            assertEquals(401, status(front + "/api/overview", stack.sensor()), front + " sensor user");
        }
    }

    @Test
    void amqp_refuses_guest_and_a_wrong_password() {
        for (Credentials who : List.of(
                new Credentials("guest", "guest"),
                new Credentials(stack.dbWriter().username(), "wrong"))) {
            ConnectionFactory factory = new ConnectionFactory();
            String[] hostPort = stack.amqpAddress().split(":");
            factory.setHost(hostPort[0]);
            factory.setPort(Integer.parseInt(hostPort[1]));
            factory.setUsername(who.username());
            factory.setPassword(who.password());
            factory.setAutomaticRecoveryEnabled(false);
            assertThrows(
                    Exception.class, () -> factory.newConnection("security-it").close(), who.toString());
        }
    }

    // ------------------------------------------------------------------------------------------------

    private void assertNothingStoredFor(String sensorId) throws Exception {
        // a sentinel published afterwards by a sensor is stored: had the denied one been routed, it would be too
        String sentinel = sensorId + "_sentinel";
        long ts = System.currentTimeMillis();
        try (MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            sensor.publish("temperature/" + sentinel, "{\"value\": 20, \"timestamp\": " + ts + "}");
        }
        Rows rows = new Rows(stack);
        rows.awaitExactlyOnce(sentinel, List.of(ts), List.of(ts), TIMEOUT);
        assertEquals(0, rows.count(sensorId));
    }

    private static int status(String url, Credentials who) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(java.net.URI.create(url)).timeout(Duration.ofSeconds(10));
        if (who != null) {
            request.header(
                    "Authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((who.username() + ":" + who.password())
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
        return SystemUnderTest.send(request.build()).statusCode();
    }
}
