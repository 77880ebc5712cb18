package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HistoryRequestTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void no_parameters_mean_the_last_hour_in_ten_second_buckets() {
        // When
        var request = HistoryRequest.parse("a1", null, null, null, NOW);

        // Then
        assertEquals(NOW.minus(Duration.ofHours(1)), request.from());
        assertEquals(NOW, request.to());
        assertEquals(Duration.ofSeconds(10), request.step());
        assertEquals(360, request.points());
    }

    @Test
    void from_and_to_accept_iso_instants_and_epoch_millis() {
        // When
        var request = HistoryRequest.parse("a1", "2026-11-27T10:00:00Z", Long.toString(NOW.toEpochMilli()), "5m", NOW);

        // Then
        assertEquals(Instant.parse("2026-11-27T10:00:00Z"), request.from());
        assertEquals(NOW, request.to());
        assertEquals(Duration.ofMinutes(5), request.step());
        assertEquals(24, request.points());
    }

    @Test
    void step_accepts_bare_seconds_and_units() {
        assertEquals(
                Duration.ofSeconds(60),
                HistoryRequest.parse("a1", null, null, "60", NOW).step());
        assertEquals(
                Duration.ofSeconds(30),
                HistoryRequest.parse("a1", null, null, "30s", NOW).step());
        assertEquals(
                Duration.ofHours(1),
                HistoryRequest.parse("a1", null, null, "1h", NOW).step());
        assertEquals(
                Duration.ofMillis(1500),
                HistoryRequest.parse("a1", NOW.minusSeconds(600).toString(), null, "1500ms", NOW)
                        .step());
    }

    @Test
    void a_bad_sensor_id_is_refused() {
        var e = assertThrows(
                BadRequestException.class, () -> HistoryRequest.parse("<img src=x>", null, null, null, NOW));
        assertTrue(e.getMessage().contains("sensor id"), e.getMessage());
    }

    @Test
    void unparseable_times_are_refused_naming_the_parameter() {
        assertTrue(
                assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", "yesterday", null, null, NOW))
                        .getMessage()
                        .startsWith("from "));
        assertTrue(assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", null, "soon", null, NOW))
                .getMessage()
                .startsWith("to "));
        assertTrue(assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", null, null, "fast", NOW))
                .getMessage()
                .startsWith("step "));
        assertTrue(assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", null, null, "-5s", NOW))
                .getMessage()
                .startsWith("step "));
    }

    @Test
    void from_must_be_before_to() {
        var e = assertThrows(
                BadRequestException.class, () -> HistoryRequest.parse("a1", NOW.toString(), NOW.toString(), null, NOW));
        assertEquals("from must be before to", e.getMessage());
    }

    @Test
    void a_range_over_31_days_is_refused() {
        assertThrows(
                BadRequestException.class,
                () -> HistoryRequest.parse("a1", NOW.minus(Duration.ofDays(32)).toString(), null, "1h", NOW));
    }

    @Test
    void a_step_under_one_second_is_refused() {
        assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", null, null, "500ms", NOW));
    }

    @Test
    void too_many_buckets_are_refused_with_the_smallest_allowed_step() {
        // Given a day in one-second buckets: 86,400 > 2,000
        var from = NOW.minus(Duration.ofDays(1)).toString();

        // When
        var e = assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", from, null, "1s", NOW));

        // Then
        assertTrue(e.getMessage().contains("step >= 44s"), e.getMessage());
    }

    @Test
    void the_default_step_keeps_a_month_within_the_point_limit() {
        // When
        var request = HistoryRequest.parse("a1", NOW.minus(Duration.ofDays(31)).toString(), null, null, NOW);

        // Then
        assertTrue(request.points() <= HistoryRequest.MAX_POINTS);
    }

    @Test
    void a_range_sets_from_and_step_and_keeps_to() {
        // When
        var request = HistoryRequest.parse("a1", null, "2026-11-27T12:01:00Z", null, "7d", NOW);

        // Then
        assertEquals(Instant.parse("2026-11-20T12:01:00Z"), request.from());
        assertEquals(Instant.parse("2026-11-27T12:01:00Z"), request.to());
        assertEquals(Duration.ofHours(1), request.step());
    }

    @Test
    void a_range_defaults_to_now() {
        var request = HistoryRequest.parse("a1", null, null, null, "6h", NOW);
        assertEquals(NOW.minus(Duration.ofHours(6)), request.from());
        assertEquals(NOW, request.to());
        assertEquals(Duration.ofMinutes(1), request.step());
    }

    @Test
    void every_range_stays_within_the_points_per_sensor_bound() {
        for (var range : HistoryRange.ALL) {
            var request = HistoryRequest.parse("a1", null, null, null, range.name(), NOW);
            assertTrue(request.points() < HistoryRange.MAX_POINTS_PER_SENSOR, range + ": " + request.points());
        }
    }

    @Test
    void an_unknown_range_or_one_combined_with_from_or_step_is_refused() {
        assertEquals(
                "range must be one of 1h, 6h, 24h, 7d, 30d",
                assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", null, null, null, "2w", NOW))
                        .getMessage());
        assertTrue(assertThrows(
                        BadRequestException.class,
                        () -> HistoryRequest.parse("a1", NOW.minusSeconds(60).toString(), null, null, "1h", NOW))
                .getMessage()
                .startsWith("range sets from and step"));
        assertTrue(
                assertThrows(BadRequestException.class, () -> HistoryRequest.parse("a1", null, null, "1m", "1h", NOW))
                        .getMessage()
                        .startsWith("range sets from and step"));
    }
}
