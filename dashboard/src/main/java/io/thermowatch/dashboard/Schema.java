package io.thermowatch.dashboard;

import java.time.Duration;
import java.util.Optional;

/**
 * What the database offers the dashboard, as probed at run time (db-writer owns and migrates it).
 *
 * @param tableExists     {@code temperature} exists (the dashboard never creates it)
 * @param timescale       the TimescaleDB extension is installed: buckets use {@code time_bucket}, else {@code date_bin}
 * @param minuteAggregate {@code temperature_1m} (db-writer's continuous aggregate) is usable
 * @param hourAggregate   {@code temperature_1h} is usable
 */
record Schema(boolean tableExists, boolean timescale, boolean minuteAggregate, boolean hourAggregate) {

    static final Schema MISSING = new Schema(false, false, false, false);
    /** Below this range the raw rows are few (one sensor, per-second readings: 21,600) and freshest. */
    static final Duration MINUTE_AGGREGATE_FROM = Duration.ofHours(6);

    /** One of db-writer's aggregates: its view and the width of its buckets (UTC-aligned). */
    record Aggregate(String view, Duration width) {
        static final Aggregate HOUR = new Aggregate("temperature_1h", Duration.ofHours(1));
        static final Aggregate MINUTE = new Aggregate("temperature_1m", Duration.ofMinutes(1));
    }

    /**
     * The aggregate that can serve a request of this step and range, if any: a step that is a whole number of its
     * buckets, so every aggregate bucket falls into exactly one history bucket.
     */
    Optional<Aggregate> aggregateFor(Duration step, Duration range) {
        if (hourAggregate && isMultipleOf(step, Aggregate.HOUR.width())) {
            return Optional.of(Aggregate.HOUR);
        }
        if (minuteAggregate
                && isMultipleOf(step, Aggregate.MINUTE.width())
                && range.compareTo(MINUTE_AGGREGATE_FROM) >= 0) {
            return Optional.of(Aggregate.MINUTE);
        }
        return Optional.empty();
    }

    /** The bucket expression for {@code column}; its one parameter is the step in seconds. */
    String bucketOf(String column) {
        return timescale
                ? "time_bucket(make_interval(secs => ?), " + column + ")"
                : "date_bin(make_interval(secs => ?), " + column + ", TIMESTAMPTZ '1970-01-01 00:00:00+00')";
    }

    private static boolean isMultipleOf(Duration step, Duration unit) {
        return step.toMillis() % unit.toMillis() == 0;
    }
}
