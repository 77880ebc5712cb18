package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.ManagementClient;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's live feed against the real brokers (issue 18, item 3): it reads the readings only while a page
 * token was minted within one token lifetime (10 s here), forwards them to {@code dashboard/live} as a page reads
 * it, and its publisher may publish nothing but that topic.
 */
class LiveFeedIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(10);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Stack stack;
    private static ManagementClient management;
    private static DashboardService server;
    private static String clientId;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.get();
        management = stack.management();
        clientId = "live-it-" + UUID.randomUUID().toString().substring(0, 8);
        var env =
                TestDatabase.create(stack, "dashboard_live_it").withEmptyTable().dashboardEnv();
        env.put("MQTT_CLIENT_ID", clientId);
        env.put("MQTT_PAGE_TOKEN_LIFETIME", TOKEN_LIFETIME.toSeconds() + "s");
        env.put("MQTT_PAGE_TOKEN_USER", stack.pageTokenUser());
        env.put("MQTT_PAGE_TOKEN_KEY", stack.pageTokenKey());
        server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void the_readings_are_subscribed_only_while_a_page_token_was_minted_within_its_lifetime() throws Exception {
        // Given a dashboard whose live publisher is connected and whose last page token (if any) is older than the
        // token lifetime
        var readingsQueue = "mqtt-subscription-" + clientId + "-live-inqos0";
        Awaitility.await("the live publisher is connected")
                .atMost(TIMEOUT)
                .until(() -> hasConnection(clientId + "-live-out"));
        Awaitility.await("no page token minted for a lifetime: no subscription to the readings")
                .atMost(TOKEN_LIFETIME.plus(TIMEOUT))
                .until(() ->
                        management.queueIfExists(readingsQueue).isEmpty() && !hasConnection(clientId + "-live-in"));

        // When a page fetches its MQTT login, and reads the live feed with it as the page does
        var login = mqttToken();
        assertEquals(200, login.statusCode(), login.body());
        var page = pageClient();
        var frames = new java.util.concurrent.CopyOnWriteArrayList<String>();
        page.subscribe(
                LivePublisher.TOPIC,
                0,
                (topic, message) -> frames.add(new String(message.getPayload(), StandardCharsets.UTF_8)));

        // Then the dashboard subscribes to the readings, and a sensor's reading reaches the page in a frame
        Awaitility.await(readingsQueue + " exists after a mint")
                .atMost(TIMEOUT)
                .until(() -> management.queueIfExists(readingsQueue).isPresent());
        var sensor = "live-it-" + UUID.randomUUID().toString().substring(0, 8);
        try (var publisher = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            Awaitility.await("a frame with " + sensor + " reaches the page")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        publisher.publish(
                                "temperature/" + sensor,
                                "{\"value\": 21.5, \"timestamp\": " + System.currentTimeMillis() + "}");
                        return frames.stream()
                                .anyMatch(f -> f.contains("\"sensor\":\"" + sensor + "\",\"value\":21.5"));
                    });
        } finally {
            page.disconnect();
            page.close();
        }

        // And one lifetime after the last mint it unsubscribes: the broker deletes the queue
        Awaitility.await(readingsQueue + " is gone one token lifetime after the last mint")
                .atMost(TOKEN_LIFETIME.plus(TIMEOUT))
                .until(() -> management.queueIfExists(readingsQueue).isEmpty());
    }

    @Test
    void the_live_user_may_publish_the_live_feed_and_nothing_else() throws Exception {
        // Given someone reading a sensor's topic (the page user, as the dashboard does)
        var topic = "temperature/live-it-" + UUID.randomUUID().toString().substring(0, 8);
        try (var watcher = MqttTestClient.connect(stack.mqttUri(), stack.page());
                var live = MqttTestClient.connect(stack.mqttUri(), stack.live());
                var forger = MqttTestClient.connect(stack.mqttUri(), stack.live())) {
            watcher.subscribe(topic);

            // When the live user publishes its own topic, Then the broker accepts it (QoS 1: it answers)
            live.publish(LivePublisher.TOPIC, "{\"readings\":[]}");

            // When it publishes a reading, Then it is refused and the connection closed; no reading arrives
            assertThrows(
                    MqttException.class,
                    () -> forger.publish(
                            topic, "{\"value\": 99.0, \"timestamp\": " + System.currentTimeMillis() + "}"));
            forger.awaitDisconnected(TIMEOUT);
            try (var sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
                sensor.publish(topic, "{\"value\": 20.0, \"timestamp\": " + System.currentTimeMillis() + "}");
            }
            var received = watcher.awaitReceived(r -> r.topic().equals(topic), 1, TIMEOUT);
            assertTrue(
                    watcher.received().stream().noneMatch(r -> r.text().contains("99.0")),
                    "forged reading delivered: " + received);
            assertTrue(live.isConnected(), "the live user's own topic did not cost it its connection");
        }
    }

    private static boolean hasConnection(String mqttClientId) {
        for (var connection : management.connections()) {
            var props = connection.path("client_properties");
            if (mqttClientId.equals(props.path("client_id").asText())
                    || connection.path("name").asText().contains(mqttClientId)) {
                return true;
            }
        }
        return false;
    }

    private static HttpResponse<String> mqttToken() throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/mqtt-token"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static MqttClient pageClient() throws MqttException {
        var tokens =
                new PageTokens(stack.pageTokenUser(), stack.pageTokenKey(), Duration.ofMinutes(5), Clock.systemUTC());
        var client = new MqttClient(
                stack.webMqttUri().toString(),
                "live-it-page-" + UUID.randomUUID().toString().substring(0, 8),
                new MemoryPersistence());
        var options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setUserName(stack.pageTokenUser());
        options.setPassword(tokens.mint().token().toCharArray());
        client.connect(options);
        return client;
    }
}
