package io.thermowatch.dashboard;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The read queries of the API. Thread-safe; each call borrows one pooled connection. */
final class ReadingStore {

    /**
     * Latest reading of every sensor in one statement: a loose index scan over the (sensor, time) unique index finds
     * the distinct sensors (one index probe each, not a scan of every row), then one backward index probe per sensor
     * takes its newest row. Cost grows with the number of sensors, not with the number of readings.
     */
    static final String LATEST_SQL = """
            WITH RECURSIVE sensors AS (
                (SELECT sensor FROM temperature ORDER BY sensor LIMIT 1)
                UNION ALL
                SELECT (SELECT t.sensor FROM temperature t WHERE t.sensor > s.sensor ORDER BY t.sensor LIMIT 1)
                FROM sensors s WHERE s.sensor IS NOT NULL
            )
            SELECT s.sensor, latest.time, latest.value
            FROM sensors s
            CROSS JOIN LATERAL (
                SELECT t.time, t.value FROM temperature t WHERE t.sensor = s.sensor ORDER BY t.time DESC LIMIT 1
            ) latest
            WHERE s.sensor IS NOT NULL
            ORDER BY s.sensor""";

    /** The rows of a span, counting at most the {@code LIMIT}. */
    static final String EXPORT_COUNT_SQL = """
            SELECT count(*) FROM (
                SELECT 1 FROM temperature WHERE sensor = ? AND time >= ? AND time < ? LIMIT ?
            ) capped""";

    static final String EXPORT_SQL = """
            SELECT time, value FROM temperature
            WHERE sensor = ? AND time >= ? AND time < ?
            ORDER BY time
            LIMIT ?""";

    /** Rows per round trip of an export's cursor: memory stays flat however long the span. */
    static final int EXPORT_FETCH_SIZE = 2_000;

    /** One history bucket. */
    record Bucket(long timestamp, double avg, double min, double max, long count) {}

    /** Receives an export: {@link #begin} once the rows are counted and within the bound, then each row in order. */
    interface ExportSink {
        void begin(long rows) throws IOException;

        void row(Instant time, double value) throws IOException;
    }

    private final DataSource dataSource;
    private final SchemaProbe schemaProbe;

    ReadingStore(DataSource dataSource, SchemaProbe schemaProbe) {
        this.dataSource = dataSource;
        this.schemaProbe = schemaProbe;
    }

    List<LatestReading> latest() {
        schemaProbe.require();
        try (var connection = dataSource.getConnection();
                var statement = connection.prepareStatement(LATEST_SQL);
                var rs = statement.executeQuery()) {
            var result = new ArrayList<LatestReading>();
            while (rs.next()) {
                result.add(new LatestReading(
                        rs.getString(1),
                        rs.getDouble(3),
                        rs.getObject(2, OffsetDateTime.class).toInstant()));
            }
            return result;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    List<Bucket> history(HistoryRequest request) {
        return history(request, schemaProbe.require());
    }

    /** With the schema given: tests drive the aggregate path on plain PostgreSQL with db-writer's plain views. */
    List<Bucket> history(HistoryRequest request, Schema schema) {
        var query = HistoryQuery.of(schema, request);
        try (Connection connection = dataSource.getConnection();
                var statement = connection.prepareStatement(query.sql())) {
            bind(statement, query.parameters());
            try (var rs = statement.executeQuery()) {
                var result = new ArrayList<Bucket>();
                while (rs.next()) {
                    result.add(new Bucket(
                            rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli(),
                            rs.getDouble(2),
                            rs.getDouble(3),
                            rs.getDouble(4),
                            rs.getLong(5)));
                }
                return result;
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * How many readings one export of {@code span} would stream (the answer to a {@code HEAD}); more than
     * {@code maxRows} throws {@link BadRequestException}.
     */
    long exportSize(SensorSpan span, long maxRows) {
        schemaProbe.require();
        try (var connection = dataSource.getConnection()) {
            return checkedExportSize(connection, span, maxRows);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /**
     * Streams the raw readings of {@code span} in time order into {@code sink}, from a cursor, after counting them:
     * one read-only REPEATABLE READ transaction, so the rows streamed are exactly the rows counted, whatever
     * db-writer inserts meanwhile. More than {@code maxRows} throws {@link BadRequestException} before
     * {@link ExportSink#begin}.
     *
     * @throws SchemaUnavailableException the database failed, before or after {@code begin}
     * @throws IOException                the sink failed (the client went away)
     */
    void export(SensorSpan span, long maxRows, ExportSink sink) throws IOException {
        schemaProbe.require();
        try (var connection = dataSource.getConnection()) {
            // PgJDBC fetches in chunks only inside a transaction. HikariCP rolls it back and restores auto-commit and
            // the isolation level when the connection goes back to the pool.
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            sink.begin(checkedExportSize(connection, span, maxRows));
            try (var statement = connection.prepareStatement(EXPORT_SQL)) {
                statement.setFetchSize(EXPORT_FETCH_SIZE);
                bind(statement, List.of(span.sensor(), span.from(), span.to(), maxRows));
                try (var rs = statement.executeQuery()) {
                    while (rs.next()) {
                        sink.row(rs.getObject(1, OffsetDateTime.class).toInstant(), rs.getDouble(2));
                    }
                }
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** Counts at most {@code maxRows + 1} rows: an index-only range scan bounded however many the span holds. */
    private static long checkedExportSize(Connection connection, SensorSpan span, long maxRows) throws SQLException {
        try (var statement = connection.prepareStatement(EXPORT_COUNT_SQL)) {
            bind(statement, List.of(span.sensor(), span.from(), span.to(), maxRows + 1));
            try (var rs = statement.executeQuery()) {
                rs.next();
                var rows = rs.getLong(1);
                if (rows > maxRows) {
                    throw new BadRequestException("from..to holds more than " + maxRows
                            + " readings, the most one CSV export returns: ask for a shorter range");
                }
                return rows;
            }
        }
    }

    /** Binds in order; {@link Instant}s as {@code timestamptz} (UTC). */
    private static void bind(PreparedStatement statement, List<Object> parameters) throws SQLException {
        var index = 1;
        for (var parameter : parameters) {
            if (parameter instanceof Instant instant) {
                statement.setObject(index++, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
            } else {
                statement.setObject(index++, parameter);
            }
        }
    }

    private SchemaUnavailableException unavailable(SQLException e) {
        var tableMissing = "42P01".equals(e.getSQLState()); // undefined_table: dropped under us
        if (tableMissing) {
            schemaProbe.invalidate();
        }
        return new SchemaUnavailableException("database query failed: " + e.getMessage(), tableMissing, e);
    }
}
