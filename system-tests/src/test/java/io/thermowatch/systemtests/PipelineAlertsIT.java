package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.Mailbox;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * email-sender's pipeline watchdog on the whole system (issue 12, "Done when"): the real db-writer stopped for 90 s
 * while a sensor process publishes gives exactly one PIPELINE firing mail and one PIPELINE resolved mail; a message
 * sitting in {@code thermowatch.dead-letter} fires and resolves once db-writer drains it. The only class that opts
 * in to the watchdog ({@link SystemUnderTest#pipelineWatchdog}).
 *
 * <p>Figures: a look every {@value #CHECK_SECONDS} s and a backlog growth window of {@value #GROWTH_SECONDS} s, so
 * both "no consumer" and "backlog growing" start well inside the 90 s; {@code ALERT_GROUP_WAIT} of
 * {@value #GROUP_WAIT_SECONDS} s, longer than the growth window plus the management API's statistics lag (5 s) and
 * a look, so both start in one group: "one firing mail" is one mail naming both conditions, as the watchdog groups
 * its notifications like every other alert.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineAlertsIT {

    private static final Logger log = LoggerFactory.getLogger(PipelineAlertsIT.class);
    private static final long CHECK_SECONDS = 2;
    private static final long GROWTH_SECONDS = 20;
    private static final long GROUP_WAIT_SECONDS = 45;
    private static final Duration STOPPED = Duration.ofSeconds(90);
    private static final String DEAD_LETTER_QUEUE = "thermowatch.dead-letter";
    // The conditions as the mails name them (common's PipelineWatch.Condition descriptions)
    private static final String NO_CONSUMER = "thermowatch.db-writer has no consumer: readings are not being stored";
    private static final String GROWING = "thermowatch.db-writer backlog keeps growing: db-writer is not keeping up";
    private static final String DEAD_LETTERS = "thermowatch.dead-letter is not empty: messages were given up on";
    private static final String FIRING = "PIPELINE ALERT: ";
    private static final String RESOLVED = "PIPELINE RESOLVED: ";

    private SystemUnderTest system;
    private Stack stack;
    private Mailbox mailbox;
    private Rows rows;

    @BeforeAll
    void startTheSystem() {
        stack = Stack.get();
        try (QueueProbe probe = stack.queueProbe()) {
            // Another run's leftovers in either dead-letter queue would fire a condition of their own at once
            probe.purge(DEAD_LETTER_QUEUE);
            probe.purge(Stack.EMAIL_SENDER_DEAD_LETTER_QUEUE);
        }
        Map<String, String> emailSender = new HashMap<>(SystemUnderTest.pipelineWatchdog(
                Duration.ofSeconds(CHECK_SECONDS), Duration.ofSeconds(GROWTH_SECONDS)));
        emailSender.put("ALERT_GROUP_WAIT", GROUP_WAIT_SECONDS + "s");
        system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of(), emailSender);
        mailbox = stack.mailbox();
        rows = new Rows(stack);
        system.startSensor(
                "pipeline",
                Map.of("SENSOR_COUNT", "3", "SENSOR_ID_PREFIX", system.run + "_pipe", "PUBLISH_INTERVAL", "500ms"));
        system.awaitAllReady(SystemUnderTest.READY);
    }

    @AfterAll
    void stopTheSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void db_writer_stopped_for_90_s_with_sensors_running_gives_one_firing_and_one_resolved_pipeline_mail() {
        // Given: the watchdog reads the management API, and a healthy pipeline mails nothing
        ServiceProcess emailSender = system.service("email-sender");
        assertTrue(
                emailSender.output().contains("Pipeline watchdog: management " + stack.managementUri()),
                emailSender.tail());
        await("readings stored").atMost(Duration.ofSeconds(30)).until(() -> rows.count(system.run + "_pipe1") > 0);
        await("no PIPELINE mail while the pipeline is healthy")
                .during(Duration.ofSeconds(15))
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> pipelineMails().isEmpty());
        assertFalse(emailSender.output().contains("Cannot read the management API"), emailSender.tail());
        // (a mail waits ALERT_GROUP_WAIT: the watchdog's own log shows a condition at once)
        assertFalse(emailSender.output().contains("pipeline - FIRING"), emailSender.tail());

        // When: db-writer is stopped for 90 s while the sensors keep publishing
        ServiceProcess writer = system.service("db-writer");
        writer.sigterm();
        writer.awaitExit(Duration.ofSeconds(30));
        long stoppedAt = System.nanoTime();
        long backlogAtStop = stack.management().queue(Stack.DB_WRITER_QUEUE).messages();
        await("a PIPELINE firing mail while db-writer is stopped")
                .atMost(STOPPED)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> !pipelineMails().isEmpty());
        Duration firingAfter = since(stoppedAt);
        Duration rest = STOPPED.minus(since(stoppedAt));
        if (!rest.isNegative() && !rest.isZero()) {
            await("no second PIPELINE mail while db-writer is stopped")
                    .during(rest)
                    .atMost(rest.plusSeconds(5))
                    .pollInterval(Duration.ofSeconds(1))
                    .until(() -> pipelineMails().size() == 1);
        }
        long backlogAtRestart = stack.management().queue(Stack.DB_WRITER_QUEUE).messages();
        system.startService("db-writer").awaitReady(SystemUnderTest.READY);
        long restartedAt = System.nanoTime();

        // Then: one mail with both conditions firing, one with both resolved, and no other PIPELINE mail
        await("a PIPELINE resolved mail after db-writer is back")
                .atMost(Duration.ofSeconds(GROUP_WAIT_SECONDS + 45))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> pipelineMails().size() >= 2);
        Duration resolvedAfter = since(restartedAt);
        await("no further PIPELINE mail")
                .during(Duration.ofSeconds(15))
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> pipelineMails().size() == 2);
        List<Mailbox.Mail> mails = pipelineMails();
        log.info(
                "pipeline - db-writer stopped {} s: backlog {} -> {}; firing mail {} s after the stop, resolved "
                        + "mail {} s after the restart; subjects {}",
                STOPPED.toSeconds(),
                backlogAtStop,
                backlogAtRestart,
                firingAfter.toSeconds(),
                resolvedAfter.toSeconds(),
                mails.stream().map(Mailbox.Mail::subject).toList());
        assertEquals(List.of(FIRING + GROWING, FIRING + NO_CONSUMER), headlines(mails.get(0)), mails.toString());
        assertEquals(List.of(RESOLVED + GROWING, RESOLVED + NO_CONSUMER), headlines(mails.get(1)), mails.toString());
        assertTrue(
                backlogAtRestart > backlogAtStop,
                "db-writer's backlog grew: " + backlogAtStop + " -> " + backlogAtRestart);
    }

    @Test
    @Order(2)
    void a_message_sitting_in_the_dead_letter_queue_fires_and_resolves_once_db_writer_drains_it() throws Exception {
        // Given: db-writer stopped, so that nothing drains the dead-letter queue
        int before = pipelineMails().size();
        ServiceProcess writer = system.service("db-writer");
        writer.sigterm();
        writer.awaitExit(Duration.ofSeconds(30));

        // When: one message lands in thermowatch.dead-letter (as RabbitMQ puts it there past delivery-limit)
        String sensor = system.run + "_dl";
        long timestamp = System.currentTimeMillis() - 60_000;
        publishDeadLetter(sensor, timestamp);

        // Then: a firing mail names it; once db-writer is back and has drained it, a resolved mail does
        await("a PIPELINE firing mail naming the dead letters")
                .atMost(Duration.ofSeconds(GROUP_WAIT_SECONDS + 30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> newHeadlines(before).contains(FIRING + DEAD_LETTERS));
        assertEquals(1, stack.management().queue(DEAD_LETTER_QUEUE).messages(), "the dead letter still sits there");
        system.startService("db-writer").awaitReady(SystemUnderTest.READY);
        rows.awaitExactlyOnce(sensor, List.of(timestamp), List.of(timestamp), Duration.ofSeconds(30));
        await("a PIPELINE resolved mail naming the dead letters")
                .atMost(Duration.ofSeconds(GROUP_WAIT_SECONDS + 45))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> newHeadlines(before).contains(RESOLVED + DEAD_LETTERS));
        // And: every condition that fired was resolved, each once
        await("every PIPELINE condition resolved")
                .atMost(Duration.ofSeconds(GROUP_WAIT_SECONDS + 15))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> {
                    List<String> fired = new ArrayList<>();
                    List<String> resolved = new ArrayList<>();
                    for (String h : newHeadlines(before)) {
                        (h.startsWith(FIRING) ? fired : resolved).add(h.substring(h.indexOf(": ") + 2));
                    }
                    assertEquals(
                            fired.stream().sorted().toList(),
                            resolved.stream().sorted().toList());
                    assertEquals(fired.stream().distinct().count(), fired.size(), "each condition fired once");
                });
        assertEquals(0, stack.management().queue(DEAD_LETTER_QUEUE).messages(), "drained");
        log.info(
                "pipeline - dead letter: mails {}",
                pipelineMails().subList(before, pipelineMails().size()).stream()
                        .map(Mailbox.Mail::subject)
                        .toList());
    }

    /** The mails of this run's recipient about the pipeline (alone or grouped with others), oldest first. */
    private List<Mailbox.Mail> pipelineMails() {
        return mailbox.messages(system.mailTo).stream()
                .filter(m -> m.subject() != null
                        && m.subject().toLowerCase(java.util.Locale.ROOT).contains("pipeline"))
                .toList();
    }

    /** The PIPELINE headlines of the mails after the first {@code before} ones. */
    private List<String> newHeadlines(int before) {
        List<Mailbox.Mail> mails = pipelineMails();
        List<String> out = new ArrayList<>();
        for (Mailbox.Mail m : mails.subList(Math.min(before, mails.size()), mails.size())) {
            out.addAll(headlines(m));
        }
        return out;
    }

    /** The text part's {@code PIPELINE ALERT: …} and {@code PIPELINE RESOLVED: …} lines, sorted alphabetically. */
    private static List<String> headlines(Mailbox.Mail mail) {
        return quotedPrintableDecoded(mail.body())
                .lines()
                .map(String::strip)
                .filter(l -> l.startsWith(FIRING) || l.startsWith(RESOLVED))
                .sorted()
                .toList();
    }

    /** The body with quoted-printable undone (soft line breaks, {@code =XX}); the services' mails use it. */
    private static String quotedPrintableDecoded(String body) {
        String s = body.replace("\r\n", "\n").replace("=\n", "");
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '='
                    && i + 2 < s.length()
                    && Character.digit(s.charAt(i + 1), 16) >= 0
                    && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void publishDeadLetter(String sensor, long timestamp) {
        try (QueueProbe probe = stack.queueProbe()) {
            probe.publishDeadLetter(
                    DEAD_LETTER_QUEUE,
                    Stack.DB_WRITER_QUEUE,
                    "temperature." + sensor,
                    ("{\"value\": 21.5, \"timestamp\": " + timestamp + "}").getBytes(StandardCharsets.UTF_8));
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }
}
