package io.thermowatch.dbwriter;

import java.io.IOException;

/** Acknowledges deliveries on the channel they came from. */
interface Acknowledger {

    /** The channel incarnation deliveries arrive on now; bumped on every connection loss. */
    long currentEpoch();

    /**
     * Acknowledges every delivery up to and including {@code tag} (multiple ack), unless {@code epoch} is stale.
     *
     * @return false if the epoch is stale and nothing was acknowledged (RabbitMQ redelivers those messages)
     * @throws IOException if the channel failed; the messages stay unacknowledged and are redelivered
     */
    boolean ackUpTo(long tag, long epoch) throws IOException;
}
