package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.wire.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterTriageTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DeadLetterTriage triage = new DeadLetterTriage(new DeliveryTriage(new ReadingCodec()), registry);

    private static AmqpDelivery deadLetter(String routingKey, String body, Map<String, Object> headers) {
        return new AmqpDelivery(
                1, 1, routingKey, body.getBytes(StandardCharsets.UTF_8), false, System.currentTimeMillis(), headers);
    }

    private static Map<String, Object> xDeath(String queue, String routingKey) {
        return Map.of(
                "x-death",
                List.of(Map.of(
                        "queue", queue, "reason", "delivery_limit", "count", 1L, "routing-keys", List.of(routingKey))));
    }

    @Test
    void a_valid_reading_is_stored_under_the_routing_key_it_had_before_it_was_dead_lettered() {
        // Given a reading published straight to the dead-letter queue (default exchange: routing key = queue)
        AmqpDelivery delivery = deadLetter(
                "thermowatch.dead-letter",
                "{\"value\": 21.5, \"timestamp\": " + (System.currentTimeMillis() - 1000) + "}",
                xDeath("thermowatch.db-writer", "temperature.s1"));
        // When
        DeliveryTriage.Outcome outcome = triage.classify(delivery);
        // Then
        DeliveryTriage.Store store = assertInstanceOf(DeliveryTriage.Store.class, outcome);
        assertEquals("s1", store.reading().sensorId());
        assertEquals(
                1.0,
                registry.get("dbwriter.deadletters")
                        .tag("source", "thermowatch.db-writer")
                        .counter()
                        .count());
    }

    @Test
    void undecodable_bytes_are_rejected_with_the_x_death_reason() {
        DeliveryTriage.Outcome outcome = triage.classify(
                deadLetter("temperature.s1", "not json", xDeath("thermowatch.db-writer", "temperature.s1")));

        DeliveryTriage.Reject reject = assertInstanceOf(DeliveryTriage.Reject.class, outcome);
        assertEquals("temperature.s1", reject.message().routingKey());
        assertEquals(
                true,
                reject.message()
                        .reason()
                        .startsWith("dead-lettered (delivery_limit from thermowatch.db-writer): not valid JSON"),
                reject.message().reason());
    }

    @Test
    void a_status_dead_lettered_from_email_senders_queue_is_acknowledged_without_storing() {
        DeliveryTriage.Outcome outcome = triage.classify(
                deadLetter("sensors.s1.status", "offline", xDeath("thermowatch.email-sender", "sensors.s1.status")));

        assertInstanceOf(DeliveryTriage.Ignore.class, outcome);
        assertEquals(
                1.0,
                registry.get("dbwriter.deadletters")
                        .tag("source", "thermowatch.email-sender")
                        .counter()
                        .count());
    }

    @Test
    void a_message_without_x_death_is_judged_as_it_is() {
        DeliveryTriage.Outcome outcome = triage.classify(deadLetter("thermowatch.dead-letter", "{}", Map.of()));

        DeliveryTriage.Reject reject = assertInstanceOf(DeliveryTriage.Reject.class, outcome);
        assertEquals(
                true,
                reject.message()
                        .reason()
                        .startsWith(
                                "dead-lettered (no x-death header from unknown" + " queue): unexpected routing key"),
                reject.message().reason());
    }
}
