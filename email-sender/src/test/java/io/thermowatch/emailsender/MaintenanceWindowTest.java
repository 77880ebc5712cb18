package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.Notification.Kind.FIRING;
import static io.thermowatch.emailsender.Notification.Kind.REMINDER;
import static io.thermowatch.emailsender.Notification.Kind.RESOLVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Recurring maintenance windows: when one is open (pure), and what the engine then mails and records. */
class MaintenanceWindowTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static MaintenanceWindow window(Set<DayOfWeek> days, String from, String to, ZoneId zone) {
        return new MaintenanceWindow(
                "backup", SensorSelector.ALL, days, LocalTime.parse(from), LocalTime.parse(to), zone);
    }

    private static Set<DayOfWeek> daily() {
        return EnumSet.allOf(DayOfWeek.class);
    }

    private static Instant at(String utc) {
        return Instant.parse(utc);
    }

    @Test
    void a_window_within_one_day_is_open_from_its_start_inclusive_to_its_end_exclusive() {
        // Given
        MaintenanceWindow w = window(daily(), "02:00", "04:00", ZoneOffset.UTC);
        // Then
        assertFalse(w.isOpenAt(at("2026-12-01T01:59:59Z")));
        assertTrue(w.isOpenAt(at("2026-12-01T02:00:00Z")));
        assertTrue(w.isOpenAt(at("2026-12-01T03:59:59.999Z")));
        assertFalse(w.isOpenAt(at("2026-12-01T04:00:00Z")));
        assertFalse(w.crossesMidnight());
    }

    @Test
    void a_window_that_crosses_midnight_belongs_to_the_day_it_opens() {
        // Given Fridays 22:00 to 02:00 (Berlin, winter: UTC+1); 2026-12-04 is a Friday
        MaintenanceWindow w = window(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "02:00", BERLIN);
        // Then open Friday 22:00 to Saturday 02:00 local
        assertTrue(w.crossesMidnight());
        assertFalse(w.isOpenAt(at("2026-12-04T20:59:59Z")), "Friday 21:59");
        assertTrue(w.isOpenAt(at("2026-12-04T21:00:00Z")), "Friday 22:00");
        assertTrue(w.isOpenAt(at("2026-12-04T23:30:00Z")), "Saturday 00:30");
        assertTrue(w.isOpenAt(at("2026-12-05T00:59:59Z")), "Saturday 01:59");
        assertFalse(w.isOpenAt(at("2026-12-05T01:00:00Z")), "Saturday 02:00");
        // and not Saturday night, nor the Friday morning after a Thursday (Thursday is not a day of it)
        assertFalse(w.isOpenAt(at("2026-12-05T21:30:00Z")), "Saturday 22:30");
        assertFalse(w.isOpenAt(at("2026-12-04T00:30:00Z")), "Friday 01:30");
    }

    @Test
    void only_the_listed_days_open_a_window() {
        // Given Monday and Wednesday 09:00-10:00 UTC; 2026-11-30 is a Monday
        MaintenanceWindow w =
                window(EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY), "09:00", "10:00", ZoneOffset.UTC);
        // Then
        assertTrue(w.isOpenAt(at("2026-11-30T09:30:00Z")), "Monday");
        assertFalse(w.isOpenAt(at("2026-12-01T09:30:00Z")), "Tuesday");
        assertTrue(w.isOpenAt(at("2026-12-02T09:30:00Z")), "Wednesday");
        assertFalse(w.isOpenAt(at("2026-12-06T09:30:00Z")), "Sunday");
    }

    @Test
    void local_times_are_read_in_the_window_s_time_zone() {
        // Given 02:00-04:00 in Berlin: 01:00-03:00 UTC in winter, 00:00-02:00 UTC in summer
        MaintenanceWindow w = window(daily(), "02:00", "04:00", BERLIN);
        // Then
        assertFalse(w.isOpenAt(at("2026-12-01T00:30:00Z")));
        assertTrue(w.isOpenAt(at("2026-12-01T01:00:00Z")));
        assertFalse(w.isOpenAt(at("2026-12-01T03:00:00Z")));
        assertTrue(w.isOpenAt(at("2026-07-01T00:00:00Z")));
        assertFalse(w.isOpenAt(at("2026-07-01T02:00:00Z")));
    }

    @Test
    void daylight_saving_changes_keep_local_times_and_a_skipped_start_moves_forward() {
        // Given 01:00-04:00 in Berlin: on 2026-03-29 02:00 → 03:00 (spring forward) it lasts 2 hours
        MaintenanceWindow night = window(daily(), "01:00", "04:00", BERLIN);
        // Then it opens at 01:00 CET (00:00Z) and closes at 04:00 CEST (02:00Z)
        assertFalse(night.isOpenAt(at("2026-03-28T23:59:59Z")));
        assertTrue(night.isOpenAt(at("2026-03-29T00:00:00Z")));
        assertTrue(night.isOpenAt(at("2026-03-29T01:59:59Z")));
        assertFalse(night.isOpenAt(at("2026-03-29T02:00:00Z")));
        // and on 2026-10-25 03:00 → 02:00 (fall back) 4 hours: 01:00 CEST (23:00Z) to 04:00 CET (03:00Z)
        assertTrue(night.isOpenAt(at("2026-10-24T23:00:00Z")));
        assertTrue(night.isOpenAt(at("2026-10-25T02:59:59Z")));
        assertFalse(night.isOpenAt(at("2026-10-25T03:00:00Z")));
        // Given a start the spring-forward day does not have (02:30): it opens at 03:30 CEST (01:30Z)
        MaintenanceWindow skipped = window(daily(), "02:30", "05:00", BERLIN);
        assertFalse(skipped.isOpenAt(at("2026-03-29T01:29:59Z")));
        assertTrue(skipped.isOpenAt(at("2026-03-29T01:30:00Z")));
        assertFalse(skipped.isOpenAt(at("2026-03-29T03:00:00Z")));
    }

    @Test
    void a_window_mutes_only_the_sensors_it_selects() {
        // Given
        MaintenanceWindow w = new MaintenanceWindow(
                "rack-a",
                new SensorSelector(List.of("rack_a*"), Map.of()),
                daily(),
                LocalTime.parse("02:00"),
                LocalTime.parse("04:00"),
                ZoneOffset.UTC);
        Instant open = at("2026-12-01T03:00:00Z");
        // Then
        assertTrue(w.mutes("rack_a1", Map.of(), open));
        assertFalse(w.mutes("rack_b1", Map.of(), open));
        assertFalse(w.mutes("rack_a1", Map.of(), at("2026-12-01T05:00:00Z")));
    }

    // The engine: a window of the rules file mutes like an ad-hoc silence.

    /** 2026-12-01 (a Tuesday), 12:00 UTC; the window below is open 12:00-12:30 UTC every day. */
    private static final Instant NOON = at("2026-12-01T12:00:00Z");

    private static final String RULES = """
            inventory:
              berlin_1: {site: berlin}
            maintenance:
              - name: noon-backup
                sensors: "rack_*"
                every: daily
                from: "12:00"
                to: "12:30"
              - name: berlin-power
                labels: {site: berlin}
                every: daily
                from: "12:00"
                to: "12:30"
            rules:
              - name: default
                levels:
                  critical: {above: 25, clear: 24}
                repeat: 1h
            """;

    private final TwoClocks clock = new TwoClocks(NOON);
    private final AlertEngine engine = clock.engine(AlertRules.defaults());
    private final List<AlertEvent> muted = new ArrayList<>();
    private long stamp = NOON.toEpochMilli();

    MaintenanceWindowTest() throws RulesFile.Invalid {
        engine.useRules(RulesFile.parse(RULES, "alerts.yaml", AlertRules.defaults()));
        engine.onMuted(muted::addAll);
    }

    private List<Notification> reading(String sensor, double value) {
        stamp += 60_000;
        clock.advance(Duration.ofMinutes(1));
        return engine.onReading(sensor, value, stamp);
    }

    @Test
    void a_firing_within_the_window_is_recorded_as_maintenance_and_its_reminder_is_mailed_after_it() {
        // When a selected sensor fires at 12:01, within the window
        List<Notification> during = reading("rack_a1", 30);
        // Then nothing to mail; the FIRING is recorded as muted by the window, without a silence id
        assertEquals(List.of(), during);
        assertEquals(1, muted.size());
        assertEquals(FIRING.name(), muted.get(0).kind());
        assertEquals("maintenance:noon-backup", muted.get(0).silencedBy());
        assertEquals(null, muted.get(0).silenceId());
        assertEquals(null, muted.get(0).mailedAt());
        // When it stays hot past the window's end (12:30) until the reminder is due (13:01, 1 h after the FIRING)
        List<Notification> mailed = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            mailed.addAll(reading("rack_a1", 30));
        }
        // Then the first mail is that reminder, as after an ad-hoc silence; then the RESOLVED is mailed too
        assertEquals(List.of(REMINDER), mailed.stream().map(Notification::kind).toList());
        assertEquals(
                List.of(RESOLVED),
                reading("rack_a1", 20).stream().map(Notification::kind).toList());
        assertEquals(1, muted.size());
    }

    @Test
    void a_window_by_label_mutes_the_offline_notice_of_a_sensor_the_inventory_labels() {
        // Given a sensor of site berlin, heard from at 12:01
        assertEquals(List.of(), reading("berlin_1", 20));
        // When it says it goes offline within the berlin window (no rule is involved: OFFLINE goes to EMAIL_TO)
        List<Notification> out = engine.onOffline("berlin_1");
        // Then nothing to mail: the notice carries the inventory's labels, so the window by label selects it
        assertEquals(List.of(), out);
        assertEquals(List.of("OFFLINE"), muted.stream().map(AlertEvent::kind).toList());
        assertEquals("maintenance:berlin-power", muted.get(0).silencedBy());
    }

    @Test
    void a_sensor_the_window_does_not_select_is_mailed_during_it() {
        // When another sensor fires at 12:01
        List<Notification> out = reading("duct_1", 30);
        // Then it is mailed, nothing muted
        assertEquals(List.of(FIRING), out.stream().map(Notification::kind).toList());
        assertEquals(List.of(), muted);
    }
}
