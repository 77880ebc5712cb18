package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.RulesFileService.OPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.ScratchDatabase;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.Stack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Alert history, silences and acknowledgements on the real stack: readings over MQTT, one email-sender process with
 * its own least-privilege role (email_sender) on a database of the test's own that has db-writer's migration V6,
 * GreenMail. The database is reached through a {@link TcpRelay} the outage test cuts, so the shared PostgreSQL is
 * never stopped. Reminders every second and mutes read every 300 ms keep each test to seconds. Run serialized:
 * {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl email-sender -am verify -Dit.test=AlertHistoryIT}.
 */
class AlertHistoryIT {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String DATABASE = "alert_history_it";
    private static SmtpServer smtp;
    private static TcpRelay relay;
    private static ScratchDatabase database;
    private static RulesFileService service;

    @BeforeAll
    static void start() throws Exception {
        Stack stack = Stack.get();
        database = ScratchDatabase.recreate(stack, DATABASE, ScratchDatabase.ALERT_TABLES);
        relay = new TcpRelay(ServiceEnv.freePort(), stack.dbHost(), stack.dbPort());
        relay.open();
        smtp = new SmtpServer();
        smtp.start();
        service = RulesFileService.start(
                "alert-history",
                """
                rules:
                  - name: it-history
                    sensors: "ith_*"
                    levels:
                      warning: {above: 30, clear: 29}
                      critical: {above: 35, clear: 34}
                    repeat: 1s
                """,
                smtp.port(),
                env -> env.with("ALERT_MUTES_CHECK_INTERVAL", "300ms")
                        .database(stack.emailSenderDatabase()) // its own role, through the relay the outage test cuts
                        .with("DB_HOST", "127.0.0.1")
                        .with("DB_PORT", Integer.toString(relay.port()))
                        .with("DB_NAME", DATABASE));
    }

    private static Connection superuser() throws SQLException {
        return database.superuser();
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (smtp != null) {
            smtp.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private static String sensor() {
        return "ith_" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<String> subjects(String sensor) {
        return smtp.mailsTo(OPS).stream()
                .filter(m -> m.text().contains("temperature/" + sensor))
                .map(SmtpServer.Mail::subject)
                .toList();
    }

    /** {@code kind from→to mailed|silenced:<by>|acknowledged:<by>} per row of the sensor, in order. */
    private static List<String> events(String sensor) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = superuser();
                PreparedStatement q = c.prepareStatement("SELECT kind, from_level, to_level, mailed_at, silenced_by,"
                        + " acknowledged_by, rule, value FROM alert_events WHERE sensor = ? ORDER BY time, id")) {
            q.setString(1, sensor);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String fate = rs.getTimestamp("mailed_at") != null
                            ? "mailed"
                            : rs.getString("silenced_by") != null
                                    ? "silenced:" + rs.getString("silenced_by")
                                    : "acknowledged:" + rs.getString("acknowledged_by");
                    rows.add(rs.getString("kind") + " " + rs.getString("from_level") + "→" + rs.getString("to_level")
                            + " " + fate);
                }
            }
        }
        return rows;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = superuser();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Waits until the service read the silences and acknowledgements once more after a change. */
    private static void awaitMutesRead(int before) {
        service.awaitLoggedAgain("mutes - ", before);
    }

