package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.wire.SensorStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusTrackerTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final StatusTracker tracker = new StatusTracker(
            new MqttSettings(List.of("tcp://127.0.0.1:1"), "u", "p", "c", 30), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void the_last_status_of_each_sensor_is_kept_with_its_arrival_time() {
        // When
        tracker.accept("sensors/a1/status", bytes("offline"));
        tracker.accept("sensors/b2/status", bytes("online"));

        // Then
        assertEquals(Optional.of(new StatusTracker.Seen(SensorStatus.OFFLINE, NOW)), tracker.status("a1"));
        assertEquals(SensorStatus.ONLINE, tracker.status("b2").orElseThrow().status());
        assertTrue(tracker.status("c3").isEmpty());
    }

    @Test
    void beyond_max_tracked_sensors_the_longest_silent_ids_are_forgotten_first() {
        // Given: room for 100, each id one second after the previous one
        var clock = new io.thermowatch.testkit.MutableClock(NOW);
        var small = new StatusTracker(new MqttSettings(List.of("tcp://127.0.0.1:1"), "u", "p", "c", 30), clock, 100);
        for (int i = 0; i < 100; i++) {
            clock.advance(java.time.Duration.ofSeconds(1));
            small.accept("sensors/s" + i + "/status", bytes("online"));
        }
        clock.advance(java.time.Duration.ofSeconds(1));
        small.accept("sensors/s0/status", bytes("offline")); // s0 speaks again

        // When: a flood of new ids
        for (int i = 0; i < 500; i++) {
            clock.advance(java.time.Duration.ofSeconds(1));
            small.accept("sensors/flood" + i + "/status", bytes("online"));
        }

        // Then
        assertEquals(100, small.trackedCount());
        assertEquals(500, small.evictedCount());
        assertTrue(small.status("s1").isEmpty(), "the longest silent went first");
        assertTrue(small.status("flood499").isPresent());
    }

    @Test
    void other_topics_payloads_and_bad_ids_are_ignored() {
        // When
        tracker.accept("temperature/a1", bytes("offline"));
        tracker.accept("sensors/a1/status", bytes("rebooting"));
        tracker.accept("sensors/<x>/status", bytes("offline"));

        // Then
        assertTrue(tracker.status("a1").isEmpty());
        assertTrue(tracker.status("<x>").isEmpty());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
