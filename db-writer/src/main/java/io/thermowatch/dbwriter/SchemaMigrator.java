package io.thermowatch.dbwriter;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects whether TimescaleDB can be used and brings the schema up to date with Flyway.
 *
 * <p>Running it twice is harmless (applied migrations are skipped, every statement is idempotent), and two
 * instances starting at once are serialized by Flyway's PostgreSQL advisory lock.
 *
 * <p>It opens its own connections instead of borrowing from the writers' pool: Flyway holds one connection for its
 * lock and schema history and opens more for migrations and callbacks (TimescaleDB mode's {@code afterMigrate}),
 * so a pool sized for the writers (two connections in the tests) deadlocked the migration waiting for itself.
 */
final class SchemaMigrator {

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final int retentionDays;

    SchemaMigrator(String jdbcUrl, String user, String password, int retentionDays) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.retentionDays = retentionDays;
    }

    /** Detects the mode, migrates, and returns the mode in force. */
    SchemaMode migrate() throws SQLException {
        SchemaMode mode = detectMode();
        Flyway flyway = Flyway.configure()
                .dataSource(jdbcUrl, user, password)
                .locations(mode.locations())
                .placeholders(Map.of("retention_days", Integer.toString(retentionDays)))
                .baselineOnMigrate(false)
                .load();
        MigrateResult result = flyway.migrate();
        log.info(
                "schema - {} mode: {} migration(s) applied, schema version {}",
                mode,
                result.migrationsExecuted,
                result.targetSchemaVersion == null ? flyway.info().current().getVersion() : result.targetSchemaVersion);
        return mode;
    }

    /**
     * TimescaleDB mode when the extension is already installed in this database, or when it is available and
     * preloaded and this role may create it (CREATE EXTENSION fails otherwise). A database already migrated in plain
     * mode stays plain.
     *
     * <p>db-writer normally runs as its own role, not a superuser: TimescaleDB is not a trusted extension, so the
     * role setup (postgres/roles.sql) creates it as the superuser, and here it is simply installed. Such a role may
     * not read {@code shared_preload_libraries} either: {@code pg_settings} hides it instead of failing.
     */
    SchemaMode detectMode() throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, password)) {
            c.setAutoCommit(false);
            try {
                boolean installed = exists(c, "SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
                boolean available = exists(c, "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
                boolean superuser = exists(c, "SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper");
                boolean preloaded = exists(
                        c,
                        "SELECT 1 FROM pg_settings WHERE name = 'shared_preload_libraries'"
                                + " AND setting ~ '(^|[ ,])timescaledb([ ,]|$)'");
                boolean migratedPlain = exists(
                        c,
                        "SELECT 1 FROM pg_class WHERE relname = 'flyway_schema_history'"
                                + " AND relnamespace = current_schema()::regnamespace");
                if (installed) {
                    log.info("schema - TimescaleDB extension installed: TIMESCALEDB mode");
                    return SchemaMode.TIMESCALEDB;
                }
                if (available && preloaded && superuser && !migratedPlain) {
                    log.info("schema - TimescaleDB available and preloaded: TIMESCALEDB mode");
                    return SchemaMode.TIMESCALEDB;
                }
                if (available && !superuser) {
                    log.warn("schema - TimescaleDB is available but not installed in this database, and this role"
                            + " cannot create it: PLAIN mode (the superuser installs it: postgres/setup-roles)");
                } else if (available && !preloaded) {
                    log.warn("schema - TimescaleDB is installed on the server but not in shared_preload_libraries:"
                            + " PLAIN mode (add timescaledb to shared_preload_libraries and restart to use it)");
                } else if (available) {
                    log.warn("schema - TimescaleDB is available but this database was migrated in PLAIN mode:"
                            + " staying PLAIN (converting needs a manual migration)");
                } else {
                    log.info("schema - TimescaleDB not available: PLAIN mode");
                }
                return SchemaMode.PLAIN;
            } finally {
                c.rollback();
            }
        }
    }

    private static boolean exists(Connection c, String sql) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql);
                ResultSet rs = statement.executeQuery()) {
            return rs.next();
        }
    }
}
