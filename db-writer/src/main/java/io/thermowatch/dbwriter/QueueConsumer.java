package io.thermowatch.dbwriter;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP edge: consumes the queue with manual acknowledgements and a prefetch, hands every delivery to the
 * writer's inbox, and acknowledges on the writer's behalf.
 *
 * <p>The inbox is unbounded in code but bounded in practice by the prefetch: RabbitMQ pushes no more than
 * {@code prefetch} unacknowledged messages. Every connection loss bumps the epoch under the same lock that
 * guards acknowledgements, so a batch received before the loss is never acknowledged on the recovered channel
 * (the client also ignores stale tags, RecoveryAwareChannelN).
 */
final class QueueConsumer implements Acknowledger, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueConsumer.class);

    private final Connection connection;
    private final String queue;
    private final int prefetch;
    private final BlockingQueue<Delivery> inbox;
    private final Clock clock;
    private final Object ackLock = new Object();
    private final AtomicBoolean consuming = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile long epoch;
    private volatile Channel channel;
    private volatile String consumerTag;

    QueueConsumer(Connection connection, String queue, int prefetch, BlockingQueue<Delivery> inbox, Clock clock) {
        this.connection = connection;
        this.queue = queue;
        this.prefetch = prefetch;
        this.inbox = inbox;
        this.clock = clock;
    }

    /**
     * Checks that the queue exists (passively: it is declared by the broker's definitions) and starts consuming.
     *
     * @throws IOException if the queue is missing or the user may not read it
     */
    void start() throws IOException {
        connection.addShutdownListener(cause -> bumpEpoch("connection lost: " + cause.getMessage()));
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                    bumpEpoch("connection recovery started");
                }

                @Override
                public void handleRecovery(Recoverable recoverable) {
                    log.info("{} - Connection recovered; consuming again", queue);
                }
            });
        }
        openChannel();
    }

    private void openChannel() throws IOException {
        Channel ch = connection.createChannel();
        long messages = ch.queueDeclarePassive(queue).getMessageCount();
        ch.basicQos(prefetch);
        ch.addShutdownListener(this::onChannelShutdown);
        channel = ch;
        consumerTag = ch.basicConsume(queue, false, new InboxConsumer(ch));
        consuming.set(true);
        log.info("{} - Consuming with prefetch {} ({} messages ready)", queue, prefetch, messages);
    }

    /**
     * Automatic recovery covers connection failures only. A channel closed by the broker alone (for example
     * {@code consumer_timeout} after a long database outage) is replaced here, with back-off.
     */
    private void onChannelShutdown(ShutdownSignalException cause) {
        if (cause.isHardError() || cause.isInitiatedByApplication() || closed.get()) {
            return;
        }
        consuming.set(false);
        bumpEpoch("channel closed by the broker: " + cause.getMessage());
        Thread reopener = new Thread(this::reopenChannel, "db-writer-channel-reopener");
        reopener.setDaemon(true);
        reopener.start();
    }

    private void reopenChannel() {
        Channel dead = channel;
        if (dead != null) {
            try {
                dead.abort(); // forgets its recorded consumer, so connection recovery cannot revive it
            } catch (IOException | RuntimeException e) {
                log.debug("{} - abort of the closed channel: {}", queue, e.toString());
            }
        }
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(10));
        while (!closed.get()) {
            try {
                if (connection.isOpen()) {
                    openChannel();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                log.warn("{} - Cannot reopen the channel ({}); retrying", queue, e.getMessage());
            }
            try {
                Thread.sleep(backoff.nextDelayMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** True while the connection is open and the consumer registered. */
    boolean isConsuming() {
        Channel ch = channel;
        return consuming.get() && ch != null && ch.isOpen() && connection.isOpen();
    }

    /** Stops deliveries; messages already received stay in the inbox for the writer to finish. */
    void cancel() {
        Channel ch = channel;
        String tag = consumerTag;
        if (ch == null || tag == null || !consuming.compareAndSet(true, false)) {
            return;
        }
        try {
            ch.basicCancel(tag);
        } catch (IOException | AlreadyClosedException e) {
            log.warn("{} - Cannot cancel the consumer ({}); closing anyway", queue, e.getMessage());
        }
    }

    @Override
    public long currentEpoch() {
        return epoch;
    }

    @Override
    public boolean ackUpTo(long tag, long ackEpoch) throws IOException {
        synchronized (ackLock) {
            if (ackEpoch != epoch) {
                return false;
            }
            channel.basicAck(tag, true);
            return true;
        }
    }

    private void bumpEpoch(String why) {
        synchronized (ackLock) {
            epoch++;
        }
        if (!closed.get()) {
            log.warn("{} - {}; unacknowledged deliveries will be redelivered", queue, why);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            cancel();
        }
    }

    private final class InboxConsumer extends DefaultConsumer {

        InboxConsumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            inbox.add(new Delivery(envelope.getDeliveryTag(), epoch, envelope.getRoutingKey(), body,
                    envelope.isRedeliver(), clock.millis()));
        }

        @Override
        public void handleCancel(String tag) {
            // The broker cancelled us (queue deleted, or its leader moved away and back in some versions).
            consuming.set(false);
            log.error("{} - Consumer cancelled by the broker; not ready until restarted", queue);
        }
    }
}
