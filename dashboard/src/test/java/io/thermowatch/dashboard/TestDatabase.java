package io.thermowatch.dashboard;

import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/**
 * A database of the test's own on the stack's PostgreSQL ({@code dashboard_it} etc.), so tests never touch the
 * {@code metrics} database that db-writer migrates. The schema comes from db-writer's own migration files.
 */
final class TestDatabase {

    /**
     * db-writer's own plain-mode migrations that make what the dashboard reads: {@code temperature} (V1), its time
     * index (V2) and the aggregate views {@code temperature_1m}/{@code _1h} with their columns (V3). Read from the
     * repository, not copied, so a rename in db-writer's schema fails the dashboard's tests. Each is idempotent.
     */
    static final List<String> SCHEMA_MIGRATIONS = List.of(
            "db-writer/src/main/resources/db/migration/common/V1__temperature_and_rejected_messages.sql",
            "db-writer/src/main/resources/db/migration/plain/V2__time_index.sql",
            "db-writer/src/main/resources/db/migration/plain/V3__aggregate_views.sql");

    private final Stack stack;
    private final String name;

    private TestDatabase(Stack stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    /** Creates database {@code name} if missing (empty, no table). */
    static TestDatabase create(Stack stack, String name) throws SQLException {
        try (var connection = stack.openDatabase();
                var statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
            if (!rs.next()) {
                statement.execute("CREATE DATABASE " + name);
            }
        }
        return new TestDatabase(stack, name);
    }

    /** Creates the table (and the plain aggregate views) if missing, and empties it. */
    TestDatabase withEmptyTable() throws SQLException {
        try (var connection = open();
                var statement = connection.createStatement()) {
            for (String migration : SCHEMA_MIGRATIONS) {
                statement.execute(read(migration));
            }
            statement.execute("TRUNCATE temperature");
        }
        return this;
    }

    private String read(String migration) {
        try {
            return Files.readString(stack.root().resolve(migration));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read db-writer's migration " + migration, e);
        }
    }

    /** Drops the table, if any. */
    TestDatabase withoutTable() throws SQLException {
        try (var connection = open();
                var statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS temperature CASCADE");
        }
        return this;
    }

    Connection open() throws SQLException {
        return DriverManager.getConnection(
                jdbcUrl(), stack.database().username(), stack.database().password());
    }

    String jdbcUrl() {
        return "jdbc:postgresql://" + stack.dbHost() + ':' + stack.dbPort() + '/' + name
                + "?reWriteBatchedInserts=true";
    }

    String name() {
        return name;
    }

    /** The environment of a dashboard reading this database, with the stack's broker and management API. */
    java.util.Map<String, String> dashboardEnv() {
        var env = new java.util.HashMap<String, String>();
        env.put("DASHBOARD_PORT", "0");
        env.put("HEALTH_PORT", "0");
        env.put("DB_HOST", stack.dbHost());
        env.put("DB_PORT", Integer.toString(stack.dbPort()));
        env.put("DB_NAME", name);
        env.put("DB_USER", stack.database().username());
        env.put("DB_PASS", stack.database().password());
        env.put("RABBITMQ_MANAGEMENT_URL", stack.managementUri().toString());
        env.put("RABBITMQ_MONITOR_USER", stack.monitor().username());
        env.put("RABBITMQ_MONITOR_PASS", stack.monitor().password());
        env.put("MQTT_PAGE_USER", stack.page().username());
        env.put("MQTT_PAGE_PASS", stack.page().password());
        env.put("MQTT_LIVE_USER", stack.live().username());
        env.put("MQTT_LIVE_PASS", stack.live().password());
        env.put("TEMPERATURE_THRESHOLD", "25");
        env.put("MQTT_URIS", stack.mqttUri());
        env.put("SENSOR_OFFLINE_AFTER", "2m");
        return env;
    }

    /**
     * {@code dashboard/target/dashboard.jar} as its own process on {@code port}, reading this database as the
     * superuser, with the stack's broker, management API and page-token key; {@code extra} adds or overrides.
     */
    ServiceProcess startDashboardProcess(int port, Map<String, String> extra) {
        var env = ServiceEnv.of(stack)
                .with("DASHBOARD_PORT", Integer.toString(port))
                .with("DB_HOST", stack.dbHost())
                .with("DB_PORT", Integer.toString(stack.dbPort()))
                .with("DB_NAME", name)
                .with("DB_USER", stack.database().username())
                .with("DB_PASS", stack.database().password())
                .with("RABBITMQ_MANAGEMENT_URL", stack.managementUri().toString())
                .with("RABBITMQ_MONITOR_USER", stack.monitor().username())
                .with("RABBITMQ_MONITOR_PASS", stack.monitor().password())
                .with("MQTT_PAGE_USER", stack.page().username())
                .with("MQTT_PAGE_PASS", stack.page().password())
                .with("MQTT_LIVE_USER", stack.live().username())
                .with("MQTT_LIVE_PASS", stack.live().password())
                .with("MQTT_PAGE_TOKEN_USER", stack.pageTokenUser())
                .with("MQTT_PAGE_TOKEN_KEY", stack.pageTokenKey())
                .with("TEMPERATURE_THRESHOLD", "25")
                .with("MQTT_URIS", stack.mqttUri())
                .freeHealthPort();
        extra.forEach(env::with);
        var process = ServiceProcess.start("dashboard", env.build());
        process.awaitReady(port, Duration.ofSeconds(30));
        return process;
    }

    /**
     * {@code count} readings {@code every} apart from {@code first} in one statement, values 20.0, 20.1, … 29.6 then
     * again (reading {@code i} has {@code 20 + (i % 97) / 10}); returns how many were new.
     */
    int insertEvery(String sensor, Instant first, int count, Duration every) throws SQLException {
        try (var connection = open();
                var insert = connection.prepareStatement("""
                INSERT INTO temperature (time, sensor, value)
                SELECT ?::timestamptz + i * make_interval(secs => ?), ?, 20 + (i % 97) / 10.0
                FROM generate_series(0, ? - 1) AS i
                ON CONFLICT DO NOTHING""")) {
            insert.setObject(1, OffsetDateTime.ofInstant(first, ZoneOffset.UTC));
            insert.setDouble(2, every.toMillis() / 1000.0);
            insert.setString(3, sensor);
            insert.setInt(4, count);
            return insert.executeUpdate();
        }
    }

    void insert(String sensor, Instant time, double value) throws SQLException {
        try (var connection = open();
                var statement = connection.prepareStatement(
                        "INSERT INTO temperature (time, sensor, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
            statement.setObject(1, OffsetDateTime.ofInstant(time, ZoneOffset.UTC));
            statement.setString(2, sensor);
            statement.setDouble(3, value);
            statement.executeUpdate();
        }
    }

    /** {@code sensors} sensors with one reading per minute over {@code minutes} minutes up to {@code end}; one COPY-like batch. */
    void insertPerMinute(
            java.util.List<String> sensors,
            Instant end,
            int minutes,
            java.util.function.ToDoubleBiFunction<String, Integer> value)
            throws SQLException {
        try (var connection = open()) {
            connection.setAutoCommit(false);
            try (var statement = connection.prepareStatement(
                    "INSERT INTO temperature (time, sensor, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                var count = 0;
                for (var sensor : sensors) {
                    for (var minute = 0; minute < minutes; minute++) {
                        statement.setObject(
                                1, OffsetDateTime.ofInstant(end.minusSeconds(60L * minute), ZoneOffset.UTC));
                        statement.setString(2, sensor);
                        statement.setDouble(3, value.applyAsDouble(sensor, minute));
                        statement.addBatch();
                        if (++count % 5000 == 0) {
                            statement.executeBatch();
                        }
                    }
                }
                statement.executeBatch();
            }
            connection.commit();
        }
    }
}
