package io.thermowatch.dbwriter;

import io.thermowatch.common.wire.Reading;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Writes batches to PostgreSQL idempotently (the key {@code (sensor, time)}): readings by binary COPY straight
 * into {@code temperature}, the cheapest path for PostgreSQL; a batch holding a row already stored fails as a
 * whole (unique_violation) and is then written again as three arrays in one
 * {@code INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING}. Duplicates are rare (redeliveries, MQTT re-publishes),
 * so nearly every batch takes the cheap path (BENCHMARKS.md compares it with the alternatives, which the
 * benchmark's own sink in src/test writes). Used by one thread at a time.
 */
class PostgresSink implements BatchSink {

    /** SQLSTATE unique_violation. */
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String INSERT_UNNEST = """
            INSERT INTO temperature (time, sensor, value)
            SELECT timestamptz 'epoch' + u.t * INTERVAL '1 millisecond', u.s, u.v
              FROM unnest(?::bigint[], ?::text[], ?::float8[]) AS u(t, s, v)
            ON CONFLICT DO NOTHING""";
    private static final String COPY_TABLE_BINARY = "COPY temperature (time, sensor, value) FROM STDIN (FORMAT binary)";
    /** PostgreSQL's binary COPY header: signature, flags, header-extension length. */
    private static final byte[] BINARY_COPY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0
    };
    /** timestamptz travels as microseconds since 2000-01-01 UTC. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private static final String INSERT_REJECT = "INSERT INTO rejected_messages"
            + " (received_at, routing_key, payload, payload_length, payload_sha256, reason) VALUES (?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;

    PostgresSink(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public int write(List<Reading> readings, List<RejectedMessage> rejects) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int inserted = readings.isEmpty() ? 0 : insertReadings(c, readings);
                if (!rejects.isEmpty()) {
                    insertRejects(c, rejects);
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    @Override
    public boolean isReachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Inserts the readings as the first statement of the transaction {@code c} and returns how many rows were new:
     * COPY first, UNNEST after a duplicate. Overridden only by the benchmark's sink (src/test), to measure the
     * alternatives under the same transaction and reject handling.
     */
    int insertReadings(Connection c, List<Reading> readings) throws SQLException {
        return insertCopyFirst(c, readings);
    }

    /** The batch as three arrays in one statement; rows already stored are skipped. */
    static int insertUnnest(Connection c, List<Reading> readings) throws SQLException {
        int n = readings.size();
        Long[] times = new Long[n];
        String[] sensors = new String[n];
        Double[] values = new Double[n];
        for (int i = 0; i < n; i++) {
            Reading r = readings.get(i);
            times[i] = r.timestampMillis();
            sensors[i] = r.sensorId();
            values[i] = r.value();
        }
        Array timeArray = c.createArrayOf("bigint", times);
        Array sensorArray = c.createArrayOf("text", sensors);
        Array valueArray = c.createArrayOf("float8", values);
        try (PreparedStatement insert = c.prepareStatement(INSERT_UNNEST)) {
            insert.setArray(1, timeArray);
            insert.setArray(2, sensorArray);
            insert.setArray(3, valueArray);
            return insert.executeUpdate();
        } finally {
            timeArray.free();
            sensorArray.free();
            valueArray.free();
        }
    }

    /** Runs first in its transaction, so rolling back on a duplicate undoes nothing else. */
    private static int insertCopyFirst(Connection c, List<Reading> readings) throws SQLException {
        try {
            return Math.toIntExact(copyInBinary(c, readings));
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            c.rollback();
            return insertUnnest(c, readings);
        }
    }

    /**
     * COPY in binary format: PostgreSQL then parses no timestamp or number text, which was a large part of its
     * cost per row (see BENCHMARKS.md).
     */
    private static long copyInBinary(Connection c, List<Reading> readings) throws SQLException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(19 + readings.size() * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(BINARY_COPY_SIGNATURE);
            out.writeInt(0); // flags: no OIDs
            out.writeInt(0); // no header extension
            for (Reading r : readings) {
                out.writeShort(3);
                out.writeInt(8);
                out.writeLong(r.timestampMillis() * 1000L - POSTGRES_EPOCH_MICROS);
                byte[] sensor = r.sensorId().getBytes(StandardCharsets.UTF_8);
                out.writeInt(sensor.length);
                out.write(sensor);
                out.writeInt(8);
                out.writeDouble(r.value());
            }
            out.writeShort(-1); // trailer
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        try {
            byte[] data = bytes.toByteArray();
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(COPY_TABLE_BINARY, new ByteArrayInputStream(data));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), e);
        }
    }

    private static void insertRejects(Connection c, List<RejectedMessage> rejects) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT_REJECT)) {
            for (RejectedMessage reject : rejects) {
                insert.setObject(
                        1, OffsetDateTime.ofInstant(Instant.ofEpochMilli(reject.receivedAtMillis()), ZoneOffset.UTC));
                insert.setString(2, withoutNul(reject.routingKey()));
                // Only the head goes into the statement: a batch of huge rejects stays small in memory and on disk.
                KeptPayload kept = KeptPayload.of(reject.payload());
                insert.setBytes(3, kept.head());
                insert.setInt(4, kept.length());
                insert.setBytes(5, kept.sha256());
                insert.setString(6, withoutNul(reject.reason()));
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** PostgreSQL text cannot hold NUL; a reason quoting a hostile payload must not make the batch unwritable. */
    private static String withoutNul(String text) {
        return text.indexOf('\0') < 0 ? text : text.replace('\0', '\uFFFD');
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
