package io.thermowatch.emailsender;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Collects items for {@code ALERT_GROUP_WAIT} after the first one arrives, then hands them all out
 * at once (Alertmanager's group_wait): 500 sensors overheating together make one mail, not 500.
 * Times are monotonic nanoseconds (common's {@code MonotonicClock}): a wall clock set back does not hold a group.
 * Thread safe.
 *
 * @param <T> what is grouped
 */
final class GroupingWindow<T> {

    private final Duration wait;
    private final List<T> items = new ArrayList<>();
    private long openedAtNanos;

    GroupingWindow(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("ALERT_GROUP_WAIT='" + wait + "': expected zero or a positive duration");
        }
        this.wait = wait;
    }

    synchronized void add(T item, long nowNanos) {
        if (items.isEmpty()) {
            openedAtNanos = nowNanos;
        }
        items.add(item);
    }

    /** @return every item if the window has been open for {@code wait}, else nothing; takes them out. */
    synchronized List<T> takeDue(long nowNanos) {
        if (items.isEmpty() || nowNanos - openedAtNanos < wait.toNanos()) {
            return List.of();
        }
        return takeAll();
    }

    /** @return every item, due or not; takes them out (shutdown). */
    synchronized List<T> takeAll() {
        List<T> due = List.copyOf(items);
        items.clear();
        return due;
    }

    /** @return when (monotonic nanoseconds) the open window closes, if one is open */
    synchronized OptionalLong dueAtNanos() {
        return items.isEmpty() ? OptionalLong.empty() : OptionalLong.of(openedAtNanos + wait.toNanos());
    }

    synchronized int size() {
        return items.size();
    }

    synchronized List<T> snapshot() {
        return List.copyOf(items);
    }
}
