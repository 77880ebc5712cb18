package io.thermowatch.emailsender;

import io.thermowatch.common.config.ConfigException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link MailedState} in {@code ALERT_STATE_FILE}: restores it into the engine at start, saves at once after
 * an accepted mail (before its messages are acked), and saves sensors seen for the first time or forgotten in
 * batches, at most once per batch interval ({@link #BATCH_INTERVAL} in service), on its own thread — never one full rewrite per new id under the
 * engine's lock. Thread safe.
 */
final class StateKeeper implements AlertDispatcher.MailedListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StateKeeper.class);
    static final Duration BATCH_INTERVAL = Duration.ofSeconds(1);

    private final StateFile file;
    private final MailedState mailed;
    private final AtomicBoolean dirty = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledExecutorService saver = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "alert-state-saver");
        t.setDaemon(true);
        return t;
    });

    private StateKeeper(StateFile file, MailedState mailed) {
        this.file = file;
        this.mailed = mailed;
    }

    /**
     * Loads the file (a corrupt one is moved aside), proves it writable, restores the engine and starts saving.
     *
     * @throws ConfigException naming {@code ALERT_STATE_FILE} when the file cannot be written or moved aside
     */
    static StateKeeper open(StateFile file, AlertEngine engine, Clock clock) {
        return open(file, engine, clock, BATCH_INTERVAL);
    }

    /** As {@link #open(StateFile, AlertEngine, Clock)}, with the batch interval a test chooses. */
    static StateKeeper open(StateFile file, AlertEngine engine, Clock clock, Duration batchInterval) {
        MailedState mailed;
        try {
            mailed = file.load();
            file.checkWritable(mailed);
        } catch (IOException e) {
            throw new ConfigException("ALERT_STATE_FILE='" + file.path() + "': expected a writable file (" + e + ")");
        }
        StateKeeper keeper = new StateKeeper(file, mailed);
        engine.onEvicted(keeper::forget);
        engine.restore(mailed);
        // A new sensor is remembered so offline detection covers it across restarts; saved with the next batch.
        engine.onNewSensor(id -> keeper.markKnown(id, clock));
        keeper.saver.scheduleWithFixedDelay(
                keeper::saveIfDirty, batchInterval.toMillis(), batchInterval.toMillis(), TimeUnit.MILLISECONDS);
        log.info(
                "state - Restored {} sensor(s) from {} ({} firing, {} offline)",
                mailed.size(),
                file.path(),
                mailed.count(SensorAlert.State.FIRING),
                mailed.count(SensorAlert.State.OFFLINE));
        return keeper;
    }

    /** SMTP accepted these: saved now, so a crash after the ack cannot forget them. */
    @Override
    public void mailed(List<Notification> notifications) {
        mailed.apply(notifications);
        dirty.set(false);
        save();
    }

    private void markKnown(String sensorId, Clock clock) {
        if (mailed.markKnown(sensorId, clock.instant())) {
            dirty.set(true);
        }
    }

    private void forget(List<String> sensorIds) {
        mailed.forget(sensorIds);
        dirty.set(true);
    }

    /** The batch: one write for every change since the last one. */
    void saveIfDirty() {
        if (dirty.getAndSet(false)) {
            save();
        }
    }

    private void save() {
        try {
            file.save(mailed);
        } catch (IOException | RuntimeException e) {
            log.error("state - Cannot save {}: {}", file.path(), e.toString());
        }
    }

    /** Stops the batch thread and writes what is pending. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        saver.shutdownNow();
        try {
            saver.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        saveIfDirty();
    }
}
