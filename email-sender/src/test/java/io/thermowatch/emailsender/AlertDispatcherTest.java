package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.Intake;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.WorkerSupervisor;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AlertDispatcherTest {

    private final List<ComposedMail> sent = new CopyOnWriteArrayList<>();
    private final List<DeliveryRef> acked = new CopyOnWriteArrayList<>();
    private final List<Notification> recorded = new CopyOnWriteArrayList<>();
    /** What the listener was told SMTP refused for good: "sensor: reason". */
    private final List<String> refused = new CopyOnWriteArrayList<>();

    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger attempts = new AtomicInteger();
    /** Attempt numbers (1-based) that fail as if SMTP were down. */
    private volatile java.util.Set<Integer> downAtAttempts = java.util.Set.of();
    /** Mails with more alerts than this are refused as too large (552 5.3.4). */
    private volatile int maxAlertsPerMail = Integer.MAX_VALUE;
    /** Mails whose subject contains this are refused for good (every recipient 5xx). */
    private volatile String refusedSubject = "\u0000";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** What the dispatcher asked of the consumer, in order: "suspend" or "resume". */
    private final List<String> intakeCalls = new CopyOnWriteArrayList<>();

    private final Intake intake = new Intake() {
        @Override
        public void suspend(String why) {
            intakeCalls.add("suspend");
        }

        @Override
        public void resume() {
            intakeCalls.add("resume");
        }
    };
    private AlertDispatcher dispatcher;

    private AlertDispatcher start(Duration groupWait) {
        MailSink sink = mail -> {
            if (downAtAttempts.contains(attempts.incrementAndGet())) {
                throw new IllegalStateException("SMTP down");
            }
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("SMTP down");
            }
            if (mail.text().split("FIRING: ", -1).length - 1 > maxAlertsPerMail) {
                throw new PermanentSmtpFailure("552 5.3.4 too big", true, null);
            }
            if (mail.subject().contains(refusedSubject)) {
                throw new PermanentSmtpFailure("550 5.1.1 every recipient refused", false, null);
            }
            sent.add(mail);
        };
        dispatcher = new AlertDispatcher(
                groupWait,
                new MailComposer(AlertRules.defaults(), ZoneOffset.UTC, ""),
                sink,
                new RecordingAcknowledger(),
                intake,
                new AlertDispatcher.MailedListener() {
                    @Override
                    public void mailed(List<Notification> notifications) {
                        recorded.addAll(notifications);
                    }

                    @Override
                    public void refused(List<Notification> notifications, String reason) {
                        notifications.forEach(n -> refused.add(n.sensorId() + ": " + reason));
                    }
                },
                MonotonicClock.system(),
                Duration.ofMillis(200),
                registry);
        dispatcher.start(new WorkerSupervisor("test", () -> {}));
        return dispatcher;
    }

    @AfterEach
    void close() {
        if (dispatcher != null) {
            dispatcher.close();
        }
    }

    private static Notification firing(String sensor) {
        return Notification.withReading(Notification.Kind.FIRING, sensor, 30, Instant.now(), Instant.now());
    }

    @Test
    void deliveries_are_acked_only_after_the_mail_is_accepted() {
        // Given
        start(Duration.ofMillis(300));
        // When
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 7));
        // Then
        assertEquals(List.of(), acked);
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.equals(List.of(new DeliveryRef(1, 7))));
        assertEquals(1, recorded.size());
    }

    @Test
    void a_failing_smtp_server_is_retried_and_nothing_is_acked_until_it_accepts() {
        // Given
        failuresLeft.set(3);
        start(Duration.ZERO);
        // When
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 1));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.counter("thermowatch.mails.failed").count() >= 1);
        assertTrue(dispatcher.isFailing());
        assertEquals(List.of(), acked);
        dispatcher.add(List.of(firing("b")), new DeliveryRef(1, 2));
        // Then: one mail with both, both acked
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 1);
        assertEquals("Temperature Alerts: 2 firing", sent.get(0).subject());
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() == 2);
        assertEquals(3.0, registry.counter("thermowatch.mails.failed").count());
        assertTrue(registry.counter("thermowatch.mails.retried").count() >= 3);
        assertEquals(1.0, registry.counter("thermowatch.mails.sent").count());
    }

    @Test
    void an_smtp_outage_suspends_the_intake_once_and_the_first_accepted_mail_resumes_it() {
        // Given
        failuresLeft.set(3);
        start(Duration.ZERO);
        // When
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 1));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.counter("thermowatch.mails.failed").count() >= 1);
        // Then: deliveries handed back at the first failure, not once per retry; consuming again once SMTP answers
        assertEquals(List.of("suspend"), intakeCalls);
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.size() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> intakeCalls.size() == 2);
        assertEquals(List.of("suspend", "resume"), intakeCalls);
        assertEquals(1.0, registry.counter("thermowatch.intake.suspensions").count());
    }

    @Test
    void a_mail_refused_for_good_resumes_the_intake_too() {
        // Given: SMTP down once, then it answers with a permanent refusal
        failuresLeft.set(1);
        refusedSubject = "Temperature Alert";
        start(Duration.ZERO);
        // When
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 1));
        // Then
        await().atMost(Duration.ofSeconds(10))
                .until(() -> registry.counter("thermowatch.mails.dropped").count() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> intakeCalls.equals(List.of("suspend", "resume")));
    }

    @Test
    void mails_accepted_at_once_never_touch_the_intake() {
        // Given
        start(Duration.ZERO);
        // When
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 1));
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() == 1);
        assertEquals(List.of(), intakeCalls);
    }

    @Test
    void a_redelivered_duplicate_is_held_while_a_mail_about_its_sensor_is_pending() {
        // Given
        failuresLeft.set(1);
        start(Duration.ofMillis(200));
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 1));
        // When: the channel recovered; the same message comes back with a new tag
        boolean held = dispatcher.holdWhilePending("a", new DeliveryRef(2, 1));
        boolean other = dispatcher.holdWhilePending("z", new DeliveryRef(2, 2));
        // Then
        assertTrue(held);
        assertEquals(false, other);
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.contains(new DeliveryRef(2, 1)));
    }

    @Test
    void shutdown_sends_what_is_pending_without_waiting_for_the_window() {
        // Given
        start(Duration.ofHours(1));
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 3));
        // When
        dispatcher.close();
        // Then
        assertEquals(1, sent.size());
        assertEquals(List.of(new DeliveryRef(1, 3)), acked);
    }

    @Test
    void a_group_too_large_for_the_server_is_split_until_every_alert_is_mailed() {
        // Given: the server takes at most 2 alerts per mail
        maxAlertsPerMail = 2;
        start(Duration.ofMillis(200));
        // When
        for (int i = 0; i < 7; i++) {
            dispatcher.add(List.of(firing("s" + i)), new DeliveryRef(1, i));
        }
        // Then: every alert in some mail, every delivery acked once, nothing retried as is
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 7);
        long mailed = sent.stream()
                .mapToLong(m -> m.text().split("FIRING: ", -1).length - 1)
                .sum();
        assertEquals(7, mailed);
        assertEquals(0, dispatcher.pendingCount());
        assertEquals(0.0, registry.counter("thermowatch.mails.dropped").count());
    }

    @Test
    void both_halves_of_a_split_mail_failing_for_a_while_are_retried_together_and_nothing_is_lost() {
        // Given: at most 2 alerts per mail, and SMTP down for the two halves of the first split
        maxAlertsPerMail = 2;
        downAtAttempts = java.util.Set.of(2, 3);
        start(Duration.ofMillis(200));
        // When
        for (int i = 0; i < 4; i++) {
            dispatcher.add(List.of(firing("s" + i)), new DeliveryRef(1, i));
        }
        // Then
        await().atMost(Duration.ofSeconds(10)).until(() -> acked.size() == 4);
        long mailed = sent.stream()
                .mapToLong(m -> m.text().split("FIRING: ", -1).length - 1)
                .sum();
        assertEquals(4, mailed);
        assertEquals(0, dispatcher.pendingCount());
    }

    @Test
    void a_mail_refused_for_good_is_dropped_and_acked_and_does_not_block_the_next_one() {
        // Given
        refusedSubject = "on temperature/doomed";
        start(Duration.ZERO);
        // When
        dispatcher.add(List.of(firing("doomed")), new DeliveryRef(1, 1));
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.contains(new DeliveryRef(1, 1)));
        dispatcher.add(List.of(firing("fine")), new DeliveryRef(1, 2));
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> sent.size() == 1);
        assertTrue(
                sent.get(0).subject().contains("temperature/fine"), sent.get(0).subject());
        assertEquals(1.0, registry.counter("thermowatch.mails.dropped").count());
        assertEquals(false, dispatcher.isFailing());
        assertEquals(
                List.of(),
                recorded.stream().filter(n -> n.sensorId().equals("doomed")).toList());
        // and the refusal is told, with SMTP's reason, for the alert history
        assertEquals(List.of("doomed: 550 5.1.1 every recipient refused"), refused);
    }

    @Test
    void a_single_alert_too_large_even_alone_is_told_as_refused_with_the_reason() {
        // Given a server that refuses every mail as too large
        maxAlertsPerMail = 0;
        start(Duration.ZERO);
        // When
        dispatcher.add(List.of(firing("huge")), new DeliveryRef(1, 1));
        // Then it is dropped (acked), not mailed, and told as refused
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.contains(new DeliveryRef(1, 1)));
        assertEquals(List.of(), sent);
        assertEquals(List.of("huge: 552 5.3.4 too big"), refused);
    }

    /** Records each ack; email-sender never acknowledges cumulatively. */
    private final class RecordingAcknowledger implements Acknowledger {
        @Override
        public boolean isCurrent(long channelId) {
            return true;
        }

        @Override
        public boolean ack(DeliveryRef ref, boolean multiple) {
            assertEquals(false, multiple, "email-sender acknowledges each delivery on its own");
            acked.add(ref);
            return true;
        }
    }

    @Test
    void alerts_for_different_recipients_in_one_window_are_one_mail_per_list_of_recipients() {
        // Given
        start(Duration.ofMillis(300));
        Notification facilities = firing("duct").routedTo(List.of("facilities@example.com"), java.util.Map.of());
        // When: two for EMAIL_TO and one for the facilities team, within the grouping window
        dispatcher.add(List.of(firing("a")), new DeliveryRef(1, 1));
        dispatcher.add(List.of(facilities), new DeliveryRef(1, 2));
        dispatcher.add(List.of(firing("b")), new DeliveryRef(1, 3));
        // Then: two mails, each to its own recipients, and every delivery acked
        await().atMost(Duration.ofSeconds(5)).until(() -> acked.size() == 3);
        assertEquals(2, sent.size());
        assertEquals(List.of(), sent.get(0).to());
        assertEquals("Temperature Alerts: 2 firing", sent.get(0).subject());
        assertEquals(List.of("facilities@example.com"), sent.get(1).to());
        assertEquals(
                "Temperature Alert: 30.0°C on temperature/duct", sent.get(1).subject());
    }
}
