package io.thermowatch.emailsender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.AmqpConsumer;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.XDeath;
import io.thermowatch.common.wire.Decoded;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.SensorStatus;
import io.thermowatch.common.wire.Topics;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains {@code thermowatch.email-sender.dead-letter}, where RabbitMQ puts what email-sender's queue gave up on,
 * so that no alert is lost there: each message is judged under the routing key it had in email-sender's queue
 * ({@link XDeath}) and a reading goes to the {@link AlertEngine} as a late arrival
 * ({@link AlertEngine#onLateReading}: a hot value fires a sensor that is not firing, nothing moves backwards).
 * Acknowledged like the main queue's messages: after SMTP accepted the mail it caused, at once when it caused none.
 * A sensor status carries no stamp, so a late one says nothing about now: acknowledged, changes nothing. What
 * cannot be decoded is acknowledged with a WARN naming why it was dead-lettered (email-sender keeps no bytes; the
 * consumer queue's malformed messages never get here, {@link AlertFeed} acknowledges them).
 *
 * <p>Counts every dead letter taken by outcome ({@code thermowatch_dead_letters_total}): {@code alerted},
 * {@code unchanged}, {@code undecodable}.
 */
final class DeadLetterFeed implements AmqpConsumer.Handler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterFeed.class);
    private static final String QUEUE = Topics.EMAIL_SENDER_DEAD_LETTER_QUEUE;

    private final AlertEngine engine;
    private final AlertDispatcher dispatcher;
    private final Acknowledger acks;
    private final ReadingCodec codec;
    private final Counter alerted;
    private final Counter unchanged;
    private final Counter undecodable;

    /** @param acks the dead-letter queue's consumer, for what is acknowledged at once */
    DeadLetterFeed(
            AlertEngine engine,
            AlertDispatcher dispatcher,
            Acknowledger acks,
            ReadingCodec codec,
            MeterRegistry registry) {
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.acks = acks;
        this.codec = codec;
        this.alerted = counter(registry, "alerted");
        this.unchanged = counter(registry, "unchanged");
        this.undecodable = counter(registry, "undecodable");
    }

    private static Counter counter(MeterRegistry registry, String outcome) {
        return Counter.builder("thermowatch.dead.letters")
                .description("Messages drained from " + QUEUE + " and evaluated as late arrivals, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void handle(AmqpDelivery delivery) {
        DeliveryRef ref = delivery.ref();
        XDeath death = XDeath.of(delivery.headers(), delivery.routingKey());
        Optional<Topics.Route> route = Topics.parseRoutingKey(death.routingKey());
        if (route.isEmpty()) {
            drop(ref, death, "unknown routing key");
            return;
        }
        String sensorId = route.get().sensorId();
        if (route.get().kind() == Topics.Kind.STATUS) {
            if (SensorStatus.parse(delivery.body()).isEmpty()) {
                drop(ref, death, "status payload is neither online nor offline");
                return;
            }
            unchanged.increment();
            acks.ack(ref, false);
            return;
        }
        Decoded decoded = codec.decode(sensorId, delivery.body());
        if (decoded instanceof Decoded.Rejected r) {
            drop(ref, death, r.reason());
            return;
        }
        Reading reading = ((Decoded.Accepted) decoded).reading();
        List<Notification> notifications = engine.onLateReading(sensorId, reading.value(), reading.timestampMillis());
        if (!notifications.isEmpty()) {
            alerted.increment();
            log.info(
                    "{} - Late reading {} °C of '{}' stamped {} ({} from {}): {} alert(s)",
                    QUEUE,
                    reading.value(),
                    sensorId,
                    Instant.ofEpochMilli(reading.timestampMillis()),
                    death.reason(),
                    death.queue(),
                    notifications.size());
            dispatcher.add(notifications, ref);
            return;
        }
        unchanged.increment();
        // As on the main queue: a redelivered copy stays unacknowledged while a mail about the sensor is pending.
        if (!(delivery.redelivered() && dispatcher.holdWhilePending(sensorId, ref))) {
            acks.ack(ref, false);
        }
    }

    private void drop(DeliveryRef ref, XDeath death, String why) {
        undecodable.increment();
        log.warn(
                "{} - Dropping a dead letter that cannot be evaluated, '{}' ({} from {}): {}; acknowledged",
                QUEUE,
                death.routingKey(),
                death.reason(),
                death.queue(),
                why);
        acks.ack(ref, false);
    }
}
