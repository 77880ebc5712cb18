package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));
    private final Batcher<String> batcher = new Batcher<>(3, Duration.ofMillis(100), clock);

    @Test
    void an_empty_batch_is_never_due() {
        // Given an empty batcher
        // When time passes
        clock.advance(Duration.ofHours(1));
        // Then
        assertFalse(batcher.isDue());
        assertEquals(Long.MAX_VALUE, batcher.millisUntilDue());
    }

    @Test
    void a_batch_is_due_when_it_reaches_its_size() {
        // Given
        assertFalse(batcher.add("a"));
        assertFalse(batcher.add("b"));
        // When
        boolean full = batcher.add("c");
        // Then
        assertTrue(full);
        assertTrue(batcher.isDue());
    }

    @Test
    void a_partial_batch_is_due_when_its_first_item_has_waited_the_max_wait() {
        // Given
        batcher.add("a");
        clock.advance(Duration.ofMillis(60));
        batcher.add("b");
        assertEquals(40, batcher.millisUntilDue());
        // When
        clock.advance(Duration.ofMillis(40));
        // Then
        assertTrue(batcher.isDue());
        assertEquals(0, batcher.millisUntilDue());
    }

    @Test
    void drain_returns_items_in_order_and_restarts_the_wait() {
        // Given
        batcher.add("a");
        batcher.add("b");
        clock.advance(Duration.ofMillis(500));
        // When
        List<String> drained = batcher.drain();
        batcher.add("c");
        // Then
        assertEquals(List.of("a", "b"), drained);
        assertEquals(100, batcher.millisUntilDue());
        assertFalse(batcher.isDue());
    }

    @Test
    void invalid_limits_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> new Batcher<>(0, Duration.ofMillis(1), clock));
        assertThrows(IllegalArgumentException.class, () -> new Batcher<>(1, Duration.ZERO, clock));
    }
}
