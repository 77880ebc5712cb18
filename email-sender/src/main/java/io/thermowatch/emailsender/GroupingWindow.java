package io.thermowatch.emailsender;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Collects items for {@code ALERT_GROUP_WAIT} after the first one arrives, then hands them all out
 * at once (Alertmanager's group_wait): 500 sensors overheating together make one mail, not 500.
 * Thread safe.
 *
 * @param <T> what is grouped
 */
final class GroupingWindow<T> {

    private final Duration wait;
    private final List<T> items = new ArrayList<>();
    private Instant openedAt;

    GroupingWindow(Duration wait) {
        if (wait.isNegative()) {
            throw new IllegalArgumentException("ALERT_GROUP_WAIT='" + wait + "': expected zero or a positive duration");
        }
        this.wait = wait;
    }

    synchronized void add(T item, Instant now) {
        if (items.isEmpty()) {
            openedAt = now;
        }
        items.add(item);
    }

    /** @return every item if the window has been open for {@code wait}, else nothing; takes them out. */
    synchronized List<T> takeDue(Instant now) {
        if (items.isEmpty() || now.isBefore(openedAt.plus(wait))) {
            return List.of();
        }
        List<T> due = List.copyOf(items);
        items.clear();
        openedAt = null;
        return due;
    }

    /** @return when the open window closes, if one is open */
    synchronized Optional<Instant> dueAt() {
        return items.isEmpty() ? Optional.empty() : Optional.of(openedAt.plus(wait));
    }

    synchronized int size() {
        return items.size();
    }

    synchronized List<T> snapshot() {
        return List.copyOf(items);
    }
}
