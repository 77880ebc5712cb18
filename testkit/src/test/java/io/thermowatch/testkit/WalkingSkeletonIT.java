package io.thermowatch.testkit;

import static io.thermowatch.testkit.Stack.DB_WRITER_QUEUE;
import static io.thermowatch.testkit.Stack.EMAIL_SENDER_QUEUE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.QueueProbe.Message;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The broker half of the system, end to end through HAProxy: routing into both quorum queues, cluster, Web-MQTT. */
class WalkingSkeletonIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final Stack stack = Stack.get();
    private QueueProbe probe;

    @BeforeEach
    void openProbe() {
        probe = stack.queueProbe();
        for (String queue : List.of(DB_WRITER_QUEUE, EMAIL_SENDER_QUEUE)) {
            assertEquals(
                    0,
                    probe.consumerCount(queue),
                    queue + " has consumers: these tests read the service "
                            + "queues themselves; stop the services (scripts/stack down && scripts/stack infra)");
        }
    }

    @AfterEach
    void closeProbe() {
        probe.close();
    }

    @Test
    void a_qos1_reading_from_a_sensor_lands_in_both_quorum_queues() throws Exception {
        // Given
        String sensorId = Markers.sensorId("skeleton");
        byte[] payload = Markers.reading(21.5).getBytes(StandardCharsets.UTF_8);

        // When
        try (MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            sensor.publish("temperature/" + sensorId, payload);
        }

        // Then
        for (String queue : List.of(DB_WRITER_QUEUE, EMAIL_SENDER_QUEUE)) {
            List<Message> messages = probe.awaitMessages(queue, "temperature." + sensorId, 1, TIMEOUT);
            assertEquals(1, messages.size(), queue + ": " + messages);
            assertArrayEquals(payload, messages.get(0).body(), queue);
        }
    }

    @Test
    void a_status_message_lands_only_in_the_email_sender_queue() throws Exception {
        // Given
        String sensorId = Markers.sensorId("status");

        // When: the PUBACK of a QoS 1 publish means every bound queue has it
        try (MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            sensor.publish("sensors/" + sensorId + "/status", "online");
        }

        // Then
        List<Message> email = probe.awaitMessages(EMAIL_SENDER_QUEUE, "sensors." + sensorId + ".status", 1, TIMEOUT);
        assertEquals("online", email.get(0).bodyText());
        assertTrue(probe.drain(DB_WRITER_QUEUE).stream()
                .noneMatch(m -> m.routingKey().contains(sensorId)));
    }

    @Test
    void the_cluster_reports_three_running_nodes() {
        // When
        List<String> running = stack.management().runningNodes();

        // Then
        assertEquals(Set.of(stack.nodeName(1), stack.nodeName(2), stack.nodeName(3)), Set.copyOf(running));
    }

    @Test
    void the_service_and_dead_letter_queues_are_quorum_queues_replicated_on_all_three_nodes() {
        for (String queue : List.of(
                DB_WRITER_QUEUE, EMAIL_SENDER_QUEUE, Stack.DEAD_LETTER_QUEUE, Stack.EMAIL_SENDER_DEAD_LETTER_QUEUE)) {
            // When
            ManagementClient.QueueInfo info = stack.management().queue(queue);
            QuorumMembership membership = stack.quorumMembership(queue);

            // Then: one node down leaves a majority of replicas
            assertEquals("quorum", info.type(), queue);
            assertEquals(
                    Set.of(stack.nodeName(1), stack.nodeName(2), stack.nodeName(3)),
                    membership.members(),
                    queue + " members");
        }
    }

    @Test
    void web_mqtt_answers_a_websocket_upgrade_and_an_mqtt_connect_through_haproxy() throws Exception {
        // Given
        CompletableFuture<byte[]> firstFrame = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                firstFrame.complete(bytes);
                return null;
            }
        };

        // When: 101 Switching Protocols completes the future; anything else fails it
        WebSocket ws = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .subprotocols("mqtt")
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(stack.webMqttUri(), listener)
                .get(10, TimeUnit.SECONDS);
        try {
            ws.sendBinary(ByteBuffer.wrap(MqttPackets.connect("ws-" + Markers.sensorId("page"), stack.page())), true)
                    .get(5, TimeUnit.SECONDS);

            // Then: CONNACK, session present 0, return code 0 (accepted)
            assertEquals("mqtt", ws.getSubprotocol());
            assertArrayEquals(new byte[] {0x20, 0x02, 0x00, 0x00}, firstFrame.get(10, TimeUnit.SECONDS));
        } finally {
            ws.abort();
        }
    }
}
