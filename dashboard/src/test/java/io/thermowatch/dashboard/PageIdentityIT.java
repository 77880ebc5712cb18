package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.ManagementClient;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.IMqttMessageListener;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The browser's MQTT identity, as RabbitMQ enforces it (issue #14, item 2): the page logs in over WebSocket (through
 * HAProxy, as the page does) as {@code MQTT_PAGE_TOKEN_USER} with a short-lived JWT minted like the dashboard's
 * ({@link PageTokens}, with the stack's key), and that identity cannot publish, cannot create a durable session,
 * is refused past its connection limit, and an expired (or foreign-key) token is refused. Each refusal is paired
 * with the same action succeeding where it should (a valid token subscribes and receives), so a broker that
 * refuses everything would not pass.
 */
class PageIdentityIT {

    /** "A handful": the limit scripts/stack and the definitions give the page identity. */
    private static final int PAGE_MAX_CONNECTIONS = 10;

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static Stack stack;
    private static ManagementClient management;
    private static PageTokens tokens;
    private static String wsUri;

    private final List<MqttClient> opened = new ArrayList<>();
    private String run;

    @BeforeAll
    static void stack() {
        stack = Stack.get();
        management = stack.management();
        tokens = new PageTokens(stack.pageTokenUser(), stack.pageTokenKey(), Duration.ofMinutes(5), Clock.systemUTC());
        wsUri = stack.webMqttUri().toString();
    }

    @BeforeEach
    void noPageConnectionLeft() {
        run = "pid" + UUID.randomUUID().toString().substring(0, 8);
        // The limit is counted cluster-wide: start from none (connections of earlier tests close asynchronously).
        Awaitility.await("no open connection of " + stack.pageTokenUser())
                .atMost(Duration.ofSeconds(60))
                .until(() -> pageConnections() == 0);
    }

    @AfterEach
    void closeEverything() {
        for (var client : opened) {
            try {
                if (client.isConnected()) {
                    client.disconnectForcibly(1_000, 1_000);
                }
                client.close(true);
            } catch (MqttException ignored) {
                // already gone
            }
        }
    }

    @Test
    void a_fresh_token_subscribes_at_qos_0_to_the_live_feed_and_receives_its_frames() throws Exception {
        // Given the page's login, subscribed to the dashboard's live feed
        var page = connect(tokens.mint().token(), true);
        var received = subscribe(page, LivePublisher.TOPIC, 0);

        // When the dashboard's live feed publishes a frame
        var frame = frame(run, 21.5);
        try (var feed = MqttTestClient.connect(stack.mqttUri(), stack.live())) {
            Awaitility.await("the page receives a frame on " + LivePublisher.TOPIC)
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        feed.publish(LivePublisher.TOPIC, frame);
                        return received.payloads.contains(frame);
                    });
        }

        // Then it is connected as the page identity, not as anyone else
        Awaitility.await().atMost(TIMEOUT).until(() -> pageConnections() >= 1);
    }

    @Test
    void the_page_identity_cannot_subscribe_to_the_readings() throws Exception {
        // Given a page login (the same one subscribes to the live feed: the refusal is not a broken login)
        var page = connect(tokens.mint().token(), true);
        subscribe(page, LivePublisher.TOPIC, 0);

        // When it subscribes to every reading, or to one sensor's, Then the broker refuses (issue 18: one copy of
        // the readings per dashboard, not per page)
        assertTrue(refused(page, "temperature/#"), "temperature/# must be refused to the page identity");
        assertTrue(
                refused(connect(tokens.mint().token(), true), "temperature/" + run),
                "temperature/<id> must be refused to the page identity");
    }

    @Test
    void the_page_identity_cannot_publish() throws Exception {
        // Given a page subscribed to the live feed, and a second page login that tries to forge a frame there
        var watcher = connect(tokens.mint().token(), true);
        var received = subscribe(watcher, LivePublisher.TOPIC, 0);
        var forger = connect(tokens.mint().token(), true);

        // When it publishes (QoS 1, so the broker must answer)
        var forged =
                new org.eclipse.paho.client.mqttv3.MqttMessage(frame(run, 99.0).getBytes(StandardCharsets.UTF_8));
        forged.setQos(1);
        assertThrows(
                MqttException.class, () -> forger.publish(LivePublisher.TOPIC, forged), "a publish must be refused");

        // Then the broker closed that connection, and only the live feed's own frame reaches the watcher
        Awaitility.await("the forger is disconnected").atMost(TIMEOUT).until(() -> !forger.isConnected());
        try (var feed = MqttTestClient.connect(stack.mqttUri(), stack.live())) {
            feed.publish(LivePublisher.TOPIC, frame(run, 20.0));
        }
        Awaitility.await("the live feed's frame arrives").atMost(TIMEOUT).until(() -> received.payloads.size() >= 1);
        assertTrue(
                received.payloads.stream().noneMatch(p -> p.contains("99.0")),
                "forged frame delivered: " + received.payloads);
    }

    @Test
    void the_page_identity_cannot_open_a_durable_session() throws Exception {
        // Given a persistent session (clean session = false), the kind that leaves a queue collecting readings
        var token = tokens.mint().token();
        var client = connect(token, false);
        var clientId = client.getClientId();

        // When it subscribes at QoS 1: RabbitMQ would keep a durable queue mqtt-subscription-<id>qos1 for it
        boolean refused;
        try {
            int[] granted = client.subscribeWithResponse(new String[] {LivePublisher.TOPIC}, new int[] {1})
                    .getGrantedQos();
            refused = granted.length == 1 && granted[0] == 0x80;
        } catch (MqttException e) {
            refused = true;
        }

        // Then the subscription is refused and no such queue exists
        assertTrue(refused, "a QoS 1 subscription of the page identity must be refused");
        assertEquals(java.util.Optional.empty(), management.queueIfExists("mqtt-subscription-" + clientId + "qos1"));

        // And a persistent session's QoS 0 subscription (allowed) leaves nothing behind once the page disconnects:
        // on 3.10 its queue is non-durable and auto-deleted; on 4.x the mqtt-qos0-sessions policy expires it in 60 s.
        var again = connect(tokens.mint().token(), false);
        subscribe(again, LivePublisher.TOPIC, 0);
        var qos0 = "mqtt-subscription-" + again.getClientId() + "qos0";
        Awaitility.await(qos0 + " exists while connected")
                .atMost(TIMEOUT)
                .until(() -> management.queueIfExists(qos0).isPresent());
        again.disconnect();
        Awaitility.await(qos0 + " is gone after the disconnect")
                .atMost(Duration.ofSeconds(90))
                .until(() -> management.queueIfExists(qos0).isEmpty());
    }

    @Test
    void the_page_identity_is_refused_past_its_connection_limit() throws Exception {
        // Given as many page connections as the limit allows (each its own fresh token)
        for (int i = 0; i < PAGE_MAX_CONNECTIONS; i++) {
            connect(tokens.mint().token(), true);
        }

        // When one more connects, Then it is refused
        assertThrows(
                MqttException.class,
                () -> connect(tokens.mint().token(), true),
                "connection " + (PAGE_MAX_CONNECTIONS + 1) + " of " + stack.pageTokenUser() + " must be refused");

        // And closing one makes room again (the limit counts open connections, it does not ban)
        var first = opened.get(0);
        first.disconnect();
        Awaitility.await("a freed slot is usable")
                .atMost(TIMEOUT)
                .pollInterval(Duration.ofSeconds(1))
                .ignoreExceptionsInstanceOf(MqttException.class)
                .until(() -> connect(tokens.mint().token(), true).isConnected());
    }

    @Test
    void an_expired_token_is_refused() {
        // Given a token exactly like the dashboard's, but whose lifetime ended a minute ago
        var now = Instant.now();
        var expired = tokens.sign(now.minus(Duration.ofMinutes(6)), now.minus(Duration.ofMinutes(1)));

        // When / Then
        assertThrows(MqttException.class, () -> connect(expired, true));
    }

    @Test
    void a_token_signed_with_another_key_is_refused() {
        // Given the same claims under a key the broker does not hold
        var otherKey = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32]);
        var forged = new PageTokens(stack.pageTokenUser(), otherKey, Duration.ofMinutes(5), Clock.systemUTC()).mint();

        // When / Then
        assertThrows(MqttException.class, () -> connect(forged.token(), true));
    }

    @Test
    void the_page_identity_has_no_password_login() {
        // The internal user exists only for its connection limit: no password opens it, not even an empty one.
        assertThrows(MqttException.class, () -> connect("", true));
        assertThrows(MqttException.class, () -> connect("guess", true));
        assertFalse(
                stack.pageTokenUser().equals(stack.page().username()),
                "the page's identity is not the dashboard server's password user");
    }

    private MqttClient connect(String password, boolean cleanSession) throws MqttException {
        var client = new MqttClient(
                wsUri, "page-it-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
        var options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(cleanSession);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        options.setUserName(stack.pageTokenUser());
        options.setPassword(password.toCharArray());
        client.setTimeToWait(10_000);
        try {
            client.connect(options);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        opened.add(client);
        return client;
    }

    /** What a subscription received: topics and payloads. */
    private static final class Received implements IMqttMessageListener {
        final List<String> topics = new CopyOnWriteArrayList<>();
        final List<String> payloads = new CopyOnWriteArrayList<>();

        @Override
        public void messageArrived(String topic, org.eclipse.paho.client.mqttv3.MqttMessage message) {
            topics.add(topic);
            payloads.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        boolean contains(String topic) {
            return topics.contains(topic);
        }
    }

    private static Received subscribe(MqttClient client, String filter, int qos) throws MqttException {
        var received = new Received();
        int[] granted = client.subscribeWithResponse(
                        new String[] {filter}, new int[] {qos}, new IMqttMessageListener[] {received})
                .getGrantedQos();
        assertEquals(qos, granted[0], "granted QoS for " + filter);
        return received;
    }

    private int pageConnections() {
        int count = 0;
        for (var connection : management.connections()) {
            if (stack.pageTokenUser().equals(connection.path("user").asText())) {
                count++;
            }
        }
        return count;
    }

    /** True if the broker refuses {@code filter} (SUBACK failure, or the connection closed). */
    private static boolean refused(MqttClient client, String filter) {
        try {
            int[] granted = client.subscribeWithResponse(new String[] {filter}, new int[] {0})
                    .getGrantedQos();
            return granted.length == 1 && granted[0] == 0x80;
        } catch (MqttException e) {
            return true;
        }
    }

    private static String frame(String sensor, double value) {
        return "{\"readings\":[{\"sensor\":\"" + sensor + "\",\"value\":" + value + ",\"timestamp\":"
                + System.currentTimeMillis() + ",\"count\":1}]}";
    }
}
