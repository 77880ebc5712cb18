package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.Intake;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.WorkerSupervisor;
import io.thermowatch.common.wire.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The dead-letter queue's handler with a real engine and dispatcher; SMTP and the channels are fakes. */
class DeadLetterFeedTest {

    private static final String QUEUE = "thermowatch.email-sender.dead-letter";
    private static final Instant START = Instant.parse("2026-11-27T12:00:00Z");

    private final List<ComposedMail> sent = new CopyOnWriteArrayList<>();
    /** Acks sent at once by the feed. */
    private final List<DeliveryRef> ackedAtOnce = new CopyOnWriteArrayList<>();
    /** Acks sent by the dispatcher after SMTP accepted a mail. */
    private final List<DeliveryRef> ackedAfterMail = new CopyOnWriteArrayList<>();

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final TwoClocks clock = new TwoClocks(START);
    private final AlertEngine engine = clock.engine(AlertRules.defaults());
    private final AlertDispatcher dispatcher = new AlertDispatcher(
            Duration.ofMillis(100),
            new MailComposer(AlertRules.defaults(), ZoneOffset.UTC, ""),
            sent::add,
            recording(ackedAfterMail),
            new Intake() {
                @Override
                public void suspend(String why) {}

                @Override
                public void resume() {}
            },
            mailed -> {},
            MonotonicClock.system(),
            Duration.ofMillis(200),
            registry);
    private final DeadLetterFeed feed =
            new DeadLetterFeed(engine, dispatcher, recording(ackedAtOnce), new ReadingCodec(clock.wall), registry);
    private long tags;

    @AfterEach
    void close() {
        dispatcher.close();
    }

    private static Acknowledger recording(List<DeliveryRef> into) {
        return new Acknowledger() {
            @Override
            public boolean isCurrent(long channelId) {
                return true;
            }

            @Override
            public boolean ack(DeliveryRef ref, boolean multiple) {
                into.add(ref);
                return true;
            }
        };
    }

    /** As RabbitMQ delivers a message dead-lettered from email-sender's queue past its delivery-limit. */
    private AmqpDelivery deadLetter(String originalRoutingKey, String body) {
        Map<String, Object> death = Map.of(
                "queue", "thermowatch.email-sender",
                "reason", "delivery_limit",
                "routing-keys", List.of(originalRoutingKey));
        return new AmqpDelivery(
                1,
                ++tags,
                originalRoutingKey,
                body.getBytes(StandardCharsets.UTF_8),
                false,
                clock.instant().toEpochMilli(),
                Map.of("x-death", List.of(death)));
    }

    private static String reading(double value, Instant stamp) {
        return "{\"value\": " + value + ", \"timestamp\": " + stamp.toEpochMilli() + "}";
    }

    private double count(String outcome) {
        return registry.get("thermowatch.dead.letters")
                .tag("outcome", outcome)
                .counter()
                .count();
    }

    @Test
    void a_hot_dead_letter_is_mailed_and_acknowledged_only_once_the_mail_is_accepted() {
        // Given
        dispatcher.start(new WorkerSupervisor("test", () -> {}));
        AmqpDelivery hot = deadLetter("temperature.dl1", reading(31.5, START.minus(Duration.ofHours(10))));
        // When
        feed.handle(hot);
        // Then
        assertEquals(List.of(), ackedAtOnce);
        await().atMost(Duration.ofSeconds(5)).until(() -> ackedAfterMail.equals(List.of(hot.ref())));
        assertEquals(1, sent.size());
        assertEquals("Temperature Alert: 31.5°C on temperature/dl1", sent.get(0).subject());
        assertEquals(1.0, count("alerted"));
    }

    @Test
    void a_dead_letter_that_changes_nothing_is_acknowledged_at_once() {
        // When: a cool reading and a status
        AmqpDelivery cool = deadLetter("temperature.dl2", reading(21.0, START.minusSeconds(60)));
        AmqpDelivery status = deadLetter("sensors.dl2.status", "offline");
        feed.handle(cool);
        feed.handle(status);
        // Then
        assertEquals(List.of(cool.ref(), status.ref()), ackedAtOnce);
        assertEquals(2.0, count("unchanged"));
        assertEquals(SensorAlert.State.UNKNOWN, engine.stateOf("dl2"));
        assertEquals(0, dispatcher.pendingCount());
    }

    @Test
    void what_cannot_be_evaluated_is_acknowledged_and_counted() {
        // When: bytes that are no reading, and a message put into the queue by hand without x-death
        AmqpDelivery junk = deadLetter("temperature.dl3", "not a reading");
        AmqpDelivery byHand = new AmqpDelivery(
                1, ++tags, QUEUE, reading(30.0, START).getBytes(StandardCharsets.UTF_8), false, 0, Map.of());
        feed.handle(junk);
        feed.handle(byHand);
        // Then
        assertEquals(List.of(junk.ref(), byHand.ref()), ackedAtOnce);
        assertEquals(2.0, count("undecodable"));
        assertEquals(0, dispatcher.pendingCount());
    }
}
