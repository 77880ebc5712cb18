package io.thermowatch.emailsender;

import io.thermowatch.testkit.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GroupingWindowTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    @Test
    void five_hundred_simultaneous_transitions_are_handed_out_together_after_the_wait() {
        // Given
        GroupingWindow<Integer> window = new GroupingWindow<>(Duration.ofSeconds(10));
        // When
        for (int i = 0; i < 500; i++) {
            window.add(i, T0.plusMillis(i * 10L)); // spread over 5 s
        }
        // Then
        assertEquals(List.of(), window.takeDue(T0.plusMillis(9_999)));
        assertEquals(Optional.of(T0.plusSeconds(10)), window.dueAt());
        List<Integer> due = window.takeDue(T0.plusSeconds(10));
        assertEquals(500, due.size());
        assertEquals(0, window.size());
        assertEquals(Optional.empty(), window.dueAt());
    }

    @Test
    void an_item_after_the_window_closed_opens_a_new_window() {
        // Given
        GroupingWindow<String> window = new GroupingWindow<>(Duration.ofSeconds(10));
        window.add("a", T0);
        window.takeDue(T0.plusSeconds(10));
        // When
        window.add("b", T0.plusSeconds(11));
        // Then
        assertEquals(List.of(), window.takeDue(T0.plusSeconds(20)));
        assertEquals(List.of("b"), window.takeDue(T0.plusSeconds(21)));
    }

    @Test
    void a_zero_wait_hands_out_at_once() {
        GroupingWindow<String> window = new GroupingWindow<>(Duration.ZERO);
        window.add("a", T0);
        assertEquals(List.of("a"), window.takeDue(T0));
    }

    @Test
    void engine_and_window_turn_many_simultaneous_transitions_into_one_mail() {
        // Given
        MutableClock clock = new MutableClock(T0);
        AlertEngine engine = new AlertEngine(AlertRules.defaults(), clock);
        GroupingWindow<Notification> window = new GroupingWindow<>(Duration.ofSeconds(10));
        MailComposer composer = new MailComposer(AlertRules.defaults(), java.time.ZoneOffset.UTC, "");
        // When
        for (int i = 0; i < 500; i++) {
            engine.onReading("rack_" + i, 30, T0.toEpochMilli()).forEach(n -> window.add(n, clock.instant()));
        }
        clock.advance(Duration.ofSeconds(10));
        List<Notification> due = window.takeDue(clock.instant());
        ComposedMail mail = composer.compose(due);
        // Then
        assertEquals(500, due.size());
        assertEquals("Temperature Alerts: 500 firing", mail.subject());
    }
}
