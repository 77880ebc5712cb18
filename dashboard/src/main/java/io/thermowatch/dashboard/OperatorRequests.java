package io.thermowatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bodies of the operator API's writes, parsed strictly (unknown fields, wrong types and values out of range are a
 * 400 naming the field) into values the database's constraints accept. Pure; thread safe.
 */
final class OperatorRequests {

    static final Duration MAX_SILENCE = Duration.ofDays(30);
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_*?-]{1,64}");
    private static final Pattern SENSOR_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern BY = Pattern.compile("[A-Za-z0-9 _.@-]{1,64}");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    /** A silence to create: exactly one of {@code sensors} (glob) or the label pair. */
    record NewSilence(
            String sensors,
            String labelName,
            String labelValue,
            Instant startsAt,
            Instant endsAt,
            String by,
            String comment) {}

    record NewAcknowledgement(String sensor, String rule, String by, String comment) {}

    private final ObjectMapper json;

    OperatorRequests(ObjectMapper json) {
        this.json = json;
    }

    /**
     * {@code {"sensors": "rack_a*" | "label": {"name": "rack", "value": "A1"}, "minutes": 60, "by": "alice",
     * "comment": "..."}}; {@code startsAt} (epoch ms) optional, default now.
     */
    NewSilence silence(byte[] body, Instant now) {
        JsonNode root = object(body, Set.of("sensors", "label", "minutes", "startsAt", "by", "comment"));
        String sensors = null;
        String labelName = null;
        String labelValue = null;
        if (root.has("sensors") == root.has("label")) {
            throw new BadRequestException("give either sensors (a glob on sensor ids) or label ({name, value})");
        }
        if (root.has("sensors")) {
            sensors = text(root, "sensors", GLOB, "a glob of 1 to 64 characters of A-Z a-z 0-9 _ - * ?");
        } else {
            JsonNode label = root.get("label");
            if (!label.isObject() || label.size() != 2 || !label.has("name") || !label.has("value")) {
                throw new BadRequestException("label: expected {\"name\": ..., \"value\": ...}");
            }
            labelName = text(label, "name", LABEL_NAME, "1 to 64 characters of A-Z a-z 0-9 _ . -");
            labelValue = freeText(label, "value", 1, 256);
        }
        JsonNode minutes = root.get("minutes");
        if (minutes == null || !minutes.canConvertToLong() || !minutes.isIntegralNumber()) {
            throw new BadRequestException(
                    "minutes: expected a whole number of minutes, 1 to " + MAX_SILENCE.toMinutes());
        }
        long m = minutes.asLong();
        if (m < 1 || m > MAX_SILENCE.toMinutes()) {
            throw new BadRequestException(
                    "minutes: expected a whole number of minutes, 1 to " + MAX_SILENCE.toMinutes());
        }
        Instant startsAt = now;
        if (root.has("startsAt")) {
            JsonNode at = root.get("startsAt");
            if (!at.isIntegralNumber()) {
                throw new BadRequestException("startsAt: expected epoch milliseconds");
            }
            startsAt = Instant.ofEpochMilli(at.asLong());
            if (startsAt.isAfter(now.plus(MAX_SILENCE)) || startsAt.isBefore(now.minus(Duration.ofDays(1)))) {
                throw new BadRequestException("startsAt: expected a time from a day ago to 30 days ahead");
            }
        }
        return new NewSilence(
                sensors,
                labelName,
                labelValue,
                startsAt,
                startsAt.plus(Duration.ofMinutes(m)),
                by(root),
                comment(root));
    }

    /** {@code {"sensor": "data_center_a1", "rule": "cold-aisle", "by": "alice", "comment": "..."}}. */
    NewAcknowledgement acknowledgement(byte[] body) {
        JsonNode root = object(body, Set.of("sensor", "rule", "by", "comment"));
        return new NewAcknowledgement(
                text(root, "sensor", SENSOR_ID, "a sensor id of 1 to 64 characters of A-Z a-z 0-9 _ -"),
                text(root, "rule", RULE, "a rule name of 1 to 64 characters of A-Z a-z 0-9 _ . -"),
                by(root),
                comment(root));
    }

    /** Who ends a silence: {@code {"by": "alice"}}. */
    String ender(byte[] body) {
        return by(object(body, Set.of("by")));
    }

    private JsonNode object(byte[] body, Set<String> allowed) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new BadRequestException("body: expected a JSON object");
        }
        if (root == null || !root.isObject()) {
            throw new BadRequestException("body: expected a JSON object");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new BadRequestException(
                        "unknown field '" + name.substring(0, Math.min(64, name.length())) + "': expected "
                                + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return root;
    }

    private static String by(JsonNode root) {
        return text(root, "by", BY, "who you are: 1 to 64 characters of A-Z a-z 0-9 space _ . @ -");
    }

    private static String comment(JsonNode root) {
        return root.has("comment") ? freeText(root, "comment", 0, 1000) : "";
    }

    private static String text(JsonNode node, String field, Pattern pattern, String expected) {
        JsonNode value = node.get(field);
        if (value == null
                || !value.isTextual()
                || !pattern.matcher(value.asText()).matches()) {
            throw new BadRequestException(field + ": expected " + expected);
        }
        return value.asText();
    }

    private static String freeText(JsonNode node, String field, int min, int max) {
        JsonNode value = node.get(field);
        if (value == null
                || !value.isTextual()
                || value.asText().length() < min
                || value.asText().length() > max
                || CONTROL.matcher(value.asText()).find()) {
            throw new BadRequestException(
                    field + ": expected text of " + min + " to " + max + " characters, without control characters");
        }
        return value.asText();
    }
}
