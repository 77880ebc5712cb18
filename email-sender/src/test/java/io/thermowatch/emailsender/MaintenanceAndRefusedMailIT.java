package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.RulesFileService.OPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.ScratchDatabase;
import io.thermowatch.testkit.Stack;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What becomes of a notification besides a mail, on the real stack: muted by a recurring maintenance window of the
 * rules file, or refused for good by SMTP, each leaving its row in {@code alert_events}. One email-sender process as
 * its own database role on a database of the test's own (db-writer's V6, V7 and grants), an in-test SMTP server that
 * refuses one address for good. The windows are written around the time the test starts, in a zone with a half-hour
 * offset (a window open now, and one that opens in an hour), so nothing waits for a wall-clock time. Seconds. Run
 * serialized: {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl email-sender -am verify
 * -Dit.test=MaintenanceAndRefusedMailIT}.
 */
class MaintenanceAndRefusedMailIT {

    private static final String NOBODY = "nobody@example.com";
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final ZoneId ZONE = ZoneId.of("Asia/Kolkata"); // UTC+05:30: local times are not UTC's

    private static ScratchDatabase database;
    private static RefusingSmtpServer smtp;
    private static RulesFileService service;

    @BeforeAll
    static void start() throws Exception {
        Stack stack = Stack.get();
        database = ScratchDatabase.recreate(stack, "maintenance_refused_it", ScratchDatabase.ALERT_TABLES);
        smtp = new RefusingSmtpServer(Set.of(NOBODY), Integer.MAX_VALUE);
        LocalTime now = ZonedDateTime.now(ZONE).toLocalTime().truncatedTo(ChronoUnit.MINUTES);
        // Open from 5 minutes ago for 15 (crossing midnight where it must); the other opens in an hour.
        String rules = """
                maintenance:
                  - name: it-open-now
                    sensors: "itm_open_*"
                    every: daily
                    from: "%s"
                    to: "%s"
                    timezone: %s
                  - name: it-later
                    sensors: "itm_later_*"
                    every: daily
                    from: "%s"
                    to: "%s"
                    timezone: %s
                rules:
                  - name: it-refused
                    sensors: "itm_refused_*"
                    levels:
                      critical: {above: 35, clear: 34}
                    recipients: [%s]
                  - name: it-maintenance
                    sensors: "itm_*"
                    levels:
                      critical: {above: 35, clear: 34}
                """.formatted(
                now.minusMinutes(5), now.plusMinutes(10), ZONE, now.plusMinutes(60), now.plusMinutes(70), ZONE, NOBODY);
        service = RulesFileService.start(
                "maintenance-refused",
                rules,
                smtp.port(),
                env -> env.database(stack.emailSenderDatabase()).with("DB_NAME", database.name()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
        if (smtp != null) {
            smtp.close();
        }
    }

    private static String sensor(String prefix) {
        return prefix + UUID.randomUUID().toString().substring(0, 8);
    }

    private static List<String> subjects(String sensor) {
        return smtp.mailsTo(OPS).stream()
                .map(RefusingSmtpServer.Mail::subject)
                .filter(s -> s.endsWith("temperature/" + sensor))
                .toList();
    }

    /**
     * {@code kind from→to mailed|silenced:<by> silence_id=<id>|refused:<mail_error>} per row of the sensor, in
     * order.
     */
    private static List<String> events(String sensor) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.superuser();
                PreparedStatement q = c.prepareStatement("SELECT kind, from_level, to_level, mailed_at, silence_id,"
                        + " silenced_by, mail_error FROM alert_events WHERE sensor = ? ORDER BY time, id")) {
            q.setString(1, sensor);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String fate = rs.getTimestamp("mailed_at") != null
                            ? "mailed"
                            : rs.getString("silenced_by") != null
                                    ? "silenced:" + rs.getString("silenced_by") + " silence_id="
                                            + rs.getString("silence_id")
                                    : "refused:" + rs.getString("mail_error");
                    rows.add(rs.getString("kind") + " " + rs.getString("from_level") + "→" + rs.getString("to_level")
                            + " " + fate);
                }
            }
        }
        return rows;
    }

    @Test
    void a_firing_while_a_maintenance_window_is_open_is_recorded_as_maintenance_and_not_mailed() throws Exception {
        // Given a sensor the open window selects, and one it does not
        String muted = sensor("itm_open_");
        String other = sensor("itm_other_");
        // When the first fires, then the second
        service.publish(muted, 36.0);
        await().atMost(WAIT).until(() -> !events(muted).isEmpty());
        service.publish(other, 36.0);
        // Then the second is mailed (mails go out in order: the first's would have been sent before it)
        await().atMost(WAIT).until(() -> subjects(other).size() == 1);
        // and the first only recorded, muted by the window, with no silence id
        assertEquals(List.of("FIRING NORMAL→CRITICAL silenced:maintenance:it-open-now silence_id=null"), events(muted));
        assertEquals(List.of(), subjects(muted));
    }

    @Test
    void a_firing_outside_its_maintenance_window_is_mailed() throws Exception {
        // Given a sensor of a window that opens in an hour
        String s = sensor("itm_later_");
        // When it fires
        service.publish(s, 36.0);
        // Then it is mailed and recorded as such
        await().atMost(WAIT).until(() -> subjects(s).size() == 1);
        assertEquals(
                "Temperature Alert: 36.0°C on temperature/" + s, subjects(s).get(0));
        await().atMost(WAIT).until(() -> !events(s).isEmpty());
        assertEquals(List.of("FIRING NORMAL→CRITICAL mailed"), events(s));
    }

    @Test
    void a_mail_smtp_refuses_for_good_leaves_a_row_with_the_refusal() throws Exception {
        // Given a sensor whose rule mails only an address the server refuses (550 5.1.1)
        String s = sensor("itm_refused_");
        // When it fires
        service.publish(s, 36.0);
        // Then its row says why it was not mailed
        await().atMost(WAIT).until(() -> !events(s).isEmpty());
        List<String> events = events(s);
        assertEquals(1, events.size(), events.toString());
        assertTrue(
                events.get(0)
                        .startsWith("FIRING NORMAL→CRITICAL refused:every recipient refused for good: " + NOBODY
                                + ": 550 5.1.1"),
                events.toString());
        assertEquals(List.of(), smtp.mailsTo(NOBODY));
    }
}
