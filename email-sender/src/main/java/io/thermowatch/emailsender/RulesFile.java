package io.thermowatch.emailsender;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.thermowatch.common.config.DurationText;
import io.thermowatch.common.inventory.InvalidYaml;
import io.thermowatch.common.inventory.InventoryFile;
import io.thermowatch.common.inventory.SensorInventory;
import io.thermowatch.common.inventory.YamlNode;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates the rules file ({@code ALERT_RULES_FILE}, YAML) into a {@link RuleSet}. Strict: an unknown
 * key, a duplicate key or rule name, a string where a number belongs, thresholds in the wrong order are errors, each
 * reported as one line naming where and what was expected, e.g.
 * {@code rules[1] exhaust: levels.critical.above='30': expected a number (°C) above levels.warning.above (32.0)}.
 * The format is documented, with a complete example, in email-sender's README. Thread safe.
 */
final class RulesFile {

    /** A file this large is not a rules file someone wrote. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_*?-]{1,64}");
    private static final double MIN_CELSIUS = -273.15;
    private static final double MAX_CELSIUS = 1000.0;

    // Duplicate keys are errors: YAML would otherwise keep the last one silently.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    /** The file is not usable; the message is one line naming the problem. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    private RulesFile() {}

    /**
     * @param env the environment's rules: {@code ALERT_REPEAT_INTERVAL} is the default {@code repeat}
     * @throws Invalid when the file cannot be read or is not a valid rules file
     */
    static RuleSet read(Path path, AlertRules env) throws Invalid {
        return parse(readText(path), path.toString(), env);
    }

    /** The file's text, UTF-8 and at most {@link InventoryFile#MAX_BYTES} (the same reading as the dashboard's). */
    static String readText(Path path) throws Invalid {
        try {
            return InventoryFile.readText(path);
        } catch (InvalidYaml e) {
            throw new Invalid(e.getMessage());
        }
    }

