package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One alert event to be mailed: a transition of a sensor's alert state (or a reminder while firing).
 *
 * @param kind        what happened
 * @param sensorId    the sensor, as on the wire; for the PIPELINE kinds, the condition's name
 * @param value       the reading that caused it (°C), or {@code null} for events without a reading
 *                    (offline by timeout or status, back online by status, a rule that no longer applies)
 * @param readingTime the sensor's timestamp of that reading, or {@code null}
 * @param detectedAt  when this service detected the event (its clock)
 * @param alert       which rule and level, for FIRING, REMINDER and RESOLVED of a rule; {@code null} otherwise
 * @param recipients  who gets it; empty means {@code EMAIL_TO}
 * @param labels      the sensor's labels from the inventory of the rules file, shown in the mail
 */
record Notification(
        Kind kind,
        String sensorId,
        Double value,
        Instant readingTime,
        Instant detectedAt,
        Alert alert,
        List<String> recipients,
        Map<String, String> labels) {

    enum Kind {
        /** A rule's level went up from NORMAL, or changed (see {@link Alert#from}). */
        FIRING,
        /** Still at that level after the rule's repeat interval ({@code ALERT_REPEAT_INTERVAL} by default). */
        REMINDER,
        /** The rule's value came down to the clear threshold or below (or the rule no longer applies). */
        RESOLVED,
        /** No message for {@code SENSOR_OFFLINE_AFTER}, or status {@code offline}. */
        OFFLINE,
        /** A reading or status {@code online} after OFFLINE. */
        BACK_ONLINE,
        /** A condition of the pipeline itself started (common's {@code PipelineWatch}); {@code sensorId} names it. */
        PIPELINE_FIRING,
        /** That condition ended. */
        PIPELINE_RESOLVED;

        boolean isPipeline() {
            return this == PIPELINE_FIRING || this == PIPELINE_RESOLVED;
        }
    }

    /**
     * The rule behind a FIRING, REMINDER or RESOLVED.
     *
     * @param rule      the rule's name ({@code default} for the environment's rule)
     * @param rise      true for a rate-of-rise rule, false for a threshold rule
     * @param level     the level now: WARNING or CRITICAL, NORMAL once resolved
     * @param from      the level before a change (an escalation, a step down, a resolution), or {@code null}
     * @param condition the rule's condition for that level in words, e.g. {@code above 27.0°C for 30s, ...}
     * @param trend     for a rise: what was measured, e.g. {@code up 3.4°C within 10m}; {@code null} otherwise
     */
    record Alert(String rule, boolean rise, Level level, Level from, String condition, String trend) {

        Alert {
            Objects.requireNonNull(rule, "rule");
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(condition, "condition");
        }

        /** The level the mail is about: the new one, or the one that ended. */
        Level shownLevel() {
            return level == Level.NORMAL && from != null ? from : level;
        }
    }

    Notification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sensorId, "sensorId");
        Objects.requireNonNull(detectedAt, "detectedAt");
        recipients = List.copyOf(recipients);
        labels = Map.copyOf(labels);
    }

    /** Without a rule, to {@code EMAIL_TO}, no labels. */
    Notification(Kind kind, String sensorId, Double value, Instant readingTime, Instant detectedAt) {
        this(kind, sensorId, value, readingTime, detectedAt, null, List.of(), Map.of());
    }

    static Notification withReading(Kind kind, String sensorId, double value, Instant readingTime, Instant now) {
        return new Notification(kind, sensorId, value, readingTime, now);
    }

    static Notification pipeline(
            Kind kind, io.thermowatch.common.runtime.PipelineWatch.Condition condition, Instant now) {
        return new Notification(kind, condition.name(), null, null, now);
    }

    static Notification withoutReading(Kind kind, String sensorId, Instant now) {
        return new Notification(kind, sensorId, null, null, now);
    }

    Notification withAlert(Alert about) {
        return new Notification(kind, sensorId, value, readingTime, detectedAt, about, recipients, labels);
    }

    Notification routedTo(List<String> to, Map<String, String> sensorLabels) {
        return new Notification(kind, sensorId, value, readingTime, detectedAt, alert, to, sensorLabels);
    }

    /** The level the mail is about; CRITICAL for a rule-less FIRING or REMINDER (one threshold, as before levels). */
    Level level() {
        if (alert != null) {
            return alert.shownLevel();
        }
        return kind == Kind.FIRING || kind == Kind.REMINDER ? Level.CRITICAL : Level.NORMAL;
    }
}
