package io.thermowatch.emailsender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.AmqpConsumer;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.wire.Decoded;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.SensorStatus;
import io.thermowatch.common.wire.Topics;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the deliveries of {@code thermowatch.email-sender} to the {@link AlertEngine} and marks each one done for its
 * {@link Acknowledger} (an {@link io.thermowatch.common.amqp.AckBatcher}, which acknowledges in batches): at once when
 * it causes no mail, after SMTP accepted the mail when it does (see {@link AlertDispatcher}); a delivery waiting for
 * its mail is never covered by the batch acks of those after it. The subscription itself (prefetch, re-subscribing,
 * channel identity) is the {@link AmqpConsumer}'s.
 *
 * <p>A message whose channel was replaced before its ack is redelivered; the engine sees it as a copy (redelivered,
 * stamped at or before the newest stamp seen) and it is acked, or held while a mail about that sensor is still
 * pending.
 */
final class AlertFeed implements AmqpConsumer.Handler {

    private static final Logger log = LoggerFactory.getLogger(AlertFeed.class);
    private static final long REJECT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String queue;
    private final AlertEngine engine;
    private final AlertDispatcher dispatcher;
    private final Acknowledger acks;
    private final ReadingCodec codec;
    private final ClockSkewMeter skew;
    private final Counter consumed;
    private final Counter rejected;
    private final AtomicLong lastRejectLogNanos = new AtomicLong(System.nanoTime() - REJECT_LOG_INTERVAL_NANOS);
    private final AtomicLong suppressedRejects = new AtomicLong();

    AlertFeed(
            String queue,
            AlertEngine engine,
            AlertDispatcher dispatcher,
            Acknowledger acks,
            ReadingCodec codec,
            ClockSkewMeter skew,
            MeterRegistry registry) {
        this.queue = queue;
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.acks = acks;
        this.codec = codec;
        this.skew = skew;
        this.consumed = Counter.builder("thermowatch.messages.consumed").register(registry);
        this.rejected = Counter.builder("thermowatch.messages.rejected")
                .description("Malformed messages, logged and acknowledged")
                .register(registry);
    }

    @Override
    public void handle(AmqpDelivery delivery) {
        consumed.increment();
        DeliveryRef ref = delivery.ref();
        String routingKey = delivery.routingKey();
        Optional<Topics.Route> route = Topics.parseRoutingKey(routingKey);
        if (route.isEmpty()) {
            reject(ref, routingKey, "unknown routing key");
            return;
        }
        String sensorId = route.get().sensorId();
        List<Notification> notifications;
        if (route.get().kind() == Topics.Kind.READING) {
            Decoded decoded = codec.decode(sensorId, delivery.body());
            if (decoded instanceof Decoded.Rejected r) {
                reject(ref, routingKey, r.reason());
                return;
            }
            Reading reading = ((Decoded.Accepted) decoded).reading();
            skew.observe(reading.timestampMillis(), System.currentTimeMillis());
            notifications =
                    engine.onReading(sensorId, reading.value(), reading.timestampMillis(), delivery.redelivered());
        } else {
            Optional<SensorStatus> status = SensorStatus.parse(delivery.body());
            if (status.isEmpty()) {
                reject(ref, routingKey, "status payload is neither online nor offline");
                return;
            }
            notifications =
                    status.get() == SensorStatus.ONLINE ? engine.onOnline(sensorId) : engine.onOffline(sensorId);
        }
        if (!notifications.isEmpty()) {
            dispatcher.add(notifications, ref);
        } else if (!(delivery.redelivered() && dispatcher.holdWhilePending(sensorId, ref))) {
            acks.ack(ref, false);
        }
    }

    private void reject(DeliveryRef ref, String routingKey, String reason) {
        rejected.increment();
        long now = System.nanoTime();
        long last = lastRejectLogNanos.get();
        // One line per 10 s at most: a sensor sending garbage every second must not flood the log.
        if (now - last >= REJECT_LOG_INTERVAL_NANOS && lastRejectLogNanos.compareAndSet(last, now)) {
            long suppressed = suppressedRejects.getAndSet(0);
            log.warn(
                    "{} - Ignoring malformed message on '{}': {} (acknowledged; db-writer keeps the bytes){}",
                    queue,
                    routingKey,
                    reason,
                    suppressed > 0 ? "; " + suppressed + " more since the last such line" : "");
        } else {
            suppressedRejects.incrementAndGet();
        }
        acks.ack(ref, false);
    }
}
