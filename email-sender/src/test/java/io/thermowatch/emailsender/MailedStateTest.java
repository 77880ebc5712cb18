package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
    void every_known_sensor_is_kept_with_what_was_last_mailed_and_survives_a_round_trip_through_the_file(
            @TempDir Path dir) throws Exception {
        // Given
        MailedState state = new MailedState();
        state.apply(List.of(
                n(Notification.Kind.FIRING, "a"),
                n(Notification.Kind.OFFLINE, "b"),
                n(Notification.Kind.FIRING, "c"),
                n(Notification.Kind.RESOLVED, "c")));
        StateFile file = new StateFile(dir.resolve("sub/state"));
        // When
        file.checkWritable(new MailedState());
        file.save(state);
        MailedState loaded = file.load();
        // Then
        assertEquals(
                Map.of(
                        "a",
                        new MailedState.Entry(SensorAlert.State.FIRING, T0),
                        "b",
                        new MailedState.Entry(SensorAlert.State.OFFLINE, T0),
                        "c",
                        new MailedState.Entry(SensorAlert.State.NORMAL, T0)),
                loaded.entries());
        assertEquals(
                List.of(
                        "a FIRING " + T0.toEpochMilli(),
                        "b OFFLINE " + T0.toEpochMilli(),
                        "c NORMAL " + T0.toEpochMilli()),
                Files.readAllLines(file.path()));
    }

    @Test
    void a_damaged_line_makes_the_whole_file_untrusted() {
        for (String bad : List.of("garbage", "y BURNING 2", "z OFFLINE nan", "u UNKNOWN 3", "<b> FIRING 1")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> MailedState.parse(List.of("x FIRING 1", bad)));
            assertTrue(e.getMessage().startsWith("damaged at line 2"), e.getMessage());
        }
        assertEquals(
                List.of("x"),
                List.copyOf(
                        MailedState.parse(List.of("x FIRING 1", "")).entries().keySet()));
    }

    @Test
    void a_state_file_that_is_not_utf8_is_moved_aside_and_the_service_starts_fresh(@TempDir Path dir) throws Exception {
        // Given
        Path path = dir.resolve("state");
        byte[] garbage = {'a', ' ', 'F', 'I', 'R', 'I', 'N', 'G', ' ', '1', '\n', (byte) 0xC3, (byte) 0x28, '\n'};
        Files.write(path, garbage);
        StateFile file = new StateFile(path, Clock.fixed(T0, ZoneOffset.UTC));
        // When
        MailedState loaded = file.load();
        // Then
        assertEquals(Map.of(), loaded.entries());
        Path aside = dir.resolve("state.corrupt-" + T0.toEpochMilli());
        assertArrayEquals(garbage, Files.readAllBytes(aside));
        assertFalse(Files.exists(path));
        file.checkWritable(loaded);
        assertEquals(
                List.of(),
                Files.readAllLines(path).stream().filter(l -> !l.isBlank()).toList());
    }

    @Test
    void a_state_file_with_a_damaged_line_is_moved_aside(@TempDir Path dir) throws Exception {
        // Given
        Path path = dir.resolve("state");
        Files.writeString(path, "a FIRING 1\nhalf-writ");
        // When
        MailedState loaded = new StateFile(path, Clock.fixed(T0, ZoneOffset.UTC)).load();
        // Then
        assertEquals(Map.of(), loaded.entries());
        assertTrue(Files.exists(dir.resolve("state.corrupt-" + T0.toEpochMilli())));
    }

    @Test
    void an_unreadable_state_file_is_moved_aside(@TempDir Path dir) throws Exception {
        // Given: a directory where the file should be
        Path path = dir.resolve("state");
        Files.createDirectories(path);
        // When
        MailedState loaded = new StateFile(path, Clock.fixed(T0, ZoneOffset.UTC)).load();
        // Then
        assertEquals(Map.of(), loaded.entries());
        assertTrue(Files.isDirectory(dir.resolve("state.corrupt-" + T0.toEpochMilli())));
    }

    @Test
    void new_sensors_are_saved_in_one_batch_not_one_rewrite_each(@TempDir Path dir) throws Exception {
        // Given
        TwoClocks clock = new TwoClocks(T0);
        AlertEngine engine = clock.engine(AlertRules.defaults());
        StateFile file = new StateFile(dir.resolve("state"));
        try (StateKeeper keeper = StateKeeper.open(file, engine, clock.wall, Duration.ofHours(1))) {
            // When: a thousand new ids, then the batch
            for (int i = 0; i < 1000; i++) {
                engine.onReading(String.format("s%04d", i), 20, T0.toEpochMilli());
            }
            List<String> beforeBatch = Files.readAllLines(file.path());
            keeper.saveIfDirty();
            // Then: nothing written per id, all of them written by one batch
            assertEquals(List.of(), beforeBatch);
            assertEquals(1000, Files.readAllLines(file.path()).size());
        }
    }

    @Test
    void sensors_the_engine_forgets_are_forgotten_in_the_file_too(@TempDir Path dir) throws Exception {
        // Given: room for 100 sensors
        TwoClocks clock = new TwoClocks(T0);
        AlertEngine engine = new AlertEngine(AlertRules.defaults(), clock.wall, clock.ticker::nanos, 100);
        StateFile file = new StateFile(dir.resolve("state"));
        try (StateKeeper keeper = StateKeeper.open(file, engine, clock.wall, Duration.ofHours(1))) {
            // When
            for (int i = 0; i < 150; i++) {
                clock.advance(Duration.ofSeconds(1));
                engine.onReading(String.format("s%04d", i), 20, T0.toEpochMilli());
            }
            keeper.saveIfDirty();
            // Then
            assertEquals(engine.trackedCount(), Files.readAllLines(file.path()).size());
            assertFalse(Files.readString(file.path()).contains("s0000 "));
        }
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
        assertEquals(
                Notification.Kind.REMINDER,
                engine.onReading("hot", 30, t + 1).get(0).kind());
        assertEquals(
                Notification.Kind.RESOLVED,
                engine.onReading("hot", 20, t + 2).get(0).kind());
        assertEquals(
                Notification.Kind.BACK_ONLINE,
                engine.onReading("gone", 20, t + 3).get(0).kind());
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

    @Test
    void a_state_file_written_before_levels_loads_and_its_firing_sensor_resolves_when_it_cools(@TempDir Path dir)
            throws Exception {
        // Given: the old format, one line per sensor and no rule named
        Path path = dir.resolve("state");
        Files.writeString(path, "hot FIRING " + T0.toEpochMilli() + "\nquiet NORMAL " + T0.toEpochMilli() + "\n");
        TwoClocks clock = new TwoClocks(T0.plusSeconds(60));
        AlertEngine engine = clock.engine(AlertRules.defaults());
        // When
        engine.restore(new StateFile(path).load());
        // Then: firing at the default rule's level, so a cool reading resolves and a hot one repeats nothing
        assertEquals(SensorAlert.State.FIRING, engine.stateOf("hot"));
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf("quiet"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), engine.onReading("hot", 30, T0.plusSeconds(61).toEpochMilli()));
        clock.advance(Duration.ofSeconds(1));
        List<Notification> resolved =
                engine.onReading("hot", 20, T0.plusSeconds(62).toEpochMilli());
        assertEquals(
                List.of(Notification.Kind.RESOLVED),
                resolved.stream().map(Notification::kind).toList());
        assertEquals(Level.CRITICAL, resolved.get(0).alert().from());
    }

    @Test
    void each_firing_rules_level_is_kept_and_restored_by_rule_name(@TempDir Path dir) throws Exception {
        // Given: a sensor firing WARNING under one rule and a rise alert under another
        RuleSet rules = RulesFile.parse("""
                rules:
                  - name: hall
                    levels: {warning: {above: 30}, critical: {above: 35}}
                  - name: cooling
                    rise: {by: 3, within: 10m}
                """, "test.yaml", AlertRules.defaults());
        TwoClocks clock = new TwoClocks(T0);
        AlertEngine before = clock.engine(AlertRules.defaults());
        before.useRules(rules);
        MailedState mailed = new MailedState();
        mailed.apply(before.onReading("a1", 26, T0.toEpochMilli()));
        clock.advance(Duration.ofSeconds(10));
        mailed.apply(before.onReading("a1", 31, T0.plusSeconds(10).toEpochMilli()));
        StateFile file = new StateFile(dir.resolve("state"));
        file.save(mailed);
        // Then: the file names both
        String t = Long.toString(T0.plusSeconds(10).toEpochMilli());
        assertEquals(
                List.of("a1 FIRING " + t + " cooling=WARNING@" + t + " hall=WARNING@" + t),
                Files.readAllLines(file.path()));
        // When: restored by a new process with the same rules
        AlertEngine after = clock.engine(AlertRules.defaults());
        after.useRules(rules);
        after.restore(file.load());
        clock.advance(Duration.ofSeconds(10));
        List<Notification> escalated =
                after.onReading("a1", 36, T0.plusSeconds(20).toEpochMilli());
        // Then: WARNING was known, so this is an escalation (and the rise still firing repeats nothing)
        assertEquals(1, escalated.size(), escalated.toString());
        assertEquals(Level.WARNING, escalated.get(0).alert().from());
        assertEquals(Level.CRITICAL, escalated.get(0).alert().level());
    }

    @Test
    void a_damaged_rule_mark_makes_the_whole_file_untrusted() {
        for (String bad : List.of("x FIRING 1 hall", "x FIRING 1 hall=MAJOR@1", "x NORMAL 1 hall=WARNING@1")) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> MailedState.parse(List.of(bad)));
            assertTrue(e.getMessage().startsWith("damaged at line 1"), e.getMessage());
        }
    }
}
