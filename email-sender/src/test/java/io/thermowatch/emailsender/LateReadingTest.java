package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.FIRING;
import static io.thermowatch.emailsender.Notification.Kind.OFFLINE;
import static io.thermowatch.emailsender.Notification.Kind.RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Readings the broker dead-lettered, evaluated late ({@link AlertEngine#onLateReading}): fire, never roll back. */
class LateReadingTest {

    private static final String S = "data_center_a1";
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");
    private static final long HOURS_AGO = START.minus(Duration.ofHours(10)).toEpochMilli();

    private final TwoClocks clock = new TwoClocks(START);
    private final AlertEngine engine = clock.engine(AlertRules.defaults());

    private static List<Notification.Kind> kinds(List<Notification> ns) {
        return ns.stream().map(Notification::kind).toList();
    }

    @Test
    void a_hot_late_reading_of_a_sensor_never_seen_fires_with_its_own_value_and_stamp() {
        // When
        List<Notification> late = engine.onLateReading(S, 31.5, HOURS_AGO);
        // Then
        assertEquals(List.of(FIRING), kinds(late));
        assertEquals(31.5, late.get(0).value());
        assertEquals(Instant.ofEpochMilli(HOURS_AGO), late.get(0).readingTime());
        assertEquals(SensorAlert.State.FIRING, engine.stateOf(S));
    }

    @Test
    void a_hot_late_reading_fires_a_normal_sensor_and_the_next_live_cool_reading_resolves_it() {
        // Given
        engine.onReading(S, 21.0, START.toEpochMilli());
        // When
        List<Notification> late = engine.onLateReading(S, 30.0, HOURS_AGO);
        clock.advance(Duration.ofSeconds(10));
        List<Notification> live = engine.onReading(S, 21.0, START.toEpochMilli() + 10_000);
        // Then
        assertEquals(List.of(FIRING), kinds(late));
        assertEquals(List.of(RESOLVED), kinds(live));
    }

    @Test
    void a_late_reading_never_resolves_nor_repeats_a_firing_sensor() {
        // Given
        engine.onReading(S, 30.0, START.toEpochMilli());
        clock.advance(Duration.ofHours(2)); // past the repeat interval
        // When
        List<Notification> cool = engine.onLateReading(S, 20.0, HOURS_AGO);
        List<Notification> hot = engine.onLateReading(S, 35.0, HOURS_AGO);
        // Then
        assertEquals(List.of(), cool);
        assertEquals(List.of(), hot);
        assertEquals(SensorAlert.State.FIRING, engine.stateOf(S));
    }

    @Test
    void a_cool_late_reading_of_a_sensor_never_seen_changes_nothing() {
        assertEquals(List.of(), engine.onLateReading(S, 20.0, HOURS_AGO));
        assertEquals(SensorAlert.State.UNKNOWN, engine.stateOf(S));
    }

    @Test
    void a_late_reading_is_no_reference_for_the_live_stream() {
        // Given: firing on a live reading
        engine.onReading(S, 30.0, START.toEpochMilli());
        // When: a dead letter stamped after the next live reading arrives first
        engine.onLateReading(S, 20.0, START.toEpochMilli() + 60_000);
        clock.advance(Duration.ofSeconds(10));
        List<Notification> live = engine.onReading(S, 20.0, START.toEpochMilli() + 10_000);
        // Then: the live reading is judged against the live one before it, not as stale
        assertEquals(List.of(RESOLVED), kinds(live));
    }

    @Test
    void a_late_reading_is_no_proof_of_life() {
        // Given: heard from, then silent for almost SENSOR_OFFLINE_AFTER (2 min)
        engine.onReading(S, 21.0, START.toEpochMilli());
        clock.advance(Duration.ofSeconds(110));
        // When
        engine.onLateReading(S, 21.0, HOURS_AGO);
        clock.advance(Duration.ofSeconds(20));
        // Then: offline 2 min after the last live reading
        assertEquals(List.of(OFFLINE), kinds(engine.sweepSilentSensors()));
    }

    @Test
    void a_hot_late_reading_of_an_offline_sensor_fires_without_saying_it_is_back() {
        // Given
        engine.onReading(S, 21.0, START.toEpochMilli());
        engine.onOffline(S);
        // When
        List<Notification> late = engine.onLateReading(S, 31.0, HOURS_AGO);
        // Then: the alert is mailed, but a dead letter is no proof of life: the sensor stays offline, so neither
        // BACK ONLINE now nor a second OFFLINE from the sweep
        assertEquals(List.of(FIRING), kinds(late));
        clock.advance(Duration.ofMinutes(3));
        assertEquals(List.of(), kinds(engine.sweepSilentSensors()));
    }
}
