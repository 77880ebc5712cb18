package io.thermowatch.common.amqp;

import java.io.IOException;

/**
 * Sends each acknowledgement to the channel its delivery came from, or nowhere: an ack for a channel that was
 * detached (closed, lost, cancelled by the broker) is dropped, never sent on the channel that replaced it, where
 * its tag would name another message. Attach and ack share one lock, so no ack is in flight on a channel once
 * it has been detached. Thread-safe.
 */
final class AckRouter {

    /** The channel operation an ack becomes ({@code Channel::basicAck}). */
    @FunctionalInterface
    interface AckTarget {
        void basicAck(long tag, boolean multiple) throws IOException;
    }

    private static final long NONE = -1;

    private final Object lock = new Object();
    private long currentId = NONE;
    private AckTarget target;

    /** From now on, acks for {@code channelId} go to {@code channel}; acks for any earlier channel are dropped. */
    void attach(long channelId, AckTarget channel) {
        synchronized (lock) {
            currentId = channelId;
            target = channel;
        }
    }

    /** Drops every later ack for {@code channelId}; no-op if another channel is attached by now. */
    void detach(long channelId) {
        synchronized (lock) {
            if (currentId == channelId) {
                currentId = NONE;
                target = null;
            }
        }
    }

    boolean isCurrent(long channelId) {
        synchronized (lock) {
            return channelId != NONE && channelId == currentId;
        }
    }

    /**
     * @return true if sent; false if {@code ref}'s channel is not the attached one (nothing sent)
     * @throws IOException if the channel failed while sending
     */
    boolean ack(DeliveryRef ref, boolean multiple) throws IOException {
        synchronized (lock) {
            if (ref.channelId() == NONE || ref.channelId() != currentId) {
                return false;
            }
            target.basicAck(ref.tag(), multiple);
            return true;
        }
    }
}
