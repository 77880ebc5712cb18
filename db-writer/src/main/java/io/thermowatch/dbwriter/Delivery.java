package io.thermowatch.dbwriter;

/**
 * One AMQP delivery as the consumer hands it to the writer.
 *
 * @param tag         delivery tag, valid only on the channel incarnation {@code epoch}
 * @param epoch       channel incarnation, bumped on every connection loss; tags of an older epoch are void
 * @param routingKey  routing key, e.g. {@code temperature.data_center_a1}
 * @param body        payload bytes as received
 * @param redelivered whether RabbitMQ flagged it as a redelivery
 * @param receivedAtMillis when the consumer received it, epoch milliseconds
 */
record Delivery(long tag, long epoch, String routingKey, byte[] body, boolean redelivered, long receivedAtMillis) {
}
