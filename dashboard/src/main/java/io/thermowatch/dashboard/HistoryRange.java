package io.thermowatch.dashboard;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The ranges of the page's time-range picker ({@code range=} of the readings API), each with the step that keeps its
 * answer at most {@value #MAX_POINTS_PER_SENSOR} points per sensor and lets {@link Schema#aggregateFor} serve it from
 * db-writer's aggregates: whole minutes from 6 h on ({@code temperature_1m}), whole hours from 7 days on
 * ({@code temperature_1h}).
 *
 * @param name   the parameter value and the picker's key, such as {@code 7d}
 * @param length how far back from {@code to}
 * @param step   the bucket width
 */
record HistoryRange(String name, Duration length, Duration step) {

    /** One more than a range's length divided by its step: a range that does not start on a bucket edge. */
    static final int MAX_POINTS_PER_SENSOR = 361;

    static final HistoryRange HOUR = new HistoryRange("1h", Duration.ofHours(1), Duration.ofSeconds(30));
    static final HistoryRange SIX_HOURS = new HistoryRange("6h", Duration.ofHours(6), Duration.ofMinutes(1));
    static final HistoryRange DAY = new HistoryRange("24h", Duration.ofHours(24), Duration.ofMinutes(5));
    static final HistoryRange WEEK = new HistoryRange("7d", Duration.ofDays(7), Duration.ofHours(1));
    static final HistoryRange MONTH = new HistoryRange("30d", Duration.ofDays(30), Duration.ofHours(2));

    /** In the picker's order; the first is the page's default. */
    static final HistoryRange[] ALL = {HOUR, SIX_HOURS, DAY, WEEK, MONTH};

    static Optional<HistoryRange> named(String name) {
        return Arrays.stream(ALL).filter(range -> range.name.equals(name)).findFirst();
    }

    static String names() {
        return Arrays.stream(ALL).map(HistoryRange::name).collect(Collectors.joining(", "));
    }
}
