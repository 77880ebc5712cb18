package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmailSenderConfigTest {

    private static EmailSenderConfig load(Map<String, String> env) {
        return EmailSenderConfig.fromEnv(EnvConfig.of(env));
    }

    private static String error(Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> load(env)).getMessage();
    }

    @Test
    void defaults_follow_the_original_and_the_issue() {
        EmailSenderConfig c = load(Map.of());
        assertEquals(new AlertRules(25, 24, Duration.ofHours(1), Duration.ofMinutes(2)), c.rules());
        assertEquals(Duration.ofSeconds(10), c.groupWait());
        assertEquals("mailpit", c.smtp().host());
        assertEquals(1025, c.smtp().port());
        assertEquals(ZoneId.of("UTC"), c.zone());
        assertEquals(9103, c.healthPort());
        assertEquals("email-sender", c.amqp().username());
        assertEquals(Optional.empty(), c.stateFile());
    }

    @Test
    void the_clear_threshold_defaults_to_one_degree_under_the_threshold() {
        assertEquals(29.5, load(Map.of("TEMPERATURE_THRESHOLD", "30.5")).rules().clearThreshold());
    }

    @Test
    void a_clear_threshold_not_below_the_threshold_stops_the_service() {
        assertEquals(
                "ALERT_CLEAR_THRESHOLD='25.0': expected a number (°C) below TEMPERATURE_THRESHOLD (25.0)",
                error(Map.of("ALERT_CLEAR_THRESHOLD", "25")));
    }

    @Test
    void several_recipients_auth_and_state_file_are_read() {
        EmailSenderConfig c = load(Map.of(
                "EMAIL_TO",
                "a@example.com, b@example.com",
                "SMTP_USERNAME",
                "u",
                "SMTP_PASSWORD",
                "p",
                "SMTP_STARTTLS",
                "true",
                "ALERT_STATE_FILE",
                "/tmp/x/state"));
        assertEquals(List.of("a@example.com", "b@example.com"), c.smtp().to());
        assertEquals(true, c.smtp().authenticates());
        assertEquals(true, c.smtp().startTls());
        assertEquals(Optional.of(Path.of("/tmp/x/state")), c.stateFile());
    }

    @Test
    void bad_values_name_the_variable() {
        assertEquals(
                "EMAIL_TO='not an address': expected an e-mail address such as alerts@example.com",
                error(Map.of("EMAIL_TO", "ok@example.com,not an address")));
        assertEquals(
                "ALERT_TIME_ZONE='Mars/Base': expected a time zone id such as UTC or Europe/Paris",
                error(Map.of("ALERT_TIME_ZONE", "Mars/Base")));
        assertEquals(
                "TEMPERATURE_THRESHOLD='hot': expected a number (°C) between -273.15 and 1000.0",
                error(Map.of("TEMPERATURE_THRESHOLD", "hot")));
        assertEquals(
                "DASHBOARD_URL='localhost:8080': expected an http:// or https:// URL",
                error(Map.of("DASHBOARD_URL", "localhost:8080")));
        assertEquals(
                "CLOCK_SKEW_WARN='0': expected a duration greater than zero", error(Map.of("CLOCK_SKEW_WARN", "0")));
    }

    @Test
    void without_alert_rules_file_there_is_no_rules_file() {
        assertEquals(Optional.empty(), load(Map.of()).rulesFile());
    }

    @Test
    void a_valid_alert_rules_file_is_read_at_start_with_its_check_interval(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, "rules: [{name: hall, levels: {warning: {above: 30}}}]\n");
        EmailSenderConfig c = load(Map.of(
                "ALERT_RULES_FILE",
                file.toString(),
                "ALERT_RULES_CHECK_INTERVAL",
                "500ms",
                "ALERT_REPEAT_INTERVAL",
                "2h"));
        RulesFileSettings rules = c.rulesFile().orElseThrow();
        assertEquals(Duration.ofMillis(500), rules.checkInterval());
        assertEquals("hall", rules.rules().thresholds().get(0).name());
        assertEquals(Duration.ofHours(2), rules.rules().thresholds().get(0).repeat(), "ALERT_REPEAT_INTERVAL default");
    }

    @Test
    void a_bad_or_missing_alert_rules_file_stops_the_service_with_one_line_naming_it(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, "rules: [{name: hall, levels: {warning: {above: 30, clear: 31}}}]\n");
        assertEquals(
                "ALERT_RULES_FILE='" + file
                        + "': rules[0] hall: levels.warning.clear='31': expected a number (°C) below above (30.0)",
                error(Map.of("ALERT_RULES_FILE", file.toString())));
        String missing =
                error(Map.of("ALERT_RULES_FILE", dir.resolve("none.yaml").toString()));
        assertTrue(missing.startsWith("ALERT_RULES_FILE='" + dir.resolve("none.yaml") + "': cannot be read"), missing);
        assertFalse(missing.contains("\n"));
    }
}
