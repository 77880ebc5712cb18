package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
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
}
