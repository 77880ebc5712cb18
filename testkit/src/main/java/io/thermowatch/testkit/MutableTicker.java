package io.thermowatch.testkit;

import java.time.Duration;

/**
 * A monotonic nanosecond source that tests move by hand, the duration-side companion of {@link MutableClock}: a test
 * can jump the wall clock while this one moves on steadily. Pass it as {@code ticker::nanos} where a
 * {@code System.nanoTime()}-like source is expected. Starts an hour before {@code Long.MAX_VALUE}, so code that
 * compares {@code a > b} instead of {@code a - b > 0} breaks in tests rather than after 292 years. Thread-safe.
 */
public final class MutableTicker {

    private volatile long nanos = Long.MAX_VALUE - Duration.ofHours(1).toNanos();

    /** Moves forward; a monotonic clock never goes back. */
    public synchronized void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock never goes back: " + duration);
        }
        nanos += duration.toNanos();
    }

    /** Nanoseconds since an arbitrary origin, like {@link System#nanoTime()}. */
    public long nanos() {
        return nanos;
    }
}
