package io.thermowatch.common.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void names_follow_the_wire_contract() {
        assertEquals("temperature/data_center_a1", Topics.readingTopic("data_center_a1"));
        assertEquals("temperature.data_center_a1", Topics.readingRoutingKey("data_center_a1"));
        assertEquals("sensors/data_center_a1/status", Topics.statusTopic("data_center_a1"));
        assertEquals("sensors.data_center_a1.status", Topics.statusRoutingKey("data_center_a1"));
    }

    @Test
    void topic_and_routing_key_map_both_ways() {
        assertEquals("temperature.x-1", Topics.toRoutingKey("temperature/x-1"));
        assertEquals("temperature/x-1", Topics.toMqttTopic("temperature.x-1"));
    }

    @Test
    void parses_reading_and_status_routes() {
        assertEquals(
                Optional.of(new Topics.Route(Topics.Kind.READING, "a1")), Topics.parseRoutingKey("temperature.a1"));
        assertEquals(
                Optional.of(new Topics.Route(Topics.Kind.STATUS, "a1")), Topics.parseRoutingKey("sensors.a1.status"));
        assertEquals(Optional.of(new Topics.Route(Topics.Kind.READING, "a1")), Topics.parseTopic("temperature/a1"));
        assertEquals(Optional.of(new Topics.Route(Topics.Kind.STATUS, "a1")), Topics.parseTopic("sensors/a1/status"));
    }

    @Test
    void rejects_routes_with_wrong_shape_or_bad_id() {
        assertTrue(Topics.parseRoutingKey("temperature.a.b").isEmpty());
        assertTrue(Topics.parseRoutingKey("temperature.").isEmpty());
        assertTrue(Topics.parseRoutingKey("humidity.a1").isEmpty());
        assertTrue(Topics.parseRoutingKey("sensors.a1.state").isEmpty());
        assertTrue(Topics.parseTopic("temperature/<b>").isEmpty());
        assertTrue(Topics.parseRoutingKey(null).isEmpty());
    }

    @Test
    void sensor_id_pattern_is_enforced() {
        assertTrue(Topics.isValidSensorId("data_center_a1"));
        assertTrue(Topics.isValidSensorId("A-z_09"));
        assertTrue(Topics.isValidSensorId("a".repeat(64)));
        assertFalse(Topics.isValidSensorId("a".repeat(65)));
        assertFalse(Topics.isValidSensorId(""));
        assertFalse(Topics.isValidSensorId("a b"));
        assertThrows(IllegalArgumentException.class, () -> Topics.readingTopic("a/b"));
    }

    @Test
    void status_payloads_parse() {
        assertEquals(Optional.of(SensorStatus.OFFLINE), SensorStatus.parse("offline".getBytes()));
        assertEquals(Optional.of(SensorStatus.ONLINE), SensorStatus.parse(" Online\n".getBytes()));
        assertTrue(SensorStatus.parse("gone".getBytes()).isEmpty());
        assertEquals("offline", SensorStatus.OFFLINE.wire());
    }
}
