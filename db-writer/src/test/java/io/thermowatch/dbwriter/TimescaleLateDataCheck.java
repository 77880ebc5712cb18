package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thermowatch.common.wire.Reading;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Part of {@link TimescaleSchemaCheck} (run by hand against TimescaleDB): history after an outage.
 *
 * <ol>
 *   <li>Late data: live readings are materialized by the refresh policies, then readings stamped 10 h and 3 days
 *   back are stored (as after a long outage). Before the policies run again the aggregates miss them (real-time
 *   aggregation only covers buckets after the watermark — the problem); after one run of each policy job
 *   (not a manual refresh) both aggregates hold every one of them.</li>
 *   <li>Edges: over 12:30 → 12:30 the next day, the dashboard's query shape (whole aggregate buckets plus the raw
 *   rows of the partial ones, re-bucketed with {@code time_bucket}) gives per-hour counts equal to the raw rows.</li>
 * </ol>
 * Prints the figures it measured.
 */
final class TimescaleLateDataCheck {

    private static final Duration POLICY_WINDOW = Duration.ofDays(31);

    /** The dashboard's aggregate query shape (dashboard's HistoryQuery), with time_bucket as in TimescaleDB mode. */
    private static final String EDGE_EXACT_HOURS = """
            SELECT time_bucket(INTERVAL '1 hour', t) AS bucket, sum(samples)
            FROM (
                SELECT bucket AS t, samples FROM temperature_1h WHERE sensor = ? AND bucket >= ? AND bucket < ?
                UNION ALL
                SELECT time, 1 FROM temperature WHERE sensor = ? AND time >= ? AND time < ?
                UNION ALL
                SELECT time, 1 FROM temperature WHERE sensor = ? AND time >= ? AND time < ?
            ) parts
            GROUP BY 1
            ORDER BY 1""";

    private TimescaleLateDataCheck() {}

    static void run(DataSource ds, String url, String user, String password) throws Exception {
        try (Connection admin = DriverManager.getConnection(url, user, password)) {
            admin.setAutoCommit(true); // refreshes cannot run inside a transaction block
            assertPolicyWindows(admin);
            checkLateData(ds, admin);
            checkEdges(ds, admin);
        }
    }

    private static void assertPolicyWindows(Connection admin) throws SQLException {
        assertEquals(
                List.of("temperature_1h:31 days:00:05:00", "temperature_1m:31 days:00:01:00"),
                SchemaAssertions.strings(
                        admin,
                        "SELECT hypertable_name || ':' || (config ->> 'start_offset') || ':'"
                                + " || schedule_interval FROM timescaledb_information.jobs"
                                + " WHERE proc_name = 'policy_refresh_continuous_aggregate' ORDER BY 1"));
    }

