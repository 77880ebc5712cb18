package io.thermowatch.dbwriter;

import java.time.Duration;

/** Capped exponential back-off: {@code first}, doubling up to {@code max}; {@link #reset()} after a success. */
final class Backoff {

    private final long firstMillis;
    private final long maxMillis;
    private long nextMillis;

    Backoff(Duration first, Duration max) {
        if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("expected 0 < first <= max, got first=" + first + ", max=" + max);
        }
        this.firstMillis = first.toMillis();
        this.maxMillis = max.toMillis();
        this.nextMillis = firstMillis;
    }

    /** The delay to wait before the next attempt; each call doubles the following one, up to the cap. */
    long nextDelayMillis() {
        long delay = nextMillis;
        nextMillis = Math.min(nextMillis * 2, maxMillis);
        return delay;
    }

    void reset() {
        nextMillis = firstMillis;
    }
}
