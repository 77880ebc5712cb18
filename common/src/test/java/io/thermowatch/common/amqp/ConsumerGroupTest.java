package io.thermowatch.common.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Acks routed by channel to the member that owns it; suspend and resume reach every member. Fake consumers. */
class ConsumerGroupTest {

    /** A consumer whose current channel is {@code channel}; records what it was asked. */
    private static final class FakeConsumer implements Acknowledger, Intake {
        final long channel;
        final List<String> calls = new ArrayList<>();

        FakeConsumer(long channel) {
            this.channel = channel;
        }

        @Override
        public boolean isCurrent(long channelId) {
            return channelId == channel;
        }

        @Override
        public boolean ack(DeliveryRef ref, boolean multiple) {
            calls.add("ack " + ref.tag() + (multiple ? " multiple" : ""));
            return true;
        }

        @Override
        public void suspend(String why) {
            calls.add("suspend " + why);
        }

        @Override
        public void resume() {
            calls.add("resume");
        }
    }

    private final FakeConsumer main = new FakeConsumer(1);
    private final FakeConsumer deadLetters = new FakeConsumer(2);
    private final ConsumerGroup group = ConsumerGroup.of(main, deadLetters);

    @Test
    void acknowledgers_and_intakes_given_apart_route_acks_to_the_batcher_and_suspend_the_consumers() {
        // Given: the main consumer's acks go through something in front of it (email-sender's AckBatcher)
        FakeConsumer batcher = new FakeConsumer(1);
        ConsumerGroup apart = ConsumerGroup.of(List.of(batcher, deadLetters), List.of(main, deadLetters));
        // When
        apart.ack(new DeliveryRef(1, 3), false);
        apart.suspend("smtp down");
        // Then
        assertEquals(List.of("ack 3"), batcher.calls);
        assertEquals(List.of("suspend smtp down"), main.calls);
        assertEquals(List.of("suspend smtp down"), deadLetters.calls);
    }

    @Test
    void an_ack_goes_to_the_member_whose_channel_the_delivery_came_from() {
        // When
        boolean first = group.ack(new DeliveryRef(2, 7), false);
        boolean second = group.ack(new DeliveryRef(1, 9), true);
        // Then
        assertTrue(first);
        assertTrue(second);
        assertEquals(List.of("ack 9 multiple"), main.calls);
        assertEquals(List.of("ack 7"), deadLetters.calls);
    }

    @Test
    void an_ack_for_a_channel_no_member_has_is_dropped() {
        // When: channel 3 was replaced (or never belonged to the group)
        boolean acked = group.ack(new DeliveryRef(3, 1), false);
        // Then
        assertFalse(acked);
        assertFalse(group.isCurrent(3));
        assertTrue(group.isCurrent(2));
        assertEquals(List.of(), main.calls);
        assertEquals(List.of(), deadLetters.calls);
    }

    @Test
    void suspend_and_resume_reach_every_member() {
        // When
        group.suspend("SMTP down");
        group.resume();
        // Then
        assertEquals(List.of("suspend SMTP down", "resume"), main.calls);
        assertEquals(List.of("suspend SMTP down", "resume"), deadLetters.calls);
    }

    @Test
    void a_group_needs_a_member() {
        assertThrows(IllegalArgumentException.class, ConsumerGroup::<FakeConsumer>of);
    }
}
