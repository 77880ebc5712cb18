package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MailedStateTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    private static Notification n(Notification.Kind kind, String sensor) {
        return Notification.withoutReading(kind, sensor, T0);
    }

    @Test
    void every_known_sensor_is_kept_with_what_was_last_mailed_and_survives_a_round_trip_through_the_file(@TempDir Path dir)
            throws Exception {
        // Given
        MailedState state = new MailedState();
        state.apply(List.of(n(Notification.Kind.FIRING, "a"), n(Notification.Kind.OFFLINE, "b"),
                n(Notification.Kind.FIRING, "c"), n(Notification.Kind.RESOLVED, "c")));
        StateFile file = new StateFile(dir.resolve("sub/state"));
        // When
        file.checkWritable();
        file.save(state);
        MailedState loaded = file.load();
        // Then
        assertEquals(Map.of("a", new MailedState.Entry(SensorAlert.State.FIRING, T0),
                "b", new MailedState.Entry(SensorAlert.State.OFFLINE, T0),
                "c", new MailedState.Entry(SensorAlert.State.NORMAL, T0)), loaded.entries());
        assertEquals(List.of("a FIRING " + T0.toEpochMilli(), "b OFFLINE " + T0.toEpochMilli(),
                "c NORMAL " + T0.toEpochMilli()), Files.readAllLines(file.path()));
    }

    @Test
    void damaged_lines_are_skipped() {
        MailedState loaded = MailedState.fromLines(List.of("x FIRING 1", "garbage", "y BURNING 2", "z OFFLINE nan",
                "u UNKNOWN 3"));
        assertEquals(List.of("x"), List.copyOf(loaded.entries().keySet()));
    }

    @Test
    void a_restored_firing_sensor_does_not_fire_again_but_resolves_and_reminds_on_schedule() {
        // Given: FIRING mailed at T0, restart 10 minutes later
        TwoClocks clock = new TwoClocks(T0.plus(Duration.ofMinutes(10)));
        AlertEngine engine = clock.engine(AlertRules.defaults());
        MailedState mailed = new MailedState();
        mailed.apply(List.of(n(Notification.Kind.FIRING, "hot"), n(Notification.Kind.OFFLINE, "gone")));
        engine.restore(mailed);
        long t = clock.instant().toEpochMilli();
        // When / Then
        assertEquals(List.of(), engine.onReading("hot", 30, t));
        assertEquals(List.of(), engine.sweepSilentSensors(), "restored sensors get a full offline period");
        clock.advance(Duration.ofMinutes(50));
        assertEquals(Notification.Kind.REMINDER, engine.onReading("hot", 30, t + 1).get(0).kind());
        assertEquals(Notification.Kind.RESOLVED, engine.onReading("hot", 20, t + 2).get(0).kind());
        assertEquals(Notification.Kind.BACK_ONLINE, engine.onReading("gone", 20, t + 3).get(0).kind());
    }

    @Test
    void a_known_normal_sensor_that_stays_silent_after_a_restart_is_reported_offline() {
        // Given
        TwoClocks clock = new TwoClocks(T0);
        AlertEngine engine = clock.engine(AlertRules.defaults());
        MailedState mailed = new MailedState();
        mailed.markKnown("quiet", T0.minus(Duration.ofHours(1)));
        List<String> seen = new java.util.ArrayList<>();
        engine.restore(mailed);
        engine.onNewSensor(seen::add);
        // When
        clock.advance(Duration.ofMinutes(2));
        List<Notification> offline = engine.sweepSilentSensors();
        engine.onReading("brand_new", 20, T0.toEpochMilli());
        // Then
        assertEquals(Notification.Kind.OFFLINE, offline.get(0).kind());
        assertEquals(List.of("brand_new"), seen);
        assertEquals(false, mailed.markKnown("quiet", T0));
    }
}
