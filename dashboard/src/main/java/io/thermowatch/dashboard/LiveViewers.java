package io.thermowatch.dashboard;

import io.thermowatch.common.runtime.MonotonicClock;
import java.time.Duration;

/**
 * Whether a page is watching: a page token was minted within the last token lifetime. An open page fetches a new
 * token at 70 % of the lifetime, so each mint is its heartbeat; a closed page stops minting and, one lifetime later,
 * nobody watches. Thread-safe.
 */
final class LiveViewers {

    private final long windowNanos;
    private final MonotonicClock clock;
    private volatile boolean seen;
    private volatile long lastMintNanos;

    LiveViewers(Duration window, MonotonicClock clock) {
        this.windowNanos = window.toNanos();
        this.clock = clock;
    }

    /** A page token was just minted. */
    void minted() {
        lastMintNanos = clock.nanos();
        seen = true;
    }

    boolean watched() {
        return seen && clock.nanos() - lastMintNanos < windowNanos;
    }
}
