package io.thermowatch.common.amqp;

import java.util.Map;

/**
 * One message as an {@link AmqpConsumer} hands it over.
 *
 * @param channelId        the channel it came from (see {@link DeliveryRef}); fixed when the channel was opened,
 *                         not when the message was dispatched
 * @param tag              delivery tag, valid only on that channel
 * @param routingKey       routing key, e.g. {@code temperature.data_center_a1}
 * @param body             payload bytes as received
 * @param redelivered      whether RabbitMQ flagged it as a redelivery
 * @param receivedAtMillis when the consumer received it, epoch milliseconds
 * @param headers          the message's AMQP headers (e.g. {@code x-death} of a dead letter); empty when none
 */
public record AmqpDelivery(
        long channelId,
        long tag,
        String routingKey,
        byte[] body,
        boolean redelivered,
        long receivedAtMillis,
        Map<String, Object> headers) {

    public AmqpDelivery {
        headers = headers == null ? Map.of() : headers;
    }

    /** A delivery without headers. */
    public AmqpDelivery(
            long channelId, long tag, String routingKey, byte[] body, boolean redelivered, long receivedAtMillis) {
        this(channelId, tag, routingKey, body, redelivered, receivedAtMillis, Map.of());
    }

    /** Where to acknowledge it. */
    public DeliveryRef ref() {
        return new DeliveryRef(channelId, tag);
    }
}
