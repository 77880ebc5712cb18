package io.thermowatch.dashboard;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.runtime.Retries;
import io.thermowatch.common.wire.SensorStatus;
import io.thermowatch.common.wire.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers the last {@code sensors/<id>/status} of each sensor, so {@code /api/sensors} can say {@code offline}
 * (the database keeps readings, not statuses). Subscribes with the read-only page user through HAProxy, clean
 * session (no queue left behind), and resubscribes after every reconnect. Statuses are not retained by the broker:
 * after a restart a sensor's status is known from its next status message. Never part of readiness: without it the
 * API falls back to online/stale. Bounded: at most {@code MAX_TRACKED_SENSORS} ids; a new id beyond that forgets
 * about 1 % of them, the longest silent first (an id whose only message was long ago is "unknown" again, and the API
 * falls back to online/stale for it). Thread-safe.
 */
final class StatusTracker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StatusTracker.class);

    /** A status and when this process received it. */
    record Seen(SensorStatus status, Instant receivedAt) {}

    private final Map<String, Seen> statuses = new ConcurrentHashMap<>();
    private final int maxTracked;
    private final LongAdder evicted = new LongAdder();
    private final MqttSettings settings;
    private final Clock clock;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread connector;
    private volatile MqttClient client;

    StatusTracker(MqttSettings settings, Clock clock) {
        this(settings, clock, DashboardConfig.DEFAULT_MAX_TRACKED_SENSORS);
    }

    StatusTracker(MqttSettings settings, Clock clock, int maxTracked) {
        this.maxTracked = maxTracked;
        this.settings = settings;
        this.clock = clock;
        this.connector = new Thread(this::connectUntilClosed, "dashboard-status-connect");
        connector.setDaemon(true);
    }

    void start() {
        connector.start();
    }

    Optional<Seen> status(String sensor) {
        return Optional.ofNullable(statuses.get(sensor));
    }

    /** Records a status message; anything but {@code online}/{@code offline} on a valid topic is ignored. */
    void accept(String topic, byte[] payload) {
        var route = Topics.parseTopic(topic);
        if (route.isEmpty() || route.get().kind() != Topics.Kind.STATUS) {
            return;
        }
        var status = SensorStatus.parse(payload);
        if (status.isEmpty()) {
            return;
        }
        var sensor = route.get().sensorId();
        var seen = new Seen(status.get(), clock.instant());
        if (statuses.replace(sensor, seen) == null) {
            addNew(sensor, seen);
        }
    }

    /** Ids forgotten so far to stay within {@code MAX_TRACKED_SENSORS}. */
    long evictedCount() {
        return evicted.sum();
    }

    int trackedCount() {
        return statuses.size();
    }

    // The slow path, for an id not seen before: one sort per ~1 % of the cap, not per new id.
    private synchronized void addNew(String sensor, Seen seen) {
        if (statuses.size() >= maxTracked) {
            var count = Math.max(1, maxTracked / 100);
            var oldestFirst = statuses.entrySet().stream()
                    .sorted(Comparator.comparing(
                            (Map.Entry<String, Seen> e) -> e.getValue().receivedAt()))
                    .limit(count)
                    .map(Map.Entry::getKey)
                    .toList();
            oldestFirst.forEach(statuses::remove);
            evicted.add(oldestFirst.size());
        }
        statuses.put(sensor, seen);
    }

    // Paho's automatic reconnect only starts after a first successful connect: retry that one here.
    private void connectUntilClosed() {
        RetryPolicy<Object> untilConnected = Retries.statusSubscription()
                .handle(MqttException.class)
                .abortIf((result, failure) -> closed.get())
                .onRetryScheduled(e -> LOG.warn(
                        "{} - cannot connect to {} ({}); retrying in {} ms",
                        "status",
                        settings.serverUris(),
                        e.getLastException().getMessage(),
                        e.getDelay().toMillis()))
                .build();
        try {
            Failsafe.with(untilConnected).run(this::connectOnce);
        } catch (FailsafeException e) {
            // Closed (or interrupted by close()) before a connect succeeded.
            LOG.debug("{} - gave up connecting: {}", "status", e.getMessage());
        }
    }

    private void connectOnce() throws MqttException {
        var candidate = new MqttClient(settings.serverUris().get(0), settings.clientId(), new MemoryPersistence());
        candidate.setCallback(new Callback(candidate));
        var options = settings.toConnectOptions();
        options.setCleanSession(true);
        candidate.connect(options);
        synchronized (this) {
            if (closed.get()) {
                disconnect(candidate);
            } else {
                client = candidate;
            }
        }
    }

    private final class Callback implements MqttCallbackExtended {
        private final MqttClient owner;

        Callback(MqttClient owner) {
            this.owner = owner;
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            try {
                owner.subscribe(Topics.ALL_STATUSES_FILTER, 1);
                LOG.info(
                        "{} - {} to {}, subscribed to {}",
                        "status",
                        reconnect ? "reconnected" : "connected",
                        serverUri,
                        Topics.ALL_STATUSES_FILTER);
            } catch (MqttException e) {
                LOG.warn("{} - subscribe failed: {}", "status", e.getMessage());
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            LOG.warn("{} - connection lost ({}); reconnecting", "status", cause == null ? "?" : cause.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            accept(topic, message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // subscribe only
        }
    }

    @Override
    public synchronized void close() {
        closed.set(true);
        connector.interrupt();
        var current = client;
        client = null;
        if (current != null) {
            disconnect(current);
        }
    }

    private static void disconnect(MqttClient current) {
        try {
            if (current.isConnected()) {
                current.disconnect(1_000);
            }
            current.close(true);
        } catch (MqttException e) {
            LOG.debug("{} - close: {}", "status", e.getMessage());
        }
    }
}
