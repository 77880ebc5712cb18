package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesFileTest {

    private static final AlertRules ENV = AlertRules.defaults();

    private static RuleSet parse(String yaml) throws RulesFile.Invalid {
        return RulesFile.parse(yaml, "alerts.yaml", ENV);
    }

    private static String error(String yaml) {
        return assertThrows(RulesFile.Invalid.class, () -> parse(yaml)).getMessage();
    }

    private static final String FULL = """
            inventory:
              a1: {site: dc-1, room: cold, rack: A1, description: "Cold aisle A1"}
              x1: {site: dc-1, room: exhaust}
            rules:
              - name: exhaust
                labels: {room: exhaust}
                levels:
                  warning: {above: 35, for: 1m}
                  critical: {above: 40, clear: 38, for: 30s}
                repeat: 30m
                recipients: [facilities@example.com, oncall@example.com]
              - name: cold-aisles
                sensors: ["a*", "b?"]
                levels:
                  warning: {above: 24}
              - name: cooling-failure
                sensors: "*"
                rise: {by: 3, within: 10m}
              - name: fast
                rise: {by: 5, within: 2m, clear: 1}
                level: critical
                recipients: oncall@example.com
            """;

    @Test
    void a_complete_file_gives_threshold_and_rise_rules_in_file_order_with_their_defaults() throws Exception {
        // When
        RuleSet rules = parse(FULL);
        // Then
        assertEquals("alerts.yaml", rules.source());
        assertEquals(
                List.of("exhaust", "cold-aisles"),
                rules.thresholds().stream().map(AlertRule::name).toList());
        assertEquals(
                List.of("cooling-failure", "fast"),
                rules.rises().stream().map(AlertRule::name).toList());
        ThresholdRule exhaust = rules.thresholds().get(0);
        assertEquals(
                List.of(
                        new ThresholdRule.Threshold(Level.CRITICAL, 40, 38, Duration.ofSeconds(30)),
                        new ThresholdRule.Threshold(Level.WARNING, 35, 34, Duration.ofMinutes(1))),
                exhaust.levels());
        assertEquals(Duration.ofMinutes(30), exhaust.repeat());
        assertEquals(List.of("facilities@example.com", "oncall@example.com"), exhaust.recipients());
        ThresholdRule cold = rules.thresholds().get(1);
        assertEquals(List.of(new ThresholdRule.Threshold(Level.WARNING, 24, 23, Duration.ZERO)), cold.levels());
        assertEquals(Duration.ofHours(1), cold.repeat(), "ALERT_REPEAT_INTERVAL is the default");
        assertEquals(List.of(), cold.recipients(), "EMAIL_TO is the default");
        RiseRule rise = rules.rises().get(0);
        assertEquals(Level.WARNING, rise.level());
        assertEquals(3, rise.by());
        assertEquals(1.5, rise.clear(), "half of by by default");
        assertEquals(Duration.ofMinutes(10), rise.within());
        RiseRule fast = rules.rises().get(1);
        assertEquals(Level.CRITICAL, fast.level());
        assertEquals(1, fast.clear());
        assertEquals(List.of("oncall@example.com"), fast.recipients());
        assertEquals(
                Map.of("site", "dc-1", "room", "cold", "rack", "A1", "description", "Cold aisle A1"),
                rules.labelsOf("a1"));
    }

    @Test
    void each_sensor_gets_the_first_threshold_rule_and_the_first_rise_rule_that_select_it() throws Exception {
        // Given
        RuleSet rules = parse(FULL);
        // Then: by label, by glob, by nothing
        assertEquals("exhaust", rules.thresholdRuleFor("x1").name());
        assertEquals("cold-aisles", rules.thresholdRuleFor("a1").name());
        assertEquals("cold-aisles", rules.thresholdRuleFor("a_anything").name());
        assertEquals("cold-aisles", rules.thresholdRuleFor("b7").name());
        assertNull(rules.thresholdRuleFor("b77"), "? is one character");
        assertNull(rules.thresholdRuleFor("c1"));
        assertEquals("cooling-failure", rules.riseRuleFor("c1").name());
        assertEquals("cooling-failure", rules.riseRuleFor("x1").name());
    }

    @Test
    void the_example_shipped_for_compose_does_what_the_service_does_without_a_file() throws Exception {
        // Given: the file docker compose mounts
        RuleSet shipped = RulesFile.read(Path.of("config", "alerts.yaml"), ENV);
        // Then: the environment's defaults, as one rule for every sensor
        assertEquals(RuleSet.fromEnv(ENV).thresholds(), shipped.thresholds());
        assertEquals(List.of(), shipped.rises());
        assertEquals("seed sensor a1", shipped.labelsOf("data_center_a1").get("description"));
    }

    @Test
    void the_complete_example_in_the_readme_is_a_valid_rules_file() throws Exception {
        // Given: the yaml block after the marker in README.md
        String readme = Files.readString(Path.of("README.md"));
        int marker = readme.indexOf("<!-- complete rules file example -->");
        assertTrue(marker >= 0, "marker missing in README.md");
        int start = readme.indexOf("```yaml\n", marker) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));
        // When
        RuleSet rules = parse(yaml);
        // Then
        assertTrue(rules.thresholds().size() >= 2 && !rules.rises().isEmpty(), rules.summary());
        assertTrue(!rules.maintenance().isEmpty(), "the complete example has a maintenance window: " + rules.summary());
    }

    @Test
    void the_commented_maintenance_example_of_the_shipped_file_is_valid_once_uncommented() throws Exception {
        // Given: the shipped file with its commented 'maintenance:' block uncommented
        String shipped = Files.readString(Path.of("config", "alerts.yaml"));
        int block = shipped.indexOf("# maintenance:");
        assertTrue(block >= 0, "no commented 'maintenance:' example in config/alerts.yaml");
        String uncommented =
                shipped.substring(0, block) + shipped.substring(block).replaceAll("(?m)^# ?", "");
        // When
        RuleSet rules = parse(uncommented);
        // Then
        assertEquals(1, rules.maintenance().size(), rules.summary());
        assertEquals(RuleSet.fromEnv(ENV).thresholds(), rules.thresholds());
    }

    @Test
    void what_is_not_a_rules_file_is_named_in_one_line() {
        assertTrue(error("rules: [").startsWith("not valid YAML: "), error("rules: ["));
        assertTrue(error("rules: [").contains("(line "), error("rules: ["));
        assertEquals("empty: expected a 'rules:' list with at least one rule", error(""));
        assertEquals(
                "document='[1,2]': expected a mapping with 'rules' (and optionally 'inventory', 'maintenance')",
                error("[1, 2]"));
        assertEquals("rulez: unknown key: expected one of inventory, rules, maintenance", error("rulez: []"));
        assertEquals("rules: missing: expected a list with at least one rule", error("inventory: {}"));
        assertEquals("rules='[]': expected a list with at least one rule", error("rules: []"));
        assertTrue(
                error("rules:\n  - name: a\n    name: b\n").contains("Duplicate field 'name'"),
                error("rules:\n  - name: a\n    name: b\n"));
    }

    @Test
    void a_bad_rule_is_named_with_its_position_name_key_and_value() {
        assertEquals("rules[0].name: missing: expected a rule name", error("rules: [{levels: {}}]"));
        assertEquals(
                "rules[0].name='a b': expected 1 to 64 letters, digits, '_', '.' or '-'",
                error("rules: [{name: a b}]"));
        assertEquals(
                "rules[0] a: treshold: unknown key: expected one of name, sensors, labels, levels, rise, level, repeat,"
                        + " recipients",
                error("rules: [{name: a, treshold: 3}]"));
        assertEquals(
                "rules[0] a: expected either 'levels' (thresholds) or 'rise' (rate of rise)",
                error("rules: [{name: a}]"));
        assertEquals(
                "rules[0] a: expected either 'levels' (thresholds) or 'rise' (rate of rise)",
                error("rules: [{name: a, levels: {warning: {above: 3}}, rise: {by: 1, within: 1m}}]"));
        assertEquals(
                "rules[1].name='a': expected a name no other rule has",
                error("rules: [{name: a, levels: {warning: {above: 3}}}, {name: a, levels: {warning: {above: 4}}}]"));
        assertEquals(
                "rules[0] a: sensors[0]='data/center': expected a glob of sensor id characters (letters, digits, '_',"
                        + " '-') with * and ?",
                error("rules: [{name: a, sensors: [data/center], levels: {warning: {above: 3}}}]"));
        assertEquals(
                "rules[0] a: labels='x': expected a mapping of label to value, e.g. {site: dc-1, room: hall-a}",
                error("rules: [{name: a, labels: x, levels: {warning: {above: 3}}}]"));
    }

    @Test
    void thresholds_must_be_numbers_in_the_right_order() {
        assertEquals(
                "rules[0] a: levels.warning.above='25': expected a number (°C) from -273.15 to 1000",
                error("rules: [{name: a, levels: {warning: {above: \"25\"}}}]"));
        assertEquals(
                "rules[0] a: levels.warning.above: missing",
                error("rules: [{name: a, levels: {warning: {clear: 3}}}]"));
        assertEquals(
                "rules[0] a: levels.warning.clear='25': expected a number (°C) below above (25.0)",
                error("rules: [{name: a, levels: {warning: {above: 25, clear: 25}}}]"));
        assertEquals(
                "rules[0] a: levels.critical.above='30': expected a number (°C) above levels.warning.above (32.0)",
                error("rules: [{name: a, levels: {warning: {above: 32}, critical: {above: 30}}}]"));
        assertEquals(
                "rules[0] a: levels.major: unknown key: expected one of warning, critical",
                error("rules: [{name: a, levels: {major: {above: 30}}}]"));
        assertEquals(
                "rules[0] a: levels='{}': expected warning and/or critical", error("rules: [{name: a, levels: {}}]"));
        assertEquals(
                "rules[0] a: level='critical': expected no 'level' in a threshold rule: its levels are under 'levels'",
                error("rules: [{name: a, level: critical, levels: {warning: {above: 30}}}]"));
    }

    @Test
    void durations_recipients_and_rises_are_checked() {
        assertTrue(
                error("rules: [{name: a, levels: {warning: {above: 30, for: soon}}}]")
                        .startsWith("rules[0] a: levels.warning.for='soon': expected a duration"),
                error("rules: [{name: a, levels: {warning: {above: 30, for: soon}}}]"));
        assertEquals(
                "rules[0] a: repeat='0': expected a positive duration, e.g. 30s or 1h",
                error("rules: [{name: a, repeat: 0, levels: {warning: {above: 30}}}]"));
        assertEquals(
                "rules[0] a: recipients[1]='not an address': expected e-mail addresses such as alerts@example.com",
                error(
                        "rules: [{name: a, recipients: [a@example.com, not an address], levels: {warning: {above: 30}}}]"));
        assertEquals(
                "rules[0] a: rise.by='0': expected a rise (°C) above 0, at most 1000",
                error("rules: [{name: a, rise: {by: 0, within: 1m}}]"));
        assertEquals(
                "rules[0] a: rise.clear='3': expected a rise (°C) of 0 or more, below by (3.0)",
                error("rules: [{name: a, rise: {by: 3, within: 1m, clear: 3}}]"));
        assertEquals("rules[0] a: rise.within: missing", error("rules: [{name: a, rise: {by: 3}}]"));
        assertEquals(
                "rules[0] a: level='major': expected warning or critical",
                error("rules: [{name: a, level: major, rise: {by: 3, within: 1m}}]"));
    }

    @Test
    void the_inventory_holds_valid_sensor_ids_and_one_line_labels() {
        assertEquals(
                "inventory='a/b': expected sensor ids of 1 to 64 letters, digits, '_' or '-'",
                error("inventory: {a/b: {site: x}}\nrules: [{name: a, levels: {warning: {above: 3}}}]"));
        assertEquals(
                "inventory.a1.site='[1,2]': expected a label value (text)",
                error("inventory: {a1: {site: [1, 2]}}\nrules: [{name: a, levels: {warning: {above: 3}}}]"));
        assertTrue(error("inventory: {a1: {description: \"" + "x".repeat(300) + "\"}}\nrules: [{name: a, levels: "
                        + "{warning: {above: 3}}}]")
                .startsWith("inventory.a1.description='xxx"));
    }

    @Test
    void a_file_that_cannot_be_read_is_named(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertTrue(assertThrows(RulesFile.Invalid.class, () -> RulesFile.read(dir.resolve("missing.yaml"), ENV))
                .getMessage()
                .startsWith("cannot be read (java.nio.file.NoSuchFileException"));
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, new byte[] {'r', 'u', 'l', 'e', 's', ':', ' ', (byte) 0xE9});
        assertEquals(
                "not valid UTF-8",
                assertThrows(RulesFile.Invalid.class, () -> RulesFile.read(latin1, ENV))
                        .getMessage());
    }

    private static final String ONE_RULE = "rules: [{name: a, levels: {warning: {above: 3}}}]\n";

    @Test
    void maintenance_windows_are_read_with_their_days_times_zone_and_sensors() throws Exception {
        // When
        RuleSet rules = parse(ONE_RULE + """
                maintenance:
                  - name: weekend-backup
                    sensors: ["rack_a*", "rack_b?"]
                    every: [sat, sun]
                    from: "22:00"
                    to: "02:00"
                    timezone: Europe/Berlin
                  - name: nightly
                    labels: {room: hall-a}
                    every: daily
                    from: "02:00"
                    to: "04:00"
                """);
        // Then
        assertEquals(2, rules.maintenance().size());
        MaintenanceWindow weekend = rules.maintenance().get(0);
        assertEquals("weekend-backup", weekend.name());
        assertEquals(java.util.Set.of(java.time.DayOfWeek.SATURDAY, java.time.DayOfWeek.SUNDAY), weekend.days());
        assertEquals(java.time.LocalTime.of(22, 0), weekend.from());
        assertEquals(java.time.LocalTime.of(2, 0), weekend.to());
        assertEquals(java.time.ZoneId.of("Europe/Berlin"), weekend.zone());
        assertEquals(new SensorSelector(List.of("rack_a*", "rack_b?"), Map.of()), weekend.selector());
        MaintenanceWindow nightly = rules.maintenance().get(1);
        assertEquals(7, nightly.days().size());
        assertEquals(java.time.ZoneOffset.UTC, nightly.zone());
        assertEquals(new SensorSelector(List.of(), Map.of("room", "hall-a")), nightly.selector());
        assertTrue(rules.summary().endsWith(", 2 maintenance window(s) (weekend-backup, nightly)"), rules.summary());
        // and without the key there are none
        assertEquals(List.of(), parse(ONE_RULE).maintenance());
    }

    @Test
    void a_bad_maintenance_window_is_named_with_its_position_name_key_and_value() {
        assertEquals("maintenance='x': expected a list of maintenance windows", error(ONE_RULE + "maintenance: x"));
        assertEquals(
                "maintenance[0].name: missing: expected a maintenance window name",
                error(ONE_RULE + "maintenance: [{every: daily}]"));
        assertEquals(
                "maintenance[0] m: starts: unknown key: expected one of name, sensors, labels, every, from, to,"
                        + " timezone",
                error(ONE_RULE + "maintenance: [{name: m, starts: \"02:00\"}]"));
        assertEquals(
                "maintenance[0] m: every: missing",
                error(ONE_RULE + "maintenance: [{name: m, from: \"02:00\", to: \"03:00\"}]"));
        assertEquals(
                "maintenance[0] m: every[1]='monday': expected daily, or days among mon, tue, wed, thu, fri, sat, sun",
                error(ONE_RULE + "maintenance: [{name: m, every: [sun, monday], from: \"02:00\", to: \"03:00\"}]"));
        assertEquals(
                "maintenance[0] m: every[1]='sun': expected each day once",
                error(ONE_RULE + "maintenance: [{name: m, every: [sun, sun], from: \"02:00\", to: \"03:00\"}]"));
        assertEquals(
                "maintenance[0] m: from='2am': expected a time of day HH:MM (24-hour), e.g. \"02:00\"",
                error(ONE_RULE + "maintenance: [{name: m, every: daily, from: 2am, to: \"03:00\"}]"));
        assertEquals(
                "maintenance[0] m: to='24:00': expected a time of day HH:MM (24-hour), e.g. \"02:00\"",
                error(ONE_RULE + "maintenance: [{name: m, every: daily, from: \"02:00\", to: \"24:00\"}]"));
        assertEquals(
                "maintenance[0] m: from='2': expected a time of day HH:MM (24-hour), e.g. \"02:00\"",
                error(ONE_RULE + "maintenance: [{name: m, every: daily, from: 2, to: \"03:00\"}]"));
        // Read as text even unquoted (no YAML 1.1 base-60 number): 14:30 is half past two in the afternoon
        assertDoesNotThrow(() -> assertEquals(
                java.time.LocalTime.of(14, 30),
                parse(ONE_RULE + "maintenance: [{name: m, every: daily, from: 14:30, to: \"15:00\"}]")
                        .maintenance()
                        .get(0)
                        .from()));
        assertEquals(
                "maintenance[0] m: to='02:00': expected a time other than from (02:00)",
                error(ONE_RULE + "maintenance: [{name: m, every: daily, from: \"02:00\", to: \"02:00\"}]"));
        assertEquals(
                "maintenance[0] m: timezone='Mars/Olympus': expected a time zone such as UTC or Europe/Berlin",
                error(ONE_RULE + "maintenance: [{name: m, every: daily, from: \"02:00\", to: \"03:00\","
                        + " timezone: Mars/Olympus}]"));
        assertEquals(
                "maintenance[0] m: sensors[0]='rack/a': expected a glob of sensor id characters (letters, digits, '_',"
                        + " '-') with * and ?",
                error(ONE_RULE + "maintenance: [{name: m, sensors: [rack/a], every: daily, from: \"02:00\","
                        + " to: \"03:00\"}]"));
        assertEquals(
                "maintenance[1].name='m': expected a name no other maintenance window has",
                error(ONE_RULE + "maintenance: [{name: m, every: daily, from: \"02:00\", to: \"03:00\"},"
                        + " {name: m, every: sun, from: \"04:00\", to: \"05:00\"}]"));
    }
}
