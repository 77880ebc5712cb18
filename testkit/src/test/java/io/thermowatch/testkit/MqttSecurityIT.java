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
 * their topics, a sensor only as itself, a gateway only for ids under its prefix, the dashboard page never
 * publishes. RabbitMQ answers a denied publish by closing the connection.
 */
class MqttSecurityIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** CONNACK return codes 4 (bad user name or password) and 5 (not authorised). */
    private static final Set<Integer> REFUSED = Set.of(
            (int) MqttException.REASON_CODE_FAILED_AUTHENTICATION, (int) MqttException.REASON_CODE_NOT_AUTHORIZED);

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
        MqttSecurityException refused =
                assertThrows(MqttSecurityException.class, () -> MqttTestClient.connect(stack.mqttUri(), null));

        // Then
        assertTrue(REFUSED.contains(refused.getReasonCode()), "reason code " + refused.getReasonCode());
    }

    @Test
    void a_wrong_password_is_refused() {
        // Given
        Credentials wrong = new Credentials(
                stack.sensor().username(), "not-" + stack.sensor().password());

        // When
        MqttSecurityException refused =
                assertThrows(MqttSecurityException.class, () -> MqttTestClient.connect(stack.mqttUri(), wrong));

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
        assertOnlySentinelRouted(tap, sensorId, stack.sensor(), sensorId + "-sentinel");
    }

    @Test
    void a_sensor_cannot_publish_as_another_sensor() throws Exception {
        // Given sensor data_center_a1's own identity (user name = its id) and another sensor's id
        Credentials sensorA = stack.sensorIdentity(1);
        String other = Markers.sensorId("other");
        String tap = probe.tap("#");

        // When it publishes a reading, or an offline status, for the other sensor, then each is denied
        assertPublishIsDeniedAndDisconnects(sensorA, "temperature/" + other, Markers.reading(99));
        assertPublishIsDeniedAndDisconnects(sensorA, "sensors/" + other + "/status", "{\"status\":\"offline\"}");
        // And its own reading passes, and is all that was routed
        assertOnlySentinelRouted(tap, other, sensorA, sensorA.username());
    }

    @Test
    void a_gateway_publishes_only_for_ids_under_its_prefix() throws Exception {
        // Given the gateway (prefix "<user>-"), an id outside its prefix and one that only starts like it
        Credentials gateway = stack.gateway();
        String outside = Markers.sensorId("outside");
        String tap = probe.tap("#");

        // When it publishes for them, then each is denied
        assertPublishIsDeniedAndDisconnects(gateway, "temperature/" + outside, Markers.reading(99));
        assertPublishIsDeniedAndDisconnects(
                gateway, "temperature/" + gateway.username() + "x" + outside, Markers.reading(99));
        assertPublishIsDeniedAndDisconnects(gateway, "sensors/" + outside + "/status", "{\"status\":\"offline\"}");
        // And a virtual sensor under its prefix passes, and is all that was routed
        assertOnlySentinelRouted(tap, outside, gateway, gateway.username() + "-" + outside);
    }

    @Test
    void the_dashboard_page_user_cannot_publish() throws Exception {
        // Given
        String sensorId = Markers.sensorId("page");
        String tap = probe.tap("#");

        // When / Then: not even to a reading topic, which the service queues would take
        assertPublishIsDeniedAndDisconnects(stack.page(), "temperature/" + sensorId, Markers.reading(99));
        assertOnlySentinelRouted(tap, sensorId, stack.sensor(), sensorId + "-sentinel");
    }

    private void assertPublishIsDeniedAndDisconnects(Credentials who, String topic, String payload) throws Exception {
        try (MqttTestClient client = MqttTestClient.connect(stack.mqttUri(), who)) {
            assertThrows(
                    MqttException.class, () -> client.publish(topic, payload), "publish to " + topic + " as " + who);
            client.awaitDisconnected(TIMEOUT);
        }
    }

    /**
     * Publishes a reading for {@code sentinelId} as {@code publisher} (which must be allowed) and asserts that
     * nothing naming {@code deniedId} was routed. The denied client's connection is closed before the sentinel's is
     * opened, so had the denied message been routed, the tap would hold it before the sentinel: no waiting for an
     * absence.
     */
    private void assertOnlySentinelRouted(String tap, String deniedId, Credentials publisher, String sentinelId)
            throws Exception {
        String sentinelKey = "temperature." + sentinelId;
        String sentinelPayload = Markers.reading(20 + (System.nanoTime() % 1000) / 1000.0);
        try (MqttTestClient sensor = MqttTestClient.connect(stack.mqttUri(), publisher)) {
            sensor.publish("temperature/" + sentinelId, sentinelPayload);
        }
        java.util.function.Predicate<Message> isSentinel =
                m -> m.routingKey().equals(sentinelKey) && m.bodyText().equals(sentinelPayload);
        List<Message> seen = probe.awaitMessages(
                tap,
                m -> m.routingKey().contains(deniedId) || isSentinel.test(m),
                kept -> kept.stream().anyMatch(isSentinel),
                TIMEOUT);
        assertEquals(
                List.of(sentinelKey), seen.stream().map(Message::routingKey).toList());
        probe.drain(Stack.DB_WRITER_QUEUE);
        probe.drain(Stack.EMAIL_SENDER_QUEUE);
    }
}
