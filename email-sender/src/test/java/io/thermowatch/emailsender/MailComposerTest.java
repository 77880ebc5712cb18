package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MailComposerTest {

    private static final Instant READ = Instant.parse("2026-11-27T12:00:00Z");
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:02Z");

    private final MailComposer composer =
            new MailComposer(AlertRules.defaults(), ZoneId.of("Europe/Paris"), "http://localhost:8080/");

    private static Notification firing(String sensor, double value) {
        return Notification.withReading(Notification.Kind.FIRING, sensor, value, READ, NOW);
    }

    @Test
    void a_single_firing_alert_has_the_original_subject() {
        ComposedMail mail = composer.compose(List.of(firing("data_center_a1", 31.2)));
        assertEquals("Temperature Alert: 31.2°C on temperature/data_center_a1", mail.subject());
    }

    @Test
    void the_body_names_sensor_value_threshold_times_in_utc_and_the_zone_and_the_dashboard() {
        ComposedMail mail = composer.compose(List.of(firing("data_center_a1", 31.2)));
        for (String part : List.of(mail.text(), mail.html())) {
            assertTrue(part.contains("temperature/data_center_a1"), part);
            assertTrue(part.contains("31.2°C"), part);
            assertTrue(part.contains("25.0°C"), part);
            assertTrue(part.contains("2026-11-27 12:00:00 UTC"), part);
            assertTrue(part.contains("2026-11-27 13:00:00 CET"), part);
            assertTrue(part.contains("http://localhost:8080/"), part);
        }
    }

    @Test
    void each_kind_has_a_clear_subject() {
        assertEquals(
                "Temperature Alert (still firing): 30.0°C on temperature/x",
                composer.compose(List.of(Notification.withReading(Notification.Kind.REMINDER, "x", 30, READ, NOW)))
                        .subject());
        assertEquals(
                "Resolved: -3.5°C on temperature/x",
                composer.compose(List.of(Notification.withReading(Notification.Kind.RESOLVED, "x", -3.5, READ, NOW)))
                        .subject());
        assertEquals(
                "Sensor offline: temperature/x",
                composer.compose(List.of(Notification.withoutReading(Notification.Kind.OFFLINE, "x", NOW)))
                        .subject());
        assertEquals(
                "Sensor back online: temperature/x",
                composer.compose(List.of(Notification.withoutReading(Notification.Kind.BACK_ONLINE, "x", NOW)))
                        .subject());
    }

    @Test
    void a_group_lists_every_sensor_and_counts_by_kind_in_the_subject() {
        ComposedMail mail = composer.compose(List.of(
                firing("a", 30), firing("b", 31), Notification.withoutReading(Notification.Kind.OFFLINE, "c", NOW)));
        assertEquals("Temperature Alerts: 2 firing, 1 offline", mail.subject());
        for (String sensor : List.of("temperature/a", "temperature/b", "temperature/c")) {
            assertTrue(mail.text().contains(sensor));
            assertTrue(mail.html().contains(sensor));
        }
    }

    @Test
    void sensor_supplied_strings_are_escaped_in_html() {
        ComposedMail mail = composer.compose(List.of(firing("<script>x&y</script>", 30)));
        assertFalse(mail.html().contains("<script>"));
        assertTrue(mail.html().contains("&lt;script&gt;x&amp;y&lt;/script&gt;"));
    }

    @Test
    void utc_is_shown_once_when_the_zone_is_utc_and_no_link_without_a_dashboard_url() {
        MailComposer utc = new MailComposer(AlertRules.defaults(), ZoneOffset.UTC, "");
        ComposedMail mail = utc.compose(List.of(firing("a", 30)));
        assertTrue(mail.text().contains("2026-11-27 12:00:00 UTC\n"), mail.text());
        assertFalse(mail.text().contains("Dashboard:"));
        assertFalse(mail.html().contains("<a href"));
    }

    private static Notification leveled(
            Notification.Kind kind, double value, Level level, Level from, String rule, String trend) {
        return Notification.withReading(kind, "a1", value, READ, NOW)
                .withAlert(new Notification.Alert(rule, trend != null, level, from, "above 30.0°C for 1m", trend));
    }

    @Test
    void the_level_shows_in_the_subject_critical_keeping_the_original_wording() {
        assertEquals(
                "Temperature Warning: 31.0°C on temperature/a1",
                composer.compose(List.of(leveled(Notification.Kind.FIRING, 31, Level.WARNING, null, "hall", null)))
                        .subject());
        assertEquals(
                "Temperature Alert: 36.0°C on temperature/a1 (was warning)",
                composer.compose(List.of(
                                leveled(Notification.Kind.FIRING, 36, Level.CRITICAL, Level.WARNING, "hall", null)))
                        .subject());
        assertEquals(
                "Temperature Warning: 33.0°C on temperature/a1 (was critical)",
                composer.compose(List.of(
                                leveled(Notification.Kind.FIRING, 33, Level.WARNING, Level.CRITICAL, "hall", null)))
                        .subject());
        assertEquals(
                "Temperature Warning (still firing): 31.0°C on temperature/a1",
                composer.compose(List.of(leveled(Notification.Kind.REMINDER, 31, Level.WARNING, null, "hall", null)))
                        .subject());
        assertEquals(
                "Temperature Warning: 26.1°C, up 3.4°C within 10m, on temperature/a1",
                composer.compose(List.of(leveled(
                                Notification.Kind.FIRING, 26.1, Level.WARNING, null, "cooling", "up 3.4°C within 10m")))
                        .subject());
        assertEquals(
                "Resolved: temperature/a1",
                composer.compose(List.of(Notification.withoutReading(Notification.Kind.RESOLVED, "a1", NOW)
                                .withAlert(new Notification.Alert(
                                        "gone",
                                        false,
                                        Level.NORMAL,
                                        Level.WARNING,
                                        "the rule no longer applies",
                                        null))))
                        .subject());
    }

    @Test
    void the_body_names_level_rule_condition_and_the_sensors_labels() {
        Notification n = leveled(Notification.Kind.FIRING, 36, Level.CRITICAL, Level.WARNING, "hall", null)
                .routedTo(List.of(), Map.of("room", "hall-a", "description", "Rack <A1>", "site", "dc-1"));
        ComposedMail mail = composer.compose(List.of(n));
        assertTrue(mail.text().contains("  level: CRITICAL (was WARNING), rule hall\n"), mail.text());
        assertTrue(mail.text().contains("  value: 36.0°C (above 30.0°C for 1m)\n"), mail.text());
        assertTrue(mail.text().contains("  sensor: site=dc-1, room=hall-a, description=Rack <A1>\n"), mail.text());
        assertTrue(mail.html().contains("CRITICAL (was WARNING), rule hall"), mail.html());
        assertTrue(mail.html().contains("description=Rack &lt;A1&gt;"), mail.html());
    }

    @Test
    void a_group_counts_warnings_apart_from_critical_alerts() {
        ComposedMail mail = composer.compose(List.of(
                leveled(Notification.Kind.FIRING, 31, Level.WARNING, null, "hall", null),
                firing("b", 40),
                leveled(Notification.Kind.RESOLVED, 20, Level.NORMAL, Level.WARNING, "hall", null)));
        assertEquals("Temperature Alerts: 1 firing, 1 warning, 1 resolved", mail.subject());
    }

    @Test
    void a_mail_goes_to_its_notifications_recipients_and_mixing_recipients_is_refused() {
        Notification facilities = firing("a", 30).routedTo(List.of("facilities@example.com"), Map.of());
        assertEquals(
                List.of("facilities@example.com"),
                composer.compose(List.of(facilities)).to());
        assertEquals(List.of(), composer.compose(List.of(firing("a", 30))).to(), "EMAIL_TO");
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> composer.compose(List.of(facilities, firing("b", 30))));
    }

    @Test
    void with_a_rules_file_the_footer_names_the_file_and_its_rules() throws Exception {
        RuleSet file = RulesFile.parse(
                "rules: [{name: hall, levels: {warning: {above: 30}}}]",
                "/etc/email-sender/alerts.yaml",
                AlertRules.defaults());
        MailComposer withFile = new MailComposer(AlertRules.defaults(), () -> file, ZoneOffset.UTC, "");
        ComposedMail mail = withFile.compose(List.of(firing("a", 31)));
        assertTrue(
                mail.text()
                        .contains(
                                "Rules: from /etc/email-sender/alerts.yaml (hall); offline after 2m without a message."),
                mail.text());
    }
}
