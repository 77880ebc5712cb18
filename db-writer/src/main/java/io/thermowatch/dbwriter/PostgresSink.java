package io.thermowatch.dbwriter;

import io.thermowatch.common.Reading;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.io.StringReader;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * Writes batches to PostgreSQL idempotently ({@code ON CONFLICT DO NOTHING} on the key {@code (sensor, time)}).
 *
 * <p>Three insert methods, measured in BENCHMARKS.md: {@link Method#UNNEST} sends the batch as three arrays in one
 * statement; {@link Method#COPY} streams it into a temporary staging table, then inserts from there;
 * {@link Method#COPY_FIRST} (db-writer's) streams it straight into {@code temperature} and, only if that hits
 * the unique key (a redelivered or re-published reading), rolls back and inserts the batch with UNNEST. Used by
 * one thread at a time.
 */
final class PostgresSink implements BatchSink {

    /** How readings reach the table. */
    enum Method {
        UNNEST,
        COPY,
        /**
         * COPY into the table itself, the cheapest path for PostgreSQL; a batch holding a row already stored fails
         * as a whole (unique_violation) and is then written again with UNNEST … ON CONFLICT DO NOTHING. Duplicates
         * are rare (redeliveries, MQTT re-publishes), so nearly every batch takes the cheap path.
         */
        COPY_FIRST
    }

    /** SQLSTATE unique_violation. */
    private static final String UNIQUE_VIOLATION = "23505";

    private static final String INSERT_UNNEST = """
            INSERT INTO temperature (time, sensor, value)
            SELECT timestamptz 'epoch' + u.t * INTERVAL '1 millisecond', u.s, u.v
              FROM unnest(?::bigint[], ?::text[], ?::float8[]) AS u(t, s, v)
            ON CONFLICT DO NOTHING""";
    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS temperature_staging"
            + " (time timestamptz, sensor text, value double precision) ON COMMIT DELETE ROWS";
    private static final String COPY_STAGING = "COPY temperature_staging (time, sensor, value) FROM STDIN";
    private static final String INSERT_FROM_STAGING = "INSERT INTO temperature (time, sensor, value)"
            + " SELECT time, sensor, value FROM temperature_staging ON CONFLICT DO NOTHING";
    private static final String COPY_TABLE_BINARY = "COPY temperature (time, sensor, value) FROM STDIN (FORMAT binary)";
    /** PostgreSQL's binary COPY header: signature, flags, header-extension length. */
    private static final byte[] BINARY_COPY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0};
    /** timestamptz travels as microseconds since 2000-01-01 UTC. */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;
    private static final String INSERT_REJECT = "INSERT INTO rejected_messages"
            + " (received_at, routing_key, payload, payload_length, payload_sha256, reason) VALUES (?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    private final Method method;

    PostgresSink(DataSource dataSource, Method method) {
        this.dataSource = dataSource;
        this.method = method;
    }

    @Override
    public int write(List<Reading> readings, List<RejectedMessage> rejects) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                int inserted = readings.isEmpty() ? 0 : switch (method) {
                    case UNNEST -> insertUnnest(c, readings);
                    case COPY -> insertCopy(c, readings);
                    case COPY_FIRST -> insertCopyFirst(c, readings);
                };
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

    private static int insertUnnest(Connection c, List<Reading> readings) throws SQLException {
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
    static long copyInBinary(Connection c, List<Reading> readings) throws SQLException {
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

    private static int insertCopy(Connection c, List<Reading> readings) throws SQLException {
        try (Statement statement = c.createStatement()) {
            statement.execute(CREATE_STAGING);
            copyIn(c, COPY_STAGING, readings);
            return statement.executeUpdate(INSERT_FROM_STAGING);
        }
    }

    /** COPY in text format; sensor ids are [A-Za-z0-9_-], so no field needs escaping. */
    static long copyIn(Connection c, String copySql, List<Reading> readings) throws SQLException {
        StringBuilder text = new StringBuilder(readings.size() * 48);
        for (Reading r : readings) {
            text.append(Instant.ofEpochMilli(r.timestampMillis())).append('\t')
                    .append(r.sensorId()).append('\t')
                    .append(r.value()).append('\n');
        }
        try {
            // PgJDBC reports a failed COPY as a PSQLException carrying the server's SQLSTATE (23505 for a duplicate).
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql, new StringReader(text.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), e);
        }
    }

    private static void insertRejects(Connection c, List<RejectedMessage> rejects) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT_REJECT)) {
            for (RejectedMessage reject : rejects) {
                insert.setObject(1, OffsetDateTime.ofInstant(Instant.ofEpochMilli(reject.receivedAtMillis()),
                        ZoneOffset.UTC));
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
