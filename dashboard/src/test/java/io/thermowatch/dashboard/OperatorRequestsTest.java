package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OperatorRequestsTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    private final OperatorRequests requests = new OperatorRequests(new ObjectMapper());

    private static byte[] body(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private String refusal(String json) {
        return assertThrows(BadRequestException.class, () -> requests.silence(body(json), NOW))
                .getMessage();
    }

    @Test
    void a_silence_by_glob_starts_now_and_lasts_its_minutes() {
        var s = requests.silence(body("{\"sensors\": \"rack_a*\", \"minutes\": 90, \"by\": \"alice\"}"), NOW);
        assertEquals("rack_a*", s.sensors());
        assertEquals(NOW, s.startsAt());
        assertEquals(NOW.plus(Duration.ofMinutes(90)), s.endsAt());
        assertEquals("", s.comment());
    }

    @Test
    void a_silence_by_label_keeps_name_and_value() {
        var s = requests.silence(
                body("{\"label\": {\"name\": \"rack\", \"value\": \"A1\"}, \"minutes\": 5, \"by\": \"bob\"}"), NOW);
        assertEquals("rack", s.labelName());
        assertEquals("A1", s.labelValue());
        assertEquals(null, s.sensors());
    }

    @Test
    void bad_silences_are_refused_naming_the_field() {
        assertTrue(refusal("[]").startsWith("body: "));
        assertTrue(refusal("{\"minutes\": 5, \"by\": \"a\"}").startsWith("give either sensors"));
        assertTrue(
                refusal("{\"sensors\": \"a b\", \"minutes\": 5, \"by\": \"a\"}").startsWith("sensors: "));
        assertTrue(refusal("{\"sensors\": \"a\", \"minutes\": 43201, \"by\": \"a\"}")
                .startsWith("minutes: "));
        assertTrue(
                refusal("{\"sensors\": \"a\", \"minutes\": 1.5, \"by\": \"a\"}").startsWith("minutes: "));
        assertTrue(refusal("{\"sensors\": \"a\", \"minutes\": 5}").startsWith("by: "));
        assertTrue(refusal("{\"sensors\": \"a\", \"minutes\": 5, \"by\": \"a\", \"comment\": \"x\\u0007\"}")
                .startsWith("comment: "));
        assertTrue(refusal("{\"sensors\": \"a\", \"minutes\": 5, \"by\": \"a\", \"admin\": true}")
                .startsWith("unknown field 'admin'"));
    }

    @Test
    void an_acknowledgement_needs_a_sensor_id_and_a_rule_name() {
        var a = requests.acknowledgement(body("{\"sensor\": \"s1\", \"rule\": \"cold-aisle\", \"by\": \"carol\"}"));
        assertEquals("cold-aisle", a.rule());
        assertThrows(
                BadRequestException.class,
                () -> requests.acknowledgement(body("{\"sensor\": \"s 1\", \"rule\": \"r\", \"by\": \"c\"}")));
    }
}
