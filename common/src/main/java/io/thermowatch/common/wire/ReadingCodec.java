package io.thermowatch.common.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Strict codec for the reading payload {@code {"value": 23.4, "timestamp": 1764260000000}} (°C, epoch ms).
 *
 * <p>Decoding never throws: every payload yields either {@link Decoded.Accepted} or {@link Decoded.Rejected}
 * with a one-sentence reason, so a consumer can store the bytes and go on. Unknown extra fields are ignored,
 * as the wire contract says. Thread-safe: one instance can serve every consumer thread.
 */
public final class ReadingCodec {

    /** Largest payload accepted, in bytes. A reading is about 45 bytes; the rest is room for extra fields. */
    public static final int MAX_PAYLOAD_BYTES = 4096;
    /** Coldest value accepted: absolute zero. */
    public static final double MIN_VALUE_CELSIUS = -273.15;
    /** Hottest value accepted; anything above is a broken sensor or hostile input, not a data centre. */
    public static final double MAX_VALUE_CELSIUS = 1000.0;
    /** How far ahead of our clock a sensor's clock may run. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    /** Timestamps before 2000-01-01 are rejected; most often they are epoch seconds sent as milliseconds. */
    public static final long MIN_TIMESTAMP_MILLIS =
            Instant.parse("2000-01-01T00:00:00Z").toEpochMilli();

    private static final int MAX_NESTING_DEPTH = 16;
    private static final int MAX_REASON_DETAIL = 120;
    private static final String VALUE = "value";
    private static final String TIMESTAMP = "timestamp";

    private final Clock clock;
    private final JsonFactory json;

    /** A codec that judges "future" timestamps against the system clock. */
    public ReadingCodec() {
        this(Clock.systemUTC());
    }

    /** A codec that judges "future" timestamps against {@code clock} (tests pass a fixed one). */
    public ReadingCodec(Clock clock) {
        this.clock = clock;
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Jackson's own faster double parser (same results): every message carries one double.
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxNumberLength(64)
                        .maxStringLength(MAX_PAYLOAD_BYTES)
                        .build())
                .build();
    }

    /**
     * Decodes a payload received for {@code sensorId} (taken from the topic or routing key).
     *
     * @return the reading, or the first rule the payload breaks
     */
    public Decoded decode(String sensorId, byte[] payload) {
        if (!Topics.isValidSensorId(sensorId)) {
            return reject("sensor id '" + shorten(sensorId) + "' does not match [A-Za-z0-9_-]{1,64}");
        }
        if (payload == null || payload.length == 0) {
            return reject("empty payload");
        }
        if (payload.length > MAX_PAYLOAD_BYTES) {
            return reject(
                    "payload of " + payload.length + " bytes exceeds the limit of " + MAX_PAYLOAD_BYTES + " bytes");
        }
        try (JsonParser parser = json.createParser(payload)) {
            return decodeObject(sensorId, parser);
        } catch (JsonProcessingException e) {
            return reject("not valid JSON: " + shorten(e.getOriginalMessage()));
        } catch (IOException e) {
            return reject("unreadable payload: " + shorten(e.getMessage()));
        }
    }

    private Decoded decodeObject(String sensorId, JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return reject("not a JSON object");
        }
        Double value = null;
        Long timestamp = null;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken fieldValue = parser.nextToken();
            if (token == null || fieldValue == null) {
                return reject("not valid JSON: unexpected end of input");
            }
            if (VALUE.equals(field)) {
                if (!fieldValue.isNumeric()) {
                    return reject("field 'value' must be a number, got " + describe(fieldValue));
                }
                value = parser.getDoubleValue();
            } else if (TIMESTAMP.equals(field)) {
                if (fieldValue != JsonToken.VALUE_NUMBER_INT) {
                    return reject(
                            "field 'timestamp' must be an integer (epoch milliseconds), got " + describe(fieldValue));
                }
                if (parser.getNumberType() != JsonParser.NumberType.INT
                        && parser.getNumberType() != JsonParser.NumberType.LONG) {
                    return reject("field 'timestamp' is out of range");
                }
                timestamp = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
        if (parser.nextToken() != null) {
            return reject("trailing content after the JSON object");
        }
        if (value == null) {
            return reject("missing field 'value'");
        }
        if (timestamp == null) {
            return reject("missing field 'timestamp'");
        }
        return validate(new Reading(sensorId, value, timestamp));
    }

    private Decoded validate(Reading reading) {
        double value = reading.value();
        if (!Double.isFinite(value)) {
            return reject("value is not a finite number");
        }
        if (value < MIN_VALUE_CELSIUS) {
            return reject("value " + value + " °C is below absolute zero (" + MIN_VALUE_CELSIUS + " °C)");
        }
        if (value > MAX_VALUE_CELSIUS) {
            return reject("value " + value + " °C is above the plausible maximum of " + MAX_VALUE_CELSIUS + " °C");
        }
        long timestamp = reading.timestampMillis();
        if (timestamp < MIN_TIMESTAMP_MILLIS) {
            return reject("timestamp " + timestamp + " is before 2000-01-01: expected epoch milliseconds");
        }
        long latestAllowed = clock.millis() + MAX_CLOCK_SKEW.toMillis();
        if (timestamp > latestAllowed) {
            return reject("timestamp " + timestamp + " is more than " + MAX_CLOCK_SKEW.toMinutes()
                    + " minutes in the future");
        }
        return new Decoded.Accepted(reading);
    }

    /**
     * Encodes a reading as the wire payload, e.g. {@code {"value":23.4,"timestamp":1764260000000}}.
     *
     * @throws IllegalArgumentException if the value is NaN or infinite (JSON cannot carry it)
     */
    public byte[] encode(Reading reading) {
        if (!Double.isFinite(reading.value())) {
            throw new IllegalArgumentException("value " + reading.value() + " cannot be encoded as JSON");
        }
        String text = "{\"value\":" + reading.value() + ",\"timestamp\":" + reading.timestampMillis() + '}';
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Decoded reject(String reason) {
        return new Decoded.Rejected(reason);
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> "a string";
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_NUMBER_FLOAT -> "a fractional number";
            default -> token.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String shorten(String text) {
        if (text == null) {
            return "null";
        }
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_REASON_DETAIL ? oneLine : oneLine.substring(0, MAX_REASON_DETAIL) + "…";
    }
}
