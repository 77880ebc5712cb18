package io.thermowatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Brings the least-privilege roles of database {@code metrics} up to date with {@code postgres/roles.sql}, as the
 * superuser, the way {@code postgres/setup-roles} does for compose and {@code scripts/stack}. The testkit runs it
 * once per JVM because a stack started by an older checkout (still running, so never set up again) lacks them.
 * Idempotent. Not thread safe (called from {@link Stack#get()}, which is synchronized).
 */
final class DatabaseRoles {

    private DatabaseRoles() {}

    static void ensure(Stack stack) {
        Path script = stack.root().resolve("postgres/roles.sql");
        try (Connection c = stack.openDatabase()) {
            String sql = Files.readString(script);
            try (PreparedStatement settings =
                    c.prepareStatement("SELECT set_config('thermowatch.db_writer_user', ?, false),"
                            + " set_config('thermowatch.db_writer_pass', ?, false),"
                            + " set_config('thermowatch.dashboard_user', ?, false),"
                            + " set_config('thermowatch.dashboard_pass', ?, false),"
                            + " set_config('thermowatch.email_sender_user', ?, false),"
                            + " set_config('thermowatch.email_sender_pass', ?, false),"
                            + " set_config('thermowatch.operator_user', ?, false),"
                            + " set_config('thermowatch.operator_pass', ?, false)")) {
                settings.setString(1, stack.dbWriterDatabase().username());
                settings.setString(2, stack.dbWriterDatabase().password());
                settings.setString(3, stack.dashboardDatabase().username());
                settings.setString(4, stack.dashboardDatabase().password());
                settings.setString(5, stack.emailSenderDatabase().username());
                settings.setString(6, stack.emailSenderDatabase().password());
                settings.setString(7, stack.operatorDatabase().username());
                settings.setString(8, stack.operatorDatabase().password());
                settings.execute();
            }
            try (Statement statement = c.createStatement()) {
                statement.execute(sql);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + script, e);
        } catch (SQLException e) {
            throw new AssertionError("setting up the database roles (" + script + ") failed: " + e.getMessage(), e);
        }
    }
}
