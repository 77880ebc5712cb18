package io.thermowatch.emailsender;

import io.thermowatch.common.runtime.PipelineWatch;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a group of notifications into one mail (plain text + HTML). Pure and thread safe.
 * Subjects keep the original's spirit: {@code Temperature Alert: 31.2°C on temperature/data_center_a1}.
 * Sensor-supplied strings are HTML-escaped in the HTML part.
 */
final class MailComposer {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);

    private final AlertRules rules;
    private final ZoneId zone;
    private final String dashboardUrl;

    /**
     * @param zone         the second time zone shown beside UTC ({@code ALERT_TIME_ZONE})
     * @param dashboardUrl link in every mail ({@code DASHBOARD_URL}); empty for none
     */
    MailComposer(AlertRules rules, ZoneId zone, String dashboardUrl) {
        this.rules = rules;
        this.zone = zone;
        this.dashboardUrl = dashboardUrl == null ? "" : dashboardUrl.strip();
    }

    ComposedMail compose(List<Notification> notifications) {
        if (notifications.isEmpty()) {
            throw new IllegalArgumentException("nothing to compose");
        }
        String subject = notifications.size() == 1 ? singleSubject(notifications.get(0)) : groupSubject(notifications);
        return new ComposedMail(subject, text(subject, notifications), html(subject, notifications));
    }

    private static String singleSubject(Notification n) {
        String topic = topic(n.sensorId());
        return switch (n.kind()) {
            case FIRING -> "Temperature Alert: " + celsius(n.value()) + " on " + topic;
            case REMINDER -> "Temperature Alert (still firing): " + celsius(n.value()) + " on " + topic;
            case RESOLVED -> "Resolved: " + celsius(n.value()) + " on " + topic;
            case OFFLINE -> "Sensor offline: " + topic;
            case BACK_ONLINE -> "Sensor back online: " + topic;
            case PIPELINE_FIRING -> "Pipeline alert: " + subjectOf(n);
            case PIPELINE_RESOLVED -> "Pipeline resolved: " + subjectOf(n);
        };
    }

    private static String groupSubject(List<Notification> notifications) {
        Map<Notification.Kind, Integer> counts = countByKind(notifications);
        List<String> parts = new ArrayList<>();
        counts.forEach((kind, count) -> parts.add(count + " " + label(kind)));
        return "Temperature Alerts: " + String.join(", ", parts);
    }

    private String text(String subject, List<Notification> notifications) {
        StringBuilder b = new StringBuilder(256 + 160 * notifications.size());
        b.append(subject).append("\n\n");
        for (Notification n : notifications) {
            b.append(headline(n)).append('\n');
            if (n.value() != null) {
                b.append("  value: ")
                        .append(celsius(n.value()))
                        .append(" (")
                        .append(thresholdText())
                        .append(")\n");
                b.append("  reading time: ").append(times(n.readingTime())).append('\n');
            }
            b.append("  detected: ").append(times(n.detectedAt())).append('\n');
        }
        b.append('\n').append("Rules: ").append(rulesText()).append('\n');
        if (!dashboardUrl.isEmpty()) {
            b.append("Dashboard: ").append(dashboardUrl).append('\n');
        }
        b.append("-- \nThermowatch email-sender\n");
        return b.toString();
    }

    private String html(String subject, List<Notification> notifications) {
        StringBuilder b = new StringBuilder(512 + 300 * notifications.size());
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(subject))
                .append("</title></head><body style=\"font-family:sans-serif\">\n");
        b.append("<h2>").append(escape(subject)).append("</h2>\n");
        b.append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse\">\n");
        b.append("<tr><th>Event</th><th>Sensor</th><th>Value</th><th>Reading time</th><th>Detected</th></tr>\n");
        for (Notification n : notifications) {
            b.append("<tr><td>")
                    .append(escape(label(n.kind()).toUpperCase(Locale.ROOT)))
                    .append("</td><td>")
                    .append(escape(subjectOf(n)))
                    .append("</td><td>")
                    .append(n.value() == null ? "" : escape(celsius(n.value())))
                    .append("</td><td>")
                    .append(n.readingTime() == null ? "" : escape(times(n.readingTime())))
                    .append("</td><td>")
                    .append(escape(times(n.detectedAt())))
                    .append("</td></tr>\n");
        }
        b.append("</table>\n<p>Rules: ").append(escape(rulesText())).append("</p>\n");
        if (!dashboardUrl.isEmpty()) {
            b.append("<p><a href=\"").append(escape(dashboardUrl)).append("\">Open the dashboard</a></p>\n");
        }
        b.append("<p style=\"color:#888\">Thermowatch email-sender</p>\n</body></html>\n");
        return b.toString();
    }

    private static String headline(Notification n) {
        return label(n.kind()).toUpperCase(Locale.ROOT) + ": " + subjectOf(n);
    }

    /** What the event is about: the sensor's topic, or the pipeline condition in words. */
    private static String subjectOf(Notification n) {
        if (n.kind().isPipeline()) {
            for (PipelineWatch.Condition c : PipelineWatch.Condition.values()) {
                if (c.name().equals(n.sensorId())) {
                    return c.description();
                }
            }
            return n.sensorId();
        }
        return topic(n.sensorId());
    }

    private String thresholdText() {
        return "threshold " + celsius(rules.threshold());
    }

    private String rulesText() {
        return "above " + celsius(rules.threshold()) + " fires, at or below " + celsius(rules.clearThreshold())
                + " resolves; reminders every " + human(rules.repeatInterval()) + "; offline after "
                + human(rules.offlineAfter()) + " without a message.";
    }

    private String times(Instant instant) {
        String utc = TIME.format(instant.atZone(UTC));
        if (zone.normalized().equals(ZoneOffset.UTC)) {
            return utc;
        }
        return utc + " / " + TIME.format(instant.atZone(zone)) + " (" + zone.getId() + ")";
    }

    private static Map<Notification.Kind, Integer> countByKind(List<Notification> notifications) {
        Map<Notification.Kind, Integer> counts = new EnumMap<>(Notification.Kind.class);
        for (Notification n : notifications) {
            counts.merge(n.kind(), 1, Integer::sum);
        }
        return counts;
    }

    static String human(java.time.Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    static String label(Notification.Kind kind) {
        return switch (kind) {
            case FIRING -> "firing";
            case REMINDER -> "still firing";
            case RESOLVED -> "resolved";
            case OFFLINE -> "offline";
            case BACK_ONLINE -> "back online";
            case PIPELINE_FIRING -> "pipeline alert";
            case PIPELINE_RESOLVED -> "pipeline resolved";
        };
    }

    static String topic(String sensorId) {
        return "temperature/" + sensorId;
    }

    static String celsius(double value) {
        return String.format(Locale.ROOT, "%.1f°C", value);
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
