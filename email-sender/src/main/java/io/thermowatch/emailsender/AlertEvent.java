package io.thermowatch.emailsender;

import java.time.Instant;
import java.util.Objects;

/**
 * One row of {@code alert_events}: a transition (or reminder) and what became of it — mailed at, muted by a
 * silence, a maintenance window or an acknowledgement, or refused for good by SMTP. Immutable.
 *
 * @param time           when this service detected it (wall clock)
 * @param sensor         the sensor id (for the PIPELINE kinds the condition's name, for RESTARTED {@code *})
 * @param rule           the rule's name, or null for events without a rule (offline, back online, pipeline)
 * @param kind           {@link Notification.Kind}'s name, or {@code RESTARTED}
 * @param from           the level before, or null where levels do not apply
 * @param to             the level after, or null where levels do not apply
 * @param value          the reading behind it (°C), or null
 * @param readingTime    the sensor's stamp of that reading, or null
 * @param mailedAt       when SMTP accepted its mail, or null if it was muted or refused
 * @param silenceId      the ad-hoc silence that muted it, or null (also for a maintenance window)
 * @param silencedBy     who created that silence, or {@code maintenance:<name>} for a window of the rules file
 * @param acknowledgedBy who acknowledged the alert whose reminder this was, or null
 * @param mailError      why SMTP refused its mail for good (at most {@value #MAX_MAIL_ERROR} characters), or null
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
        String acknowledgedBy,
        String mailError) {

    /** The column's bound ({@code alert_events.mail_error}, db-writer's V7). */
    static final int MAX_MAIL_ERROR = 1000;

    /** {@code silenced_by} of a notification muted by a maintenance window of the rules file. */
    static final String MAINTENANCE_PREFIX = "maintenance:";

    /** Recorded when email-sender starts without a state file: alerts before it are no longer known. */
    static final String RESTARTED = "RESTARTED";

    AlertEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(sensor, "sensor");
        Objects.requireNonNull(kind, "kind");
        if (mailError != null) {
            String line = mailError.strip().replaceAll("\\s*\\R\\s*", " ");
            mailError = line.isEmpty()
                    ? "refused"
                    : line.length() > MAX_MAIL_ERROR ? line.substring(0, MAX_MAIL_ERROR - 3) + "..." : line;
        }
    }

    static AlertEvent mailed(Notification n, Instant mailedAt) {
        return of(n, mailedAt, null, null, null, null);
    }

    static AlertEvent silenced(Notification n, Mutes.Silence silence) {
        return of(n, null, silence.id(), silence.createdBy(), null, null);
    }

    static AlertEvent inMaintenance(Notification n, MaintenanceWindow window) {
        return of(n, null, null, MAINTENANCE_PREFIX + window.name(), null, null);
    }

    static AlertEvent acknowledged(Notification n, Mutes.Acknowledgement ack) {
        return of(n, null, null, null, ack.by(), null);
    }

    /** SMTP refused its mail for good ({@link PermanentSmtpFailure}): not mailed, and never will be. */
    static AlertEvent refused(Notification n, String reason) {
        return of(n, null, null, null, null, reason);
    }

    static AlertEvent restarted(Instant at) {
        return new AlertEvent(at, "*", null, RESTARTED, null, null, null, null, null, null, null, null, null);
    }

    private static AlertEvent of(
            Notification n,
            Instant mailedAt,
            Long silenceId,
            String silencedBy,
            String acknowledgedBy,
            String mailError) {
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
                acknowledgedBy,
                mailError);
    }
}
