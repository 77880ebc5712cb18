package io.thermowatch.emailsender;

import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * A fresh database of an IT's own with db-writer's alert tables and their grants, read from db-writer's migration
 * files (a rename there fails these tests); the roles are the stack's, so email-sender runs as its own
 * least-privilege role. Opened as the superuser only to set up and to read what the service wrote.
 */
final class AlertTablesDatabase {

    private static final List<String> MIGRATIONS = List.of(
            "db-writer/src/main/resources/db/migration/common/V6__alert_history_silences_acknowledgements.sql",
            "db-writer/src/main/resources/db/migration/common/V7__alert_events_mail_error.sql",
            "db-writer/src/main/resources/db/migration/common/afterMigrate__grant_alerts.sql");

    private final Stack stack;
    final String name;

    private AlertTablesDatabase(Stack stack, String name) {
        this.stack = stack;
        this.name = name;
    }

    /** Drops {@code name} if a previous run left it, creates it and applies the migrations. */
    static AlertTablesDatabase create(Stack stack, String name) throws Exception {
        try (Connection c = stack.openDatabase();
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            s.execute("CREATE DATABASE " + name);
        }
        AlertTablesDatabase database = new AlertTablesDatabase(stack, name);
        try (Connection c = database.superuser();
                Statement s = c.createStatement()) {
            for (String migration : MIGRATIONS) {
                s.execute(Files.readString(stack.root().resolve(migration)));
            }
        }
        return database;
    }

    Connection superuser() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", stack.database().username());
        props.setProperty("password", stack.database().password());
        return DriverManager.getConnection(
                "jdbc:postgresql://" + stack.dbHost() + ":" + stack.dbPort() + "/" + name, props);
    }
}
