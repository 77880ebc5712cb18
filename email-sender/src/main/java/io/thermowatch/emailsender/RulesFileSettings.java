package io.thermowatch.emailsender;

import io.thermowatch.common.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The rules file as read at start: {@code ALERT_RULES_FILE}, how often it is checked for changes
 * ({@code ALERT_RULES_CHECK_INTERVAL}), and its rules, already validated. Immutable.
 *
 * @param text  the file's text at start, so the first check does not reload what is already in force
 * @param rules what that text says
 */
record RulesFileSettings(Path path, Duration checkInterval, String text, RuleSet rules) {

    /**
     * Reads and validates the file once, at start.
     *
     * @throws ConfigException one line naming {@code ALERT_RULES_FILE}, the path and the problem
     */
    static RulesFileSettings load(Path path, Duration checkInterval, AlertRules env) {
        try {
            String text = RulesFile.readText(path);
            return new RulesFileSettings(path, checkInterval, text, RulesFile.parse(text, path.toString(), env));
        } catch (RulesFile.Invalid e) {
            throw new ConfigException("ALERT_RULES_FILE='" + path + "': " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return path + " (checked every " + MailComposer.human(checkInterval) + "): " + rules.summary();
    }
}
