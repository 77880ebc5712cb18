package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistoryQueryTest {

    private static final Schema PLAIN = new Schema(true, false, false, false);
    private static final Schema TIMESCALE = new Schema(true, true, true, true);
    private static final Instant NOW = Instant.parse("2026-11-27T12:30:00Z");

    private static HistoryQuery query(Schema schema, String from, String to, String step) {
        return HistoryQuery.of(schema, HistoryRequest.parse("a1", from, to, step, NOW));
    }

    @Test
    void plain_postgresql_buckets_the_raw_rows_with_date_bin() {
        var sql = query(PLAIN, "2026-11-20T12:30:00Z", "2026-11-27T12:30:00Z", "1h")
                .sql();
        assertTrue(
                sql.contains("date_bin(") && sql.contains("FROM temperature\n") && !sql.contains("temperature_1"), sql);
    }

    @Test
    void timescale_buckets_the_raw_rows_with_time_bucket_for_the_last_hour() {
        var sql = query(TIMESCALE, "2026-11-27T11:30:00Z", "2026-11-27T12:30:00Z", "1m")
                .sql();
        assertTrue(sql.contains("time_bucket(") && !sql.contains("temperature_1"), sql);
    }

    @Test
    void whole_hour_steps_read_the_hour_aggregate() {
        var sql = query(TIMESCALE, "2026-10-28T12:00:00Z", "2026-11-27T12:00:00Z", "2h")
                .sql();
        assertTrue(sql.contains("FROM temperature_1h"), sql);
    }

    @Test
    void whole_minute_steps_over_long_ranges_read_the_minute_aggregate() {
        var sql = query(TIMESCALE, "2026-11-26T12:30:00Z", "2026-11-27T12:30:00Z", "5m")
                .sql();
        assertTrue(sql.contains("FROM temperature_1m"), sql);
    }

    @Test
    void steps_that_are_not_whole_minutes_read_the_raw_rows() {
        var sql = query(TIMESCALE, "2026-11-26T12:30:00Z", "2026-11-27T12:30:00Z", "90s")
                .sql();
        assertTrue(!sql.contains("temperature_1"), sql);
    }

    @Test
    void an_off_hour_range_reads_whole_hours_from_the_aggregate_and_both_partial_hours_from_the_raw_rows() {
        // When: 12:30 to 12:30 the next day in hour steps
        var query = query(TIMESCALE, "2026-11-26T12:30:00Z", "2026-11-27T12:30:00Z", "1h");
        // Then: 13:00..12:00 from temperature_1h, 12:30..13:00 and 12:00..12:30 from temperature
        assertEquals(
                List.of(
                        3600.0,
                        "a1",
                        Instant.parse("2026-11-26T13:00:00Z"),
                        Instant.parse("2026-11-27T12:00:00Z"),
                        "a1",
                        Instant.parse("2026-11-26T12:30:00Z"),
                        Instant.parse("2026-11-26T13:00:00Z"),
                        "a1",
                        Instant.parse("2026-11-27T12:00:00Z"),
                        Instant.parse("2026-11-27T12:30:00Z")),
                query.parameters());
    }

    @Test
    void an_aligned_range_leaves_the_raw_edges_empty() {
        // When
        var query = query(TIMESCALE, "2026-11-26T12:00:00Z", "2026-11-27T12:00:00Z", "1h");
        // Then
        var p = query.parameters();
        assertEquals(p.get(5), p.get(6));
        assertEquals(p.get(8), p.get(9));
        assertEquals(Instant.parse("2026-11-26T12:00:00Z"), p.get(2));
        assertEquals(Instant.parse("2026-11-27T12:00:00Z"), p.get(3));
    }

    @Test
    void minute_edges_with_seconds_are_read_from_the_raw_rows() {
        // When
        var query = query(TIMESCALE, "2026-11-26T12:30:15Z", "2026-11-27T12:30:45Z", "10m");
        // Then
        assertTrue(query.sql().contains("FROM temperature_1m"), query.sql());
        assertEquals(
                List.of(Instant.parse("2026-11-26T12:31:00Z"), Instant.parse("2026-11-27T12:30:00Z")),
                query.parameters().subList(2, 4));
    }

    @Test
    void a_range_without_one_whole_aggregate_bucket_reads_the_raw_rows() {
        // When: 12:30 to 13:20 holds no whole hour
        var query = query(TIMESCALE, "2026-11-27T12:30:00Z", "2026-11-27T13:20:00Z", "1h");
        // Then
        assertTrue(!query.sql().contains("temperature_1"), query.sql());
        assertEquals(4, query.parameters().size());
    }

    @Test
    void bucket_alignment_floors_and_ceils_to_the_epoch() {
        var t = Instant.parse("2026-11-27T12:30:00.000500Z");
        assertEquals(Instant.parse("2026-11-27T12:00:00Z"), HistoryQuery.floor(t, Duration.ofHours(1)));
        assertEquals(Instant.parse("2026-11-27T13:00:00Z"), HistoryQuery.ceil(t, Duration.ofHours(1)));
        assertEquals(Instant.parse("2026-11-27T12:31:00Z"), HistoryQuery.ceil(t, Duration.ofMinutes(1)));
        var aligned = Instant.parse("2026-11-27T12:00:00Z");
        assertEquals(aligned, HistoryQuery.ceil(aligned, Duration.ofHours(1)));
    }

    @Test
    void the_picker_reads_raw_rows_for_the_last_hour_the_minute_aggregate_to_a_day_and_the_hour_aggregate_beyond() {
        // Given: the page asks up to a minute after now, from an instant that is on no bucket edge
        var to = NOW.plusSeconds(60 + 17).toString();
        var expected = java.util.Map.of(
                "1h", "FROM temperature\n",
                "6h", "FROM temperature_1m",
                "24h", "FROM temperature_1m",
                "7d", "FROM temperature_1h",
                "30d", "FROM temperature_1h");
        for (var range : HistoryRange.ALL) {
            // When
            var sql = HistoryQuery.of(TIMESCALE, HistoryRequest.parse("a1", null, to, null, range.name(), NOW))
                    .sql();

            // Then
            assertTrue(sql.contains(expected.get(range.name())), range + ": " + sql);
            if (range == HistoryRange.HOUR) {
                assertTrue(!sql.contains("temperature_1"), sql);
            }
        }
    }

    @Test
    void on_plain_postgresql_every_range_reads_the_raw_rows() {
        for (var range : HistoryRange.ALL) {
            var sql = HistoryQuery.of(PLAIN, HistoryRequest.parse("a1", null, null, null, range.name(), NOW))
                    .sql();
            assertTrue(!sql.contains("temperature_1"), range + ": " + sql);
        }
    }
}