    /** @param source where the text comes from, kept in the rule set for logs and mails */
    static RuleSet parse(String yaml, String source, AlertRules env) throws Invalid {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new Invalid("not valid YAML: " + oneLine(e.getOriginalMessage())
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new Invalid("empty: expected a 'rules:' list with at least one rule");
        }
        Node top = new Node("", root);
        top.requireObject("a mapping with 'rules' (and optionally 'inventory', 'maintenance')");
        top.onlyKeys("inventory", "rules", "maintenance");
        Map<String, Map<String, String>> inventory = new LinkedHashMap<>();
        Node inv = top.get("inventory");
        if (inv != null) {
            inventory.putAll(inventory(inv));
        }
        Node rules = top.get("rules");
        if (rules == null) {
            throw new Invalid("rules: missing: expected a list with at least one rule");
        }
        if (!rules.node.isArray() || rules.node.isEmpty()) {
            throw invalid(rules, "a list with at least one rule");
        }
        List<ThresholdRule> thresholds = new ArrayList<>();
        List<RiseRule> rises = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rules.node.size(); i++) {
            AlertRule rule = rule(new Node("rules[" + i + "]", rules.node.get(i)), env);
            if (!names.add(rule.name())) {
                throw invalid("rules[" + i + "].name", rule.name(), "a name no other rule has");
            }
            if (rule instanceof ThresholdRule t) {
                thresholds.add(t);
            } else {
                rises.add((RiseRule) rule);
            }
        }
        List<MaintenanceWindow> maintenance = maintenance(top.get("maintenance"));
        return new RuleSet(thresholds, rises, maintenance, inventory, source);
    }

    /** The {@code maintenance:} list: recurring windows in which notifications are recorded, not mailed. */
    private static List<MaintenanceWindow> maintenance(Node list) throws Invalid {
        if (list == null) {
            return List.of();
        }
        if (!list.node.isArray()) {
            throw invalid(list, "a list of maintenance windows");
        }
        List<MaintenanceWindow> windows = new ArrayList<>(list.node.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.node.size(); i++) {
            MaintenanceWindow window = window(new Node("maintenance[" + i + "]", list.node.get(i)));
            if (!names.add(window.name())) {
                throw invalid("maintenance[" + i + "].name", window.name(), "a name no other maintenance window has");
            }
            windows.add(window);
        }
        return windows;
    }

    private static MaintenanceWindow window(Node node) throws Invalid {
        node.requireObject("a maintenance window: a mapping with name, sensors or labels, every, from, to");
        Node nameNode = node.get("name");
        if (nameNode == null) {
            throw new Invalid(node.path + ".name: missing: expected a maintenance window name");
        }
        String name = nameNode.text();
        if (!NAME.matcher(name).matches()) {
            throw invalid(nameNode, "1 to 64 letters, digits, '_', '.' or '-'");
        }
        // From here on, errors name the window: "maintenance[0] backup: from='2am': ...".
        Node window = new Node(node.path + " " + name + ":", node.node);
        window.onlyKeys("name", "sensors", "labels", "every", "from", "to", "timezone");
        SensorSelector selector = new SensorSelector(globs(window.get("sensors")), labelsOrNone(window.get("labels")));
        Set<DayOfWeek> days = days(window.require("every"));
        LocalTime from = timeOfDay(window.require("from"));
        LocalTime to = timeOfDay(window.require("to"));
        if (from.equals(to)) {
            throw invalid(window.get("to"), "a time other than from (" + from + ")");
        }
        ZoneId zone = ZoneOffset.UTC;
        if (window.has("timezone")) {
            Node tz = window.get("timezone");
            try {
                zone = ZoneId.of(tz.text());
            } catch (DateTimeException e) {
                throw invalid(tz, "a time zone such as UTC or Europe/Berlin");
            }
        }
        return new MaintenanceWindow(name, selector, days, from, to, zone);
    }

    private static final Map<String, DayOfWeek> DAYS = Map.of(
            "mon", DayOfWeek.MONDAY,
            "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY,
            "thu", DayOfWeek.THURSDAY,
            "fri", DayOfWeek.FRIDAY,
            "sat", DayOfWeek.SATURDAY,
            "sun", DayOfWeek.SUNDAY);
    private static final String DAYS_EXPECTED = "daily, or days among mon, tue, wed, thu, fri, sat, sun";

    /** {@code daily}, one day, or a list of days, each at most once. */
    private static Set<DayOfWeek> days(Node node) throws Invalid {
        if (node.node.isTextual() && node.node.asText().equals("daily")) {
            return EnumSet.allOf(DayOfWeek.class);
        }
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        for (Node item : node.textOrList(DAYS_EXPECTED)) {
            DayOfWeek day = DAYS.get(item.text());
            if (day == null) {
                throw invalid(item, DAYS_EXPECTED);
            }
            if (!days.add(day)) {
                throw invalid(item, "each day once");
            }
        }
        return days;
    }

    private static final Pattern TIME_OF_DAY = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");

    /** {@code HH:MM}, 24-hour (the parser reads 14:30 as text even unquoted; a number is refused, not guessed at). */
    private static LocalTime timeOfDay(Node node) throws Invalid {
        if (!node.node.isTextual() || !TIME_OF_DAY.matcher(node.node.asText()).matches()) {
            throw invalid(node, "a time of day HH:MM (24-hour), e.g. \"02:00\"");
        }
        return LocalTime.parse(node.node.asText());
    }

    private static AlertRule rule(Node node, AlertRules env) throws Invalid {
        node.requireObject("a rule: a mapping with name, sensors or labels, levels or rise");
        Node nameNode = node.get("name");
        if (nameNode == null) {
            throw new Invalid(node.path + ".name: missing: expected a rule name");
        }
        String name = nameNode.text();
        if (!NAME.matcher(name).matches()) {
            throw invalid(nameNode, "1 to 64 letters, digits, '_', '.' or '-'");
        }
        // From here on, errors name the rule: "rules[1] exhaust: levels.critical.above='30': ...".
        Node rule = new Node(node.path + " " + name + ":", node.node);
        rule.onlyKeys("name", "sensors", "labels", "levels", "rise", "level", "repeat", "recipients");
        SensorSelector selector = new SensorSelector(globs(rule.get("sensors")), labelsOrNone(rule.get("labels")));
        Duration repeat = rule.has("repeat") ? rule.get("repeat").positiveDuration() : env.repeatInterval();
        List<String> recipients = recipients(rule.get("recipients"));
        Node levels = rule.get("levels");
        Node rise = rule.get("rise");
        if ((levels == null) == (rise == null)) {
            throw new Invalid(rule.path + " expected either 'levels' (thresholds) or 'rise' (rate of rise)");
        }
        if (levels != null) {
            if (rule.has("level")) {
                throw invalid(rule.get("level"), "no 'level' in a threshold rule: its levels are under 'levels'");
            }
            return new ThresholdRule(name, selector, thresholds(levels), repeat, recipients);
        }
        Level level = Level.WARNING;
        if (rule.has("level")) {
            level = switch (rule.get("level").text()) {
                case "warning" -> Level.WARNING;
                case "critical" -> Level.CRITICAL;
                default -> throw invalid(rule.get("level"), "warning or critical");
            };
        }
        rise.requireObject("a mapping with by, within and optionally clear");
        rise.onlyKeys("by", "within", "clear");
        double by = rise.require("by").number(0, MAX_CELSIUS, "a rise (°C) above 0, at most 1000");
        if (!(by > 0)) {
            throw invalid(rise.get("by"), "a rise (°C) above 0, at most 1000");
        }
        Duration within = rise.require("within").positiveDuration();
        double clear = by / 2;
        if (rise.has("clear")) {
            clear = rise.get("clear").number(0, by, "a rise (°C) of 0 or more, below by (" + by + ")");
            if (!(clear < by)) {
                throw invalid(rise.get("clear"), "a rise (°C) of 0 or more, below by (" + by + ")");
            }
        }
        return new RiseRule(name, selector, level, by, clear, within, repeat, recipients);
    }

    private static List<ThresholdRule.Threshold> thresholds(Node levels) throws Invalid {
        levels.requireObject("a mapping with warning and/or critical");
        levels.onlyKeys("warning", "critical");
        if (levels.node.isEmpty()) {
            throw invalid(levels, "warning and/or critical");
        }
        ThresholdRule.Threshold warning =
                levels.has("warning") ? threshold(levels.get("warning"), Level.WARNING) : null;
        ThresholdRule.Threshold critical =
                levels.has("critical") ? threshold(levels.get("critical"), Level.CRITICAL) : null;
        if (warning != null && critical != null && !(critical.above() > warning.above())) {
            throw invalid(
                    levels.get("critical").get("above"),
                    "a number (°C) above levels.warning.above (" + warning.above() + ")");
        }
        List<ThresholdRule.Threshold> out = new ArrayList<>(2);
        if (critical != null) {
            out.add(critical);
        }
        if (warning != null) {
            out.add(warning);
        }
        return out;
    }

    private static ThresholdRule.Threshold threshold(Node node, Level level) throws Invalid {
        node.requireObject("a mapping with above and optionally clear and for");
        node.onlyKeys("above", "clear", "for");
        double above = node.require("above").number(MIN_CELSIUS, MAX_CELSIUS, "a number (°C) from -273.15 to 1000");
        double clear = above - 1.0;
        if (node.has("clear")) {
            clear = node.get("clear").number(MIN_CELSIUS, MAX_CELSIUS, "a number (°C) below above (" + above + ")");
            if (!(clear < above)) {
                throw invalid(node.get("clear"), "a number (°C) below above (" + above + ")");
            }
        }
        Duration forDuration = node.has("for") ? node.get("for").duration() : Duration.ZERO;
        return new ThresholdRule.Threshold(level, above, clear, forDuration);
    }

    private static List<String> globs(Node node) throws Invalid {
        if (node == null) {
            return List.of();
        }
        List<Node> items = node.textOrList("a sensor id glob or a list of them");
        List<String> globs = new ArrayList<>(items.size());
        for (Node item : items) {
            String glob = item.text();
            if (!GLOB.matcher(glob).matches()) {
                throw invalid(item, "a glob of sensor id characters (letters, digits, '_', '-') with * and ?");
            }
            globs.add(glob);
        }
        return globs;
    }

    private static Map<String, String> labelsOrNone(Node node) throws Invalid {
        return node == null ? Map.of() : labels(node);
    }

    /** Common's {@link SensorInventory}: the dashboard reads the same section with the same checks. */
    private static Map<String, Map<String, String>> inventory(Node node) throws Invalid {
        try {
            return SensorInventory.fromYaml(new YamlNode(node.path, node.node)).bySensor();
        } catch (InvalidYaml e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static Map<String, String> labels(Node node) throws Invalid {
        try {
            return SensorInventory.labels(new YamlNode(node.path, node.node));
        } catch (InvalidYaml e) {
            throw new Invalid(e.getMessage());
        }
    }

    private static List<String> recipients(Node node) throws Invalid {
        if (node == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Node item : node.textOrList("a list of e-mail addresses")) {
            for (String address : item.text().split(",")) {
                String trimmed = address.strip();
                try {
                    new InternetAddress(trimmed, true).validate();
                } catch (AddressException e) {
                    throw invalid(item, "e-mail addresses such as alerts@example.com");
                }
                out.add(trimmed);
            }
        }
        if (out.isEmpty()) {
            throw invalid(node, "at least one e-mail address (leave 'recipients' out for EMAIL_TO)");
        }
        return out;
    }

    private static Invalid invalid(Node node, String expected) {
        return invalid(node.path.isEmpty() ? "document" : node.path, node.shown(), expected);
    }

    private static Invalid invalid(String where, String value, String expected) {
        return new Invalid(where + "='" + value + "': expected " + expected);
    }

    private static String oneLine(String text) {
        return String.valueOf(text).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** A YAML node and where it is, for messages. */
    private record Node(String path, JsonNode node) {

        Node get(String key) {
            JsonNode child = node.get(key);
            return child == null ? null : new Node(join(key), child);
        }

        boolean has(String key) {
            return node.has(key);
        }

        Node require(String key) throws Invalid {
            Node child = get(key);
            if (child == null) {
                throw new Invalid(join(key) + ": missing");
            }
            return child;
        }

        private String join(String key) {
            if (path.isEmpty()) {
                return key;
            }
            return path.endsWith(":") ? path + " " + key : path + "." + key;
        }

        void requireObject(String expected) throws Invalid {
            if (!node.isObject()) {
                throw invalid(this, expected);
            }
        }

        void onlyKeys(String... allowed) throws Invalid {
            Set<String> ok = Set.of(allowed);
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String key = names.next();
                if (!ok.contains(key)) {
                    throw new Invalid(join(key) + ": unknown key: expected one of " + String.join(", ", allowed));
                }
            }
        }

        List<Node> textOrList(String expected) throws Invalid {
            if (node.isTextual()) {
                return List.of(this);
            }
            if (!node.isArray() || node.isEmpty()) {
                throw invalid(this, expected);
            }
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                Node item = new Node(path + "[" + i + "]", node.get(i));
                if (!item.node.isTextual()) {
                    throw invalid(item, expected);
                }
                items.add(item);
            }
            return items;
        }

        String text() throws Invalid {
            if (!node.isTextual()) {
                throw invalid(this, "text");
            }
            return node.asText();
        }

        double number(double min, double max, String expected) throws Invalid {
            if (!node.isNumber()
                    || !Double.isFinite(node.asDouble())
                    || node.asDouble() < min
                    || node.asDouble() > max) {
                throw invalid(this, expected);
            }
            return node.asDouble();
        }

        Duration duration() throws Invalid {
            if (!(node.isTextual() || node.isNumber())) {
                throw invalid(this, DurationText.EXPECTED);
            }
            return DurationText.parse(node.asText()).orElseThrow(() -> invalid(this, DurationText.EXPECTED));
        }

        Duration positiveDuration() throws Invalid {
            Duration d = duration();
            if (d.isZero()) {
                throw invalid(this, "a positive duration, e.g. 30s or 1h");
            }
            return d;
        }

        /** The value as the person wrote it, shortened for a one-line message. */
        String shown() {
            String text = node.isValueNode() ? node.asText() : node.toString();
            text = text.replaceAll("\\s+", " ");
            return text.length() > 60 ? text.substring(0, 57) + "..." : text;
        }
    }
}
