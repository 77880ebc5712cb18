package io.thermowatch.dbwriter;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects items into a batch that is due when it holds {@code maxSize} items or its first item has waited
 * {@code maxWait}. Pure logic with an injected clock; not thread-safe (the writer thread owns it).
 */
final class Batcher<T> {

    private final int maxSize;
    private final long maxWaitMillis;
    private final Clock clock;
    private final List<T> items;
    private long firstAddedAtMillis;

    Batcher(int maxSize, Duration maxWait, Clock clock) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1, got " + maxSize);
        }
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait must be positive, got " + maxWait);
        }
        this.maxSize = maxSize;
        this.maxWaitMillis = maxWait.toMillis();
        this.clock = clock;
        this.items = new ArrayList<>(maxSize);
    }

    /** Adds an item; returns true when the batch is now full. */
    boolean add(T item) {
        if (items.isEmpty()) {
            firstAddedAtMillis = clock.millis();
        }
        items.add(item);
        return items.size() >= maxSize;
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    int size() {
        return items.size();
    }

    /** True when the batch is full, or not empty and its first item has waited {@code maxWait}. */
    boolean isDue() {
        return items.size() >= maxSize || (!items.isEmpty() && millisUntilDue() == 0);
    }

    /** How long until the batch is due by age; {@code Long.MAX_VALUE} when empty, 0 when already due. */
    long millisUntilDue() {
        if (items.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, firstAddedAtMillis + maxWaitMillis - clock.millis());
    }

    /** Returns the collected items and starts an empty batch. */
    List<T> drain() {
        List<T> batch = List.copyOf(items);
        items.clear();
        return batch;
    }
}
