package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.Stack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** What the schema must look like in each mode; shared by the integration test and the TimescaleDB check. */
final class SchemaAssertions {

    private SchemaAssertions() {}

    static void assertSchema(Stack stack, SchemaMode mode) throws SQLException {
        try (Connection c = stack.openDatabase()) {
            assertSchema(c, mode);
        }
    }

    static void assertSchema(Connection c, SchemaMode mode) throws SQLException {
        assertEquals(
                List.of("time:timestamp with time zone", "sensor:text", "value:double precision"),
                strings(
                        c,
                        "SELECT attname || ':' || format_type(atttypid, atttypmod) FROM pg_attribute"
                                + " WHERE attrelid = 'temperature'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum"));
        assertEquals(
                List.of("received_at", "routing_key", "payload", "reason", "payload_length", "payload_sha256"),
                strings(
                        c,
                        "SELECT attname FROM pg_attribute WHERE attrelid = 'rejected_messages'::regclass"
                                + " AND attnum > 0 AND NOT attisdropped AND attname <> 'id' ORDER BY attnum"));
        if (mode == SchemaMode.PLAIN) {
            assertEquals(List.of(), strings(c, "SELECT extname FROM pg_extension WHERE extname = 'timescaledb'"));
            assertEquals(
                    List.of("temperature_1h", "temperature_1m"),
                    strings(c, "SELECT viewname FROM pg_views WHERE viewname LIKE 'temperature_1_' ORDER BY 1"));
            assertEquals(
                    List.of("temperature_time_idx"),
                    strings(
                            c,
                            "SELECT indexname FROM pg_indexes WHERE tablename = 'temperature'"
                                    + " AND indexdef LIKE '%(\"time\" DESC)%'"));
        } else {
            assertEquals(
                    List.of("temperature"),
                    strings(
                            c,
                            "SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_name = 'temperature'"));
            assertEquals(
                    List.of("sensor"),
                    strings(
                            c,
                            "SELECT attname FROM timescaledb_information.compression_settings"
                                    + " WHERE hypertable_name = 'temperature' AND segmentby_column_index IS NOT NULL"));
            assertEquals(
                    List.of("temperature_1h:false", "temperature_1m:false"),
                    strings(
                            c,
                            "SELECT view_name || ':' || materialized_only FROM timescaledb_information.continuous_aggregates"
                                    + " ORDER BY 1"));
            // Refresh jobs name the continuous aggregate as their hypertable.
            List<String> jobs = strings(
                    c,
                    "SELECT proc_name FROM timescaledb_information.jobs"
                            + " WHERE hypertable_name IN ('temperature', 'temperature_1m', 'temperature_1h') ORDER BY 1");
            assertTrue(jobs.contains("policy_compression"), "jobs: " + jobs);
            assertTrue(jobs.contains("policy_retention"), "jobs: " + jobs);
            assertEquals(
                    2,
                    jobs.stream()
                            .filter("policy_refresh_continuous_aggregate"::equals)
                            .count(),
                    "jobs: " + jobs);
        }
    }

    static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(sql);
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
