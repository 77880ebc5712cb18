package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.Credentials;
import io.thermowatch.testkit.Stack;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The least-privilege database roles (postgres/roles.sql) on the real database: db-writer's role migrates and
 * writes, the dashboard's role reads what the dashboard shows and nothing more. Each test fails if its grant or
 * revocation is removed.
 */
class DatabaseRolesIT {

    /** PostgreSQL's SQLSTATE insufficient_privilege. */
    private static final String PERMISSION_DENIED = "42501";

    private static final String SENSOR = "roles-it-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);

    private static Stack stack;

    @BeforeAll
    static void migrateAsDbWriter() throws SQLException {
        stack = Stack.get();
        // The migration db-writer runs at start, as db-writer's own role: it must succeed without the superuser.
        WriterSchema.migrate(stack);
    }

    @Test
    void db_writers_role_owns_the_schema_and_writes() throws SQLException {
        // Given db-writer's role
        try (Connection c = connect(stack.dbWriterDatabase())) {
            // When it inserts a reading and reads it back, then both work
            insertReading(c);
            assertEquals(1, count(c, "SELECT count(*) FROM temperature WHERE sensor = '" + SENSOR + "'"));
            // And it owns every table and view of the schema (so its next migration can alter them)
            List<String> notOwned = strings(
                    c,
                    "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
                            + " AND relkind IN ('r', 'p', 'v', 'm') AND relowner <> current_user::regrole"
                            + " AND relname NOT LIKE 'bench%'");
            assertEquals(List.of(), notOwned, "relations of schema public db-writer's role does not own");
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM temperature WHERE sensor = '" + SENSOR + "'");
            }
        }
    }

    @Test
    void the_dashboards_role_reads_the_readings_and_their_aggregates() throws SQLException {
        // Given the dashboard's role
        try (Connection c = connect(stack.dashboardDatabase())) {
            // When it reads what the dashboard shows, then it may
            for (String relation : List.of("temperature", "temperature_1m", "temperature_1h")) {
                assertTrue(count(c, "SELECT count(*) FROM (SELECT 1 FROM " + relation + " LIMIT 1) AS r") >= 0);
            }
        }
    }

    @Test
    void the_dashboards_role_cannot_insert_or_change_anything() throws SQLException {
        // Given the dashboard's role
        try (Connection c = connect(stack.dashboardDatabase())) {
            // When it tries to write, to read what the dashboard does not show, or to create, then each is refused
            assertDenied(() -> insertReading(c), "INSERT INTO temperature");
            assertDenied(() -> execute(c, "DELETE FROM temperature WHERE sensor = '" + SENSOR + "'"), "DELETE");
            assertDenied(() -> count(c, "SELECT count(*) FROM rejected_messages"), "SELECT FROM rejected_messages");
            assertDenied(() -> execute(c, "CREATE TABLE roles_it_probe (x int)"), "CREATE TABLE");
        }
    }

    @Test
    void email_senders_role_records_alert_events_and_reads_mutes_and_nothing_else() throws SQLException {
        // Given email-sender's role, on the schema db-writer's role just migrated (the grants of afterMigrate)
        try (Connection c = connect(stack.emailSenderDatabase())) {
            // When it records an event and reads silences and acknowledgements, then it may
            execute(c, "INSERT INTO alert_events (time, sensor, kind) VALUES (now(), '" + SENSOR + "', 'OFFLINE')");
            // including a mail SMTP refused for good, with its reason (V7's column)
            execute(
                    c,
                    "INSERT INTO alert_events (time, sensor, kind, mail_error) VALUES (now(), '" + SENSOR
                            + "', 'OFFLINE', '550 5.1.1 user unknown')");
            assertTrue(count(c, "SELECT count(*) FROM alert_silences") >= 0);
            assertTrue(count(c, "SELECT count(*) FROM alert_acknowledgements") >= 0);
            // And anything else is refused
            assertDenied(() -> insertReading(c), "INSERT INTO temperature");
            assertDenied(() -> execute(c, "DELETE FROM alert_events"), "DELETE FROM alert_events");
            assertDenied(
                    () -> execute(
                            c, "INSERT INTO alert_silences (sensors, ends_at, created_by) VALUES ('x', now(), 'x')"),
                    "INSERT INTO alert_silences");
        } finally {
            deleteAsSuperuser("DELETE FROM alert_events WHERE sensor = '" + SENSOR + "'");
        }
    }

    @Test
    void the_operators_role_writes_silences_and_acknowledgements_and_nothing_else() throws SQLException {
        // Given the role of the dashboard's operator API
        try (Connection c = connect(stack.operatorDatabase())) {
            // When it silences, ends the silence and acknowledges, then it may
            execute(
                    c,
                    "INSERT INTO alert_silences (sensors, ends_at, created_by) VALUES ('" + SENSOR
                            + "', now() + interval '1 minute', 'roles-it')");
            execute(
                    c,
                    "UPDATE alert_silences SET ends_at = greatest(now(), starts_at), ended_by = 'roles-it'"
                            + " WHERE sensors = '" + SENSOR + "'");
            execute(
                    c,
                    "INSERT INTO alert_acknowledgements (sensor, rule, acknowledged_by) VALUES ('" + SENSOR
                            + "', 'r', 'roles-it')");
            // And anything else is refused
            assertDenied(() -> insertReading(c), "INSERT INTO temperature");
            assertDenied(
                    () -> execute(c, "INSERT INTO alert_events (time, sensor, kind) VALUES (now(), 'x', 'OFFLINE')"),
                    "INSERT INTO alert_events");
            assertDenied(() -> execute(c, "UPDATE alert_silences SET created_by = 'x'"), "UPDATE created_by");
            assertDenied(() -> execute(c, "DELETE FROM alert_silences"), "DELETE FROM alert_silences");
        } finally {
            deleteAsSuperuser("DELETE FROM alert_silences WHERE sensors = '" + SENSOR + "'");
            deleteAsSuperuser("DELETE FROM alert_acknowledgements WHERE sensor = '" + SENSOR + "'");
        }
    }

    private static void deleteAsSuperuser(String sql) throws SQLException {
        try (Connection c = stack.openDatabase()) {
            execute(c, sql);
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private static void assertDenied(SqlAction action, String what) {
        SQLException e = assertThrows(SQLException.class, action::run, what + " must be refused");
        assertEquals(PERMISSION_DENIED, e.getSQLState(), what + ": " + e.getMessage());
    }

    private static Connection connect(Credentials role) throws SQLException {
        return DriverManager.getConnection(stack.jdbcUrl(), role.username(), role.password());
    }

    private static void insertReading(Connection c) throws SQLException {
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO temperature (time, sensor, value) VALUES (?, ?, ?)")) {
            insert.setTimestamp(1, Timestamp.from(Instant.now()));
            insert.setString(2, SENSOR);
            insert.setDouble(3, 21.5);
            insert.executeUpdate();
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection c, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
