package io.thermowatch.emailsender;

/** Acknowledges one delivery (never cumulatively); ignores void refs. */
@FunctionalInterface
interface Acknowledger {
    void ack(DeliveryRef ref);
}
