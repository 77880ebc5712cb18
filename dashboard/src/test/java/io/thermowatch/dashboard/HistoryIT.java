package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * History after the outages the pipeline survives, against real PostgreSQL (database {@code dashboard_history_it},
 * db-writer's table and plain views): readings stored long after their timestamp appear in the answers, and every
 * bucket counts exactly the rows of the range inside it — through the API (plain mode: raw rows) and through the
 * aggregate query shape (db-writer's plain views standing in for TimescaleDB's continuous aggregates).
 */
class HistoryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** As if TimescaleDB's continuous aggregates were there: the same query shape over db-writer's plain views. */
    private static final Schema AGGREGATES = new Schema(true, false, true, true);

    private static TestDatabase database;
    private static DashboardService server;
    private static com.zaxxer.hikari.HikariDataSource dataSource;
    private static ReadingStore store;

    @BeforeAll
    static void start() throws Exception {
        Stack stack = Stack.get();
        database = TestDatabase.create(stack, "dashboard_history_it").withEmptyTable();
        server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(database.dashboardEnv())),
                Metrics.newRegistry("dashboard"),
                Clock.systemUTC());
        dataSource = Database.open(new DatabaseSettings(
                stack.dbHost(),
                stack.dbPort(),
                database.name(),
                stack.database().username(),
                stack.database().password()));
        store = new ReadingStore(dataSource, new SchemaProbe(dataSource, Clock.systemUTC()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @Test
    void readings_stored_10_hours_and_3_days_late_appear_in_the_24_hour_and_7_day_answers() throws Exception {
        // Given a sensor whose live readings were already answered
        var now = Instant.now();
        database.insert("late", now.minusSeconds(30), 20.0);
        assertEquals(1, totalCount(points("late", now.minus(Duration.ofHours(24)), now, "1h")));
        // When the readings a long outage held back are stored: 30 stamped 10 h ago, 40 stamped 3 days ago
        insertEvery("late", now.minus(Duration.ofHours(10)), 30, Duration.ofSeconds(10));
        insertEvery("late", now.minus(Duration.ofDays(3)), 40, Duration.ofSeconds(10));
        // Then the 24 h answer holds the live reading and the 10 h ones, the 7 d answer all of them
        assertEquals(31, totalCount(points("late", now.minus(Duration.ofHours(24)), now.plusSeconds(1), "1h")));
        assertEquals(71, totalCount(points("late", now.minus(Duration.ofDays(7)), now.plusSeconds(1), "1h")));
        // And so does the aggregate query shape, in hour and minute steps
        assertEquals(
                31,
                totalCount(store.history(
                        request("late", now.minus(Duration.ofHours(24)), now.plusSeconds(1), "1h"), AGGREGATES)));
        assertEquals(
                31,
                totalCount(store.history(
                        request("late", now.minus(Duration.ofHours(24)), now.plusSeconds(1), "5m"), AGGREGATES)));
        assertEquals(
                71,
                totalCount(store.history(
                        request("late", now.minus(Duration.ofDays(7)), now.plusSeconds(1), "2h"), AGGREGATES)));
    }

    @Test
    void hour_buckets_over_an_off_hour_range_count_exactly_the_rows_inside_it() throws Exception {
        // Given a reading every 20 s from 11:00 one day to 14:00 the next, and the range 12:30 to 12:30
        var from = Instant.now()
                .truncatedTo(ChronoUnit.DAYS)
                .minus(Duration.ofDays(2))
                .plus(Duration.ofMinutes(12 * 60 + 30));
        var to = from.plus(Duration.ofDays(1));
        insertEvery("edges-h", from.minus(Duration.ofMinutes(90)), (27 * 3600) / 20, Duration.ofSeconds(20));
        var request = request("edges-h", from, to, "1h");
        // When
        var viaRaw = store.history(request, new Schema(true, false, false, false));
        var viaAggregate = store.history(request, AGGREGATES);
        // Then: 25 buckets, the first and last holding the half hour inside the range (90 readings each)
        for (var answer : List.of(viaRaw, viaAggregate)) {
            assertEquals(25, answer.size());
            assertEquals(90, answer.get(0).count(), "12:30..13:00 only");
            assertEquals(90, answer.get(24).count(), "12:00..12:30 only, nothing at or after to");
            assertEquals(24 * 180, totalCount(answer));
            assertMatchesRawRows("edges-h", from, to, Duration.ofHours(1), answer);
        }
        assertEquals(24 * 180, rawCount("edges-h", from, to));
    }

    @Test
    void minute_buckets_over_a_range_with_seconds_count_exactly_the_rows_inside_it() throws Exception {
        // Given a reading every 20 s, and a 7 h range starting and ending mid-minute
        var from = Instant.now()
                .truncatedTo(ChronoUnit.HOURS)
                .minus(Duration.ofHours(30))
                .plusSeconds(15 * 60 + 25);
        var to = from.plus(Duration.ofHours(7)).plusSeconds(10);
        insertEvery("edges-m", from.minus(Duration.ofMinutes(30)), (8 * 3600) / 20, Duration.ofSeconds(20));
        var request = request("edges-m", from, to, "10m");
        // When
        var viaRaw = store.history(request, new Schema(true, false, false, false));
        var viaAggregate = store.history(request, AGGREGATES);
        // Then
        var expected = rawCount("edges-m", from, to);
        for (var answer : List.of(viaRaw, viaAggregate)) {
            assertEquals(expected, totalCount(answer));
            assertMatchesRawRows("edges-m", from, to, Duration.ofMinutes(10), answer);
        }
    }

    @Test
    void every_range_of_the_picker_answers_within_its_points_bound_and_counts_exactly_the_rows_of_its_span()
            throws Exception {
        // Given a reading every 10 minutes for 31 days, and every 20 s in the last hour (off the 10-minute grid)
        var to = Instant.now().plusSeconds(60); // as the page asks: up to a minute ahead
        insertEvery("ranges", to.minus(Duration.ofDays(31)), 31 * 24 * 6, Duration.ofMinutes(10));
        insertEvery("ranges", to.minus(Duration.ofHours(1)).plusSeconds(10), 180, Duration.ofSeconds(20));
        for (var range : HistoryRange.ALL) {
            var from = to.minus(range.length());
            var at = range.name();

            // When the page asks for the range through the API
            var body = answer("/api/sensors/ranges/readings?range=" + range.name() + "&to=" + to.toEpochMilli());

            // Then: the range's step and span, every row of the span counted once, within the points bound
            assertEquals(range.step().toMillis(), body.path("stepMillis").asLong(), at);
            assertEquals(from.toEpochMilli(), body.path("from").asLong(), at);
            var points = body.path("points");
            assertTrue(points.size() <= HistoryRange.MAX_POINTS_PER_SENSOR, at + ": " + points.size());
            assertEquals(rawCount("ranges", from, to), totalCount(points), at);
            // And the aggregate query shape TimescaleDB mode uses for it gives the same buckets
            var request = HistoryRequest.parse(
                    "ranges", null, Long.toString(to.toEpochMilli()), null, range.name(), Instant.now());
            var viaAggregate = store.history(request, AGGREGATES);
            assertEquals(points.size(), viaAggregate.size(), at);
            for (var i = 0; i < viaAggregate.size(); i++) {
                assertEquals(
                        points.get(i).path("timestamp").asLong(),
                        viaAggregate.get(i).timestamp(),
                        at);
                assertEquals(
                        points.get(i).path("count").asLong(),
                        viaAggregate.get(i).count(),
                        at);
                assertEquals(
                        points.get(i).path("avg").asDouble(),
                        viaAggregate.get(i).avg(),
                        1e-9,
                        at);
            }
        }
    }

    /** Each bucket against the raw rows of its own span clipped to the range: count, average, min and max. */
    private static void assertMatchesRawRows(
            String sensor, Instant from, Instant to, Duration step, List<ReadingStore.Bucket> answer)
            throws SQLException {
        for (var bucket : answer) {
            var start = Instant.ofEpochMilli(bucket.timestamp());
            var clippedFrom = start.isBefore(from) ? from : start;
            var end = start.plus(step);
            var clippedTo = end.isAfter(to) ? to : end;
            try (var c = database.open();
                    var q = c.prepareStatement("SELECT count(*), avg(value), min(value), max(value)"
                            + " FROM temperature WHERE sensor = ? AND time >= ? AND time < ?")) {
                q.setString(1, sensor);
                q.setObject(2, OffsetDateTime.ofInstant(clippedFrom, ZoneOffset.UTC));
                q.setObject(3, OffsetDateTime.ofInstant(clippedTo, ZoneOffset.UTC));
                try (var rs = q.executeQuery()) {
                    rs.next();
                    var at = "bucket " + start;
                    assertEquals(rs.getLong(1), bucket.count(), at);
                    assertEquals(rs.getDouble(2), bucket.avg(), 1e-9, at);
                    assertEquals(rs.getDouble(3), bucket.min(), 0, at);
                    assertEquals(rs.getDouble(4), bucket.max(), 0, at);
                }
            }
        }
    }

    private static long rawCount(String sensor, Instant from, Instant to) throws SQLException {
        try (var c = database.open();
                var q = c.prepareStatement(
                        "SELECT count(*) FROM temperature WHERE sensor = ? AND time >= ? AND time < ?")) {
            q.setString(1, sensor);
            q.setObject(2, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            q.setObject(3, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (var rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** {@code count} readings {@code every} apart from {@code first}, values varying so averages tell rows apart. */
    private static void insertEvery(String sensor, Instant first, int count, Duration every) throws SQLException {
        assertEquals(count, database.insertEvery(sensor, first, count, every));
    }

    private static HistoryRequest request(String sensor, Instant from, Instant to, String step) {
        return HistoryRequest.parse(
                sensor, Long.toString(from.toEpochMilli()), Long.toString(to.toEpochMilli()), step, Instant.now());
    }

    private static long totalCount(List<ReadingStore.Bucket> buckets) {
        return buckets.stream().mapToLong(ReadingStore.Bucket::count).sum();
    }

    private static long totalCount(JsonNode points) {
        var total = 0L;
        for (var point : points) {
            total += point.path("count").asLong();
        }
        return total;
    }

    private static JsonNode points(String sensor, Instant from, Instant to, String step) throws Exception {
        var points = answer("/api/sensors/" + sensor + "/readings?from=" + from.toEpochMilli() + "&to="
                        + to.toEpochMilli() + "&step=" + step)
                .path("points");
        assertTrue(points.isArray(), points.toString());
        return points;
    }

    private static JsonNode answer(String path) throws Exception {
        var uri = URI.create("http://127.0.0.1:" + server.port() + path);
        var response = HTTP.send(
                HttpRequest.newBuilder(uri)
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}
