package io.thermowatch.common.runtime;

import static io.thermowatch.common.runtime.PipelineWatch.Condition.DB_WRITER_BACKLOG_GROWING;
import static io.thermowatch.common.runtime.PipelineWatch.Condition.DB_WRITER_NO_CONSUMER;
import static io.thermowatch.common.runtime.PipelineWatch.Condition.DEAD_LETTERS;
import static io.thermowatch.common.runtime.PipelineWatch.Condition.EMAIL_SENDER_DEAD_LETTERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PipelineWatchTest {

    private static final long SECOND = 1_000_000_000L;
    private final PipelineWatch watch = new PipelineWatch(Duration.ofMinutes(3));

    private Set<PipelineWatch.Condition> at(long seconds, int consumers, long backlog, long deadLetters) {
        return watch.update(new PipelineWatch.Sample(consumers, backlog, deadLetters, 0), seconds * SECOND);
    }

    @Test
    void a_healthy_pipeline_has_no_condition() {
        assertEquals(Set.of(), at(0, 1, 0, 0));
        assertEquals(Set.of(), at(15, 1, 40, 0));
        assertEquals(Set.of(), at(30, 1, 3, 0));
        assertEquals(Set.of(), watch.active());
    }

    @Test
    void no_consumer_and_dead_letters_are_conditions_at_once_and_clear_at_once() {
        assertEquals(Set.of(DB_WRITER_NO_CONSUMER, DEAD_LETTERS), at(0, 0, 0, 2));
        assertEquals(Set.of(), at(15, 1, 0, 0));
    }

    @Test
    void email_senders_dead_letters_are_a_condition_of_their_own_until_its_queue_is_empty() {
        // When: one message sits in email-sender's dead-letter queue, none in db-writer's
        Set<PipelineWatch.Condition> sitting = watch.update(new PipelineWatch.Sample(1, 0, 0, 1), 0);
        Set<PipelineWatch.Condition> drained = watch.update(new PipelineWatch.Sample(1, 0, 0, 0), 15 * SECOND);
        // Then
        assertEquals(Set.of(EMAIL_SENDER_DEAD_LETTERS), sitting);
        assertEquals(Set.of(), drained);
    }

    @Test
    void a_backlog_growing_for_the_whole_window_is_a_condition_until_it_goes_down() {
        // Given: growing by 100 every 15 s
        long t = 0;
        for (long backlog = 100; t < 180; t += 15, backlog += 100) {
            assertEquals(Set.of(), at(t, 1, backlog, 0), "at " + t + " s");
        }
        // When: 3 minutes after the first increase
        Set<PipelineWatch.Condition> growing = at(195, 1, 1400, 0);
        Set<PipelineWatch.Condition> stalled = at(210, 1, 1400, 0);
        Set<PipelineWatch.Condition> shrinking = at(225, 1, 900, 0);
        // Then
        assertEquals(Set.of(DB_WRITER_BACKLOG_GROWING), growing);
        assertEquals(Set.of(DB_WRITER_BACKLOG_GROWING), stalled); // not going down is not recovering
        assertEquals(Set.of(), shrinking);
    }

    @Test
    void a_busy_backlog_that_goes_up_and_down_never_counts_as_growing() {
        for (int i = 0; i < 100; i++) {
            assertEquals(Set.of(), at(i * 15L, 1, i % 2 == 0 ? 500 + i : 200 + i, 0));
        }
    }

    @Test
    void a_backlog_sitting_flat_then_moving_up_by_one_is_not_growing() {
        // Given: what the management API showed on the native stack with db-writer healthy: 0, then 3 for a minute
        PipelineWatch w = new PipelineWatch(Duration.ofSeconds(20));
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(2, 0, 0, 0), 0));
        for (long t = 2; t <= 60; t += 2) {
            assertEquals(Set.of(), w.update(new PipelineWatch.Sample(2, 3, 0, 0), t * SECOND), "at " + t + " s");
        }
        // When / Then: one more, then still that figure: never growing
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(2, 4, 0, 0), 62 * SECOND));
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(2, 4, 0, 0), 64 * SECOND));
        // And: rising in both halves of the window is growing again
        long backlog = 4;
        Set<PipelineWatch.Condition> last = Set.of();
        for (long t = 66; t <= 90; t += 2) {
            last = w.update(new PipelineWatch.Sample(2, backlog += 12, 0, 0), t * SECOND);
        }
        assertEquals(Set.of(DB_WRITER_BACKLOG_GROWING), last);
    }

    @Test
    void with_a_confirmation_time_a_stale_no_consumer_sample_never_counts() {
        // Given: email-sender's confirmation (the management API's figures can be 5 s old)
        PipelineWatch w = new PipelineWatch(Duration.ofMinutes(3), Duration.ofSeconds(10));
        // When: "no consumer" for 4 s (db-writer already consuming, the figure not yet refreshed), then a consumer
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(0, 0, 0, 0), 0));
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(0, 0, 0, 0), 2 * SECOND));
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(2, 0, 0, 0), 4 * SECOND));
        // Then: nothing; a lasting "no consumer" or dead letter counts once seen for 10 s, and clears at once
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(0, 0, 1, 0), 6 * SECOND));
        assertEquals(Set.of(), w.update(new PipelineWatch.Sample(0, 0, 1, 0), 14 * SECOND));
        assertEquals(
                Set.of(DB_WRITER_NO_CONSUMER, DEAD_LETTERS),
                w.update(new PipelineWatch.Sample(0, 0, 1, 0), 16 * SECOND));
        assertEquals(Set.of(DEAD_LETTERS), w.update(new PipelineWatch.Sample(1, 0, 1, 0), 18 * SECOND));
    }

    @Test
    void the_growth_window_must_be_positive() {
        assertThrows(IllegalArgumentException.class, () -> new PipelineWatch(Duration.ZERO));
    }
}
