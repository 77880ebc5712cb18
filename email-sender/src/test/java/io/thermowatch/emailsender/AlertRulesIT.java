package io.thermowatch.emailsender;

import static io.thermowatch.emailsender.RulesFileService.OPS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules file on the real stack: readings over MQTT through HAProxy and the cluster, one email-sender process,
 * GreenMail. One process serves the whole class (its start is most of the cost); each test has sensors of its own
 * prefix, selected by a rule of its own, so the tests do not see each other in any order. Short {@code for} and
 * rise windows keep each test to seconds. Run serialized: {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl
 * email-sender -am verify -Dit.test=AlertRulesIT}.
 */
class AlertRulesIT {

    private static final Duration MAIL = Duration.ofSeconds(15);

    private static SmtpServer smtp;
    private static RulesFileService service;

    /** The test's rules; {@code reloadAbove} is the one threshold the reload test changes. */
    private static String rules(String reloadRule) {
        return """
                rules:
                  - name: it-levels
                    sensors: "itl_*"
                    levels:
                      warning: {above: 30, clear: 29}
                      critical: {above: 35, clear: 34}
                  - name: it-for
                    sensors: "itf_*"
                    levels:
                      critical: {above: 30, for: 2s}
                  - name: it-rise
                    sensors: "itx_*"
                    rise: {by: 3, within: 20s}
                """ + reloadRule;
    }

    private static String reloadRule(String levels) {
        return "  - name: it-reload\n    sensors: \"itr_*\"\n    levels: " + levels + "\n";
    }

    @BeforeAll
    static void startEmailSender() throws Exception {
        smtp = new SmtpServer();
        smtp.start();
        service = RulesFileService.start(
                "alert-rules",
                rules(reloadRule("{critical: {above: 30}}")),
                smtp.port(),
                env -> env.with("ALERT_GROUP_WAIT", "200ms").with("ALERT_RULES_CHECK_INTERVAL", "300ms"));
    }

