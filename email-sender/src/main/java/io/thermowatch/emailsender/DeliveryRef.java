package io.thermowatch.emailsender;

/**
 * An AMQP delivery to acknowledge later. Delivery tags are only valid on the channel that delivered them:
 * {@code epoch} counts channel incarnations (connection recoveries, channel reopens), and a ref of an older
 * epoch is void (the broker has requeued that message and will deliver it again).
 */
record DeliveryRef(long epoch, long tag) {
}
