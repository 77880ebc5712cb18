package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.BACK_ONLINE;
import static io.thermowatch.emailsender.Notification.Kind.FIRING;
import static io.thermowatch.emailsender.Notification.Kind.OFFLINE;
import static io.thermowatch.emailsender.Notification.Kind.REMINDER;
import static io.thermowatch.emailsender.Notification.Kind.RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of a rules file applied by the engine: levels, hysteresis, for, rate of rise, selection, reloads. */
class RuleEvaluationTest {

    private static final String S = "rack_a1";
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    private final TwoClocks clock = new TwoClocks(START);
    private final AlertEngine engine = clock.engine(AlertRules.defaults());
    private long sensorTime = START.toEpochMilli();

    private static RuleSet rules(String yaml) {
        try {
            return RulesFile.parse(yaml, "test.yaml", AlertRules.defaults());
        } catch (RulesFile.Invalid e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    private static final String LEVELS = """
            rules:
              - name: hall
                levels:
                  warning: {above: 30, clear: 29}
                  critical: {above: 35, clear: 33}
                repeat: 10m
            """;

    /** One reading, ten seconds after the previous one, by both clocks. */
    private List<Notification> reading(double value) {
        return readingAfter(Duration.ofSeconds(10), S, value);
    }

    private List<Notification> readingAfter(Duration gap, String sensor, double value) {
        sensorTime += gap.toMillis();
        clock.advance(gap);
        return engine.onReading(sensor, value, sensorTime);
    }

    private static List<Notification.Kind> kinds(List<Notification> ns) {
        return ns.stream().map(Notification::kind).toList();
    }

    private static String levels(List<Notification> ns) {
        return String.join(
                ",",
                ns.stream()
                        .map(n -> n.kind() + ":"
                                + (n.alert() == null
                                        ? "-"
                                        : n.alert().level() + "<" + n.alert().from()))
                        .toList());
    }

    @Test
    void warning_then_critical_then_back_to_warning_then_resolved_each_once_with_hysteresis() {
        // Given
        engine.useRules(rules(LEVELS));
        // When / Then
        assertEquals(List.of(), reading(29));
        assertEquals("FIRING:WARNING<null", levels(reading(31)));
        assertEquals(List.of(), reading(34.9), "above warning, not above critical");
        assertEquals("FIRING:CRITICAL<WARNING", levels(reading(36)));
        assertEquals(List.of(), reading(33.5), "critical holds above its clear threshold");
        assertEquals("FIRING:WARNING<CRITICAL", levels(reading(33)));
        assertEquals(List.of(), reading(29.5), "warning holds above its clear threshold");
        assertEquals("RESOLVED:NORMAL<WARNING", levels(reading(29)));
        assertEquals(List.of(), reading(29.9));
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf(S));
    }

    @Test
    void a_value_above_both_thresholds_fires_critical_at_once_and_resolves_from_critical() {
        // Given
        engine.useRules(rules(LEVELS));
        // When
        List<Notification> hot = reading(40);
        List<Notification> cool = reading(20);
        // Then
        assertEquals("FIRING:CRITICAL<null", levels(hot));
        assertEquals("RESOLVED:NORMAL<CRITICAL", levels(cool));
        assertEquals("hall", cool.get(0).alert().rule());
        assertTrue(
                cool.get(0).alert().condition().contains("above 35.0°C"),
                cool.get(0).alert().condition());
    }

    @Test
    void each_level_is_reminded_after_the_rules_repeat_interval() {
        // Given
        engine.useRules(rules(LEVELS));
        reading(31);
        List<Notification> all = new ArrayList<>();
        // When: 25 minutes of warm readings every 10 s
        for (int i = 0; i < 150; i++) {
            all.addAll(reading(31));
        }
        // Then: repeat 10m
        assertEquals("REMINDER:WARNING<null,REMINDER:WARNING<null", levels(all));
    }

    @Test
    void a_for_duration_suppresses_a_one_reading_spike_and_fires_once_the_value_stayed_above_long_enough() {
        // Given: critical only after 30 s above 35
        engine.useRules(rules("""
                rules:
                  - name: hall
                    levels:
                      critical: {above: 35, for: 30s}
                """));
        // When: a spike between cool readings
        List<Notification> spike = new ArrayList<>(reading(50));
        spike.addAll(reading(20));
        spike.addAll(readingAfter(Duration.ofSeconds(40), S, 20));
        // Then
        assertEquals(List.of(), spike);
        // When: it stays hot, readings 10 s apart
        assertEquals(List.of(), reading(36), "first reading above: the 30 s start");
        assertEquals(List.of(), reading(36));
        assertEquals(List.of(), reading(36));
        List<Notification> fired = reading(37);
        // Then: at the first reading 30 s after the first one above
        assertEquals("FIRING:CRITICAL<null", levels(fired));
        assertEquals(37.0, fired.get(0).value());
        assertEquals(List.of(), reading(37));
    }

    @Test
    void a_cool_reading_restarts_the_for_duration_and_a_stale_one_does_not() {
        // Given
        engine.useRules(rules("""
                rules:
                  - name: hall
                    levels:
                      critical: {above: 35, for: 30s}
                """));
        reading(36);
        reading(36);
        // When: a cool reading, then hot ones
        reading(20);
        List<Notification> afterCool = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            afterCool.addAll(reading(36));
        }
        // Then: 20 s above since the cool one: not yet
        assertEquals(List.of(), afterCool);
        // When: a stale cool reading (stamped before the last one), then the hot ones go on
        clock.advance(Duration.ofSeconds(10));
        List<Notification> stale = engine.onReading(S, 20, sensorTime - 5_000);
        List<Notification> next = reading(36);
        // Then: the stale value did not restart the 30 s
        assertEquals(List.of(), stale);
        assertEquals("FIRING:CRITICAL<null", levels(next));
    }

