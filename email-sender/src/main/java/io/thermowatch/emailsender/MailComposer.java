package io.thermowatch.emailsender;

import io.thermowatch.common.runtime.PipelineWatch;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Turns a group of notifications into one mail (plain text + HTML). Pure and thread safe.
 * Subjects keep the original's spirit and say the level: {@code Temperature Alert: 31.2°C on temperature/a1}
 * (CRITICAL, as before levels existed), {@code Temperature Warning: 24.6°C on temperature/a1}, an escalation
 * {@code Temperature Alert: 27.5°C on temperature/a1 (was warning)}, a rise
 * {@code Temperature Warning: 26.1°C, up 3.4°C within 10m, on temperature/a1}.
 * The body names each event's level, rule and condition, and the sensor's labels. Sensor-supplied strings are
 * HTML-escaped in the HTML part.
 */
final class MailComposer {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT);
    /** Group subjects count FIRING and REMINDER by level, critical first. */
    private static final Comparator<Notification> BY_KIND_THEN_LEVEL =
            Comparator.comparing(Notification::kind).thenComparing(Notification::level, Comparator.reverseOrder());

    private final AlertRules rules;
    private final Supplier<RuleSet> ruleSet;
    private final ZoneId zone;
    private final String dashboardUrl;

    /**
     * With the environment's rules only (no rules file).
     *
     * @param zone         the second time zone shown beside UTC ({@code ALERT_TIME_ZONE})
     * @param dashboardUrl link in every mail ({@code DASHBOARD_URL}); empty for none
     */
    MailComposer(AlertRules rules, ZoneId zone, String dashboardUrl) {
        this(rules, () -> RuleSet.fromEnv(rules), zone, dashboardUrl);
    }

    /** @param ruleSet the rules in force when a mail is composed (they change when the rules file is reloaded) */
    MailComposer(AlertRules rules, Supplier<RuleSet> ruleSet, ZoneId zone, String dashboardUrl) {
        this.rules = rules;
        this.ruleSet = ruleSet;
        this.zone = zone;
        this.dashboardUrl = dashboardUrl == null ? "" : dashboardUrl.strip();
    }

    /** @throws IllegalArgumentException if the notifications are not all for the same recipients */
    ComposedMail compose(List<Notification> notifications) {
        if (notifications.isEmpty()) {
            throw new IllegalArgumentException("nothing to compose");
        }
        List<String> to = notifications.get(0).recipients();
        if (notifications.stream().anyMatch(n -> !n.recipients().equals(to))) {
            throw new IllegalArgumentException("one mail, one list of recipients");
        }
        String subject = notifications.size() == 1 ? singleSubject(notifications.get(0)) : groupSubject(notifications);
        return new ComposedMail(subject, text(subject, notifications), html(subject, notifications), to);
    }

    private static String singleSubject(Notification n) {
        String topic = topic(n.sensorId());
        Notification.Alert alert = n.alert();
        String was = alert != null && alert.from() != null && n.kind() == Notification.Kind.FIRING
                ? " (was " + alert.from().lowerCase() + ")"
                : "";
        return switch (n.kind()) {
            case FIRING -> prefix(n) + ": " + what(n) + was;
            case REMINDER -> prefix(n) + " (still firing): " + what(n);
            case RESOLVED ->
                n.value() == null ? "Resolved: " + topic : "Resolved: " + celsius(n.value()) + " on " + topic;
            case OFFLINE -> "Sensor offline: " + topic;
            case BACK_ONLINE -> "Sensor back online: " + topic;
            case PIPELINE_FIRING -> "Pipeline alert: " + subjectOf(n);
            case PIPELINE_RESOLVED -> "Pipeline resolved: " + subjectOf(n);
        };
    }

    /** "Temperature Alert" is CRITICAL, the one level there was before levels; "Temperature Warning" WARNING. */
    private static String prefix(Notification n) {
        return n.level() == Level.WARNING ? "Temperature Warning" : "Temperature Alert";
    }

    private static String what(Notification n) {
        String topic = topic(n.sensorId());
        if (n.alert() != null && n.alert().trend() != null) {
            return celsius(n.value()) + ", " + n.alert().trend() + ", on " + topic;
        }
        return celsius(n.value()) + " on " + topic;
    }

    private static String groupSubject(List<Notification> notifications) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        notifications.stream().sorted(BY_KIND_THEN_LEVEL).forEach(n -> counts.merge(label(n), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((label, count) -> parts.add(count + " " + label));
        return "Temperature Alerts: " + String.join(", ", parts);
    }

    private String text(String subject, List<Notification> notifications) {
        StringBuilder b = new StringBuilder(256 + 200 * notifications.size());
        b.append(subject).append("\n\n");
        for (Notification n : notifications) {
            b.append(headline(n)).append('\n');
            if (n.alert() != null) {
                b.append("  level: ").append(levelText(n)).append('\n');
            }
            if (n.value() != null) {
                b.append("  value: ")
                        .append(celsius(n.value()))
                        .append(" (")
                        .append(conditionText(n))
                        .append(")\n");
            } else if (n.alert() != null) {
                b.append("  ").append(n.alert().condition()).append('\n');
            }
            if (!n.labels().isEmpty()) {
                b.append("  sensor: ").append(labelsText(n)).append('\n');
            }
            if (n.readingTime() != null) {
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
        StringBuilder b = new StringBuilder(512 + 400 * notifications.size());
        b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
                .append(escape(subject))
                .append("</title></head><body style=\"font-family:sans-serif\">\n");
        b.append("<h2>").append(escape(subject)).append("</h2>\n");
        b.append("<table border=\"1\" cellpadding=\"4\" cellspacing=\"0\" style=\"border-collapse:collapse\">\n");
        b.append("<tr><th>Event</th><th>Level</th><th>Sensor</th><th>Value</th><th>Rule</th><th>Reading time</th>"
                + "<th>Detected</th></tr>\n");
        for (Notification n : notifications) {
            b.append("<tr><td>")
                    .append(escape(label(n).toUpperCase(Locale.ROOT)))
                    .append("</td><td>")
                    .append(n.alert() == null ? "" : escape(levelText(n)))
                    .append("</td><td>")
                    .append(escape(subjectOf(n)));
            if (!n.labels().isEmpty()) {
                b.append("<br><small>").append(escape(labelsText(n))).append("</small>");
            }
            b.append("</td><td>")
                    .append(n.value() == null ? "" : escape(celsius(n.value())))
                    .append("</td><td>")
                    .append(n.alert() == null ? "" : escape(n.alert().rule() + ": " + conditionText(n)))
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
        return label(n).toUpperCase(Locale.ROOT) + ": " + subjectOf(n);
    }

    /** {@code CRITICAL (was WARNING), rule cold-aisle}, {@code resolved (was CRITICAL), rule cold-aisle}. */
    private static String levelText(Notification n) {
        Notification.Alert a = n.alert();
        String now = a.level() == Level.NORMAL ? "resolved" : a.level().name();
        return now + (a.from() == null ? "" : " (was " + a.from().name() + ")") + ", rule " + a.rule();
    }

    private String conditionText(Notification n) {
        if (n.alert() == null) {
            return thresholdText();
        }
        return n.alert().trend() == null
                ? n.alert().condition()
                : n.alert().trend() + "; " + n.alert().condition();
    }

    private static String labelsText(Notification n) {
        StringBuilder b = new StringBuilder();
        n.labels().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(LABEL_ORDER))
                .forEach(e -> b.append(b.isEmpty() ? "" : ", ")
                        .append(e.getKey())
                        .append('=')
                        .append(e.getValue()));
        return b.toString();
    }

    /** Where first (site, room, rack), then any other label, the description last. */
    private static final Comparator<String> LABEL_ORDER = Comparator.<String>comparingInt(key -> switch (key) {
                case "site" -> 0;
                case "room" -> 1;
                case "rack" -> 2;
                case "description" -> 4;
                default -> 3;
            })
            .thenComparing(Comparator.naturalOrder());

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
        String offline = "offline after " + human(rules.offlineAfter()) + " without a message.";
        RuleSet set = ruleSet.get();
        if (set.isFromEnv()) {
            return "above " + celsius(rules.threshold()) + " fires, at or below " + celsius(rules.clearThreshold())
                    + " resolves; reminders every " + human(rules.repeatInterval()) + "; " + offline;
        }
        return "from " + set.source() + " ("
                + set.all().stream().map(AlertRule::name).collect(Collectors.joining(", ")) + "); " + offline;
    }

    private String times(Instant instant) {
        String utc = TIME.format(instant.atZone(UTC));
        if (zone.normalized().equals(ZoneOffset.UTC)) {
            return utc;
        }
        return utc + " / " + TIME.format(instant.atZone(zone)) + " (" + zone.getId() + ")";
    }

    static String human(java.time.Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /** The event in a word or two: a FIRING or REMINDER at WARNING is a warning. */
    static String label(Notification n) {
        boolean warning = n.level() == Level.WARNING;
        return switch (n.kind()) {
            case FIRING -> warning ? "warning" : "firing";
            case REMINDER -> warning ? "still warning" : "still firing";
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
