package io.thermowatch.common.amqp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ack routing by channel identity, with fake channels that record what they were sent. */
class AckRouterTest {

    private record Sent(String channel, long tag, boolean multiple) {}

    private final List<Sent> sent = new ArrayList<>();
    private final AckRouter router = new AckRouter();

    private AckRouter.AckTarget channel(String name) {
        return (tag, multiple) -> sent.add(new Sent(name, tag, multiple));
    }

    @Test
    void an_ack_goes_to_the_channel_its_delivery_came_from() throws Exception {
        // Given
        router.attach(7, channel("seven"));
        // When
        boolean acked = router.ack(new DeliveryRef(7, 42), true);
        // Then
        assertTrue(acked);
        assertEquals(List.of(new Sent("seven", 42, true)), sent);
    }

    @Test
    void an_ack_for_a_replaced_channel_is_dropped_and_never_reaches_the_new_one() throws Exception {
        // Given deliveries 1..5 came on channel 7, which was then replaced by channel 8
        router.attach(7, channel("seven"));
        router.detach(7);
        router.attach(8, channel("eight"));
        // When the writer acknowledges the old batch (tag 5, multiple) and a new one
        boolean old = router.ack(new DeliveryRef(7, 5), true);
        boolean fresh = router.ack(new DeliveryRef(8, 2), false);
        // Then tag 5 never lands on channel 8, where it would acknowledge unwritten messages
        assertFalse(old);
        assertTrue(fresh);
        assertEquals(List.of(new Sent("eight", 2, false)), sent);
    }

    @Test
    void after_a_detach_nothing_is_sent_until_a_new_channel_is_attached() throws Exception {
        // Given
        router.attach(3, channel("three"));
        // When
        router.detach(3);
        // Then
        assertFalse(router.isCurrent(3));
        assertFalse(router.ack(new DeliveryRef(3, 1), false));
        assertTrue(sent.isEmpty());
    }

    @Test
    void a_late_detach_of_an_old_channel_leaves_the_new_one_attached() throws Exception {
        // Given channel 2 replaced channel 1 before channel 1's close was processed
        router.attach(1, channel("one"));
        router.attach(2, channel("two"));
        // When
        router.detach(1);
        // Then
        assertTrue(router.isCurrent(2));
        assertTrue(router.ack(new DeliveryRef(2, 9), true));
        assertEquals(List.of(new Sent("two", 9, true)), sent);
    }

    @Test
    void nothing_is_current_before_the_first_attach() throws Exception {
        assertFalse(router.isCurrent(-1));
        assertFalse(router.isCurrent(0));
        assertFalse(router.ack(new DeliveryRef(-1, 1), false));
    }
}
