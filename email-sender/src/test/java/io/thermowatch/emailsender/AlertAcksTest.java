package io.thermowatch.emailsender;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.AckBatcher;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.Intake;
import io.thermowatch.common.runtime.ClockSkewMeter;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.WorkerSupervisor;
import io.thermowatch.common.wire.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ack path of email-sender as the service wires it (AlertFeed → AlertEngine → AlertDispatcher, acks through an
 * {@link AckBatcher}), onto a fake channel that keeps the broker's books: readings that change nothing are
 * acknowledged in batches, and the reading that fires is acknowledged only after its mail was accepted and the state
 * saved, although readings after it were acknowledged before.
 */
class AlertAcksTest {

    /** RabbitMQ's side of channel 1: what is unacked, each ack command, and a double ack as the channel error. */
    private static final class BrokerChannel implements Acknowledger {
        private final List<String> events;
        private final TreeSet<Long> unacked = new TreeSet<>();
        private int commands;

        BrokerChannel(List<String> events) {
            this.events = events;
        }

        synchronized void deliver(long tag) {
            unacked.add(tag);
        }

        synchronized boolean isUnacked(long tag) {
            return unacked.contains(tag);
        }

        synchronized int commands() {
            return commands;
        }

        @Override
        public boolean isCurrent(long channelId) {
            return channelId == 1;
        }

        @Override
        public synchronized boolean ack(DeliveryRef ref, boolean multiple) {
            if (!unacked.contains(ref.tag())) {
                throw new AssertionError("PRECONDITION_FAILED - unknown delivery tag " + ref.tag());
            }
            List<Long> covered = new ArrayList<>(multiple ? unacked.headSet(ref.tag(), true) : List.of(ref.tag()));
            unacked.removeAll(covered);
            commands++;
            covered.forEach(tag -> events.add("acked " + tag));
            return true;
        }
    }

    private static final Intake NO_INTAKE = new Intake() {
        @Override
        public void suspend(String why) {}

        @Override
        public void resume() {}
    };

    private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    private final BrokerChannel channel = new BrokerChannel(events);
    private final CountDownLatch smtpAnswers = new CountDownLatch(1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private AckBatcher acks;
    private AlertDispatcher dispatcher;
    private AlertFeed feed;
    private long nextTag = 1;

    /** @param timer whether the batcher's timer runs, as in the service (off: only full batches and flush() send) */
    private void start(int maxBatch, boolean timer) {
        Clock clock = Clock.systemUTC();
        acks = new AckBatcher(channel, maxBatch, Duration.ofMillis(50));
        MailSink smtp = mail -> {
            if (!smtpAnswers.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the test never let SMTP answer");
            }
            events.add("mailed " + mail.subject());
        };
        dispatcher = new AlertDispatcher(
                Duration.ZERO,
                new MailComposer(AlertRules.defaults(), ZoneOffset.UTC, "http://localhost:8080/"),
                smtp,
                acks,
                NO_INTAKE,
                notifications -> events.add("state saved"),
                MonotonicClock.system(),
                Duration.ofSeconds(1),
                registry);
        WorkerSupervisor workers = new WorkerSupervisor("test", () -> {});
        dispatcher.start(workers);
        if (timer) {
            acks.start(workers, "amqp-acks-test");
        }
        feed = new AlertFeed(
                "thermowatch.email-sender",
                new AlertEngine(AlertRules.defaults(), clock, MonotonicClock.system()),
                dispatcher,
                acks,
                new ReadingCodec(clock),
                new ClockSkewMeter(Duration.ofSeconds(30), registry),
                registry);
    }

    @AfterEach
    void close() {
        smtpAnswers.countDown();
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (acks != null) {
            acks.close();
        }
    }

    /** Delivers one reading on channel 1; returns its tag. */
    private long deliver(String sensor, double value) {
        long tag = nextTag++;
        channel.deliver(tag);
        byte[] body = ("{\"value\":" + value + ",\"timestamp\":" + System.currentTimeMillis() + "}")
                .getBytes(StandardCharsets.UTF_8);
        feed.handle(new AmqpDelivery(1, tag, "temperature." + sensor, body, false, System.currentTimeMillis()));
        return tag;
    }

    @Test
    void readings_that_change_nothing_are_acknowledged_in_batches() {
        // Given
        start(50, false);
        // When 200 cool readings arrive
        for (int i = 0; i < 200; i++) {
            deliver("cool" + i % 10, 21.0);
        }
        acks.flush();
        // Then all are acknowledged, with 4 ack commands instead of 200
        for (long tag = 1; tag <= 200; tag++) {
            assertTrue(!channel.isUnacked(tag), "tag " + tag + " unacked");
        }
        assertEquals(4, channel.commands());
    }

    @Test
    void the_reading_that_fires_is_acknowledged_only_after_its_mail_and_state_though_later_ones_are_before() {
        // Given
        start(10, true);
        for (int i = 0; i < 20; i++) {
            deliver("cool", 21.0);
        }
        // When a hot reading arrives, then more cool ones, while its mail waits for SMTP
        long hot = deliver("hot", 31.0);
        for (int i = 0; i < 100; i++) {
            deliver("cool", 21.0);
        }
        // Then everything but the hot reading is acknowledged within the batcher's delay, the hot one is not
        await().atMost(Duration.ofSeconds(5)).until(() -> !channel.isUnacked(nextTag - 1));
        for (long tag = 1; tag < nextTag; tag++) {
            assertEquals(tag == hot, channel.isUnacked(tag), "tag " + tag);
        }
        // When SMTP accepts the mail
        smtpAnswers.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> !channel.isUnacked(hot));
        // Then its ack came after the mail and the saved state
        List<String> order;
        synchronized (events) {
            order = List.copyOf(events);
        }
        int mailed = indexOfPrefix(order, "mailed ");
        int saved = order.indexOf("state saved");
        int acked = order.indexOf("acked " + hot);
        assertTrue(mailed >= 0 && mailed < saved && saved < acked, order.toString());
    }

    private static int indexOfPrefix(List<String> events, String prefix) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
