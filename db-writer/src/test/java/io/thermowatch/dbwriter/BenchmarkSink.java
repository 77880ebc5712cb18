package io.thermowatch.dbwriter;

import io.thermowatch.common.wire.Reading;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;

/**
 * {@link PostgresSink} with a choice of insert path, for the benchmarks and schema checks that compare them
 * (BENCHMARKS.md); the service itself only ever writes {@link Method#COPY_FIRST}. Same transaction, same rejects.
 */
final class BenchmarkSink extends PostgresSink {

    /** How readings reach the table. */
    enum Method {
        /** The batch as three arrays in one {@code INSERT … SELECT unnest(…) ON CONFLICT DO NOTHING}. */
        UNNEST,
        /** Text COPY into a temporary staging table, then {@code INSERT … SELECT … ON CONFLICT DO NOTHING}. */
        COPY,
        /** db-writer's path: binary COPY into the table, UNNEST after a duplicate ({@link PostgresSink}). */
        COPY_FIRST
    }

    private static final String CREATE_STAGING = "CREATE TEMP TABLE IF NOT EXISTS temperature_staging"
            + " (time timestamptz, sensor text, value double precision) ON COMMIT DELETE ROWS";
    private static final String COPY_STAGING = "COPY temperature_staging (time, sensor, value) FROM STDIN";
    private static final String INSERT_FROM_STAGING = "INSERT INTO temperature (time, sensor, value)"
            + " SELECT time, sensor, value FROM temperature_staging ON CONFLICT DO NOTHING";

    private final Method method;

    BenchmarkSink(DataSource dataSource, Method method) {
        super(dataSource);
        this.method = method;
    }

    @Override
    int insertReadings(Connection c, List<Reading> readings) throws SQLException {
        return switch (method) {
            case UNNEST -> insertUnnest(c, readings);
            case COPY -> insertViaStaging(c, readings);
            case COPY_FIRST -> super.insertReadings(c, readings);
        };
    }

    private static int insertViaStaging(Connection c, List<Reading> readings) throws SQLException {
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
            text.append(Instant.ofEpochMilli(r.timestampMillis()))
                    .append('\t')
                    .append(r.sensorId())
                    .append('\t')
                    .append(r.value())
                    .append('\n');
        }
        try {
            // PgJDBC reports a failed COPY as a PSQLException carrying the server's SQLSTATE (23505 for a duplicate).
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(copySql, new StringReader(text.toString()));
        } catch (IOException e) {
            throw new SQLException("COPY failed: " + e.getMessage(), e);
        }
    }
}
