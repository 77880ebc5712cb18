package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GroupingWindowTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");
    /** Monotonic time near overflow: comparisons must be {@code a - b}, never {@code a > b}. */
    private static final long N0 = Long.MAX_VALUE - Duration.ofSeconds(3).toNanos();

    private static long at(Duration sinceN0) {
        return N0 + sinceN0.toNanos();
    }

    @Test
    void five_hundred_simultaneous_transitions_are_handed_out_together_after_the_wait() {
        // Given
        GroupingWindow<Integer> window = new GroupingWindow<>(Duration.ofSeconds(10));
        // When
        for (int i = 0; i < 500; i++) {
            window.add(i, at(Duration.ofMillis(i * 10L))); // spread over 5 s
        }
        // Then
        assertEquals(List.of(), window.takeDue(at(Duration.ofMillis(9_999))));
        assertEquals(OptionalLong.of(at(Duration.ofSeconds(10))), window.dueAtNanos());
        List<Integer> due = window.takeDue(at(Duration.ofSeconds(10)));
        assertEquals(500, due.size());
        assertEquals(0, window.size());
        assertEquals(OptionalLong.empty(), window.dueAtNanos());
    }

    @Test
    void an_item_after_the_window_closed_opens_a_new_window() {
        // Given
        GroupingWindow<String> window = new GroupingWindow<>(Duration.ofSeconds(10));
        window.add("a", N0);
        window.takeDue(at(Duration.ofSeconds(10)));
        // When
        window.add("b", at(Duration.ofSeconds(11)));
        // Then
        assertEquals(List.of(), window.takeDue(at(Duration.ofSeconds(20))));
        assertEquals(List.of("b"), window.takeDue(at(Duration.ofSeconds(21))));
    }

    @Test
    void a_zero_wait_hands_out_at_once() {
        GroupingWindow<String> window = new GroupingWindow<>(Duration.ZERO);
        window.add("a", N0);
        assertEquals(List.of("a"), window.takeDue(N0));
    }

    @Test
    void take_all_hands_out_an_open_window_at_once() {
        GroupingWindow<String> window = new GroupingWindow<>(Duration.ofHours(1));
        window.add("a", N0);
        assertEquals(List.of("a"), window.takeAll());
        assertEquals(OptionalLong.empty(), window.dueAtNanos());
    }

    @Test
    void engine_and_window_turn_many_simultaneous_transitions_into_one_mail() {
        // Given
        TwoClocks clock = new TwoClocks(T0);
        AlertEngine engine = clock.engine(AlertRules.defaults());
        GroupingWindow<Notification> window = new GroupingWindow<>(Duration.ofSeconds(10));
        MailComposer composer = new MailComposer(AlertRules.defaults(), java.time.ZoneOffset.UTC, "");
        // When
        for (int i = 0; i < 500; i++) {
            engine.onReading("rack_" + i, 30, T0.toEpochMilli()).forEach(n -> window.add(n, clock.ticker.nanos()));
        }
        clock.advance(Duration.ofSeconds(10));
        List<Notification> due = window.takeDue(clock.ticker.nanos());
        ComposedMail mail = composer.compose(due);
        // Then
        assertEquals(500, due.size());
        assertEquals("Temperature Alerts: 500 firing", mail.subject());
    }

    @Test
    void a_wall_clock_set_back_ten_minutes_neither_holds_nor_loses_a_group() {
        // Given: a FIRING opens a window
        TwoClocks clock = new TwoClocks(T0);
        AlertEngine engine = clock.engine(AlertRules.defaults());
        GroupingWindow<Notification> window = new GroupingWindow<>(Duration.ofSeconds(10));
        engine.onReading("rack", 30, T0.toEpochMilli()).forEach(n -> window.add(n, clock.ticker.nanos()));
        // When: the wall clock is set back 10 minutes, then the group wait passes
        clock.jumpWall(Duration.ofMinutes(-10));
        clock.advance(Duration.ofSeconds(9));
        List<Notification> early = window.takeDue(clock.ticker.nanos());
        clock.advance(Duration.ofSeconds(1));
        List<Notification> due = window.takeDue(clock.ticker.nanos());
        // Then
        assertEquals(List.of(), early);
        assertEquals(
                List.of(Notification.Kind.FIRING),
                due.stream().map(Notification::kind).toList());
    }
}
