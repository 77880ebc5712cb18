package io.thermowatch.dbwriter;

import io.thermowatch.common.amqp.AmqpConsumer;
import io.thermowatch.common.amqp.AmqpDelivery;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;

/**
 * One consumer with its own channel, inbox and writer thread. db-writer runs {@code CONSUMERS} lanes; each
 * acknowledges only its own deliveries, so lanes are as independent as separate instances.
 */
final class Lane {

    private final AmqpConsumer consumer;
    private final BlockingQueue<AmqpDelivery> inbox;
    private final BatchWriterLoop writer;
    private final Thread thread;
    private final boolean required;

    /**
     * @param inbox  where the consumer puts deliveries and the writer takes them
     * @param thread the (supervised, not yet started) thread that runs {@code writer}
     * @param required whether the service is ready only while this lane consumes; a lane that is not required
     *                 (the dead-letter drain) keeps trying to subscribe in the background instead
     */
    Lane(
            AmqpConsumer consumer,
            BlockingQueue<AmqpDelivery> inbox,
            BatchWriterLoop writer,
            Thread thread,
            boolean required) {
        this.consumer = consumer;
        this.inbox = inbox;
        this.writer = writer;
        this.thread = thread;
        this.required = required;
    }

    void start() throws IOException {
        writer.markDatabaseReady();
        thread.start();
        if (required) {
            consumer.start(inbox::add);
        } else {
            consumer.startRetrying(inbox::add);
        }
    }

    boolean isRequired() {
        return required;
    }

    boolean isDatabaseReady() {
        return writer.isDatabaseReady();
    }

    boolean isConsuming() {
        return consumer.isConsuming();
    }

    /** Stops deliveries and asks the writer to finish (and acknowledge) what it holds. */
    void beginStop() {
        consumer.stopConsuming();
        writer.requestStop();
    }

    /** Waits for the writer; past the timeout its batch is abandoned unacknowledged (redelivered). */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        boolean finished = writer.awaitFinished(timeout);
        if (!finished) {
            writer.abandon();
            thread.join(2_000);
        }
        consumer.close();
        return finished;
    }

    void abandon() {
        writer.abandon();
        consumer.close();
    }
}
