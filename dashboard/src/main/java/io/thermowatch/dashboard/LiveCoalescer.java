package io.thermowatch.dashboard;

import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.wire.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Coalesces the readings stream into frames for the page: per sensor the latest reading by arrival (the page's
 * time rule: a stamp never decides which reading is newer) and how many arrived since the last frame. A frame goes
 * out at most once per {@code interval}, leading edge: a reading that arrives when the last frame is at least one
 * interval old is sent at once (after a hop to the scheduler); otherwise it waits for last frame + interval. So a
 * reading waits at most one interval, and a page gets at most one frame per interval whatever the fleet's size.
 * Network-free: the scheduler and the frame sink are given. Thread-safe.
 */
final class LiveCoalescer {

    /** Runs a task once after a delay, on one thread (tests run it by hand). */
    @FunctionalInterface
    interface Scheduler {
        void schedule(Runnable task, long delayNanos);
    }

    private static final class Pending {
        double value;
        long timestampMillis;
        int count;
    }

    private final long intervalNanos;
    private final MonotonicClock clock;
    private final Scheduler scheduler;
    private final Consumer<List<LiveEntry>> sink;
    private final Map<String, Pending> pending = new LinkedHashMap<>();
    private boolean flushScheduled;
    private boolean framedBefore;
    private long lastFrameNanos;

    LiveCoalescer(Duration interval, MonotonicClock clock, Scheduler scheduler, Consumer<List<LiveEntry>> sink) {
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.scheduler = scheduler;
        this.sink = sink;
    }

    /** A valid reading that just arrived. */
    void accept(Reading reading) {
        long delay;
        synchronized (this) {
            var latest = pending.computeIfAbsent(reading.sensorId(), id -> new Pending());
            latest.value = reading.value();
            latest.timestampMillis = reading.timestampMillis();
            latest.count++;
            if (flushScheduled) {
                return;
            }
            flushScheduled = true;
            delay = framedBefore ? Math.max(0, lastFrameNanos + intervalNanos - clock.nanos()) : 0;
        }
        scheduler.schedule(this::flush, delay);
    }

    /** Sends what is pending as one frame's entries (the sink splits them into messages). */
    void flush() {
        List<LiveEntry> entries;
        synchronized (this) {
            flushScheduled = false;
            if (pending.isEmpty()) {
                return;
            }
            entries = new ArrayList<>(pending.size());
            for (var e : pending.entrySet()) {
                var p = e.getValue();
                entries.add(new LiveEntry(e.getKey(), p.value, p.timestampMillis, p.count));
            }
            pending.clear();
            framedBefore = true;
            lastFrameNanos = clock.nanos();
        }
        sink.accept(entries);
    }

    /** Forgets what is pending (nobody watches any more). */
    synchronized void clear() {
        pending.clear();
    }
}
