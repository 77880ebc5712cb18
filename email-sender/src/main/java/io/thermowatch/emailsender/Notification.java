package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.Objects;

/**
 * One alert event to be mailed: a transition of a sensor's alert state (or a reminder while firing).
 *
 * @param kind        what happened
 * @param sensorId    the sensor, as on the wire; for the PIPELINE kinds, the condition's name
 * @param value       the reading that caused it (°C), or {@code null} for events without a reading
 *                    (offline by timeout or status, back online by status)
 * @param readingTime the sensor's timestamp of that reading, or {@code null}
 * @param detectedAt  when this service detected the event (its clock)
 */
record Notification(Kind kind, String sensorId, Double value, Instant readingTime, Instant detectedAt) {

    enum Kind {
        /** Value went above the threshold. */
        FIRING,
        /** Still above the clear threshold after {@code ALERT_REPEAT_INTERVAL}. */
        REMINDER,
        /** Value came down to the clear threshold or below. */
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

    Notification {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sensorId, "sensorId");
        Objects.requireNonNull(detectedAt, "detectedAt");
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
}
