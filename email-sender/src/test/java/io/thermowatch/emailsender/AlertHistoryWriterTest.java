package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.config.DatabaseSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The history buffer: handing events over never blocks, and what does not fit is counted, not waited for. */
class AlertHistoryWriterTest {

    private static final DatabaseSettings NOWHERE = new DatabaseSettings("127.0.0.1", 1, "metrics", "x", "x");

    private static AlertEvent event(int i) {
        return AlertEvent.restarted(Instant.ofEpochSecond(i));
    }

    @Test
    void events_beyond_the_buffer_are_dropped_and_counted_without_blocking() {
        // Given a buffer of 3 events and no writer thread (a database that never answers)
        var registry = new SimpleMeterRegistry();
        var writer = new AlertHistoryWriter(NOWHERE, registry, 3);
        // When 5 events are handed over
        assertTimeoutPreemptively(
                Duration.ofSeconds(1), () -> writer.record(List.of(event(1), event(2), event(3), event(4), event(5))));
        // Then 3 wait, 2 are counted as dropped
        assertEquals(3, writer.pending());
        assertEquals(
                2.0, registry.get("thermowatch.alert.events.dropped").counter().count());
        assertEquals(
                3.0, registry.get("thermowatch.alert.events.pending").gauge().value());
    }

    @Test
    void a_mailed_notification_becomes_an_event_with_its_levels_and_mail_time() {
        // Given an escalation WARNING → CRITICAL
        var registry = new SimpleMeterRegistry();
        var writer = new AlertHistoryWriter(NOWHERE, registry, 10);
        var n = Notification.withReading(Notification.Kind.FIRING, "s1", 36.0, Instant.EPOCH, Instant.EPOCH)
                .withAlert(new Notification.Alert("hall", false, Level.CRITICAL, Level.WARNING, "above 35", null));
        var at = Instant.ofEpochSecond(5);
        // When
        var event = AlertEvent.mailed(n, at);
        writer.mailed(List.of(n), at);
        // Then
        assertEquals(Level.WARNING, event.from());
        assertEquals(Level.CRITICAL, event.to());
        assertEquals("hall", event.rule());
        assertEquals(at, event.mailedAt());
        assertEquals(1, writer.pending());
    }

    @Test
    void a_refusal_is_recorded_on_one_line_cut_to_the_column_s_bound() {
        // Given a notification SMTP refused with a long, multi-line reason
        var n = Notification.withReading(Notification.Kind.FIRING, "s1", 36.0, Instant.EPOCH, Instant.EPOCH)
                .withAlert(new Notification.Alert("hall", false, Level.CRITICAL, null, "above 35", null));
        // When
        var event = AlertEvent.refused(n, "550 5.1.1 refused\n  " + "x".repeat(2000));
        // Then one line of at most 1000 characters, not mailed
        assertEquals(AlertEvent.MAX_MAIL_ERROR, event.mailError().length());
        assertTrue(event.mailError().startsWith("550 5.1.1 refused xxx"), event.mailError());
        assertTrue(event.mailError().endsWith("..."));
        assertEquals(null, event.mailedAt());
        assertEquals(null, AlertEvent.mailed(n, Instant.EPOCH).mailError());
    }
}
