package io.thermowatch.dashboard;

import io.thermowatch.testkit.Credentials;
import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * A fresh database of a test's own with db-writer's readings table and alert tables (V1, V6) and the alert grants,
 * read from db-writer's migration files (a rename there fails these tests). The roles are the stack's
 * (postgres/roles.sql), so each service can connect as its own role, as in compose.
 */
final class AlertTestDatabase {

    private static final List<String> MIGRATIONS = List.of(
            "db-writer/src/main/resources/db/migration/common/V1__temperature_and_rejected_messages.sql",
            "db-writer/src/main/resources/db/migration/common/V6__alert_history_silences_acknowledgements.sql",
            "db-writer/src/main/resources/db/migration/common/afterMigrate__grant_alerts.sql");

    private final Stack stack;
    private final String name;

    private AlertTestDatabase(Stack stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    /** Drops {@code name} if it exists and creates it afresh with the tables and grants. */
    static AlertTestDatabase recreate(Stack stack, String name) throws Exception {
        try (Connection c = stack.openDatabase();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        var database = new AlertTestDatabase(stack, name);
        try (Connection c = database.connect(stack.database());
                Statement s = c.createStatement()) {
            for (String migration : MIGRATIONS) {
                s.execute(Files.readString(stack.root().resolve(migration)));
            }
            s.execute("GRANT SELECT ON temperature TO thermowatch_read");
        }
        return database;
    }

    Connection connect(Credentials role) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + stack.dbHost() + ":" + stack.dbPort() + "/" + name,
                role.username(),
                role.password());
    }

    /** Runs {@code sql} as the superuser (what email-sender would have recorded, checks). */
    void execute(String sql) throws SQLException {
        try (Connection c = connect(stack.database());
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection c = connect(stack.database());
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The dashboard's environment as compose gives it: the page reads as the dashboard role, the operator API writes
     * as the operator role, with {@code token} as OPERATOR_TOKEN.
     */
    Map<String, String> dashboardEnv(String token) throws SQLException {
        var env = TestDatabase.create(stack, name).dashboardEnv();
        env.put("DB_USER", stack.dashboardDatabase().username());
        env.put("DB_PASS", stack.dashboardDatabase().password());
        env.put("OPERATOR_TOKEN", token);
        env.put("OPERATOR_DB_USER", stack.operatorDatabase().username());
        env.put("OPERATOR_DB_PASS", stack.operatorDatabase().password());
        env.put("MQTT_PAGE_TOKEN_USER", stack.pageTokenUser());
        env.put("MQTT_PAGE_TOKEN_KEY", stack.pageTokenKey());
        return env;
    }
}