    /** Publishes {@code value} every 200 ms until {@code done} holds. */
    private static void keepPublishing(String sensor, double value, java.util.concurrent.Callable<Boolean> done) {
        ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
        try {
            loop.scheduleAtFixedRate(
                    () -> {
                        try {
                            service.publish(sensor, value);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    0,
                    200,
                    TimeUnit.MILLISECONDS);
            await().atMost(WAIT).until(done);
        } finally {
            loop.shutdownNow();
        }
    }

    @Test
    void a_warning_then_critical_then_resolved_sequence_is_recorded_with_levels_and_mailed_at() throws Exception {
        // Given
        String s = sensor();
        // When
        service.publish(s, 31.0);
        await().atMost(WAIT).until(() -> subjects(s).size() == 1);
        service.publish(s, 36.0);
        await().atMost(WAIT).until(() -> subjects(s).size() == 2);
        service.publish(s, 20.0);
        // Then
        await().atMost(WAIT).until(() -> events(s).size() >= 3);
        assertEquals(
                List.of(
                        "FIRING NORMAL→WARNING mailed",
                        "FIRING WARNING→CRITICAL mailed",
                        "RESOLVED CRITICAL→NORMAL mailed"),
                events(s));
    }

    @Test
    void a_silence_mutes_the_sensor_and_mails_go_out_again_once_it_expired() throws Exception {
        // Given a silence of this sensor for 3 s, read by the service
        String s = sensor();
        int reads = service.timesLogged("mutes - ");
        execute("INSERT INTO alert_silences (sensors, ends_at, created_by, comment) VALUES ('" + s
                + "', now() + interval '3 seconds', 'it-silencer', 'maintenance')");
        awaitMutesRead(reads);
        // When it fires within the silence
        service.publish(s, 31.0);
        // Then the FIRING is recorded as silenced, and not mailed
        await().atMost(WAIT).until(() -> !events(s).isEmpty());
        assertEquals("FIRING NORMAL→WARNING silenced:it-silencer", events(s).get(0));
        // When the silence has ended and the sensor is still hot (reminders every second)
        await().atMost(WAIT).until(() -> silencesEnded(s));
        keepPublishing(s, 31.0, () -> !subjects(s).isEmpty());
        // Then the first mail is the reminder, recorded as mailed
        assertEquals(
                "Temperature Warning (still firing): 31.0°C on temperature/" + s,
                subjects(s).get(0));
        await().atMost(WAIT).until(() -> events(s).contains("REMINDER WARNING→WARNING mailed"));
    }

    private static boolean silencesEnded(String sensor) throws SQLException {
        try (Connection c = superuser();
                PreparedStatement q = c.prepareStatement(
                        "SELECT count(*) FROM alert_silences WHERE sensors = ? AND ends_at > now()")) {
            q.setString(1, sensor);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        }
    }

    @Test
    void an_acknowledgement_stops_the_reminders_until_the_alert_resolves() throws Exception {
        // Given a firing alert, reminded every second
        String s = sensor();
        service.publish(s, 31.0);
        await().atMost(WAIT).until(() -> subjects(s).size() == 1);
        // When an operator acknowledges it, and the service has read it
        int reads = service.timesLogged("mutes - ");
        execute("INSERT INTO alert_acknowledgements (sensor, rule, acknowledged_by) VALUES ('" + s
                + "', 'it-history', 'it-operator')");
        awaitMutesRead(reads);
        int mailsBefore = subjects(s).size();
        // ... and the sensor stays hot for two more reminder intervals
        keepPublishing(
                s,
                31.0,
                () -> events(s).stream()
                                .filter(e -> e.equals("REMINDER WARNING→WARNING acknowledged:it-operator"))
                                .count()
                        >= 2);
        // Then no reminder was mailed meanwhile
        assertEquals(mailsBefore, subjects(s).size(), subjects(s).toString());
        // When it resolves: mailed as usual
        service.publish(s, 20.0);
        await().atMost(WAIT).until(() -> subjects(s).contains("Resolved: 20.0°C on temperature/" + s));
        await().atMost(WAIT).until(() -> events(s).contains("RESOLVED WARNING→NORMAL mailed"));
    }

    @Test
    void alerts_are_mailed_while_the_database_is_down_and_recorded_once_it_is_back() throws Exception {
        // Given the service's database unreachable
        String s = sensor();
        relay.cut();
        try {
            // When the sensor fires and resolves
            service.publish(s, 36.0);
            await().atMost(WAIT).until(() -> subjects(s).size() == 1);
            service.publish(s, 20.0);
            // Then both are mailed without waiting for the database
            await().atMost(WAIT).until(() -> subjects(s).size() == 2);
            assertEquals(
                    List.of("Temperature Alert: 36.0°C on temperature/" + s, "Resolved: 20.0°C on temperature/" + s),
                    subjects(s));
            assertTrue(events(s).isEmpty());
        } finally {
            relay.open();
        }
        // Then, the database back, both are recorded (the writer's back-off is at most 30 s ± 25 %, here seconds)
        await().atMost(Duration.ofSeconds(45)).until(() -> events(s).size() >= 2);
        assertEquals(List.of("FIRING NORMAL→CRITICAL mailed", "RESOLVED CRITICAL→NORMAL mailed"), events(s));
    }
}
