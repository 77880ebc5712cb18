package io.thermowatch.dashboard;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The statement answering one history request, and its parameters: every reading with {@code from <= time < to},
 * each counted once, whichever source serves it.
 *
 * <p>From the raw rows when no aggregate fits ({@link Schema#aggregateFor}). From an aggregate otherwise, but only
 * for its buckets that lie wholly inside the range; the partial aggregate buckets at either edge (a range from 12:30
 * served by hour buckets) are read from the raw rows instead, at most one bucket width at each end. The parts are
 * then re-bucketed together by {@code step}, averages weighted by sample count. History buckets are aligned to the
 * epoch (or to TimescaleDB's origin), so the first and last may be partial: their {@code count} says how many readings
 * of the range they hold.
 *
 * @param sql        the statement
 * @param parameters in order: the step in seconds (a {@link Double}), then sensor ids and {@link Instant}s
 */
record HistoryQuery(String sql, List<Object> parameters) {

    private static final String RAW_SQL = """
            SELECT %s AS bucket, avg(value), min(value), max(value), count(*)
            FROM temperature
            WHERE sensor = ? AND time >= ? AND time < ?
            GROUP BY 1
            ORDER BY 1""";

    // The aggregate's whole buckets plus the raw rows of both partial edges, re-bucketed together.
    private static final String AGGREGATE_SQL = """
            SELECT %s AS bucket, sum(total) / sum(samples), min(low), max(high), sum(samples)
            FROM (
                SELECT bucket AS t, avg_value * samples AS total, min_value AS low, max_value AS high, samples
                FROM %s
                WHERE sensor = ? AND bucket >= ? AND bucket < ?
                UNION ALL
                SELECT time, value, value, value, 1
                FROM temperature
                WHERE sensor = ? AND time >= ? AND time < ?
                UNION ALL
                SELECT time, value, value, value, 1
                FROM temperature
                WHERE sensor = ? AND time >= ? AND time < ?
            ) parts
            GROUP BY 1
            ORDER BY 1""";

    static HistoryQuery of(Schema schema, HistoryRequest request) {
        double stepSeconds = request.step().toMillis() / 1000.0;
        String sensor = request.sensor();
        Instant from = request.from();
        Instant to = request.to();
        var aggregate = schema.aggregateFor(request.step(), Duration.between(from, to));
        if (aggregate.isPresent()) {
            Duration width = aggregate.get().width();
            Instant wholeFrom = ceil(from, width);
            Instant wholeTo = floor(to, width);
            if (wholeFrom.isBefore(wholeTo)) {
                return new HistoryQuery(
                        AGGREGATE_SQL.formatted(
                                schema.bucketOf("t"), aggregate.get().view()),
                        List.of(stepSeconds, sensor, wholeFrom, wholeTo, sensor, from, wholeFrom, sensor, wholeTo, to));
            }
        }
        return new HistoryQuery(RAW_SQL.formatted(schema.bucketOf("time")), List.of(stepSeconds, sensor, from, to));
    }

    /** The start of the bucket of {@code width} holding {@code t} (buckets aligned to the epoch, as in UTC). */
    static Instant floor(Instant t, Duration width) {
        long widthMillis = width.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), widthMillis) * widthMillis);
    }

    /** {@code t} if it starts a bucket of {@code width}, else the start of the next one. */
    static Instant ceil(Instant t, Duration width) {
        Instant floor = floor(t, width);
        return floor.equals(t) ? t : floor.plus(width);
    }
}
