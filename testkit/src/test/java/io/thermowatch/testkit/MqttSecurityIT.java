package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.QueueProbe.Message;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttSecurityException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Least privilege on the MQTT front: no anonymous or wrongly authenticated client, sensors publish only under
 * their topics, the dashboard page never publishes. RabbitMQ answers a denied publish by closing the connection.
 */
class MqttSecurityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** CONNACK return codes 4 (bad user name or password) and 5 (not authorised). */
    private static final Set<Integer> REFUSED = Set.of((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION,
            (int) MqttException.REASON_CODE_NOT_AUTHORIZED);

    private final Stack stack = Stack.get();
    private QueueProbe probe;

    @BeforeEach
    void openProbe() {
        probe = stack.queueProbe();
    }

    @AfterEach
    void closeProbe() {
        probe.close();
    }

    @Test
    void an_anonymous_client_is_refused() {
        // When
        MqttSecurityException refused = assertThrows(MqttSecurityException.class,
                () -> MqttTestClient.connect(stack.mqttUri(), null));

        // Then
        assertTrue(REFUSED.contains(refused.getReasonCode()), "reason code " + refused.getReasonCode());
    }

    @Test
    void a_wrong_password_is_refused() {
        // Given
        Credentials wrong = new Credentials(stack.sensor().username(), "not-" + stack.sensor().password());

        // When
        MqttSecurityException refused = assertThrows(MqttSecurityException.class,
                () -> MqttTestClient.connect(stack.mqttUri(), wrong));

        // Then
        assertTrue(REFUSED.contains(refused.getReasonCode()), "reason code " + refused.getReasonCode());
    }

    @Test
    void a_sensor_publishing_outside_its_topics_is_disconnected_and_nothing_is_routed() throws Exception {
        // Given: a private queue that sees everything published to amq.topic
        String sensorId = Markers.sensorId("denied");
        String tap = probe.tap("#");

        // When / Then
        assertPublishIsDeniedAndDisconnects(stack.sensor(), "alerts/" + sensorId, Markers.reading(99));
        assertOnlySentinelRouted(tap, sensorId);
    }

    @Test
    void the_dashboard_page_user_cannot_publish() throws Exception {
        // Given
        String sensorId = Markers.sensorId("page");
        String tap = probe.tap("#");

        // When / Then: not even to a reading topic, which the service queues would take
        assertPublishIsDeniedAndDisconnects(stack.page(), "temperature/" + sensorId, Markers.reading(99));
        assertOnlySentinelRouted(tap, sensorId);
    }

    private void assertPublishIsDeniedAndDisconnects(Credentials who, String topic, String payload) throws Exception {
        try (MqttTestClient client = MqttTestClient.connect(stack.mqttUri(), who)) {
            assertThrows(MqttException.class, () -> client.publish(topic, payload), "publish to " + topic + " as " + who);
            client.awaitDisconnected(TIMEOUT);
        }
    }

    /**
     * The denied client's connection is closed before the sentinel's is opened, so had the denied message been
     * routed, the tap would hold it before the sentinel: no waiting for an absence.
     */
    private void assertOnlySentinelRouted(String tap, String sensorId) throws Exception {
        String sentinel = "temperature/" + sensorId + "-sentinel";
        try (MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            sensor.publish(sentinel, Markers.reading(20));
        }
        List<Message> seen = probe.awaitMessages(tap, m -> m.routingKey().contains(sensorId),
                kept -> kept.stream().anyMatch(m -> m.routingKey().endsWith("-sentinel")), TIMEOUT);
        assertEquals(List.of("temperature." + sensorId + "-sentinel"),
                seen.stream().map(Message::routingKey).toList());
        probe.drain(Stack.DB_WRITER_QUEUE);
        probe.drain(Stack.EMAIL_SENDER_QUEUE);
    }
}
