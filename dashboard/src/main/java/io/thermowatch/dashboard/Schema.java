package io.thermowatch.dashboard;

import java.time.Duration;

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

    private static final String RAW_SQL = """
            SELECT %s AS bucket, avg(value), min(value), max(value), count(*)
            FROM temperature
            WHERE sensor = ? AND time >= ? AND time < ?
            GROUP BY 1
            ORDER BY 1""";

    // Re-buckets an aggregate: the average weighted by each source bucket's sample count.
    private static final String AGGREGATE_SQL = """
            SELECT %s AS b, sum(avg_value * samples) / sum(samples), min(min_value), max(max_value), sum(samples)
            FROM %s
            WHERE sensor = ? AND bucket >= ? AND bucket < ?
            GROUP BY 1
            ORDER BY 1""";

    /** The history statement for this request; parameters: step seconds, sensor, from, to. */
    String historySql(Duration step, Duration range) {
        if (hourAggregate && isMultipleOf(step, Duration.ofHours(1))) {
            return AGGREGATE_SQL.formatted(bucketOf("bucket"), "temperature_1h");
        }
        if (minuteAggregate && isMultipleOf(step, Duration.ofMinutes(1)) && range.compareTo(MINUTE_AGGREGATE_FROM) >= 0) {
            return AGGREGATE_SQL.formatted(bucketOf("bucket"), "temperature_1m");
        }
        return RAW_SQL.formatted(bucketOf("time"));
    }

    private String bucketOf(String column) {
        return timescale
                ? "time_bucket(make_interval(secs => ?), " + column + ")"
                : "date_bin(make_interval(secs => ?), " + column + ", TIMESTAMPTZ '1970-01-01 00:00:00+00')";
    }

    private static boolean isMultipleOf(Duration step, Duration unit) {
        return step.toMillis() % unit.toMillis() == 0;
    }
}
