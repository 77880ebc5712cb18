package io.thermowatch.dbwriter;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.Intake;
import io.thermowatch.common.wire.Reading;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer thread: takes deliveries from the inbox, batches them, writes each batch in one transaction and
 * acknowledges it (one multiple ack) only after the commit.
 *
 * <p>When a write fails, the database is taken to be down: the writer suspends its {@link Intake} (the channel
 * is closed, RabbitMQ requeues the batch and everything prefetched behind it), drops what it holds, and probes
 * the database with the {@code writeRetry} back-off; when a probe succeeds it resumes the intake. So an outage
 * of any length holds nothing (no {@code consumer_timeout} can fire) and returns each message at most once, and
 * readiness is false until the database answers again. A batch
 * whose channel is gone (closed, lost, cancelled) is dropped unacknowledged: its delivery tags are void, RabbitMQ
 * redelivers the messages, and the unique key absorbs any row already written. A batch never mixes channels.
 */
final class BatchWriterLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(BatchWriterLoop.class);
    static final Duration IDLE_PROBE_INTERVAL = Duration.ofSeconds(5);
    /** Put in the inbox to wake a waiting writer; never written or acknowledged. */
    private static final AmqpDelivery WAKE_UP = new AmqpDelivery(-1, -1, "", new byte[0], false, 0);

    private final BlockingQueue<AmqpDelivery> inbox;
    private final Batcher<AmqpDelivery> batcher;
    private final Triage triage;
    private final BatchSink sink;
    private final Acknowledger acknowledger;
    private final Intake intake;
    private final WriterMetrics metrics;
    private final RetryPolicy<Object> writeRetry;
    private final Clock clock;
    private final AtomicBoolean databaseReady = new AtomicBoolean(false);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopRequested;
    private volatile boolean abandonRequested;
    private volatile Thread runner;
    private long batchChannel = -1;
    /** Deliveries from this channel or an older one were handed back by a suspension: void. */
    private long voidUpToChannel = Long.MIN_VALUE;

    private long lastProbeMillis;

    /** @param writeRetry back-off between attempts to write a batch; must handle {@link SQLException} */
    BatchWriterLoop(
            BlockingQueue<AmqpDelivery> inbox,
            Batcher<AmqpDelivery> batcher,
            Triage triage,
            BatchSink sink,
            Acknowledger acknowledger,
            Intake intake,
            WriterMetrics metrics,
            RetryPolicy<Object> writeRetry,
            Clock clock) {
        this.inbox = inbox;
        this.batcher = batcher;
        this.triage = triage;
        this.sink = sink;
        this.acknowledger = acknowledger;
        this.intake = intake;
        this.metrics = metrics;
        this.writeRetry = writeRetry;
        this.clock = clock;
    }

    /** True while the last write or probe reached the database. */
    boolean isDatabaseReady() {
        return databaseReady.get();
    }

    /** Marks the database reachable after the start-up migration proved it; call before the thread starts. */
    void markDatabaseReady() {
        databaseReady.set(true);
        lastProbeMillis = clock.millis();
    }

    /** Asks the loop to write what it holds and what is still in the inbox, then end. */
    void requestStop() {
        stopRequested = true;
        inbox.add(WAKE_UP);
    }

    /** Asks the loop to end now, even with an unwritten batch (its messages stay unacknowledged). */
    void abandon() {
        abandonRequested = true;
        stopRequested = true;
        Thread thread = runner;
        if (thread != null) {
            thread.interrupt();
        }
    }

    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        runner = Thread.currentThread();
        try {
            while (!abandonRequested) {
                if (stopRequested && inbox.isEmpty() && batcher.isEmpty()) {
                    break;
                }
                long waitMillis = Math.min(batcher.millisUntilDue(), IDLE_PROBE_INTERVAL.toMillis());
                AmqpDelivery delivery = stopRequested ? inbox.poll() : inbox.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (delivery == WAKE_UP) {
                    continue;
                }
                if (delivery != null) {
                    accept(delivery);
                    // Take what else is waiting without blocking, up to a full batch.
                    AmqpDelivery next;
                    while (!batcher.isDue() && (next = inbox.poll()) != null) {
                        if (next != WAKE_UP) {
                            accept(next);
                        }
                    }
                } else if (batcher.isEmpty()) {
                    probeIfIdle();
                }
                if (batcher.isDue() || (stopRequested && inbox.isEmpty() && !batcher.isEmpty())) {
                    flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // Anything else (a bug, an OutOfMemoryError) ends the thread: its WorkerSupervisor makes the service
            // unready and exit, and RabbitMQ redelivers what was not acknowledged.
            if (!batcher.isEmpty()) {
                log.warn("writer - Stopped with {} unwritten deliveries; RabbitMQ redelivers them", batcher.size());
            }
            finished.countDown();
        }
    }

    /** Channel numbers only grow: of a batch and a delivery from different channels, the older one is void. */
    private void accept(AmqpDelivery delivery) {
        if (delivery.channelId() <= voidUpToChannel) {
            metrics.discardedStale.increment();
            return; // handed back by a suspension; RabbitMQ redelivers it
        }
        if (!batcher.isEmpty() && delivery.channelId() != batchChannel) {
            if (delivery.channelId() < batchChannel) {
                metrics.discardedStale.increment();
                return; // from a channel already replaced; RabbitMQ redelivers it
            }
            discard("their channel was replaced");
        }
        batchChannel = delivery.channelId();
        batcher.add(delivery);
    }

    private void discard(String why) {
        List<AmqpDelivery> stale = batcher.drain();
        metrics.discardedStale.increment(stale.size());
        log.warn(
                "writer - Dropped {} unacknowledged deliveries because {}; RabbitMQ redelivers them",
                stale.size(),
                why);
    }

    private void probeIfIdle() {
        long now = clock.millis();
        if (now - lastProbeMillis >= IDLE_PROBE_INTERVAL.toMillis()) {
            lastProbeMillis = now;
            boolean reachable = sink.isReachable();
            if (databaseReady.getAndSet(reachable) != reachable) {
                log.info("writer - Database {}", reachable ? "reachable again" : "unreachable");
            }
        }
    }

    private void flush() throws InterruptedException {
        List<AmqpDelivery> batch = batcher.drain();
        List<Reading> readings = new ArrayList<>(batch.size());
        List<RejectedMessage> rejects = new ArrayList<>();
        int statusMessages = 0;
        for (AmqpDelivery delivery : batch) {
            if (delivery.redelivered()) {
                metrics.redeliveries.increment();
            }
            DeliveryTriage.Outcome outcome = triage.classify(delivery);
            if (outcome instanceof DeliveryTriage.Store store) {
                readings.add(store.reading());
            } else if (outcome instanceof DeliveryTriage.Reject reject) {
                rejects.add(reject.message());
            } else {
                statusMessages++;
            }
        }
        AmqpDelivery last = batch.get(batch.size() - 1);
        DeliveryRef upTo = new DeliveryRef(last.channelId(), last.tag());
        if (!acknowledger.isCurrent(upTo.channelId())) {
            metrics.discardedStale.increment(batch.size());
            log.warn(
                    "writer - Dropped a batch of {} because its channel was replaced; RabbitMQ redelivers it",
                    batch.size());
            return;
        }
        long started = System.nanoTime();
        try {
            int inserted = sink.write(readings, rejects);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            if (databaseReady.compareAndSet(false, true)) {
                log.info("writer - Database reachable again; writing resumed");
            }
            metrics.recordBatch(readings.size(), inserted, rejects.size(), statusMessages, took);
            acknowledge(upTo, batch.size());
        } catch (SQLException e) {
            metrics.writeFailures.increment();
            databaseReady.set(false);
            log.warn(
                    "writer - Cannot write a batch of {} ({}: {}); handing it back to RabbitMQ and pausing until the"
                            + " database answers",
                    batch.size(),
                    e.getSQLState(),
                    oneLine(e.getMessage()));
            pauseUntilDatabaseAnswers(upTo.channelId(), batch.size());
        }
    }

    /**
     * Suspends the intake (RabbitMQ requeues the batch and all prefetched deliveries), voids what this writer
     * holds, and probes the database with back-off until it answers or the loop is asked to stop.
     */
    private void pauseUntilDatabaseAnswers(long channelId, int batchSize) throws InterruptedException {
        intake.suspend("database unreachable");
        metrics.outagePauses.increment();
        metrics.discardedStale.increment(batchSize);
        voidUpToChannel = Math.max(voidUpToChannel, channelId);
        Execution<Object> probes = Execution.of(writeRetry);
        long pausedAt = System.nanoTime();
        while (!stopRequested) {
            probes.recordException(new SQLException("database unreachable", "08006"));
            sleepUnlessStopping(probes.getDelay().toMillis());
            if (stopRequested) {
                break;
            }
            if (sink.isReachable()) {
                databaseReady.set(true);
                lastProbeMillis = clock.millis();
                log.info(
                        "writer - Database answers again after {} s; resuming the intake",
                        Duration.ofNanos(System.nanoTime() - pausedAt).toSeconds());
                intake.resume();
                return;
            }
        }
    }

    /** One multiple ack for the whole batch, on the channel it came from. */
    private void acknowledge(DeliveryRef upTo, int size) {
        if (!acknowledger.ack(upTo, true)) {
            metrics.discardedStale.increment(size);
            log.warn(
                    "writer - Batch of {} written but its channel is gone; RabbitMQ redelivers it and the unique key"
                            + " drops the duplicates",
                    size);
        }
    }

    private void sleepUnlessStopping(long delayMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        while (!stopRequested) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s+", " ");
    }
}
