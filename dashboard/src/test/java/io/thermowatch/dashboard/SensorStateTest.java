package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.wire.SensorStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SensorStateTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final SensorState state =
            new SensorState(25.0, Duration.ofMinutes(2), Duration.ofDays(7), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void a_recent_reading_is_online() {
        // When
        var view = state.judge(new LatestReading("a1", 21.5, NOW.minusSeconds(10)));

        // Then
        assertEquals("online", view.status());
        assertEquals(NOW.minusSeconds(10).toEpochMilli(), view.timestamp());
        assertEquals(21.5, view.value());
        assertEquals("a1", view.sensor());
    }

    @Test
    void a_reading_exactly_at_the_timeout_is_still_online() {
        assertEquals(
                "online",
                state.judge(new LatestReading("a1", 21.5, NOW.minus(Duration.ofMinutes(2))))
                        .status());
    }

    @Test
    void a_reading_older_than_the_timeout_is_stale() {
        assertEquals(
                "stale",
                state.judge(new LatestReading("a1", 21.5, NOW.minusSeconds(121)))
                        .status());
    }

    @Test
    void an_offline_status_after_the_latest_reading_means_offline() {
        // Given
        var reading = new LatestReading("a1", 21.5, NOW.minusSeconds(30));
        var offline = Optional.of(new StatusTracker.Seen(SensorStatus.OFFLINE, NOW.minusSeconds(10)));

        // When
        var view = state.judge(reading, NOW, offline);

        // Then
        assertEquals("offline", view.status());
    }

    @Test
    void a_reading_newer_than_the_offline_status_means_back_online() {
        // Given
        var reading = new LatestReading("a1", 21.5, NOW.minusSeconds(5));
        var offline = Optional.of(new StatusTracker.Seen(SensorStatus.OFFLINE, NOW.minusSeconds(10)));

        // When / Then
        assertEquals("online", state.judge(reading, NOW, offline).status());
    }

    @Test
    void an_online_status_does_not_hide_staleness() {
        // Given
        var reading = new LatestReading("a1", 21.5, NOW.minusSeconds(300));
        var online = Optional.of(new StatusTracker.Seen(SensorStatus.ONLINE, NOW.minusSeconds(10)));

        // When / Then
        assertEquals("stale", state.judge(reading, NOW, online).status());
    }

    @Test
    void over_threshold_means_strictly_above_it() {
        assertFalse(state.judge(new LatestReading("a1", 25.0, NOW)).overThreshold());
        assertTrue(state.judge(new LatestReading("a1", 25.01, NOW)).overThreshold());
    }

    @Test
    void a_sensor_silent_for_longer_than_the_retire_time_is_retired_unless_the_inventory_lists_it() {
        // Given
        var justInside = new LatestReading("a1", 21.5, NOW.minus(Duration.ofDays(7)));
        var beyond = new LatestReading("a1", 21.5, NOW.minus(Duration.ofDays(7)).minusMillis(1));

        // Then
        assertFalse(state.isRetired(justInside, NOW, false));
        assertTrue(state.isRetired(beyond, NOW, false));
        assertFalse(state.isRetired(beyond, NOW, true), "a listed sensor is expected: it stays, stale");
    }
}
