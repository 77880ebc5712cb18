package io.thermowatch.common.amqp;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.runtime.WorkerSupervisor;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batched acks through the real {@link AckRouter}, onto fake channels that keep the broker's books: the unacked
 * tags, a multiple ack taking every one up to its tag, and an unknown tag (e.g. acked twice) a channel error.
 */
class AckBatcherTest {

    /** What RabbitMQ holds for one channel: delivered tags not yet acknowledged. */
    private static final class BrokerChannel {
        final TreeSet<Long> unacked = new TreeSet<>();
        /** Written after {@link #unacked} changed: whoever sees a command sees its effect (the timer tests). */
        final List<String> commands = new CopyOnWriteArrayList<>();

        void deliver(long from, long to) {
            for (long tag = from; tag <= to; tag++) {
                unacked.add(tag);
            }
        }

        void basicAck(long tag, boolean multiple) throws IOException {
            if (!unacked.contains(tag)) {
                throw new IOException("PRECONDITION_FAILED - unknown delivery tag " + tag);
            }
            if (multiple) {
                unacked.headSet(tag, true).clear();
            } else {
                unacked.remove(tag);
            }
            commands.add((multiple ? "multiple " : "single ") + tag);
        }
    }

    private final AckRouter router = new AckRouter();
    /** The consumer's side: {@link AmqpConsumer} is an Acknowledger over exactly this router. */
    private final Acknowledger consumer = new Acknowledger() {
        @Override
        public boolean isCurrent(long channelId) {
            return router.isCurrent(channelId);
        }

        @Override
        public boolean ack(DeliveryRef ref, boolean multiple) {
            try {
                return router.ack(ref, multiple);
            } catch (IOException e) {
                throw new AssertionError(e.getMessage(), e); // the broker would close the channel
            }
        }
    };

    private final BrokerChannel one = new BrokerChannel();
    private AckBatcher batcher;

    @AfterEach
    void close() {
        if (batcher != null) {
            batcher.close();
        }
    }

    private AckBatcher batcher(int maxBatch) {
        batcher = new AckBatcher(consumer, maxBatch, Duration.ofMillis(50));
        return batcher;
    }

    private static DeliveryRef tag(long channel, long tag) {
        return new DeliveryRef(channel, tag);
    }

    @Test
    void finished_deliveries_are_acknowledged_with_one_multiple_ack_per_batch() {
        // Given
        router.attach(1, one::basicAck);
        one.deliver(1, 10);
        batcher(4);
        // When deliveries 1..10 finish in order
        for (long t = 1; t <= 10; t++) {
            assertTrue(batcher.ack(tag(1, t), false));
        }
        // Then one command per 4, the rest waits for the next flush
        assertEquals(List.of("multiple 4", "multiple 8"), one.commands);
        batcher.flush();
        assertEquals(List.of("multiple 4", "multiple 8", "multiple 10"), one.commands);
        assertTrue(one.unacked.isEmpty());
    }

    @Test
    void an_unfinished_delivery_is_never_covered_by_a_multiple_ack() {
        // Given deliveries 1..6, of which 3 waits for its effect (a mail)
        router.attach(1, one::basicAck);
        one.deliver(1, 6);
        batcher(100);
        for (long t : new long[] {1, 2, 4, 5, 6}) {
            batcher.ack(tag(1, t), false);
        }
        // When
        batcher.flush();
        // Then 1 and 2 are acknowledged together, 3 is not, and 4..6 went one by one
        assertEquals(List.of("multiple 2", "single 4", "single 5", "single 6"), one.commands);
        assertEquals(new TreeSet<>(List.of(3L)), one.unacked);
        // When 3's effect is durable
        batcher.ack(tag(1, 3), false);
        batcher.flush();
        // Then it alone is acknowledged: the tags behind it, acked already, are never acked twice
        assertEquals(List.of("multiple 2", "single 4", "single 5", "single 6", "multiple 3"), one.commands);
        assertTrue(one.unacked.isEmpty());
    }