    private static void checkLateData(DataSource ds, Connection admin) throws Exception {
        // Given live readings, materialized by both policies (the watermark moves past them)
        String sensor = "ts-late-" + System.nanoTime();
        long now = System.currentTimeMillis();
        new PostgresSink(ds).write(every(sensor, now - 3 * 3_600_000L, 60, 60_000), List.of());
        runRefreshPolicies(admin);
        // When the readings an outage held back are stored: 30 stamped 10 h back, 40 stamped 3 days back
        List<Reading> late = new ArrayList<>(every(sensor, now - 10 * 3_600_000L, 30, 10_000));
        late.addAll(every(sensor, now - 3 * 86_400_000L, 40, 10_000));
        new PostgresSink(ds).write(late, List.of());
        String lateSamples = "SELECT coalesce(sum(samples), 0)::text FROM %s WHERE sensor = '" + sensor
                + "' AND bucket < now() - INTERVAL '9 hours'";
        System.out.println("late data before the policies ran again: temperature_1m "
                + SchemaAssertions.strings(admin, lateSamples.formatted("temperature_1m")) + ", temperature_1h "
                + SchemaAssertions.strings(admin, lateSamples.formatted("temperature_1h")) + " of 70");
        // Then one run of each policy brings them into both aggregates
        long started = System.nanoTime();
        runRefreshPolicies(admin);
        System.out.printf("late data: both refresh policies ran in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        assertEquals(List.of("70"), SchemaAssertions.strings(admin, lateSamples.formatted("temperature_1m")));
        assertEquals(List.of("70"), SchemaAssertions.strings(admin, lateSamples.formatted("temperature_1h")));
        // And so does the 24 h / 7 d read of the aggregates (whole hours)
        assertEquals(
                List.of("90"),
                SchemaAssertions.strings(
                        admin,
                        "SELECT sum(samples)::text FROM temperature_1h" + " WHERE sensor = '" + sensor
                                + "' AND bucket >= now() - INTERVAL '24 hours' - INTERVAL '1 hour'"));
        assertEquals(
                List.of("130"),
                SchemaAssertions.strings(
                        admin,
                        "SELECT sum(samples)::text FROM temperature_1h" + " WHERE sensor = '" + sensor
                                + "' AND bucket >= now() - INTERVAL '7 days'"));
        System.out.println("late data: 30 readings 10 h back and 40 readings 3 days back in temperature_1m and _1h");
    }

    private static void checkEdges(DataSource ds, Connection admin) throws Exception {
        // Given a reading every 20 s from 11:00 two days ago to 14:00 the next day, materialized
        String sensor = "ts-edges-" + System.nanoTime();
        Instant from = Instant.now()
                .truncatedTo(ChronoUnit.DAYS)
                .minus(Duration.ofDays(2))
                .plus(Duration.ofMinutes(750));
        Instant to = from.plus(Duration.ofDays(1));
        new PostgresSink(ds)
                .write(every(sensor, from.minus(Duration.ofMinutes(90)).toEpochMilli(), 27 * 180, 20_000), List.of());
        runRefreshPolicies(admin);
        // When the range 12:30 → 12:30 is read as the dashboard does
        Instant wholeFrom = from.plus(Duration.ofMinutes(30));
        Instant wholeTo = to.minus(Duration.ofMinutes(30));
        List<long[]> buckets = new ArrayList<>();
        try (PreparedStatement q = admin.prepareStatement(EDGE_EXACT_HOURS)) {
            Object[] parameters = {sensor, wholeFrom, wholeTo, sensor, from, wholeFrom, sensor, wholeTo, to};
            for (int i = 0; i < parameters.length; i++) {
                q.setObject(
                        i + 1,
                        parameters[i] instanceof Instant t
                                ? OffsetDateTime.ofInstant(t, ZoneOffset.UTC)
                                : parameters[i]);
            }
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    buckets.add(new long[] {
                        rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli(), rs.getLong(2)
                    });
                }
            }
        }
        // Then 25 buckets, 90 readings in each partial half hour, 180 in each whole hour, each equal to the raw rows
        assertEquals(25, buckets.size());
        for (long[] bucket : buckets) {
            Instant start = Instant.ofEpochMilli(bucket[0]);
            Instant clippedFrom = start.isBefore(from) ? from : start;
            Instant clippedTo = start.plus(Duration.ofHours(1)).isAfter(to) ? to : start.plus(Duration.ofHours(1));
            assertEquals(rawCount(admin, sensor, clippedFrom, clippedTo), bucket[1], "bucket " + start);
        }
        assertEquals(90, buckets.get(0)[1]);
        assertEquals(90, buckets.get(24)[1]);
        System.out.println("edges: 12:30 -> 12:30 in hour buckets = 25 buckets, 90 + 23 x 180 + 90 = 4320 readings,"
                + " each equal to the raw rows");
    }

    private static void runRefreshPolicies(Connection admin) throws SQLException {
        for (String job : SchemaAssertions.strings(
                admin,
                "SELECT job_id::text FROM timescaledb_information.jobs"
                        + " WHERE proc_name = 'policy_refresh_continuous_aggregate' ORDER BY job_id")) {
            try (Statement call = admin.createStatement()) {
                call.execute("CALL run_job(" + Integer.parseInt(job) + ")");
            }
        }
    }

    private static long rawCount(Connection c, String sensor, Instant from, Instant to) throws SQLException {
        try (PreparedStatement q =
                c.prepareStatement("SELECT count(*) FROM temperature WHERE sensor = ? AND time >= ? AND time < ?")) {
            q.setString(1, sensor);
            q.setObject(2, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            q.setObject(3, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static List<Reading> every(String sensor, long firstMillis, int count, long everyMillis) {
        List<Reading> readings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            readings.add(new Reading(sensor, 20 + i % 7, firstMillis + i * everyMillis));
        }
        return readings;
    }
}
