package io.thermowatch.dashboard;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The two read queries of the API. Thread-safe; each call borrows one pooled connection. */
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

    /** One history bucket. */
    record Bucket(long timestamp, double avg, double min, double max, long count) {}

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
            var index = 1;
            for (var parameter : query.parameters()) {
                if (parameter instanceof Instant instant) {
                    statement.setObject(index++, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
                } else {
                    statement.setObject(index++, parameter);
                }
            }
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

    private SchemaUnavailableException unavailable(SQLException e) {
        var tableMissing = "42P01".equals(e.getSQLState()); // undefined_table: dropped under us
        if (tableMissing) {
            schemaProbe.invalidate();
        }
        return new SchemaUnavailableException("database query failed: " + e.getMessage(), tableMissing, e);
    }
}
