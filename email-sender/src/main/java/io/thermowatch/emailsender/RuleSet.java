package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The alert rules in force: from the rules file ({@code ALERT_RULES_FILE}), or the single default rule of the
 * environment. Each sensor is judged by the first threshold rule that selects it and, in addition, by the first
 * rise rule that selects it (file order: put specific rules before a catch-all). Immutable.
 *
 * @param thresholds threshold rules in file order
 * @param rises      rise rules in file order
 * @param maintenance recurring maintenance windows (the file's {@code maintenance:}), in file order
 * @param inventory  labels per sensor id ({@code site}, {@code room}, {@code rack}, {@code description}, ...)
 * @param source     where the rules come from, for logs and mails: the file, or {@code null} for the environment
 */
record RuleSet(
        List<ThresholdRule> thresholds,
        List<RiseRule> rises,
        List<MaintenanceWindow> maintenance,
        Map<String, Map<String, String>> inventory,
        String source) {

    RuleSet {
        thresholds = List.copyOf(thresholds);
        rises = List.copyOf(rises);
        maintenance = List.copyOf(maintenance);
        inventory = Map.copyOf(inventory);
    }

    /** Today's behaviour without a file: one CRITICAL rule from {@code TEMPERATURE_THRESHOLD}, for every sensor. */
    static RuleSet fromEnv(AlertRules env) {
        return new RuleSet(List.of(ThresholdRule.fromEnv(env)), List.of(), List.of(), Map.of(), null);
    }

    boolean isFromEnv() {
        return source == null;
    }

    Map<String, String> labelsOf(String sensorId) {
        return inventory.getOrDefault(sensorId, Map.of());
    }

    /** The first threshold rule that selects the sensor, or null. */
    ThresholdRule thresholdRuleFor(String sensorId) {
        Map<String, String> labels = labelsOf(sensorId);
        for (ThresholdRule rule : thresholds) {
            if (rule.selector().selects(sensorId, labels)) {
                return rule;
            }
        }
        return null;
    }

    /** The first rise rule that selects the sensor, or null. */
    RiseRule riseRuleFor(String sensorId) {
        Map<String, String> labels = labelsOf(sensorId);
        for (RiseRule rule : rises) {
            if (rule.selector().selects(sensorId, labels)) {
                return rule;
            }
        }
        return null;
    }

    /** The first maintenance window that mutes a notification about this sensor at {@code at}. */
    Optional<MaintenanceWindow> maintenanceFor(String sensorId, Map<String, String> labels, Instant at) {
        for (MaintenanceWindow window : maintenance) {
            if (window.mutes(sensorId, labels, at)) {
                return Optional.of(window);
            }
        }
        return Optional.empty();
    }

    List<AlertRule> all() {
        List<AlertRule> all = new ArrayList<>(thresholds);
        all.addAll(rises);
        return all;
    }

    /**
     * For logs: {@code 3 rule(s) (cold-aisle, exhaust, cooling-failure), 2 sensor(s) in the inventory}, plus
     * {@code , 1 maintenance window(s) (backup)} when there are any.
     */
    String summary() {
        List<AlertRule> all = all();
        String windows = maintenance.isEmpty()
                ? ""
                : ", " + maintenance.size() + " maintenance window(s) ("
                        + maintenance.stream().map(MaintenanceWindow::name).collect(Collectors.joining(", ")) + ")";
        return all.size() + " rule(s) (" + all.stream().map(AlertRule::name).collect(Collectors.joining(", ")) + "), "
                + inventory.size() + " sensor(s) in the inventory" + windows;
    }
}
