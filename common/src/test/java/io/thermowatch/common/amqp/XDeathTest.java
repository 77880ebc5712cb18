package io.thermowatch.common.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.impl.LongStringHelper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class XDeathTest {

    @Test
    void the_latest_entry_names_the_queue_the_reason_and_the_routing_key_the_message_had_there() {
        // Given: headers as the client hands them over (strings as LongString), newest entry first
        Map<String, Object> headers = Map.of(
                "x-death",
                List.of(
                        Map.of(
                                "queue", LongStringHelper.asLongString("thermowatch.email-sender"),
                                "reason", LongStringHelper.asLongString("delivery_limit"),
                                "routing-keys", List.of(LongStringHelper.asLongString("temperature.s1"))),
                        Map.of("queue", "older", "reason", "expired")));
        // When
        XDeath death = XDeath.of(headers, "thermowatch.email-sender.dead-letter");
        // Then
        assertEquals(new XDeath("thermowatch.email-sender", "delivery_limit", "temperature.s1"), death);
    }

    @Test
    void a_message_put_into_a_dead_letter_queue_by_hand_keeps_its_own_routing_key() {
        assertEquals(
                new XDeath("unknown queue", "no x-death header", "temperature.s1"),
                XDeath.of(Map.of(), "temperature.s1"));
    }

    @Test
    void an_entry_without_routing_keys_keeps_the_delivery_routing_key() {
        XDeath death = XDeath.of(Map.of("x-death", List.of(Map.of("queue", "q"))), "sensors.s1.status");
        assertEquals(new XDeath("q", "unknown reason", "sensors.s1.status"), death);
    }
}
