package io.thermowatch.dbwriter;

import java.time.Duration;

/**
 * One consumer with its own channel, inbox and writer thread. db-writer runs {@code CONSUMERS} lanes; each
 * acknowledges only its own deliveries, so lanes are as independent as separate instances.
 */
final class Lane {

    private final QueueConsumer consumer;
    private final BatchWriterLoop writer;
    private final Thread thread;

    Lane(QueueConsumer consumer, BatchWriterLoop writer, String threadName) {
        this.consumer = consumer;
        this.writer = writer;
        this.thread = new Thread(writer, threadName);
    }

    void start() throws java.io.IOException {
        writer.markDatabaseReady();
        thread.start();
        consumer.start();
    }

    boolean isDatabaseReady() {
        return writer.isDatabaseReady();
    }

    boolean isConsuming() {
        return consumer.isConsuming();
    }

    /** Stops deliveries and asks the writer to finish what it holds. */
    void beginStop() {
        consumer.cancel();
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
