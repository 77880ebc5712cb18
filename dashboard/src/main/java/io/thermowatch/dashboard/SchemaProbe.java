package io.thermowatch.dashboard;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects whether {@code temperature} exists and whether TimescaleDB is installed. A found schema is kept (db-writer
 * never drops it); a missing one, or a failed probe, is retried at most every {@link #RETRY_INTERVAL}.
 * Thread-safe.
 */
final class SchemaProbe {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaProbe.class);
    static final Duration RETRY_INTERVAL = Duration.ofSeconds(2);
    private static final String PROBE_SQL = "SELECT to_regclass('temperature') IS NOT NULL,"
            + " EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'),"
            + " to_regclass('temperature_1m') IS NOT NULL, to_regclass('temperature_1h') IS NOT NULL";

    private final DataSource dataSource;
    private final Clock clock;
    private Schema schema = Schema.MISSING;
    private String lastProblem = "not probed yet";
    private Instant nextProbe = Instant.MIN;

    SchemaProbe(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** The schema, probing again if it was missing; throws {@link SchemaUnavailableException} if still missing. */
    synchronized Schema require() {
        if (!schema.tableExists() && !clock.instant().isBefore(nextProbe)) {
            probe();
        }
        if (!schema.tableExists()) {
            throw new SchemaUnavailableException(lastProblem, lastProblem.startsWith("table"), null);
        }
        return schema;
    }

    /** For /readyz: true when the table has been found and the database answers now. */
    boolean isReady() {
        try {
            require();
        } catch (SchemaUnavailableException e) {
            return false;
        }
        try (var connection = dataSource.getConnection()) {
            return connection.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Forgets the schema (after a query failed because the table vanished, e.g. a test dropped it). */
    synchronized void invalidate() {
        schema = Schema.MISSING;
        nextProbe = Instant.MIN;
    }

    private void probe() {
        nextProbe = clock.instant().plus(RETRY_INTERVAL);
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement();
                var rs = statement.executeQuery(PROBE_SQL)) {
            rs.next();
            // The aggregates only pay off as TimescaleDB continuous aggregates; in plain mode db-writer makes them
            // ordinary views over the same rows, so the raw table with its index is as fast.
            var timescale = rs.getBoolean(2);
            var found = new Schema(
                    rs.getBoolean(1), timescale, timescale && rs.getBoolean(3), timescale && rs.getBoolean(4));
            if (found.tableExists()) {
                LOG.info(
                        "{} - table temperature found; history buckets via {}{}",
                        "database",
                        found.timescale() ? "TimescaleDB time_bucket" : "plain PostgreSQL date_bin",
                        found.hourAggregate() || found.minuteAggregate()
                                ? ", continuous aggregates temperature_1m=" + found.minuteAggregate()
                                        + " temperature_1h=" + found.hourAggregate()
                                : "");
            } else if (!lastProblem.startsWith("table")) {
                LOG.warn(
                        "{} - table temperature does not exist yet (db-writer creates it); API answers 503 until then",
                        "database");
            }
            lastProblem = found.tableExists() ? "" : "table temperature does not exist yet (db-writer creates it)";
            schema = found;
        } catch (SQLException e) {
            var problem = "database unreachable: " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.warn("{} - {}", "database", problem);
            }
            lastProblem = problem;
        }
    }
}