    @Test
    void behind_an_unfinished_delivery_finished_ones_wait_for_it_until_a_batch_is_full() {
        // Given tag 1 waits for a mail
        router.attach(1, one::basicAck);
        one.deliver(1, 20);
        batcher(5);
        // When 2..4 finish: nothing is sent, they may still go out with 1
        for (long t = 2; t <= 4; t++) {
            batcher.ack(tag(1, t), false);
        }
        assertEquals(List.of(), one.commands);
        // When 1 is done, then 5..9
        batcher.ack(tag(1, 1), false);
        for (long t = 5; t <= 9; t++) {
            batcher.ack(tag(1, t), false);
        }
        // Then: one multiple ack for 1..5 (the batch filled at 5), 6..9 wait
        assertEquals(List.of("multiple 5"), one.commands);
        // When 10 is held and 11..15 finish: a full batch behind it goes one by one, so the prefetch never fills
        for (long t = 11; t <= 15; t++) {
            batcher.ack(tag(1, t), false);
        }
        assertEquals(
                List.of("multiple 5", "multiple 9", "single 11", "single 12", "single 13", "single 14", "single 15"),
                one.commands);
        assertEquals(new TreeSet<>(List.of(10L, 16L, 17L, 18L, 19L, 20L)), one.unacked);
    }

    @Test
    void the_timer_sends_what_waits_within_its_delay() {
        // Given
        router.attach(1, one::basicAck);
        one.deliver(1, 3);
        batcher(1000).start(new WorkerSupervisor("test", () -> {}), "ack-timer-test");
        // When
        batcher.ack(tag(1, 1), false);
        batcher.ack(tag(1, 2), false);
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> !one.commands.isEmpty());
        assertEquals(List.of("multiple 2"), one.commands);
        assertEquals(new TreeSet<>(List.of(3L)), one.unacked);
    }

    @Test
    void when_nothing_else_finishes_the_timer_also_sends_those_behind_an_unfinished_one() {
        // Given tag 1 waits for a mail, 2 is finished, and nothing else arrives
        router.attach(1, one::basicAck);
        one.deliver(1, 2);
        batcher(1000).start(new WorkerSupervisor("test", () -> {}), "ack-timer-test");
        // When
        batcher.ack(tag(1, 2), false);
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> !one.commands.isEmpty());
        assertEquals(List.of("single 2"), one.commands);
    }

    @Test
    void a_delivery_of_a_replaced_channel_is_dropped_never_sent_on_the_new_one() {
        // Given deliveries 1..3 on channel 1 finished but not yet sent; channel 1 is then replaced by channel 2
        BrokerChannel two = new BrokerChannel();
        router.attach(1, one::basicAck);
        one.deliver(1, 3);
        batcher(100);
        batcher.ack(tag(1, 1), false);
        batcher.ack(tag(1, 2), false);
        router.detach(1);
        router.attach(2, two::basicAck);
        two.deliver(1, 2);
        // When channel 1's tag 3 finishes late, and channel 2's deliveries finish
        boolean late = batcher.ack(tag(1, 3), false);
        batcher.ack(tag(2, 1), false);
        batcher.ack(tag(2, 2), false);
        batcher.flush();
        // Then nothing of channel 1 reaches channel 2, where its tags would name other messages
        assertFalse(late);
        assertEquals(List.of(), one.commands);
        assertEquals(List.of("multiple 2"), two.commands);
        assertTrue(two.unacked.isEmpty());
    }

    @Test
    void a_batch_whose_channel_closed_before_it_was_sent_is_dropped() {
        // Given
        router.attach(1, one::basicAck);
        one.deliver(1, 2);
        batcher(100);
        batcher.ack(tag(1, 1), false);
        // When the channel is lost before the flush
        router.detach(1);
        batcher.flush();
        // Then nothing was sent, and later deliveries of that channel are refused
        assertEquals(List.of(), one.commands);
        assertFalse(batcher.ack(tag(1, 2), false));
    }

    @Test
    void a_multiple_ack_from_the_service_marks_every_earlier_delivery_finished() {
        // Given
        router.attach(1, one::basicAck);
        one.deliver(1, 5);
        batcher(100);
        batcher.ack(tag(1, 2), false);
        batcher.flush();
        // When
        batcher.ack(tag(1, 4), true);
        batcher.flush();
        // Then
        assertEquals(List.of("single 2", "multiple 4"), one.commands);
        assertEquals(new TreeSet<>(List.of(5L)), one.unacked);
    }

    @Test
    void close_sends_everything_finished() {
        // Given
        router.attach(1, one::basicAck);
        one.deliver(1, 3);
        batcher(100);
        batcher.ack(tag(1, 1), false);
        batcher.ack(tag(1, 3), false);
        // When
        batcher.close();
        // Then
        assertEquals(List.of("multiple 1", "single 3"), one.commands);
    }

    @Test
    void a_batch_under_one_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new AckBatcher(consumer, 0, Duration.ofMillis(10)));
        assertThrows(IllegalArgumentException.class, () -> new AckBatcher(consumer, 1, Duration.ZERO));
    }
}
