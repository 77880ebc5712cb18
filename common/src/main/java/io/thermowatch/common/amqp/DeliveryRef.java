package io.thermowatch.common.amqp;

/**
 * What an acknowledgement needs: the consumer channel a delivery came from and its tag there. A delivery tag is
 * valid only on its own channel; {@code channelId} names that channel incarnation (unique within the process,
 * increasing, never reused), so an ack for a channel that is gone can be recognised and dropped.
 *
 * @param channelId the channel the delivery came from, as numbered by {@link AmqpConsumer}
 * @param tag       its delivery tag on that channel
 */
public record DeliveryRef(long channelId, long tag) {}
