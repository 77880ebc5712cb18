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
    void only_firing_and_offline_sensors_are_kept_and_survive_a_round_trip_through_the_file(@TempDir Path dir)
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
                "b", new MailedState.Entry(SensorAlert.State.OFFLINE, T0)), loaded.entries());
        assertEquals(List.of("a FIRING " + T0.toEpochMilli(), "b OFFLINE " + T0.toEpochMilli()),
                Files.readAllLines(file.path()));
    }

    @Test
    void damaged_lines_are_skipped() {
        MailedState loaded = MailedState.fromLines(List.of("x FIRING 1", "garbage", "y BURNING 2", "z OFFLINE nan"));
        assertEquals(List.of("x"), List.copyOf(loaded.entries().keySet()));
    }

    @Test
    void a_restored_firing_sensor_does_not_fire_again_but_resolves_and_reminds_on_schedule() {
        // Given: FIRING mailed at T0, restart 10 minutes later
        MutableClock clock = new MutableClock(T0.plus(Duration.ofMinutes(10)));
        AlertEngine engine = new AlertEngine(AlertRules.defaults(), clock);
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
}
