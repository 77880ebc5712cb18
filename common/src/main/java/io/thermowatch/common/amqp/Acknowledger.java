package io.thermowatch.common.amqp;

/**
 * Acknowledges deliveries on the channel they came from, never on another one. Implemented by
 * {@link AmqpConsumer}; services depend on this interface so their tests can pass a fake. Thread-safe.
 */
public interface Acknowledger {

    /** True while deliveries of that channel can still be acknowledged (it is the consumer's open channel). */
    boolean isCurrent(long channelId);

    /**
     * Acknowledges {@code ref} (with {@code multiple}, also every earlier unacknowledged delivery of its channel).
     *
     * @return false if nothing was acknowledged: its channel is gone or the send failed; RabbitMQ then redelivers
     *         the messages
     */
    boolean ack(DeliveryRef ref, boolean multiple);
}
