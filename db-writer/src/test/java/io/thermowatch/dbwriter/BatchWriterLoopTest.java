package io.thermowatch.dbwriter;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.failsafe.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.amqp.Acknowledger;
import io.thermowatch.common.amqp.AmqpDelivery;
import io.thermowatch.common.amqp.DeliveryRef;
import io.thermowatch.common.amqp.Intake;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer thread against a fake database and a fake channel: batching, acks after commit, retries. */
class BatchWriterLoopTest {

    private static final long T0 = System.currentTimeMillis() - 60_000;

    private final LinkedBlockingQueue<AmqpDelivery> inbox = new LinkedBlockingQueue<>();
    private final FakeSink sink = new FakeSink();
    private final FakeAcknowledger acks = new FakeAcknowledger();
    private final FakeIntake intake = new FakeIntake();
    private final WriterMetrics metrics = new WriterMetrics(new SimpleMeterRegistry());
    private BatchWriterLoop loop;
    private Thread thread;

    private void start(int batchSize, Duration maxWait) {
        Clock clock = Clock.systemUTC();
        loop = new BatchWriterLoop(
                inbox,
                new Batcher<>(batchSize, maxWait, clock),
                new DeliveryTriage(new ReadingCodec(clock)),
                sink,
                acks,
                intake,
                metrics,
                RetryPolicy.builder()
                        .handle(SQLException.class)
                        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(80))
                        .withMaxRetries(-1)
                        .build(),
                clock);
        loop.markDatabaseReady();
        thread = new Thread(loop, "test-writer");
        thread.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (loop != null) {
            loop.abandon();
            thread.join(5_000);
        }
    }

    private void deliver(long tag, long channel, String routingKey, String body) {
        inbox.add(new AmqpDelivery(
                channel, tag, routingKey, body.getBytes(StandardCharsets.UTF_8), false, System.currentTimeMillis()));
    }

    private void deliverReading(long tag, long channel) {
        deliver(tag, channel, "temperature.s1", "{\"value\": 20.5, \"timestamp\": " + (T0 + tag) + "}");
    }

    @Test
    void a_full_batch_is_written_once_and_acknowledged_with_one_multiple_ack() {
        // Given
        start(3, Duration.ofSeconds(30));
        // When
        deliverReading(1, 0);
        deliverReading(2, 0);
        deliverReading(3, 0);
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.size() == 1);
        assertEquals(1, sink.batches.size());
        assertEquals(3, sink.batches.get(0).size());
        assertEquals(List.of(3L), acks.acked);
    }

    @Test
    void a_partial_batch_is_written_after_the_max_wait() {
        // Given
        start(1000, Duration.ofMillis(50));
        // When
        deliverReading(1, 0);
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.equals(List.of(1L)));
    }

    @Test
    void rejects_and_status_messages_are_acknowledged_with_the_readings() {
        // Given
        start(3, Duration.ofSeconds(30));
        // When
        deliverReading(1, 0);
        deliver(2, 0, "temperature.s1", "not json");
        deliver(3, 0, "sensors.s1.status", "online");
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.equals(List.of(3L)));
        assertEquals(1, sink.batches.get(0).size());
        assertEquals(1, sink.rejects.size());
        assertEquals(1.0, metrics.rejects.count());
        assertEquals(1.0, metrics.ignored.count());
    }

    @Test
    void a_failed_write_hands_everything_back_pauses_the_intake_and_resumes_when_the_database_answers() {
        // Given a database that fails the next writes
        sink.failuresLeft.set(4);
        start(2, Duration.ofSeconds(30));
        // When a batch and one more delivery arrive on channel 0
        deliverReading(1, 0);
        deliverReading(2, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> intake.suspensions.get() == 1);
        deliverReading(3, 0);
        // Then nothing is acknowledged or retried: the intake handed it all back; not ready while paused
        assertFalse(loop.isDatabaseReady());
        assertEquals(1, sink.attempts.get());
        // and once the database answers, the intake resumes and the redeliveries (channel 1) are written
        sink.failuresLeft.set(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> intake.resumptions.get() == 1);
        assertTrue(loop.isDatabaseReady());
        acks.channel.set(1);
        deliverReading(1, 1);
        deliverReading(2, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.equals(List.of(2L)));
        assertEquals(List.of(1L), acks.ackedChannels);
        assertEquals(1.0, metrics.writeFailures.count());
        assertEquals(1.0, metrics.outagePauses.count());
        assertEquals(3.0, metrics.discardedStale.count(), "the failed batch and the delivery behind it");
    }

    @Test
    void a_batch_whose_channel_was_replaced_is_dropped_unacknowledged() {
        // Given a batch from channel 0 held back by a failing database
        sink.failuresLeft.set(1_000_000);
        start(2, Duration.ofSeconds(30));
        deliverReading(1, 0);
        deliverReading(2, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.attempts.get() >= 1);
        // When its channel is replaced and the database comes back
        acks.channel.set(1);
        sink.failuresLeft.set(0);
        deliverReading(1, 1);
        deliverReading(2, 1);
        // Then only the new channel's batch is acknowledged, on that channel
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.size() == 1);
        assertEquals(List.of(2L), acks.acked);
        assertEquals(List.of(1L), acks.ackedChannels);
        assertEquals(2.0, metrics.discardedStale.count());
    }

    @Test
    void stop_writes_and_acknowledges_what_is_held_before_ending() throws InterruptedException {
        // Given a partial batch that would wait long
        start(1000, Duration.ofMinutes(1));
        deliverReading(1, 0);
        deliverReading(2, 0);
        // When
        loop.requestStop();
        // Then
        assertTrue(loop.awaitFinished(Duration.ofSeconds(5)));
        assertEquals(List.of(2L), acks.acked);
        assertEquals(2, sink.batches.get(0).size());
    }

    @Test
    void a_delivery_from_a_new_channel_drops_the_partial_batch_of_the_old_channel() {
        // Given
        start(2, Duration.ofSeconds(30));
        deliverReading(5, 0);
        // When
        acks.channel.set(1);
        deliverReading(1, 1);
        deliverReading(2, 1);
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.equals(List.of(2L)));
        assertEquals(1.0, metrics.discardedStale.count());
    }

    @Test
    void a_late_delivery_from_an_older_channel_is_dropped_and_leaves_the_current_batch_alone() {
        // Given a partial batch from channel 2
        acks.channel.set(2);
        start(2, Duration.ofSeconds(30));
        deliverReading(1, 2);
        // When a delivery of the replaced channel 1 arrives late, then the batch fills up
        deliverReading(9, 1);
        deliverReading(2, 2);
        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> acks.acked.equals(List.of(2L)));
        assertEquals(List.of(2L), acks.ackedChannels);
        assertEquals(2, sink.batches.get(0).size());
        assertEquals(1.0, metrics.discardedStale.count());
    }

    private static final class FakeSink implements BatchSink {
        final List<List<Reading>> batches = new CopyOnWriteArrayList<>();
        final List<RejectedMessage> rejects = new CopyOnWriteArrayList<>();
        final AtomicInteger failuresLeft = new AtomicInteger();
        final AtomicInteger attempts = new AtomicInteger();

        @Override
        public int write(List<Reading> readings, List<RejectedMessage> rejected) throws SQLException {
            attempts.incrementAndGet();
            if (failuresLeft.get() > 0) {
                failuresLeft.decrementAndGet();
                throw new SQLException("Connection refused", "08001");
            }
            batches.add(readings);
            rejects.addAll(rejected);
            return readings.size();
        }

        @Override
        public boolean isReachable() {
            return failuresLeft.get() == 0;
        }
    }

    private static final class FakeIntake implements Intake {
        final AtomicInteger suspensions = new AtomicInteger();
        final AtomicInteger resumptions = new AtomicInteger();

        @Override
        public void suspend(String why) {
            suspensions.incrementAndGet();
        }

        @Override
        public void resume() {
            resumptions.incrementAndGet();
        }
    }

    /** Acknowledges like AmqpConsumer: only on the current channel, and only multiple acks are expected here. */
    private static final class FakeAcknowledger implements Acknowledger {
        final AtomicLong channel = new AtomicLong();
        final List<Long> acked = new CopyOnWriteArrayList<>();
        final List<Long> ackedChannels = new CopyOnWriteArrayList<>();

        @Override
        public boolean isCurrent(long channelId) {
            return channelId == channel.get();
        }

        @Override
        public boolean ack(DeliveryRef ref, boolean multiple) {
            assertTrue(multiple, "db-writer acknowledges a batch with one multiple ack");
            if (!isCurrent(ref.channelId())) {
                return false;
            }
            ackedChannels.add(ref.channelId());
            acked.add(ref.tag());
            return true;
        }
    }
}