    @Test
    void a_stale_reading_may_raise_a_level_but_never_lowers_or_resolves_it() {
        // Given
        engine.useRules(rules(LEVELS));
        reading(36);
        long newest = sensorTime;
        // When
        clock.advance(Duration.ofSeconds(1));
        List<Notification> staleCool = engine.onReading(S, 20, newest - 5_000);
        List<Notification> next = reading(20);
        // Then
        assertEquals(List.of(), staleCool);
        assertEquals("RESOLVED:NORMAL<CRITICAL", levels(next));
        // And a stale hot one fires
        clock.advance(Duration.ofSeconds(1));
        assertEquals("FIRING:WARNING<null", levels(engine.onReading(S, 31, sensorTime - 60_000)));
    }

    private static final String RISE = """
            rules:
              - name: cooling
                rise: {by: 3, within: 10m}
            """;

    @Test
    void a_rise_of_three_degrees_within_ten_minutes_fires_once_and_resolves_when_the_value_levels_off() {
        // Given
        engine.useRules(rules(RISE));
        List<Notification> all = new ArrayList<>();
        // When: +0.5 °C a minute, from 20 °C
        for (int i = 0; i <= 8; i++) {
            all.addAll(readingAfter(Duration.ofMinutes(1), S, 20 + 0.5 * i));
        }
        // Then: at +3.0 (after 6 minutes), as a WARNING by default, not again
        assertEquals("FIRING:WARNING<null", levels(all));
        Notification fired = all.get(0);
        assertEquals(23.0, fired.value());
        assertEquals("up 3.0°C within 10m", fired.alert().trend());
        assertTrue(fired.alert().rise());
        // When: it stays at 24 °C until the lows leave the window
        List<Notification> flat = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            flat.addAll(readingAfter(Duration.ofMinutes(1), S, 24));
        }
        // Then: resolved once the rise within 10 minutes is 1.5 °C or less
        assertEquals("RESOLVED:NORMAL<WARNING", levels(flat));
    }

    @Test
    void a_slow_rise_over_more_than_the_window_does_not_fire() {
        // Given
        engine.useRules(rules(RISE));
        List<Notification> all = new ArrayList<>();
        // When: +0.25 °C a minute for an hour: 15 °C in all, 2.5 °C per 10 minutes
        for (int i = 0; i <= 60; i++) {
            all.addAll(readingAfter(Duration.ofMinutes(1), S, 20 + 0.25 * i));
        }
        // Then
        assertEquals(List.of(), all);
    }

    @Test
    void a_backlog_delivered_in_a_burst_is_not_a_fast_rise() {
        // Given
        engine.useRules(rules(RISE));
        List<Notification> all = new ArrayList<>();
        // When: an hour of readings (stamped a minute apart, +0.2 °C each) arrives within 6 seconds
        for (int i = 0; i <= 60; i++) {
            sensorTime += 60_000;
            clock.advance(Duration.ofMillis(100));
            all.addAll(engine.onReading(S, 20 + 0.2 * i, sensorTime));
        }
        // Then: 12 °C by arrival time, but 2 °C per 10 minutes by the stamps
        assertEquals(List.of(), all);
    }

    @Test
    void rules_select_sensors_by_label_and_by_id_glob_first_match_wins_and_route_to_their_recipients() {
        // Given
        engine.useRules(rules("""
                inventory:
                  duct_7: {room: exhaust, rack: R7}
                rules:
                  - name: exhaust
                    labels: {room: exhaust}
                    levels: {critical: {above: 45}}
                    recipients: [facilities@example.com]
                  - name: racks
                    sensors: "rack_*"
                    levels: {critical: {above: 27}}
                  - name: everything-else
                    sensors: "*"
                    levels: {warning: {above: 30}}
                """));
        // When
        List<Notification> duct = readingAfter(Duration.ofSeconds(1), "duct_7", 40);
        List<Notification> ductHot = readingAfter(Duration.ofSeconds(1), "duct_7", 46);
        List<Notification> rack = readingAfter(Duration.ofSeconds(1), "rack_b2", 28);
        List<Notification> other = readingAfter(Duration.ofSeconds(1), "lab_1", 31);
        // Then
        assertEquals(List.of(), duct, "40 °C is fine in the exhaust");
        assertEquals("exhaust", ductHot.get(0).alert().rule());
        assertEquals(List.of("facilities@example.com"), ductHot.get(0).recipients());
        assertEquals(Map.of("room", "exhaust", "rack", "R7"), ductHot.get(0).labels());
        assertEquals("racks", rack.get(0).alert().rule());
        assertEquals(List.of(), rack.get(0).recipients(), "EMAIL_TO");
        assertEquals("FIRING:WARNING<null", levels(other));
        assertEquals("everything-else", other.get(0).alert().rule());
        // And offline mails go to the recipients of the sensor's rule, with its labels
        List<Notification> offline = engine.onOffline("duct_7");
        assertEquals(List.of(OFFLINE), kinds(offline));
        assertEquals(List.of("facilities@example.com"), offline.get(0).recipients());
        assertEquals("R7", offline.get(0).labels().get("rack"));
    }

    @Test
    void a_sensor_no_rule_selects_raises_no_alert_but_is_still_watched_for_silence() {
        // Given
        engine.useRules(rules("""
                rules:
                  - name: racks
                    sensors: "rack_*"
                    levels: {critical: {above: 27}}
                """));
        // When
        List<Notification> hot = readingAfter(Duration.ofSeconds(1), "lab_1", 80);
        clock.advance(Duration.ofMinutes(3));
        List<Notification> sweep = engine.sweepSilentSensors();
        // Then
        assertEquals(List.of(), hot);
        assertEquals(List.of(OFFLINE), kinds(sweep));
    }

    @Test
    void a_threshold_rule_and_a_rise_rule_alert_independently() {
        // Given
        engine.useRules(rules("""
                rules:
                  - name: hall
                    levels: {critical: {above: 35}}
                  - name: cooling
                    rise: {by: 3, within: 10m}
                    level: critical
                """));
        reading(30);
        // When
        List<Notification> both = reading(36);
        // Then
        assertEquals(List.of(FIRING, FIRING), kinds(both));
        assertEquals(
                List.of("hall", "cooling"),
                both.stream().map(n -> n.alert().rule()).toList());
        assertEquals(SensorAlert.State.FIRING, engine.stateOf(S));
    }

    @Test
    void going_offline_ends_every_alert_and_what_comes_back_is_judged_afresh() {
        // Given
        engine.useRules(rules(LEVELS));
        reading(36);
        engine.onOffline(S);
        // When
        List<Notification> back = reading(31);
        // Then
        assertEquals("BACK_ONLINE:-,FIRING:WARNING<null", levels(back));
        assertEquals(List.of(BACK_ONLINE, FIRING), kinds(back));
    }

    @Test
    void a_reload_applies_new_thresholds_from_the_next_reading_and_keeps_the_level_of_a_rule_it_keeps() {
        // Given: firing at WARNING above 30
        engine.useRules(rules(LEVELS));
        reading(31);
        // When: the threshold is raised to 32, the rule keeps its name
        List<Notification> reloaded = engine.useRules(rules(LEVELS.replace("{above: 30, clear: 29}", "{above: 32}")));
        // Then: nothing at the reload, no second FIRING, and the next reading is judged by the new clear threshold
        assertEquals(List.of(), reloaded);
        assertEquals(List.of(), reading(31.5));
        assertEquals("RESOLVED:NORMAL<WARNING", levels(reading(31)));
        assertEquals(List.of(), reading(31.9));
        assertEquals("FIRING:WARNING<null", levels(reading(32.1)));
    }

    @Test
    void a_reload_that_lowers_a_threshold_fires_at_the_next_reading() {
        // Given
        engine.useRules(rules(LEVELS));
        assertEquals(List.of(), reading(28));
        // When
        engine.useRules(rules(LEVELS.replace("{above: 30, clear: 29}", "{above: 27}")));
        // Then
        assertEquals("FIRING:WARNING<null", levels(reading(28)));
    }

    @Test
    void a_reload_that_removes_a_firing_rule_resolves_its_alert_for_the_recipients_who_were_told() {
        // Given
        engine.useRules(rules("""
                rules:
                  - name: hall
                    levels: {critical: {above: 35}}
                    recipients: [hall@example.com]
                """));
        reading(36);
        // When
        List<Notification> resolved = engine.useRules(rules("""
                rules:
                  - name: other
                    sensors: "other_*"
                    levels: {critical: {above: 35}}
                """));
        // Then
        assertEquals(List.of(RESOLVED), kinds(resolved));
        assertNull(resolved.get(0).value());
        assertEquals("hall", resolved.get(0).alert().rule());
        assertEquals(List.of("hall@example.com"), resolved.get(0).recipients());
        assertEquals(SensorAlert.State.NORMAL, engine.stateOf(S));
        assertEquals(List.of(), reading(36), "no rule selects it any more");
    }

    @Test
    void without_a_rules_file_the_environment_rule_fires_critical_as_before_levels() {
        // When
        List<Notification> hot = reading(26);
        // Then
        assertEquals("FIRING:CRITICAL<null", levels(hot));
        assertEquals("default", hot.get(0).alert().rule());
        assertEquals(List.of(), hot.get(0).recipients());
        assertEquals(List.of(REMINDER), kinds(readingAfter(Duration.ofHours(1), S, 26)));
        assertEquals(List.of(RESOLVED), kinds(reading(24)));
    }
}
