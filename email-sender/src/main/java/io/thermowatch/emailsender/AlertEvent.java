package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code alert_events}: a transition (or reminder) and what became of it — mailed at, or muted by a
 * silence or an acknowledgement. Immutable.
 *
 * @param time           when this service detected it (wall clock)
 * @param sensor         the sensor id (for the PIPELINE kinds the condition's name, for RESTARTED {@code *})
 * @param rule           the rule's name, or null for events without a rule (offline, back online, pipeline)
 * @param kind           {@link Notification.Kind}'s name, or {@code RESTARTED}
 * @param from           the level before, or null where levels do not apply
 * @param to             the level after, or null where levels do not apply
 * @param value          the reading behind it (°C), or null
 * @param readingTime    the sensor's stamp of that reading, or null
 * @param mailedAt       when SMTP accepted its mail, or null if it was muted
 * @param silenceId      the silence that muted it, or null
 * @param silencedBy     who created that silence, or null
 * @param acknowledgedBy who acknowledged the alert whose reminder this was, or null
 */
record AlertEvent(
        Instant time,
        String sensor,
        String rule,
        String kind,
        Level from,
        Level to,
        Double value,
        Instant readingTime,
        Instant mailedAt,
        Long silenceId,
        String silencedBy,
        String acknowledgedBy) {

    /** Recorded when email-sender starts without a state file: alerts before it are no longer known. */
    static final String RESTARTED = "RESTARTED";

    AlertEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(sensor, "sensor");
        Objects.requireNonNull(kind, "kind");
    }

    static AlertEvent mailed(Notification n, Instant mailedAt) {
        return of(n, mailedAt, null, null, null);
    }

    static AlertEvent silenced(Notification n, Mutes.Silence silence) {
        return of(n, null, silence.id(), silence.createdBy(), null);
    }

    static AlertEvent acknowledged(Notification n, Mutes.Acknowledgement ack) {
        return of(n, null, null, null, ack.by());
    }

    static AlertEvent restarted(Instant at) {
        return new AlertEvent(at, "*", null, RESTARTED, null, null, null, null, null, null, null, null);
    }

    private static AlertEvent of(
            Notification n, Instant mailedAt, Long silenceId, String silencedBy, String acknowledgedBy) {
        Notification.Alert a = n.alert();
        Level from = null;
        Level to = null;
        if (a != null) {
            switch (n.kind()) {
                case FIRING -> {
                    from = a.from() == null ? Level.NORMAL : a.from();
                    to = a.level();
                }
                case RESOLVED -> {
                    from = a.from();
                    to = Level.NORMAL;
                }
                default -> {
                    from = a.level();
                    to = a.level();
                }
            }
        }
        return new AlertEvent(
                n.detectedAt(),
                n.sensorId(),
                a == null ? null : a.rule(),
                n.kind().name(),
                from,
                to,
                n.value(),
                n.readingTime(),
                mailedAt,
                silenceId,
                silencedBy,
                acknowledgedBy);
    }
}
