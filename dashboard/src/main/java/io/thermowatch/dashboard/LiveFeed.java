package io.thermowatch.dashboard;

import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.wire.ReadingCodec;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page's live feed (issue 18): one subscription to the readings for the whole dashboard instead of one per open
 * page, coalesced ({@link LiveCoalescer}) and published to {@code dashboard/live}, which the pages read. It reads
 * the readings only while someone watches ({@link LiveViewers}: a page token minted within one token lifetime), so
 * with no page open it costs the brokers no queue and no routing. Frames and the watch check run on one thread.
 */
final class LiveFeed implements AutoCloseable {

    /** How often the feed checks whether anyone still watches. */
    static final Duration WATCH_CHECK = Duration.ofSeconds(1);
    /** How long a page's token request waits for the readings subscription to be in place. */
    static final Duration FIRST_SUBSCRIBE_WAIT = Duration.ofSeconds(2);

    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);

    private final ScheduledExecutorService thread;
    private final LiveViewers viewers;
    private final LiveCoalescer coalescer;
    private final LiveReadingsSubscriber subscriber;
    private final LivePublisher publisher;

    /**
     * @param readings  the read-only page user's settings (the subscription)
     * @param frames    the live user's settings (the publisher)
     * @param interval  at most one frame per this
     * @param watchFor  the page token lifetime: how long after a mint someone counts as watching
     */
    LiveFeed(MqttSettings readings, MqttSettings frames, Duration interval, Duration watchFor) {
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            var t = new Thread(r, "dashboard-live-feed");
            t.setDaemon(true);
            return t;
        });
        var clock = MonotonicClock.system();
        this.viewers = new LiveViewers(watchFor, clock);
        this.publisher = new LivePublisher(frames, new LiveFrames(LiveFrames.BROKER_SAFE_BYTES));
        this.coalescer = new LiveCoalescer(
                interval,
                clock,
                (task, delay) -> thread.schedule(task, delay, TimeUnit.NANOSECONDS),
                publisher::publish);
        this.subscriber = new LiveReadingsSubscriber(readings, new ReadingCodec(), coalescer::accept);
    }

    void start() {
        publisher.start();
        var period = WATCH_CHECK.toMillis();
        thread.scheduleWithFixedDelay(this::stopIfUnwatched, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * A page token was minted: someone watches (or still does); read the readings if not yet. Waits (at most
     * {@link #FIRST_SUBSCRIBE_WAIT}) until the subscription is in place, so a page that says "live" gets every
     * reading published from then on, also the first page after a quiet spell.
     */
    void pageTokenMinted() {
        MqttSession session;
        synchronized (this) {
            viewers.minted();
            session = subscriber.start();
        }
        try {
            if (!session.awaitReady(FIRST_SUBSCRIBE_WAIT)) {
                LOG.warn(
                        "live-readings - not subscribed {} ms after a page token was minted; the page goes on",
                        FIRST_SUBSCRIBE_WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    boolean subscribed() {
        return subscriber.started();
    }

    long framesSent() {
        return publisher.sentCount();
    }

    long framesDropped() {
        return publisher.droppedCount();
    }

    long readingsRejected() {
        return subscriber.rejectedCount();
    }

    // Synchronized with pageTokenMinted: a mint between the check and the stop would find the feed stopped.
    private synchronized void stopIfUnwatched() {
        if (!viewers.watched() && subscriber.started()) {
            subscriber.stop();
            coalescer.clear();
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        subscriber.close();
        publisher.close();
    }
}
