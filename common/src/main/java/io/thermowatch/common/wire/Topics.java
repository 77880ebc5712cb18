package io.thermowatch.common.wire;

import java.util.Optional;

/**
 * Topic and routing-key names of the wire contract.
 *
 * <p>MQTT topics use {@code /}; RabbitMQ's MQTT plugin maps them to AMQP routing keys on {@code amq.topic}
 * with {@code .} in their place. Sensor ids cannot contain either separator, so the mapping is lossless.
 */
public final class Topics {

    /** The exchange RabbitMQ's MQTT plugin publishes into. */
    public static final String EXCHANGE = "amq.topic";
    /** Quorum queue consumed by db-writer (bound with {@code temperature.*}). */
    public static final String DB_WRITER_QUEUE = "thermowatch.db-writer";
    /** Quorum queue consumed by email-sender (bound with {@code temperature.*} and {@code sensors.*.status}). */
    public static final String EMAIL_SENDER_QUEUE = "thermowatch.email-sender";
    /**
     * Quorum queue where {@link #EMAIL_SENDER_QUEUE} dead-letters (its own dead-letter exchange of the same name),
     * drained by email-sender.
     */
    public static final String EMAIL_SENDER_DEAD_LETTER_QUEUE = "thermowatch.email-sender.dead-letter";
    /** MQTT filter for every reading. */
    public static final String ALL_READINGS_FILTER = "temperature/#";
    /** MQTT filter for every sensor status. */
    public static final String ALL_STATUSES_FILTER = "sensors/+/status";

    private static final int MAX_SENSOR_ID_LENGTH = 64;
    private static final String READING_PREFIX = "temperature";
    private static final String STATUS_PREFIX = "sensors";
    private static final String STATUS_SUFFIX = "status";

    /** What a topic or routing key carries. */
    public enum Kind {
        READING,
        STATUS
    }

    /** A parsed topic or routing key: its kind and the sensor it belongs to. */
    public record Route(Kind kind, String sensorId) {}

    private Topics() {}

    /** True if {@code id} matches {@code [A-Za-z0-9_-]{1,64}}. */
    public static boolean isValidSensorId(String id) {
        // A loop, not a regex: this runs for every message db-writer and email-sender receive, and a
        // character-class regex was the hottest frame of db-writer's drain profile.
        if (id == null || id.isEmpty() || id.length() > MAX_SENSOR_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean allowed =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /** {@code temperature/<id>}. */
    public static String readingTopic(String sensorId) {
        return READING_PREFIX + '/' + requireValid(sensorId);
    }

    /** {@code sensors/<id>/status}. */
    public static String statusTopic(String sensorId) {
        return STATUS_PREFIX + '/' + requireValid(sensorId) + '/' + STATUS_SUFFIX;
    }

    /** {@code temperature.<id>}. */
    public static String readingRoutingKey(String sensorId) {
        return toRoutingKey(readingTopic(sensorId));
    }

    /** {@code sensors.<id>.status}. */
    public static String statusRoutingKey(String sensorId) {
        return toRoutingKey(statusTopic(sensorId));
    }

    /** Maps an MQTT topic to the AMQP routing key RabbitMQ gives it ({@code /} becomes {@code .}). */
    public static String toRoutingKey(String mqttTopic) {
        return mqttTopic.replace('/', '.');
    }

    /** Maps an AMQP routing key back to its MQTT topic ({@code .} becomes {@code /}). */
    public static String toMqttTopic(String routingKey) {
        return routingKey.replace('.', '/');
    }

    /** Parses {@code temperature.<id>} or {@code sensors.<id>.status}; anything else, or a bad id, is empty. */
    public static Optional<Route> parseRoutingKey(String routingKey) {
        return routingKey == null ? Optional.empty() : parse(levels(routingKey, '.'));
    }

    /** Parses {@code temperature/<id>} or {@code sensors/<id>/status}; anything else, or a bad id, is empty. */
    public static Optional<Route> parseTopic(String topic) {
        return topic == null ? Optional.empty() : parse(levels(topic, '/'));
    }

    /** Splits on {@code separator} keeping empty levels (String.split takes a regex, needlessly slow per message). */
    private static String[] levels(String name, char separator) {
        int count = 1;
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) == separator) {
                count++;
            }
        }
        String[] levels = new String[count];
        int start = 0;
        for (int level = 0; level < count - 1; level++) {
            int end = name.indexOf(separator, start);
            levels[level] = name.substring(start, end);
            start = end + 1;
        }
        levels[count - 1] = name.substring(start);
        return levels;
    }

    private static Optional<Route> parse(String[] levels) {
        if (levels.length == 2 && READING_PREFIX.equals(levels[0]) && isValidSensorId(levels[1])) {
            return Optional.of(new Route(Kind.READING, levels[1]));
        }
        if (levels.length == 3
                && STATUS_PREFIX.equals(levels[0])
                && STATUS_SUFFIX.equals(levels[2])
                && isValidSensorId(levels[1])) {
            return Optional.of(new Route(Kind.STATUS, levels[1]));
        }
        return Optional.empty();
    }

    private static String requireValid(String sensorId) {
        if (!isValidSensorId(sensorId)) {
            throw new IllegalArgumentException("sensor id '" + sensorId + "': expected [A-Za-z0-9_-]{1,64}");
        }
        return sensorId;
    }
}