    @AfterAll
    static void stopEverything() {
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

    /** Subjects of the mails about {@code sensor}, in arrival order. */
    private static List<String> subjects(String sensor) {
        return mails(sensor).stream().map(SmtpServer.Mail::subject).toList();
    }

    private static List<SmtpServer.Mail> mails(String sensor) {
        return smtp.mailsTo(OPS).stream()
                .filter(m -> m.text().contains("temperature/" + sensor)) // ids of one length: no prefix of another
                .toList();
    }

    private static void awaitSubjects(String sensor, String... expected) {
        await().atMost(MAIL).until(() -> subjects(sensor).size() >= expected.length);
        assertEquals(List.of(expected), subjects(sensor));
    }

    @Test
    void a_warning_then_a_critical_escalation_then_its_resolution_are_mailed_once_each() throws Exception {
        // Given
        String s = sensor("itl_");
        // When / Then: each mail awaited before the next reading, so each is a mail of its own
        service.publish(s, 31.0);
        awaitSubjects(s, "Temperature Warning: 31.0°C on temperature/" + s);
        service.publish(s, 36.0);
        awaitSubjects(
                s,
                "Temperature Warning: 31.0°C on temperature/" + s,
                "Temperature Alert: 36.0°C on temperature/" + s + " (was warning)");
        service.publish(s, 34.5); // above critical's clear threshold: still critical, no mail
        service.publish(s, 20.0);
        awaitSubjects(
                s,
                "Temperature Warning: 31.0°C on temperature/" + s,
                "Temperature Alert: 36.0°C on temperature/" + s + " (was warning)",
                "Resolved: 20.0°C on temperature/" + s);
        SmtpServer.Mail escalation = mails(s).get(1);
        assertTrue(escalation.text().contains("level: CRITICAL (was WARNING), rule it-levels"), escalation.text());
        assertTrue(escalation.html().contains("CRITICAL (was WARNING), rule it-levels"), escalation.html());
        assertTrue(mails(s).get(2).text().contains("level: resolved (was CRITICAL), rule it-levels"));
    }

    @Test
    void a_for_duration_keeps_a_one_reading_spike_silent_and_fires_once_the_heat_lasts() throws Exception {
        // Given: critical above 30 for 2 s; a spike between cool readings
        String s = sensor("itf_");
        service.publish(s, 20.0);
        service.publish(s, 45.0);
        service.publish(s, 20.0);
        // When: then it stays at 40 °C, a reading every 250 ms
        long hotSince = System.nanoTime();
        ScheduledExecutorService sensorLoop = Executors.newSingleThreadScheduledExecutor();
        try {
            sensorLoop.scheduleAtFixedRate(
                    () -> {
                        try {
                            service.publish(s, 40.0);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    0,
                    250,
                    TimeUnit.MILLISECONDS);
            await().atMost(MAIL).until(() -> !mails(s).isEmpty());
        } finally {
            sensorLoop.shutdownNow();
        }
        long afterMillis = (System.nanoTime() - hotSince) / 1_000_000;
        // Then: one mail, about the lasting heat (not the 45 °C spike), no sooner than the 2 s
        assertEquals(List.of("Temperature Alert: 40.0°C on temperature/" + s), subjects(s));
        assertTrue(afterMillis >= 2_000, "mailed " + afterMillis + " ms after the heat began");
        assertTrue(
                mails(s).get(0).text().contains("above 30.0°C for 2s"),
                mails(s).get(0).text());
    }

    @Test
    void a_rise_of_three_degrees_within_the_window_is_mailed_before_any_threshold() throws Exception {
        // Given: no threshold rule for itx_ sensors, a rise rule of +3 °C within 20 s
        String s = sensor("itx_");
        // When: 20 → 23.5 °C in about a second
        for (double value : new double[] {20.0, 21.0, 22.0, 23.5}) {
            service.publish(s, value);
            Thread.sleep(300); // the sensor's cadence, not a wait for the system under test
        }
        // Then
        awaitSubjects(s, "Temperature Warning: 23.5°C, up 3.5°C within 20s, on temperature/" + s);
        assertTrue(
                mails(s).get(0).text().contains("rule it-rise"), mails(s).get(0).text());
    }

    @Test
    void a_changed_rules_file_takes_effect_without_a_restart_and_a_broken_one_keeps_the_previous_rules()
            throws Exception {
        // Given: it-reload fires above 30 °C; a reading of 28 °C then 31 °C mails only 31 °C
        String before = sensor("itr_");
        service.publish(before, 28.0);
        service.publish(before, 31.0);
        awaitSubjects(before, "Temperature Alert: 31.0°C on temperature/" + before);
        int reloads = service.timesLogged("rules - Reloaded " + service.rulesFile());
        long pid = service.process().pid();

        // When: the threshold is lowered to 26 °C in the file
        service.replaceRules(rules(reloadRule("{critical: {above: 26}}")));
        service.awaitLoggedAgain("rules - Reloaded " + service.rulesFile(), reloads);
        String after = sensor("itr_");
        service.publish(after, 28.0);
        // Then: 28 °C fires, in the same process
        awaitSubjects(after, "Temperature Alert: 28.0°C on temperature/" + after);

        // When: the file is broken (20 °C, with a clear threshold above it)
        int refusals = service.timesLogged("keeping the previous rules");
        service.replaceRules(rules(reloadRule("{critical: {above: 20, clear: 21}}")));
        service.awaitLoggedAgain("keeping the previous rules", refusals);
        String broken = sensor("itr_");
        service.publish(broken, 24.0);
        service.publish(broken, 27.0);
        // Then: the 26 °C rule is still in force (24 °C silent, 27 °C fires), and nothing restarted
        awaitSubjects(broken, "Temperature Alert: 27.0°C on temperature/" + broken);
        assertTrue(service.process()
                .output()
                .contains("levels.critical.clear='21': expected a number (°C) below above (20.0)"));
        assertEquals(pid, service.process().pid());
        assertTrue(service.process().isAlive());
    }

    @Test
    void a_broken_rules_file_at_start_stops_the_service_with_one_line_naming_it() throws Exception {
        // Given
        Path broken = Files.writeString(
                service.rulesFile().resolveSibling("broken-" + UUID.randomUUID() + ".yaml"),
                "rules: [{name: hall, levels: {warning: {above: 30}, critical: {above: 28}}}]\n");
        // When
        try (ServiceProcess failing = service.startAnother(broken)) {
            // Then: exit code 2 (configuration error) and the line
            assertEquals(2, failing.awaitExit(Duration.ofSeconds(30)), failing.tail());
            assertTrue(
                    failing.output()
                            .contains("configuration error: ALERT_RULES_FILE='" + broken
                                    + "': rules[0] hall: levels.critical.above='28': expected a number (°C) above"
                                    + " levels.warning.above (30.0)"),
                    failing.tail());
        }
    }
}
