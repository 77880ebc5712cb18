package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DeliveryTriageTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private final DeliveryTriage triage = new DeliveryTriage(new ReadingCodec(Clock.fixed(NOW, ZoneOffset.UTC)));

    private static AmqpDelivery delivery(String routingKey, String body) {
        return new AmqpDelivery(0, 7, routingKey, body.getBytes(StandardCharsets.UTF_8), false, NOW.toEpochMilli());
    }

    @Test
    void the_original_payload_becomes_a_reading_of_the_routing_keys_sensor() {
        // When
        DeliveryTriage.Outcome outcome = triage.classify(
                delivery("temperature.data_center_a1", "{\"value\": 23, \"timestamp\": 1764244800000}"));
        // Then
        Reading reading = assertInstanceOf(DeliveryTriage.Store.class, outcome).reading();
        assertEquals(new Reading("data_center_a1", 23.0, 1764244800000L), reading);
    }

    @Test
    void readings_stamped_far_from_their_arrival_are_counted_as_clock_skew() {
        // Given
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DeliveryTriage counting = new DeliveryTriage(
                new ReadingCodec(Clock.fixed(NOW, ZoneOffset.UTC)),
                new ClockSkewMeter(Duration.ofSeconds(30), registry));
        long now = NOW.toEpochMilli();
        // When: 4 min ahead, 10 min behind, 1 s behind
        for (long stamp : new long[] {now + 240_000, now - 600_000, now - 1_000}) {
            assertInstanceOf(
                    DeliveryTriage.Store.class,
                    counting.classify(delivery("temperature.s1", "{\"value\": 21, \"timestamp\": " + stamp + "}")));
        }
        // Then
        assertEquals(
                1.0,
                registry.get(ClockSkewMeter.METER)
                        .tag("direction", "ahead")
                        .counter()
                        .count());
        assertEquals(
                1.0,
                registry.get(ClockSkewMeter.METER)
                        .tag("direction", "behind")
                        .counter()
                        .count());
    }

    @Test
    void a_status_message_is_ignored_not_rejected() {
        assertInstanceOf(
                DeliveryTriage.Ignore.class, triage.classify(delivery("sensors.data_center_a1.status", "offline")));
    }

    @Test
    void a_bad_payload_is_rejected_with_the_codecs_reason_and_its_bytes() {
        // Given
        AmqpDelivery bad = delivery("temperature.s1", "{\"value\": \"hot\", \"timestamp\": 1764244800000}");
        // When
        RejectedMessage rejected = assertInstanceOf(DeliveryTriage.Reject.class, triage.classify(bad))
                .message();
        // Then
        assertEquals("temperature.s1", rejected.routingKey());
        assertArrayEquals(bad.body(), rejected.payload());
        assertTrue(rejected.reason().contains("value"), rejected.reason());
        assertEquals(NOW.toEpochMilli(), rejected.receivedAtMillis());
    }

    @Test
    void a_malformed_sensor_id_is_rejected_with_the_id_rule() {
        RejectedMessage rejected = assertInstanceOf(
                        DeliveryTriage.Reject.class,
                        triage.classify(
                                delivery("temperature.bad!id", "{\"value\": 20, \"timestamp\": 1764244800000}")))
                .message();
        assertTrue(rejected.reason().contains("does not match"), rejected.reason());
    }

    @Test
    void an_unexpected_routing_key_is_rejected() {
        RejectedMessage rejected = assertInstanceOf(
                        DeliveryTriage.Reject.class, triage.classify(delivery("weather.today", "{}")))
                .message();
        assertTrue(rejected.reason().startsWith("unexpected routing key 'weather.today'"), rejected.reason());
    }
}
