package io.thermowatch.common.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import io.thermowatch.common.config.AmqpSettings;
import io.thermowatch.common.runtime.Retries;
import io.thermowatch.common.runtime.WorkerSupervisor;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life cycle of one AMQP consumer, shared by every consuming service: subscribe with manual acknowledgements
 * and a prefetch, subscribe again with back-off whenever the subscription is lost, and acknowledge each delivery
 * only on the channel it came from.
 *
 * <ul>
 *   <li><b>Channel identity.</b> Every subscription gets a new channel and a number of its own; each delivery
 *       carries the number of the channel that delivered it, fixed when that channel was opened (not read at
 *       dispatch time). An ack for a channel that is gone is dropped, never sent on the channel that replaced it,
 *       where the same tag would name another message; RabbitMQ redelivers those messages instead.</li>
 *   <li><b>Loss.</b> A channel closed by the broker (e.g. {@code consumer_timeout}), a lost connection, or a
 *       cancel by the broker (queue deleted, or moved in some versions) retires the subscription: its channel is
 *       aborted (its unacknowledged messages return to the queue) and a new one is subscribed with
 *       {@link Retries#amqpResubscribe} back-off, at once when the connection recovers. The client's automatic
 *       recovery restores the connection only; {@link AmqpSettings} keeps it from reviving consumers, so one
 *       channel number never spans two channel incarnations.</li>
 *   <li><b>Readiness</b> ({@link #isConsuming}) is true only while the broker has confirmed the current
 *       subscription and its channel and connection are open.</li>
 *   <li><b>Suspend</b> ({@link #suspend}, while a dependency is down): the channel is closed, so RabbitMQ requeues
 *       every unacknowledged delivery and the consumer holds nothing a {@code consumer_timeout} could expire; no
 *       new subscription is made until {@link #resume}. Each suspension returns a held message once: on RabbitMQ
 *       3.10 that counts toward a quorum queue's {@code delivery-limit}, on 4.3 it does not (see
 *       rabbitmq/README.md).</li>
 *   <li><b>Stop.</b> {@link #stopConsuming} cancels the subscription but keeps its channel, so the service can
 *       still acknowledge what it finishes; {@link #close} then closes the channel.</li>
 * </ul>
 * The handler runs on the client's dispatch thread, one delivery at a time per consumer. A
 * {@link RuntimeException} from it leaves that delivery unacknowledged and the consumer going; an {@link Error}
 * is a dead worker ({@link WorkerSupervisor}). Thread-safe.
 */
public final class AmqpConsumer implements Acknowledger, Intake, AutoCloseable {

    /** Receives each delivery; acknowledges later through the consumer (as an {@link Acknowledger}). */
    @FunctionalInterface
    public interface Handler {
        void handle(AmqpDelivery delivery);
    }

    private static final Logger log = LoggerFactory.getLogger(AmqpConsumer.class);
    /** Channel numbers are unique and increasing within the process: a stale ref matches no consumer's channel. */
    private static final AtomicLong CHANNEL_IDS = new AtomicLong();

    private final Connection connection;
    private final String queue;
    private final int prefetch;
    private final Clock clock;
    private final WorkerSupervisor workers;
    private final RetryPolicy<Object> resubscribePolicy;
    private final AckRouter acks = new AckRouter();
    private final ScheduledExecutorService resubscriber;
    private final Object lock = new Object();

    // guarded by lock
    private Handler handler;
    private Subscription current;
    private Execution<Object> resubscribing;
    private ScheduledFuture<?> nextAttempt;
    private boolean stopped;
    private boolean suspended;

    /**
     * @param queue    an existing queue (checked passively: queues come from the broker's definitions)
     * @param prefetch unacknowledged deliveries the broker may push to this consumer
     * @param workers  told when the handler throws an {@link Error} or a re-subscribe task dies: without them the
     *                 service would consume nothing while looking alive
     */
    public AmqpConsumer(Connection connection, String queue, int prefetch, Clock clock, WorkerSupervisor workers) {
        this(
                connection,
                queue,
                prefetch,
                clock,
                workers,
                Retries.amqpResubscribe().build());
    }

    AmqpConsumer(
            Connection connection,
            String queue,
            int prefetch,
            Clock clock,
            WorkerSupervisor workers,
            RetryPolicy<Object> resubscribePolicy) {
        this.connection = connection;
        this.queue = queue;
        this.prefetch = prefetch;
        this.clock = clock;
        this.workers = workers;
        this.resubscribePolicy = resubscribePolicy;
        this.resubscriber = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, resubscriber());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Subscribes for the first time, handing every delivery to {@code handler}; later losses are repaired in the
     * background. The consumer is its handler's {@link Acknowledger}, which is why the handler comes last.
     *
     * @throws IOException if the queue does not exist, the user may not read it, or the broker refused
     * @throws IllegalStateException if already started
     */
    public void start(Handler handler) throws IOException {
        prepare(handler);
        subscribe();
    }

    /**
     * Like {@link #start}, but a first subscription that fails (e.g. the user may not read the queue yet because
     * the broker still runs older definitions) is retried in the background with back-off instead of thrown:
     * for a queue the service can run without.
     */
    public void startRetrying(Handler handler) {
        prepare(handler);
        synchronized (lock) {
            resubscribing = Execution.of(resubscribePolicy);
            schedule(Duration.ZERO);
        }
    }

    private void prepare(Handler handler) {
        synchronized (lock) {
            if (this.handler != null) {
                throw new IllegalStateException(queue + " - consumer already started");
            }
            this.handler = handler;
        }
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable r) {
                    log.info("{} - Connection recovered; subscribing again", queue);
                    retryNow();
                }

                @Override
                public void handleRecoveryStarted(Recoverable r) {
                    // The channel's shutdown listener has already retired the subscription.
                }
            });
        }
    }

    /** True while the broker has confirmed the current subscription and its channel and connection are open. */
    public boolean isConsuming() {
        Subscription sub;
        synchronized (lock) {
            if (stopped || suspended) {
                return false;
            }
            sub = current;
        }
        return sub != null && sub.confirmed && sub.getChannel().isOpen() && connection.isOpen();
    }

    @Override
    public boolean isCurrent(long channelId) {
        return acks.isCurrent(channelId);
    }

    @Override
    public boolean ack(DeliveryRef ref, boolean multiple) {
        try {
            return acks.ack(ref, multiple);
        } catch (IOException | AlreadyClosedException e) {
            // The channel died under the ack: its shutdown listener retires it; the broker redelivers.
            log.debug("{} - Ack of {} failed: {}", queue, ref, e.toString());
            return false;
        }
    }

    @Override
    public void suspend(String why) {
        Subscription sub;
        synchronized (lock) {
            if (stopped || suspended) {
                return;
            }
            suspended = true;
            cancelNextAttempt();
            resubscribing = null;
            sub = current;
            current = null;
            if (sub != null) {
                sub.retired = true;
                acks.detach(sub.id);
            }
        }
        log.warn(
                "{} - Suspended ({}): unacknowledged deliveries handed back to RabbitMQ, none taken until resumed",
                queue,
                why);
        if (sub != null) {
            submit(() -> abortQuietly(sub.getChannel()));
        }
    }

    @Override
    public void resume() {
        synchronized (lock) {
            if (stopped || !suspended) {
                return;
            }
            suspended = false;
            resubscribing = Execution.of(resubscribePolicy);
            schedule(Duration.ZERO);
        }
        log.info("{} - Resumed: subscribing again", queue);
    }

    /** True between {@link #suspend} and {@link #resume}. */
    public boolean isSuspended() {
        synchronized (lock) {
            return suspended;
        }
    }

    /**
     * Stops deliveries for good: cancels the subscription and never subscribes again. Its channel stays open, so
     * deliveries already received can still be acknowledged. Idempotent.
     */
    public void stopConsuming() {
        Subscription sub;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            cancelNextAttempt();
            sub = current;
        }
        String tag = sub == null ? null : sub.getConsumerTag();
        if (tag != null) {
            try {
                sub.getChannel().basicCancel(tag);
            } catch (IOException | AlreadyClosedException e) {
                log.warn("{} - Cannot cancel the consumer ({}); closing anyway", queue, e.getMessage());
            }
        }
    }

    /** Stops consuming and closes the channel; unacknowledged deliveries return to the queue. Idempotent. */
    @Override
    public void close() {
        stopConsuming();
        Subscription sub;
        synchronized (lock) {
            sub = current;
            current = null;
        }
        resubscriber.shutdownNow();
        if (sub != null) {
            sub.retired = true;
            acks.detach(sub.id);
            Channel channel = sub.getChannel();
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (IOException | java.util.concurrent.TimeoutException | AlreadyClosedException e) {
                    log.debug("{} - Channel close: {}", queue, e.toString());
                }
            }
        }
    }

    private void subscribe() throws IOException {
        Channel channel = connection.createChannel();
        if (channel == null) {
            throw new IOException("no channel number available on the connection");
        }
        Subscription sub;
        synchronized (lock) {
            sub = new Subscription(CHANNEL_IDS.incrementAndGet(), channel, handler);
        }
        try {
            long ready = channel.queueDeclarePassive(queue).getMessageCount();
            channel.basicQos(prefetch);
            synchronized (lock) {
                if (stopped || suspended) {
                    abortQuietly(channel);
                    return;
                }
                current = sub;
                acks.attach(sub.id, channel::basicAck);
            }
            channel.addShutdownListener(cause -> onLost(sub, "channel closed: " + describe(cause)));
            channel.basicConsume(queue, false, sub);
            log.info(
                    "{} - Consuming with prefetch {} on channel #{} ({} messages ready)",
                    queue,
                    prefetch,
                    sub.id,
                    ready);
        } catch (IOException | RuntimeException e) {
            synchronized (lock) {
                if (current == sub) {
                    current = null;
                }
            }
            acks.detach(sub.id);
            abortQuietly(channel);
            throw e;
        }
    }

    /** Retires {@code sub} (if still current) and starts subscribing again, unless stopped. */
    private void onLost(Subscription sub, String why) {
        synchronized (lock) {
            if (current != sub) {
                return; // already retired, or a subscription attempt that failed and cleaned up itself
            }
            sub.retired = true;
            current = null;
            acks.detach(sub.id);
            if (stopped || suspended) {
                return;
            }
            log.warn(
                    "{} - Lost the subscription on channel #{} ({}); its unacknowledged deliveries will be"
                            + " redelivered; subscribing again",
                    queue,
                    sub.id,
                    why);
            if (resubscribing == null) {
                resubscribing = Execution.of(resubscribePolicy);
            }
            // Abort first, on the same thread as the attempts: a broker-closed channel stays registered for the
            // client's recovery until aborted, and a cancelled one still holds its unacknowledged messages.
            submit(() -> abortQuietly(sub.getChannel()));
            schedule(Duration.ZERO);
        }
    }

    /** The connection is back: try now rather than at the end of the current back-off delay. */
    private void retryNow() {
        synchronized (lock) {
            if (!stopped && !suspended && current == null && resubscribing != null) {
                schedule(Duration.ZERO);
            }
        }
    }

    private void attemptResubscribe() {
        synchronized (lock) {
            if (stopped || suspended || current != null) {
                return;
            }
        }
        try {
            if (!connection.isOpen()) {
                throw new IOException("connection down, waiting for its recovery");
            }
            subscribe();
            synchronized (lock) {
                resubscribing = null;
            }
        } catch (IOException | RuntimeException e) {
            synchronized (lock) {
                if (stopped || suspended || current != null) {
                    return;
                }
                if (resubscribing == null) {
                    resubscribing = Execution.of(resubscribePolicy);
                }
                resubscribing.recordException(e);
                Duration delay = resubscribing.getDelay();
                if (connection.isOpen()) {
                    log.warn("{} - Cannot subscribe ({}); retrying in {} ms", queue, oneLine(e), delay.toMillis());
                } else {
                    log.debug("{} - Cannot subscribe ({}); retrying in {} ms", queue, oneLine(e), delay.toMillis());
                }
                schedule(delay);
            }
        }
    }

    // guarded by lock: at most one attempt is ever pending
    private void schedule(Duration delay) {
        cancelNextAttempt();
        try {
            nextAttempt = resubscriber.schedule(
                    workers.supervised(resubscriber(), this::attemptResubscribe),
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void submit(Runnable task) {
        try {
            resubscriber.execute(workers.supervised(resubscriber(), task));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private String resubscriber() {
        return "amqp-resubscribe-" + queue;
    }

    private void cancelNextAttempt() {
        if (nextAttempt != null) {
            nextAttempt.cancel(false);
            nextAttempt = null;
        }
    }

    private void abortQuietly(Channel channel) {
        try {
            channel.abort();
        } catch (IOException | RuntimeException e) {
            log.debug("{} - Abort of a retired channel: {}", queue, e.toString());
        }
    }

    private static String describe(ShutdownSignalException cause) {
        return (cause.isHardError() ? "connection lost: " : "") + oneLine(cause);
    }

    /** The root cause's message: the client wraps the broker's reason (e.g. 404 NOT_FOUND) in a bare IOException. */
    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.toString() : root.getMessage();
        return text.replaceAll("\\s+", " ");
    }

    /** One subscription: its own channel, number and consumer object, never reused. */
    private final class Subscription extends DefaultConsumer {
        final long id;
        final Handler handler;
        volatile boolean confirmed;
        volatile boolean retired;

        Subscription(long id, Channel channel, Handler handler) {
            super(channel);
            this.id = id;
            this.handler = handler;
        }

        @Override
        public void handleConsumeOk(String consumerTag) {
            super.handleConsumeOk(consumerTag);
            confirmed = true;
        }

        @Override
        public void handleCancelOk(String consumerTag) {
            confirmed = false;
        }

        @Override
        public void handleCancel(String consumerTag) {
            confirmed = false;
            onLost(this, "consumer cancelled by the broker (queue deleted or moved)");
        }

        @Override
        public void handleDelivery(
                String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            if (retired) {
                // Dispatched late from a retired channel: it cannot be acknowledged, and the broker has already
                // requeued it; handing it over would only let it overtake its own redelivery.
                return;
            }
            AmqpDelivery delivery = new AmqpDelivery(
                    id,
                    envelope.getDeliveryTag(),
                    envelope.getRoutingKey(),
                    body,
                    envelope.isRedeliver(),
                    clock.millis(),
                    properties == null ? null : properties.getHeaders());
            try {
                handler.handle(delivery);
            } catch (RuntimeException e) {
                // One message never stops the consumer; it stays unacknowledged and comes back after a restart.
                log.error(
                        "{} - Unexpected error handling a delivery on '{}'; it stays unacknowledged",
                        queue,
                        envelope.getRoutingKey(),
                        e);
            } catch (Error e) {
                // E.g. out of memory: whatever state the handler was in cannot be trusted any more.
                workers.reportDeath("amqp-dispatch-" + queue, e);
                throw e;
            }
        }
    }
}
