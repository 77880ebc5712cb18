package io.thermowatch.sensor;

import dev.failsafe.Execution;
import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.runtime.Retries;
import io.thermowatch.common.wire.SensorStatus;
import io.thermowatch.common.wire.Topics;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.DisconnectedBufferOptions;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One MQTT connection carrying the readings and status of one or more sensors.
 *
 * <p>Delivery, all of it Paho's, configured here:
 * <ul>
 *   <li>QoS 1 with {@code cleanSession=false} and in-memory persistence: a publish that got no PUBACK before the
 *       connection died stays in Paho's outbound state and is resent (DUP) after the reconnect. With
 *       {@code cleanSession=true} Paho clears that state on disconnect ({@code ClientState.disconnected}) and
 *       such readings are lost. Memory, not file, persistence: nothing stale is replayed by a new process, and
 *       10,000 sensors need no 10,000 directories. The client id is stable per sensor, so restarts reuse one
 *       broker session; a publisher never subscribes, so that session holds no queue.</li>
 *   <li>Paho's disconnected buffer (bounded, oldest deleted when full) keeps readings published while the
 *       connection is down, and while it drains after a reconnect new readings queue behind it: order kept.
 *       Paho does not report deletions, so this class counts them: a publish that finds the buffer full
 *       pushes one reading out.</li>
 *   <li>While connected, Paho refuses a publish when its in-flight window ({@code MQTT_MAX_INFLIGHT}) is full. Such
 *       a message waits in this link's own queue, in order, and goes out as acknowledgements free the window;
 *       the queue is bounded by the offline buffer size (oldest dropped and counted beyond it).</li>
 *   <li>Automatic reconnect over the server list (home node first, then HAProxy), with capped back-off. Paho
 *       does not retry a failed first connect; this class does ({@link Retries#mqttFirstConnect}).</li>
 *   <li>Last will {@code offline} (non-retained) on the status topic of the connection's first sensor; after
 *       every (re)connect {@code online} for each of its sensors.</li>
 * </ul>
 * Thread-safe: publishes come from the scheduler, callbacks from Paho's threads.
 */
final class MqttSensorLink implements MqttCallbackExtended {

    private static final Logger log = LoggerFactory.getLogger(MqttSensorLink.class);
    private static final long DROP_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int QOS = 1;

    private final String clientId;
    private final List<String> sensorIds;
    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final int bufferSize;
    private final SensorMetrics metrics;
    private final ScheduledExecutorService timer;
    private final Consumer<MqttSensorLink> onFirstConnect;
    private final IMqttActionListener readingAcknowledged;
    private final Object publishLock = new Object();
    /** Messages Paho's full in-flight window refused, oldest first; guarded by {@link #publishLock}. */
    private final Deque<Outgoing> waiting = new ArrayDeque<>();

    private final AtomicBoolean everConnected = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - DROP_WARNING_INTERVAL_NANOS);
    private final AtomicBoolean firstAttemptReported = new AtomicBoolean();
    private volatile Runnable firstAttemptDone = () -> {};
    /** Attempts of the first connect; one attempt's callback at a time records into it. */
    private final Execution<Object> firstConnect =
            Execution.of(Retries.mqttFirstConnect().build());

    /**
     * @param timer          runs Paho's keep-alive pings and this link's first-connect retries (shared by all links)
     * @param onFirstConnect called once, on a Paho thread, when the first connection is up
     */
    MqttSensorLink(
            String clientId,
            List<String> sensorIds,
            MqttSettings settings,
            int bufferSize,
            int maxInflight,
            SensorMetrics metrics,
            ScheduledExecutorService timer,
            Consumer<MqttSensorLink> onFirstConnect)
            throws MqttException {
        this.clientId = clientId;
        this.sensorIds = List.copyOf(sensorIds);
        this.bufferSize = bufferSize;
        this.metrics = metrics;
        this.timer = timer;
        this.onFirstConnect = onFirstConnect;
        this.options = settings.toConnectOptions(Topics.statusTopic(sensorIds.get(0)), SensorStatus.OFFLINE.payload());
        this.options.setMaxInflight(maxInflight);
        this.client = new MqttAsyncClient(
                settings.serverUris().get(0),
                clientId,
                new MemoryPersistence(),
                new ScheduledExecutorPingSender(timer),
                null);
        DisconnectedBufferOptions buffer = new DisconnectedBufferOptions();
        buffer.setBufferEnabled(true);
        buffer.setBufferSize(bufferSize);
        buffer.setDeleteOldestMessages(true);
        buffer.setPersistBuffer(false);
        client.setBufferOpts(buffer);
        client.setCallback(this);
        this.readingAcknowledged = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                metrics.acknowledged.increment();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                // Paho keeps retrying QoS 1 across reconnects; a failure here means the client was closed.
            }
        };
    }

    String clientId() {
        return clientId;
    }

    List<String> sensorIds() {
        return sensorIds;
    }

    boolean isConnected() {
        return client.isConnected();
    }

    /** Readings waiting in the offline buffer or for room in the in-flight window. */
    int bufferedCount() {
        synchronized (publishLock) {
            return client.getBufferedMessageCount() + waiting.size();
        }
    }

    /** Publishes sent and not yet acknowledged. */
    int inFlightCount() {
        return client.getPendingDeliveryTokens().length;
    }

    /**
     * Connects in the background; returns at once.
     *
     * @param firstAttemptDone called once when the first connect attempt has succeeded or failed (lets the
     *                         caller pace thousands of connects)
     */
    void start(Runnable firstAttemptDone) {
        this.firstAttemptDone = firstAttemptDone;
        tryFirstConnect();
    }

    /**
     * Publishes one reading (QoS 1): sent now, kept in the offline buffer while disconnected, or queued behind a
     * full in-flight window.
     */
    void publishReading(String topic, byte[] payload) {
        enqueue(new Outgoing(topic, payload, readingAcknowledged));
        metrics.published.increment();
    }

    /** Queues a message behind those already waiting (order kept) and sends what the window takes. */
    private void enqueue(Outgoing message) {
        synchronized (publishLock) {
            if (waiting.size() >= bufferSize) {
                waiting.removeFirst();
                metrics.dropped.increment();
                warnDropped("in-flight window full and " + bufferSize + " waiting, oldest reading dropped");
            }
            waiting.addLast(message);
            sendWaitingLocked();
        }
    }

    private void sendWaiting() {
        synchronized (publishLock) {
            sendWaitingLocked();
        }
    }

    /** Hands waiting messages to Paho, oldest first, until its in-flight window is full. */
    private void sendWaitingLocked() {
        while (!waiting.isEmpty()) {
            Outgoing next = waiting.peekFirst();
            if (client.getBufferedMessageCount() >= bufferSize) {
                // Paho deletes the oldest buffered message to make room and does not tell anyone.
                metrics.dropped.increment();
                warnDropped("offline buffer full (" + bufferSize + "), oldest reading dropped");
            }
            try {
                client.publish(next.topic(), next.payload(), QOS, false, null, next.listener());
            } catch (MqttException e) {
                if (e.getReasonCode() == MqttException.REASON_CODE_MAX_INFLIGHT) {
                    return; // stays first in line; the next acknowledgement sends it
                }
                metrics.dropped.increment();
                warnDropped("message refused by the MQTT client: " + e.getMessage() + " (reason " + e.getReasonCode()
                        + ")");
            }
            waiting.removeFirst();
        }
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
        if (reconnect) {
            metrics.reconnects.increment();
        }
        log.info(
                "{} - Connected to {}{}; {} readings buffered, {} in flight",
                clientId,
                serverUri,
                reconnect ? " (reconnect)" : "",
                bufferedCount(),
                inFlightCount());
        publishStatus(SensorStatus.ONLINE);
        if (everConnected.compareAndSet(false, true)) {
            onFirstConnect.accept(this);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        log.warn(
                "{} - Connection lost ({}); reconnecting, buffering up to {} readings",
                clientId,
                cause == null ? "no cause" : cause.toString(),
                bufferSize);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
        // A publisher subscribes to nothing.
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
        // Counted per reading by readingAcknowledged; here, for readings and statuses alike: a slot is free.
        sendWaiting();
    }

    /**
     * First step of a graceful stop: no more connect retries; publish {@code offline} for every sensor (it
     * queues behind buffered readings, so it arrives last).
     */
    void beginShutdown() {
        closing.set(true);
        if (everConnected.get()) {
            publishStatus(SensorStatus.OFFLINE);
        }
    }

    /** True when nothing waits to be sent or acknowledged. */
    boolean isDrained() {
        return bufferedCount() == 0 && client.getPendingDeliveryTokens().length == 0;
    }

    /**
     * Graceful stop, second step: a clean MQTT DISCONNECT (so no will is published), started asynchronously.
     *
     * @return the disconnect's token, or null when not connected
     */
    IMqttToken disconnectAsync() {
        closing.set(true);
        int pending = bufferedCount() + inFlightCount();
        if (pending > 0) {
            log.warn("{} - Disconnecting with {} readings or statuses not acknowledged", clientId, pending);
        }
        if (!client.isConnected()) {
            return null;
        }
        try {
            return client.disconnect(0);
        } catch (MqttException e) {
            log.debug("{} - Disconnect: {}", clientId, e.toString());
            return null;
        }
    }

    /** Graceful stop, last step: drops the connection if still open and frees the client. Idempotent. */
    void close() {
        closing.set(true);
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 100, false);
            }
            client.close(true);
        } catch (MqttException e) {
            log.debug("{} - Close: {}", clientId, e.toString());
        }
    }

    /** Statuses queue like readings, so {@code offline} at shutdown follows every reading still waiting. */
    private void publishStatus(SensorStatus status) {
        for (String sensorId : sensorIds) {
            enqueue(new Outgoing(Topics.statusTopic(sensorId), status.payload(), null));
        }
    }

    /** A message waiting to be handed to Paho; {@code listener} is told of its acknowledgement (may be null). */
    private record Outgoing(String topic, byte[] payload, IMqttActionListener listener) {}

    private void tryFirstConnect() {
        if (closing.get()) {
            return;
        }
        try {
            client.connect(options, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    // connectComplete does the work; Paho's automatic reconnect takes over from here.
                    reportFirstAttempt();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    reportFirstAttempt();
                    scheduleFirstConnectRetry(exception);
                }
            });
        } catch (MqttException e) {
            reportFirstAttempt();
            scheduleFirstConnectRetry(e);
        }
    }

    private void reportFirstAttempt() {
        if (firstAttemptReported.compareAndSet(false, true)) {
            firstAttemptDone.run();
        }
    }

    private void scheduleFirstConnectRetry(Throwable cause) {
        if (closing.get()) {
            return;
        }
        firstConnect.recordException(cause);
        long delay = firstConnect.getDelay().toMillis();
        log.warn(
                "{} - Cannot connect to {} ({}); retrying in {} ms",
                clientId,
                List.of(options.getServerURIs()),
                cause.toString(),
                delay);
        timer.schedule(this::tryFirstConnect, delay, TimeUnit.MILLISECONDS);
    }

    private void warnDropped(String why) {
        long now = System.nanoTime();
        long last = lastDropWarning.get();
        if (now - last >= DROP_WARNING_INTERVAL_NANOS && lastDropWarning.compareAndSet(last, now)) {
            log.warn("{} - {}; {} dropped in all so far", clientId, why, (long) metrics.dropped.count());
        }
    }
}
