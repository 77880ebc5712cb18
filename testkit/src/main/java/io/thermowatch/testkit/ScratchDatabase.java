package io.thermowatch.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh database of a test's own on the stack's PostgreSQL, with some of db-writer's migration files applied as
 * they are in the repository (a rename there fails the tests that use them). The roles are the stack's
 * (postgres/roles.sql), so a service under test connects as its own least-privilege role, as in compose; the
 * superuser only sets up and reads what the service wrote.
 */
public final class ScratchDatabase {

    private static final String MIGRATIONS = "db-writer/src/main/resources/db/migration/common/";

    /** The readings and rejects tables (V1). */
    public static final List<String> READINGS = List.of(MIGRATIONS + "V1__temperature_and_rejected_messages.sql");

    /** The alert history, silences and acknowledgements (V6, V7) and their grants to the services' roles. */
    public static final List<String> ALERT_TABLES = List.of(
            MIGRATIONS + "V6__alert_history_silences_acknowledgements.sql",
            MIGRATIONS + "V7__alert_events_mail_error.sql",
            MIGRATIONS + "afterMigrate__grant_alerts.sql");

    private final Stack stack;
    private final String name;

    private ScratchDatabase(Stack stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    /** Drops {@code name} if a previous run left it, creates it and applies {@code migrations} in order. */
    @SafeVarargs
    public static ScratchDatabase recreate(Stack stack, String name, List<String>... migrations)
            throws SQLException, IOException {
        try (Connection c = stack.openDatabase();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        ScratchDatabase database = new ScratchDatabase(stack, name);
        List<String> files = new ArrayList<>();
        for (List<String> group : migrations) {
            files.addAll(group);
        }
        for (String file : files) {
            database.execute(Files.readString(stack.root().resolve(file)));
        }
        return database;
    }

    public String name() {
        return name;
    }

    public Connection connect(Credentials role) throws SQLException {
        return DriverManager.getConnection(
                "jdbc:postgresql://" + stack.dbHost() + ":" + stack.dbPort() + "/" + name,
                role.username(),
                role.password());
    }

    public Connection superuser() throws SQLException {
        return connect(stack.database());
    }

    /** Runs {@code sql} as the superuser (what a service would have recorded, set-up). */
    public void execute(String sql) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the first row of {@code sql}, as the superuser. */
    public long count(String sql) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
