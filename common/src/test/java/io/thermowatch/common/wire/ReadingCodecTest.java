package io.thermowatch.common.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReadingCodecTest {

    private static final Instant NOW = Instant.parse("2025-11-27T16:13:20Z"); // 1764260000000
    private final ReadingCodec codec = new ReadingCodec(Clock.fixed(NOW, ZoneOffset.UTC));

    private Decoded decode(String payload) {
        return codec.decode("data_center_a1", payload.getBytes(StandardCharsets.UTF_8));
    }

    private String rejection(String payload) {
        return assertInstanceOf(Decoded.Rejected.class, decode(payload)).reason();
    }

    @Test
    void accepts_the_original_python_payload_with_an_integer_value() {
        Decoded decoded = decode("{\"value\": 23, \"timestamp\": 1764260000000}");

        Reading reading = assertInstanceOf(Decoded.Accepted.class, decoded).reading();
        assertEquals(new Reading("data_center_a1", 23.0, 1764260000000L), reading);
    }

    @Test
    void accepts_a_fractional_value_and_ignores_unknown_fields() {
        Decoded decoded = decode("{\"unit\":\"C\",\"value\":23.4,\"meta\":{\"a\":[1,2]},\"timestamp\":1764260000000}");

        assertEquals(
                23.4,
                assertInstanceOf(Decoded.Accepted.class, decoded).reading().value());
    }

    @Test
    void accepts_zero_and_negative_values() {
        assertInstanceOf(Decoded.Accepted.class, decode("{\"value\":0,\"timestamp\":1764260000000}"));
        assertInstanceOf(Decoded.Accepted.class, decode("{\"value\":-40.5,\"timestamp\":1764260000000}"));
    }

    @Test
    void encodes_the_wire_format_exactly() {
        byte[] payload = codec.encode(new Reading("data_center_a1", 23.4, 1764260000000L));

        assertArrayEquals("{\"value\":23.4,\"timestamp\":1764260000000}".getBytes(StandardCharsets.UTF_8), payload);
    }

    @Test
    void decode_of_encode_gives_the_same_reading() {
        Reading reading = new Reading("s-1", -12.5, 1764259999000L);

        Decoded decoded = codec.decode("s-1", codec.encode(reading));

        assertEquals(reading, assertInstanceOf(Decoded.Accepted.class, decoded).reading());
    }

    @Test
    void refuses_to_encode_nan() {
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new Reading("s", Double.NaN, 1L)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "not json at all                                          | not valid JSON",
                "[1,2,3]                                                  | not a JSON object",
                "\"23.4\"                                                 | not a JSON object",
                "42                                                       | not a JSON object",
                "{\"timestamp\":1764260000000}                            | missing field 'value'",
                "{\"value\":23.4}                                         | missing field 'timestamp'",
                "{\"value\":\"23.4\",\"timestamp\":1764260000000}         | field 'value' must be a number, got a string",
                "{\"value\":null,\"timestamp\":1764260000000}             | field 'value' must be a number, got null",
                "{\"value\":true,\"timestamp\":1764260000000}             | field 'value' must be a number, got a boolean",
                "{\"value\":{},\"timestamp\":1764260000000}               | field 'value' must be a number, got an object",
                "{\"value\":NaN,\"timestamp\":1764260000000}              | not valid JSON",
                "{\"value\":Infinity,\"timestamp\":1764260000000}         | not valid JSON",
                "{\"value\":1e400,\"timestamp\":1764260000000}            | value is not a finite number",
                "{\"value\":-300,\"timestamp\":1764260000000}             | below absolute zero",
                "{\"value\":1e308,\"timestamp\":1764260000000}            | above the plausible maximum",
                "{\"value\":23.4,\"timestamp\":\"1764260000000\"}         | field 'timestamp' must be an integer",
                "{\"value\":23.4,\"timestamp\":1764260000000.5}           | field 'timestamp' must be an integer",
                "{\"value\":23.4,\"timestamp\":99999999999999999999999}   | field 'timestamp' is out of range",
                "{\"value\":23.4,\"timestamp\":1764260000}                | before 2000-01-01: expected epoch milliseconds",
                "{\"value\":23.4,\"timestamp\":-1}                        | before 2000-01-01",
                "{\"value\":23.4,\"timestamp\":1764260400001}             | more than 5 minutes in the future",
                "{\"value\":1,\"value\":2,\"timestamp\":1764260000000}    | Duplicate field 'value'",
                "{\"value\":23.4,\"timestamp\":1764260000000} trailing    | not valid JSON",
                "{\"value\":23.4,\"timestamp\":1764260000000}{}           | trailing content",
                "{\"value\":23.4,                                         | not valid JSON",
            })
    void rejects_payloads_that_break_a_rule(String payload, String expectedReason) {
        String reason = rejection(payload.strip());

        assertTrue(reason.contains(expectedReason), () -> "reason was: " + reason);
    }

    @Test
    void accepts_a_timestamp_just_inside_the_clock_skew() {
        assertInstanceOf(Decoded.Accepted.class, decode("{\"value\":1,\"timestamp\":1764260300000}"));
    }

    @Test
    void rejects_an_empty_payload() {
        assertEquals("empty payload", rejection(""));
        assertInstanceOf(Decoded.Rejected.class, codec.decode("s", null));
    }

    @Test
    void rejects_a_payload_over_the_size_limit() {
        String padding = "x".repeat(ReadingCodec.MAX_PAYLOAD_BYTES);
        String payload = "{\"pad\":\"" + padding + "\",\"value\":1,\"timestamp\":1764260000000}";

        assertTrue(rejection(payload).contains("exceeds the limit of 4096 bytes"));
    }

    @Test
    void rejects_deeply_nested_json() {
        String payload = "{\"x\":" + "[".repeat(200) + "]".repeat(200) + ",\"value\":1,\"timestamp\":1764260000000}";

        assertTrue(rejection(payload).startsWith("not valid JSON"));
    }

    @Test
    void rejects_invalid_utf8() {
        byte[] payload = {'{', '"', 'v', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};

        Decoded decoded = codec.decode("s", payload);

        assertTrue(assertInstanceOf(Decoded.Rejected.class, decoded).reason().startsWith("not valid JSON"));
    }

    @Test
    void rejects_binary_garbage() {
        byte[] payload = {0, 1, 2, (byte) 0xFF, (byte) 0xFE, 3};

        assertInstanceOf(Decoded.Rejected.class, codec.decode("s", payload));
    }

    @ParameterizedTest
    @CsvSource({
        "''",
        "'<img onerror=x>'",
        "'a.b'",
        "'a/b'",
        "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"
    })
    void rejects_a_sensor_id_that_does_not_match_the_pattern(String sensorId) {
        Decoded decoded =
                codec.decode(sensorId, "{\"value\":1,\"timestamp\":1764260000000}".getBytes(StandardCharsets.UTF_8));

        assertTrue(assertInstanceOf(Decoded.Rejected.class, decoded).reason().contains("does not match"));
    }
}
