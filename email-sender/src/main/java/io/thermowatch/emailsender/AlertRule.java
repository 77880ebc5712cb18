package io.thermowatch.emailsender;

import java.time.Duration;
import java.util.List;

/**
 * One rule of the rules file ({@code ALERT_RULES_FILE}), or the single default rule made of the environment's
 * {@code TEMPERATURE_THRESHOLD} and friends. A sensor is judged by the first threshold rule and the first rise rule
 * that select it. Immutable.
 */
sealed interface AlertRule permits ThresholdRule, RiseRule {

    /** Unique in its file; names the alert in mails and in the state file. */
    String name();

    SensorSelector selector();

    /** A firing alert is mailed again at most this often. */
    Duration repeat();

    /** Who gets this rule's mails; empty means {@code EMAIL_TO}. */
    List<String> recipients();

    /** The rule in words, for mails and logs. */
    String describe();
}
