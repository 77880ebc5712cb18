package io.thermowatch.emailsender;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.ClockSkewMeter;
import io.thermowatch.common.Decoded;
import io.thermowatch.common.Reading;
import io.thermowatch.common.ReadingCodec;
import io.thermowatch.common.SensorStatus;
import io.thermowatch.common.Topics;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AMQP edge: consumes {@code thermowatch.email-sender} with manual acknowledgements, feeds readings and
 * statuses to the {@link AlertEngine}, and acks each delivery individually ({@code multiple=false}):
 * at once when it causes no mail, after SMTP accepted the mail when it does (see {@link AlertDispatcher}).
 *
 * <p>Delivery tags die with their channel. The epoch counts channel incarnations: the client's automatic
 * connection recovery and our own reopen after a channel-level close (e.g. the broker's consumer timeout
 * while SMTP is down) both start a new one, and acks of older epochs are skipped; the broker redelivers
 * those messages, the engine sees them as copies (redelivered, stamped at or before the newest stamp seen)
 * and they are acked, or held
 * while a mail about that sensor is still pending.
 */
final class AlertConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertConsumer.class);

    private final Connection connection;
    private final String queue;
    private final int prefetch;
    private final AlertEngine engine;
    private final AlertDispatcher dispatcher;
    private final ReadingCodec codec;
    private final ClockSkewMeter skew;
    private final Counter consumed;
    private final Counter rejected;
    private static final long REJECT_LOG_INTERVAL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    private final AtomicLong epoch = new AtomicLong();
    private final AtomicLong lastRejectLogNanos = new AtomicLong(System.nanoTime() - REJECT_LOG_INTERVAL_NANOS);
    private final AtomicLong suppressedRejects = new AtomicLong();
    private final Object channelLock = new Object();
    private final ScheduledExecutorService reopener = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "amqp-channel-reopener");
        t.setDaemon(true);
        return t;
    });

    // guarded by channelLock
    private Channel channel;
    private boolean closing;

    AlertConsumer(Connection connection, String queue, int prefetch, AlertEngine engine, AlertDispatcher dispatcher,
                  ReadingCodec codec, ClockSkewMeter skew, MeterRegistry registry) {
        this.connection = connection;
        this.queue = queue;
        this.prefetch = prefetch;
        this.engine = engine;
        this.dispatcher = dispatcher;
        this.codec = codec;
        this.skew = skew;
        this.consumed = Counter.builder("thermowatch.messages.consumed").register(registry);
        this.rejected = Counter.builder("thermowatch.messages.rejected")
                .description("Malformed messages, logged and acknowledged").register(registry);
    }

    void start() throws IOException {
        if (connection instanceof Recoverable recoverable) {
            recoverable.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecoveryStarted(Recoverable r) {
                    epoch.incrementAndGet(); // tags of the dead connection are void from here on
                }

                @Override
                public void handleRecovery(Recoverable r) {
                    log.info("{} - Connection recovered; unacknowledged messages will be redelivered", queue);
                }
            });
        }
        openChannel();
    }

    /** True when the connection and the consuming channel are open. */
    boolean isConsuming() {
        synchronized (channelLock) {
            return connection.isOpen() && channel != null && channel.isOpen();
        }
    }

    private void openChannel() throws IOException {
        synchronized (channelLock) {
            if (closing) {
                return;
            }
            Channel ch = connection.createChannel();
            ch.basicQos(prefetch);
            ch.addShutdownListener(this::onChannelShutdown);
            epoch.incrementAndGet();
            channel = ch;
            ch.basicConsume(queue, false, "email-sender", new Deliveries(ch));
            log.info("{} - Consuming with prefetch {}", queue, prefetch);
        }
    }

    private void onChannelShutdown(ShutdownSignalException cause) {
        if (cause.isInitiatedByApplication() || cause.isHardError()) {
            return; // our own close, or the connection died: automatic recovery restores the channel
        }
        log.warn("{} - Channel closed by the broker ({}); reopening it", queue, cause.getMessage());
        epoch.incrementAndGet();
        Object source = cause.getReference();
        reopener.execute(() -> {
            // The client's recovery keeps a broker-closed channel registered and would revive it (and its
            // consumer) on the next connection recovery; aborting unregisters it.
            if (source instanceof Channel dead) {
                try {
                    dead.abort();
                } catch (IOException | RuntimeException e) {
                    log.debug("{} - Abort of the closed channel: {}", queue, e.toString());
                }
            }
        });
        scheduleReopen(1);
    }

    private void scheduleReopen(long delaySeconds) {
        try {
            reopener.schedule(() -> {
                try {
                    openChannel();
                } catch (IOException | RuntimeException e) {
                    long next = Math.min(delaySeconds * 2, 30);
                    log.warn("{} - Cannot reopen the channel ({}); retrying in {} s", queue, e.toString(), next);
                    scheduleReopen(next);
                }
            }, delaySeconds, TimeUnit.SECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Acks one delivery if its channel incarnation is still the current one. */
    void ack(DeliveryRef ref) {
        synchronized (channelLock) {
            if (ref.epoch() != epoch.get() || channel == null) {
                return; // void tag: the broker requeued this message and will deliver it again
            }
            try {
                channel.basicAck(ref.tag(), false);
            } catch (IOException | AlreadyClosedException e) {
                log.debug("{} - Ack of {} failed: {}", queue, ref, e.toString());
            }
        }
    }

    private void handle(long deliveryTag, Envelope envelope, byte[] body) {
        consumed.increment();
        DeliveryRef ref = new DeliveryRef(epoch.get(), deliveryTag);
        Optional<Topics.Route> route = Topics.parseRoutingKey(envelope.getRoutingKey());
        if (route.isEmpty()) {
            reject(ref, envelope.getRoutingKey(), "unknown routing key");
            return;
        }
        String sensorId = route.get().sensorId();
        List<Notification> notifications;
        if (route.get().kind() == Topics.Kind.READING) {
            Decoded decoded = codec.decode(sensorId, body);
            if (decoded instanceof Decoded.Rejected r) {
                reject(ref, envelope.getRoutingKey(), r.reason());
                return;
            }
            Reading reading = ((Decoded.Accepted) decoded).reading();
            skew.observe(reading.timestampMillis(), System.currentTimeMillis());
            notifications = engine.onReading(sensorId, reading.value(), reading.timestampMillis(),
                    envelope.isRedeliver());
        } else {
            Optional<SensorStatus> status = SensorStatus.parse(body);
            if (status.isEmpty()) {
                reject(ref, envelope.getRoutingKey(), "status payload is neither online nor offline");
                return;
            }
            notifications = status.get() == SensorStatus.ONLINE ? engine.onOnline(sensorId) : engine.onOffline(sensorId);
        }
        if (!notifications.isEmpty()) {
            dispatcher.add(notifications, ref);
        } else if (!(envelope.isRedeliver() && dispatcher.holdWhilePending(sensorId, ref))) {
            ack(ref);
        }
    }

    private void reject(DeliveryRef ref, String routingKey, String reason) {
        rejected.increment();
        long now = System.nanoTime();
        long last = lastRejectLogNanos.get();
        // One line per 10 s at most: a sensor sending garbage every second must not flood the log.
        if (now - last >= REJECT_LOG_INTERVAL_NANOS && lastRejectLogNanos.compareAndSet(last, now)) {
            long suppressed = suppressedRejects.getAndSet(0);
            log.warn("{} - Ignoring malformed message on '{}': {} (acknowledged; db-writer keeps the bytes){}",
                    queue, routingKey, reason, suppressed > 0 ? "; " + suppressed + " more since the last such line" : "");
        } else {
            suppressedRejects.incrementAndGet();
        }
        ack(ref);
    }

    @Override
    public void close() {
        Channel ch;
        synchronized (channelLock) {
            closing = true;
            ch = channel;
        }
        reopener.shutdownNow();
        if (ch != null && ch.isOpen()) {
            try {
                ch.basicCancel("email-sender");
            } catch (IOException | AlreadyClosedException e) {
                log.debug("{} - Cancel failed: {}", queue, e.toString());
            }
        }
    }

    /** Closes the channel after the dispatcher's last acks. */
    void closeChannel() {
        Channel ch;
        synchronized (channelLock) {
            ch = channel;
        }
        if (ch != null && ch.isOpen()) {
            try {
                ch.close();
            } catch (IOException | java.util.concurrent.TimeoutException | AlreadyClosedException e) {
                log.debug("{} - Channel close failed: {}", queue, e.toString());
            }
        }
    }

    private final class Deliveries extends DefaultConsumer {
        Deliveries(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                   byte[] body) {
            synchronized (channelLock) {
                if (getChannel() != channel) {
                    return; // a stale channel: its tags are void, the broker redelivers the message
                }
            }
            try {
                handle(envelope.getDeliveryTag(), envelope, body);
            } catch (RuntimeException e) {
                // Never let one message kill the consumer; it stays unacked and is redelivered after a restart.
                log.error("{} - Unexpected error handling a message on '{}'", queue, envelope.getRoutingKey(), e);
            }
        }

        @Override
        public void handleCancel(String consumerTag) {
            log.warn("{} - Consumer cancelled by the broker (queue deleted?)", queue);
        }
    }
}
