package io.thermowatch.dbwriter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.XDeath;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Triage for {@code thermowatch.dead-letter}, which db-writer drains so that nothing dead-lettered is lost: each
 * message is judged as a reading under the routing key it had before it was dead-lettered (RabbitMQ records it
 * in {@code x-death}). A valid reading is stored (the unique key absorbs a reading already stored from the
 * consumer queue), anything else is kept in {@code rejected_messages} with the {@code x-death} reason. Only
 * db-writer's queue dead-letters here (email-sender drains its own dead-letter queue); a sensor status, which can
 * arrive only from a broker still running older definitions that sent email-sender's dead letters here too, is
 * acknowledged.
 *
 * <p>Counts every dead letter taken, by the queue it was dead-lettered from ({@code dbwriter.deadletters}).
 */
final class DeadLetterTriage implements Triage {

    /** The dead-letter queue (bound to the dead-letter exchange of db-writer's queue, see rabbitmq/). */
    static final String QUEUE = "thermowatch.dead-letter";

    private final Triage readings;
    private final MeterRegistry registry;
    private final Map<String, Counter> bySource = new ConcurrentHashMap<>();

    DeadLetterTriage(Triage readings, MeterRegistry registry) {
        this.readings = readings;
        this.registry = registry;
    }

    @Override
    public DeliveryTriage.Outcome classify(AmqpDelivery delivery) {
        XDeath death = XDeath.of(delivery.headers(), delivery.routingKey());
        bySource.computeIfAbsent(
                        death.queue(),
                        q -> Counter.builder("dbwriter.deadletters")
                                .description("Messages drained from " + QUEUE
                                        + ", by the queue they were dead-lettered from")
                                .tag("source", q)
                                .register(registry))
                .increment();
        AmqpDelivery original = new AmqpDelivery(
                delivery.channelId(),
                delivery.tag(),
                death.routingKey(),
                delivery.body(),
                delivery.redelivered(),
                delivery.receivedAtMillis(),
                delivery.headers());
        DeliveryTriage.Outcome outcome = readings.classify(original);
        if (outcome instanceof DeliveryTriage.Reject reject) {
            RejectedMessage m = reject.message();
            return new DeliveryTriage.Reject(new RejectedMessage(
                    m.receivedAtMillis(),
                    m.routingKey(),
                    m.payload(),
                    "dead-lettered (" + death.reason() + " from " + death.queue() + "): " + m.reason()));
        }
        return outcome;
    }
}
