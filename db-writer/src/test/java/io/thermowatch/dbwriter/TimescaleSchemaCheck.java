package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.thermowatch.common.wire.Reading;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Manual check of TimescaleDB mode against a PostgreSQL with TimescaleDB preloaded (CI has plain PostgreSQL, where
 * {@code DbWriterIT} checks PLAIN mode). Two migrators start at once, then the schema is asserted, readings are
 * written twice, and the real-time aggregates are read; then {@link TimescaleLateDataCheck}: late readings reach both
 * aggregates through the refresh policies, and aggregate buckets plus raw edges count exactly the rows of an off-hour
 * range. Prints {@code TimescaleDB schema check passed} or fails.
 *
 * <pre>
 * TIMESCALEDB_URL=jdbc:postgresql://127.0.0.1:55433/metrics ./mvnw -B -pl db-writer -am test-compile exec:java \
 *   -Dexec.mainClass=io.thermowatch.dbwriter.TimescaleSchemaCheck -Dexec.classpathScope=test
 * </pre>
 * Environment: {@code TIMESCALEDB_URL}, {@code TIMESCALEDB_USER}/{@code TIMESCALEDB_PASS} (default postgres/postgres).
 * Use an empty database: the check creates the schema and leaves it there.
 */
public final class TimescaleSchemaCheck {

    private TimescaleSchemaCheck() {}

    public static void main(String[] args) throws Exception {
        String url = System.getenv().getOrDefault("TIMESCALEDB_URL", "jdbc:postgresql://127.0.0.1:55433/metrics");
        String user = System.getenv().getOrDefault("TIMESCALEDB_USER", "postgres");
        String password = System.getenv().getOrDefault("TIMESCALEDB_PASS", "postgres");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setAutoCommit(false);
        config.setMaximumPoolSize(4);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            // Given two instances starting at once
            ExecutorService pool = Executors.newFixedThreadPool(2);
            Callable<SchemaMode> migrate = () -> new SchemaMigrator(url, user, password, 90).migrate();
            List<Future<SchemaMode>> modes = pool.invokeAll(List.of(migrate, migrate));
            pool.shutdown();
            for (Future<SchemaMode> mode : modes) {
                assertEquals(SchemaMode.TIMESCALEDB, mode.get(), "detected mode");
            }
            // Then the schema is TimescaleDB's
            try (Connection c = ds.getConnection()) {
                SchemaAssertions.assertSchema(c, SchemaMode.TIMESCALEDB);
                c.rollback();
            }
            // And writes are idempotent on the hypertable, with both insert methods
            String sensor = "ts-check-" + System.nanoTime();
            long now = System.currentTimeMillis();
            List<Reading> readings = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                readings.add(new Reading(sensor, 20 + i % 5, now - 120_000 + i * 1000L));
            }
            assertEquals(120, new BenchmarkSink(ds, BenchmarkSink.Method.UNNEST).write(readings, List.of()));
            assertEquals(0, new BenchmarkSink(ds, BenchmarkSink.Method.COPY).write(readings, List.of()));
            // And the real-time aggregates see rows not yet materialized
            try (Connection c = ds.getConnection()) {
                assertEquals(
                        List.of("120"),
                        SchemaAssertions.strings(
                                c, "SELECT sum(samples)::text FROM temperature_1m WHERE sensor = '" + sensor + "'"));
                assertEquals(
                        List.of("120"),
                        SchemaAssertions.strings(
                                c, "SELECT sum(samples)::text FROM temperature_1h WHERE sensor = '" + sensor + "'"));
                c.rollback();
            }
            TimescaleLateDataCheck.run(ds, url, user, password);
            try (Connection c = ds.getConnection()) {
                System.out.println("versions: "
                        + SchemaAssertions.strings(
                                c,
                                "SELECT 'PostgreSQL ' || current_setting('server_version') || ', TimescaleDB ' || extversion"
                                        + " FROM pg_extension WHERE extname = 'timescaledb'"));
                c.rollback();
            }
        }
        System.out.println("TimescaleDB schema check passed");
    }
}
