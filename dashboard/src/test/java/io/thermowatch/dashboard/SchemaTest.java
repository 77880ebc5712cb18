package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchemaTest {

    private static final Schema PLAIN = new Schema(true, false, false, false);
    private static final Schema TIMESCALE = new Schema(true, true, true, true);

    @Test
    void plain_postgresql_buckets_the_raw_rows_with_date_bin() {
        var sql = PLAIN.historySql(Duration.ofHours(1), Duration.ofDays(7));
        assertTrue(sql.contains("date_bin(") && sql.contains("FROM temperature\n"), sql);
    }

    @Test
    void timescale_buckets_the_raw_rows_with_time_bucket_for_the_last_hour() {
        var sql = TIMESCALE.historySql(Duration.ofMinutes(1), Duration.ofHours(1));
        assertTrue(sql.contains("time_bucket(") && sql.contains("FROM temperature\n"), sql);
    }

    @Test
    void whole_hour_steps_read_the_hour_aggregate() {
        var sql = TIMESCALE.historySql(Duration.ofHours(2), Duration.ofDays(30));
        assertTrue(sql.contains("FROM temperature_1h"), sql);
    }

    @Test
    void whole_minute_steps_over_long_ranges_read_the_minute_aggregate() {
        var sql = TIMESCALE.historySql(Duration.ofMinutes(5), Duration.ofHours(24));
        assertTrue(sql.contains("FROM temperature_1m"), sql);
    }

    @Test
    void steps_that_are_not_whole_minutes_read_the_raw_rows() {
        var sql = TIMESCALE.historySql(Duration.ofSeconds(90), Duration.ofHours(24));
        assertTrue(sql.contains("FROM temperature\n"), sql);
    }
}
