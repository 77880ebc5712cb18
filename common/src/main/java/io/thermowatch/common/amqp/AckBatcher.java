package io.thermowatch.common.amqp;

import io.thermowatch.common.runtime.WorkerSupervisor;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Acknowledges deliveries a service finishes out of order in batches: one multiple ack for every finished delivery
 * of a channel up to the first one still unfinished, never one delivery before the service said it is done.
 *
 * <p>The service calls {@link #ack(DeliveryRef, boolean) ack(ref, false)} when a delivery's effect is durable (or it
 * has none); that marks it finished. A delivery not marked (e.g. one waiting for its mail, or one whose handler
 * threw) holds back the multiple ack of everything after it: a multiple ack covers every earlier delivery of the
 * channel, so it is only ever sent for a tag below the first unfinished one. Finished deliveries behind an
 * unfinished one are acknowledged one by one, once {@code maxBatch} of them wait or nothing finished for a whole
 * {@code maxDelay}, so they never fill the prefetch while the one before them waits.
 *
 * <p>Acks go through the consumer's {@link Acknowledger} ({@link AmqpConsumer}), so each reaches only the channel its
 * delivery came from. A delivery of a channel that is gone is void (RabbitMQ requeues it): dropped, never sent. Each
 * tag is acknowledged at most once (a second ack would be a channel error).
 *
 * <p>Sent: when {@code maxBatch} deliveries are finished and unacknowledged, every {@code maxDelay} while any are,
 * and on {@link #close}. Thread-safe: the consumer's dispatch thread and any other (e.g. a mail sender) may mark
 * deliveries finished; acks are sent under one lock, in tag order.
 */
public final class AckBatcher implements Acknowledger, AutoCloseable {

    private static final long NONE = -1;

    private final Acknowledger channelAcks;
    private final int maxBatch;
    private final Duration maxDelay;
    private final Object lock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ScheduledExecutorService timer;

    // guarded by lock; all about channelId only: a delivery of another channel resets it
    private long channelId = NONE;
    /** Every tag up to this one is acknowledged (or void). */
    private long ackedThrough;
    /** Bit i: tag ackedThrough + 1 + i is finished and not yet acknowledged. */
    private BitSet finished = new BitSet();
    /** Bit i: tag ackedThrough + 1 + i was acknowledged on its own (behind an unfinished one). */
    private BitSet ackedAlone = new BitSet();

    private int waiting;
    /** Deliveries finished since the last timer tick. */
    private boolean progressed;

    /**
     * @param channelAcks the consumer the deliveries come from
     * @param maxBatch    finished deliveries that trigger an ack at once; keep it well under the prefetch (1: every
     *                    delivery is acknowledged as soon as it is finished and nothing before it is unfinished)
     * @param maxDelay    the longest a finished delivery waits for its ack once {@link #start} ran
     */
    public AckBatcher(Acknowledger channelAcks, int maxBatch, Duration maxDelay) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
        }
        if (maxDelay.isNegative() || maxDelay.isZero()) {
            throw new IllegalArgumentException("maxDelay must be positive, was " + maxDelay);
        }
        this.channelAcks = channelAcks;
        this.maxBatch = maxBatch;
        this.maxDelay = maxDelay;
    }

    /** Starts the timer that sends what waits every {@code maxDelay}; if it ever dies, {@code workers} is told. */
    public void start(WorkerSupervisor workers, String name) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        synchronized (lock) {
            if (timer != null) {
                throw new IllegalStateException(name + " - already started");
            }
            timer = executor;
        }
        long millis = Math.max(1, maxDelay.toMillis());
        executor.scheduleWithFixedDelay(workers.supervised(name, this::tick), millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isCurrent(long channelId) {
        return channelAcks.isCurrent(channelId);
    }

    /**
     * Marks {@code ref} finished (with {@code multiple}, also every earlier delivery of its channel): it is
     * acknowledged with its batch.
     *
     * @return false if its channel is gone (nothing will be sent; RabbitMQ redelivers it), true if it will be
     *         acknowledged unless its channel is lost first
     */
    @Override
    public boolean ack(DeliveryRef ref, boolean multiple) {
        synchronized (lock) {
            if (!channelAcks.isCurrent(ref.channelId())) {
                if (ref.channelId() == channelId) {
                    reset(NONE); // its channel is gone: what waits is void
                }
                return false;
            }
            if (ref.channelId() != channelId) {
                // A new channel: whatever the old one held was handed back to RabbitMQ, its tags are void.
                reset(ref.channelId());
            }
            long offset = ref.tag() - ackedThrough - 1;
            if (offset < 0) {
                return true; // covered by an ack already sent
            }
            if (offset >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException(ref + " is too far ahead of tag " + ackedThrough);
            }
            int bit = (int) offset;
            if (multiple) {
                finished.set(0, bit + 1);
                finished.andNot(ackedAlone);
                waiting = finished.cardinality();
            } else if (!finished.get(bit) && !ackedAlone.get(bit)) {
                finished.set(bit);
                waiting++;
            }
            progressed = true;
            if (waiting >= maxBatch) {
                send(false);
            }
            return channelId != NONE; // false if the send above found the channel gone
        }
    }

    /** Sends what can be sent now: the finished prefix as one multiple ack, and everything finished behind it. */
    public void flush() {
        synchronized (lock) {
            send(true);
        }
    }

    private void tick() {
        synchronized (lock) {
            // Behind an unfinished delivery, wait for more only while deliveries keep finishing.
            send(!progressed);
            progressed = false;
        }
    }

    /**
     * The finished prefix as one multiple ack; then, if {@code maxBatch} wait behind an unfinished delivery or
     * {@code evenFewBehind}, each of those on its own. Guarded by lock.
     */
    private void send(boolean evenFewBehind) {
        if (waiting == 0 || channelId == NONE) {
            return;
        }
        BitSet done = (BitSet) finished.clone();
        done.or(ackedAlone);
        int run = done.nextClearBit(0); // tags ackedThrough + 1 .. ackedThrough + run are all finished
        if (run > 0) {
            int last = finished.previousSetBit(run - 1); // the highest one not yet acknowledged
            if (last >= 0 && !channelAcks.ack(new DeliveryRef(channelId, ackedThrough + 1 + last), true)) {
                reset(NONE); // its channel is gone: everything it held is void
                return;
            }
            finished = finished.get(run, Math.max(run, finished.length()));
            ackedAlone = ackedAlone.get(run, Math.max(run, ackedAlone.length()));
            ackedThrough += run;
            waiting = finished.cardinality();
        }
        if (waiting > 0 && (waiting >= maxBatch || evenFewBehind)) {
            for (int i = finished.nextSetBit(0); i >= 0; i = finished.nextSetBit(i + 1)) {
                if (!channelAcks.ack(new DeliveryRef(channelId, ackedThrough + 1 + i), false)) {
                    reset(NONE);
                    return;
                }
                ackedAlone.set(i);
            }
            finished.clear();
            waiting = 0;
        }
    }

    // guarded by lock
    private void reset(long newChannelId) {
        channelId = newChannelId;
        ackedThrough = 0;
        finished = new BitSet();
        ackedAlone = new BitSet();
        waiting = 0;
    }

    /** Stops the timer and sends everything finished. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ScheduledExecutorService executor;
        synchronized (lock) {
            executor = timer;
        }
        if (executor != null) {
            executor.shutdownNow();
        }
        flush();
    }
}
