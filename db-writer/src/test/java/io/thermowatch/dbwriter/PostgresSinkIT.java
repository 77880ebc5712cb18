package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * db-writer's insert path ({@link PostgresSink}: COPY first, UNNEST after a duplicate) against the native stack's PostgreSQL: the
 * cheap COPY when a batch is new, the UNNEST fallback when it holds rows already stored — never a doubled or
 * a lost row, and the batch's rejected messages stored either way.
 */
class PostgresSinkIT {

    private static HikariDataSource dataSource;
    private static PostgresSink sink;
    private static final String RUN = "sink" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private static final long BASE = System.currentTimeMillis() - 3_600_000L;

    @BeforeAll
    static void migrateAndConnect() throws SQLException {
        dataSource = WriterSchema.migrateAndConnect(Stack.get());
        sink = new PostgresSink(dataSource);
    }

    @AfterAll
    static void close() {
        if (dataSource != null) {
            dataSource.close();
        }
    }

    @Test
    void a_new_batch_is_stored_whole() throws SQLException {
        // Given
        String sensor = RUN + "-new";
        List<Reading> batch = readings(sensor, 0, 500);
        // When
        int inserted = sink.write(batch, List.of());
        // Then every row, with its exact time and value
        assertEquals(500, inserted);
        assertEquals(500, count(sensor));
        try (Connection c = dataSource.getConnection();
                PreparedStatement statement = c.prepareStatement(
                        "SELECT (extract(epoch FROM time) * 1000)::bigint, value FROM temperature WHERE sensor = ? ORDER BY time")) {
            statement.setString(1, sensor);
            try (ResultSet rs = statement.executeQuery()) {
                for (Reading expected : batch) {
                    rs.next();
                    assertEquals(expected.timestampMillis(), rs.getLong(1));
                    assertEquals(expected.value(), rs.getDouble(2));
                }
            }
            c.rollback();
        }
    }

    @Test
    void a_batch_overlapping_stored_rows_stores_only_the_new_ones_and_its_rejects() throws SQLException {
        // Given rows 0..99 stored, and a batch of rows 50..149 with one rejected message
        String sensor = RUN + "-overlap";
        sink.write(readings(sensor, 0, 100), List.of());
        RejectedMessage reject = new RejectedMessage(
                System.currentTimeMillis(),
                "temperature." + sensor,
                "{\"value\":".getBytes(StandardCharsets.UTF_8),
                RUN + " not valid JSON");
        // When
        int inserted = sink.write(readings(sensor, 50, 100), List.of(reject));
        // Then the COPY failed on the key, and the fallback stored the 50 new rows once and the reject
        assertEquals(50, inserted);
        assertEquals(150, count(sensor));
        assertEquals(1, countRejects(RUN + " not valid JSON"));
    }

    @Test
    void a_batch_holding_the_same_reading_twice_stores_it_once() throws SQLException {
        // Given
        String sensor = RUN + "-twice";
        List<Reading> batch = new ArrayList<>(readings(sensor, 0, 10));
        batch.add(batch.get(3));
        // When
        int inserted = sink.write(batch, List.of());
        // Then
        assertEquals(10, inserted);
        assertEquals(10, count(sensor));
    }

    @Test
    void a_60_KiB_reject_is_stored_as_its_first_4_KiB_with_its_length_and_digest() throws Exception {
        // Given a payload of 60 KiB whose last byte differs from the rest
        byte[] payload = new byte[60 * 1024];
        Arrays.fill(payload, (byte) 'x');
        payload[payload.length - 1] = 'y';
        String reason = RUN + " too large";
        RejectedMessage reject = new RejectedMessage(System.currentTimeMillis(), "temperature." + RUN, payload, reason);
        // When
        sink.write(List.of(), List.of(reject));
        // Then the row holds the head, the full length and the SHA-256 of all 61,440 bytes
        try (Connection c = dataSource.getConnection();
                PreparedStatement statement = c.prepareStatement(
                        "SELECT payload, payload_length, payload_sha256 FROM rejected_messages WHERE reason = ?")) {
            statement.setString(1, reason);
            try (ResultSet rs = statement.executeQuery()) {
                assertTrue(rs.next(), "no row for " + reason);
                assertArrayEquals(Arrays.copyOf(payload, 4096), rs.getBytes(1));
                assertEquals(61_440, rs.getInt(2));
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), rs.getBytes(3));
                assertFalse(rs.next(), "one row");
            }
            c.rollback();
        }
    }

    @Test
    void a_writer_that_sends_the_whole_payload_without_length_and_digest_still_stores_a_bounded_row() throws Exception {
        // Given the previous version's insert (an old instance during a rolling upgrade): 5,000 bytes, no new columns
        String reason = RUN + " old writer";
        byte[] payload = new byte[5000];
        Arrays.fill(payload, (byte) 'o');
        try (Connection c = dataSource.getConnection();
                PreparedStatement insert = c.prepareStatement(
                        "INSERT INTO rejected_messages (routing_key, payload, reason) VALUES ('temperature.x', ?, ?)")) {
            insert.setBytes(1, payload);
            insert.setString(2, reason);
            // When
            insert.executeUpdate();
            c.commit();
        }
        // Then the database kept the same shape as PostgresSink writes
        try (Connection c = dataSource.getConnection();
                PreparedStatement statement = c.prepareStatement(
                        "SELECT octet_length(payload), payload_length, payload_sha256 FROM rejected_messages WHERE reason = ?")) {
            statement.setString(1, reason);
            try (ResultSet rs = statement.executeQuery()) {
                assertTrue(rs.next(), "no row for " + reason);
                assertEquals(4096, rs.getInt(1));
                assertEquals(5000, rs.getInt(2));
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(payload), rs.getBytes(3));
            }
            c.rollback();
        }
    }

    private static List<Reading> readings(String sensor, int from, int count) {
        List<Reading> readings = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            readings.add(new Reading(sensor, 20 + i % 10 / 10.0, BASE + i));
        }
        return readings;
    }

    private static long count(String sensor) throws SQLException {
        return single("SELECT count(*) FROM temperature WHERE sensor = ?", sensor);
    }

    private static long countRejects(String reason) throws SQLException {
        return single("SELECT count(*) FROM rejected_messages WHERE reason = ?", reason);
    }

    private static long single(String sql, String parameter) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                long value = rs.getLong(1);
                c.rollback();
                return value;
            }
        }
    }
}
