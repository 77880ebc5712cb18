package io.thermowatch.dashboard;

import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.runtime.Retries;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clean-session MQTT connection of the dashboard (the status tracker's, the live feed's), kept up until closed:
 * the first connect is retried here (Paho's automatic reconnect only starts after one succeeded), and {@code onConnected}
 * runs after every connect and reconnect (to subscribe again). Used once: a new session per start.
 */
final class MqttSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttSession.class);

    /** Runs on Paho's thread after every (re)connect. */
    @FunctionalInterface
    interface OnConnected {
        void connected(MqttClient client) throws MqttException;
    }

    /** Runs on Paho's thread for every message. */
    @FunctionalInterface
    interface OnMessage {
        void arrived(String topic, MqttMessage message);
    }

    private final String name;
    private final MqttSettings settings;
    private final OnConnected onConnected;
    private final OnMessage onMessage;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread connector;
    private final CountDownLatch firstReady = new CountDownLatch(1);
    private volatile MqttClient client;

    MqttSession(String name, MqttSettings settings, OnConnected onConnected, OnMessage onMessage) {
        this.name = name;
        this.settings = settings;
        this.onConnected = onConnected;
        this.onMessage = onMessage;
        this.connector = new Thread(this::connectUntilClosed, "dashboard-" + name + "-connect");
        connector.setDaemon(true);
    }

    void start() {
        connector.start();
    }

    /** Waits until the first connect and its {@code onConnected} succeeded; false if not within {@code timeout}. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        return firstReady.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The connected client, or null (not yet connected, reconnecting or closed). */
    MqttClient connectedClient() {
        var current = client;
        return current != null && current.isConnected() ? current : null;
    }

    private void connectUntilClosed() {
        try {
            Retries.untilSuccess(
                    Retries.<MqttClient>statusSubscription()
                            .handle(MqttException.class)
                            .abortIf((result, failure) -> closed.get()),
                    (failure, delay) -> LOG.warn(
                            "{} - cannot connect to {} ({}); retrying in {} ms",
                            name,
                            settings.serverUris(),
                            failure.getMessage(),
                            delay.toMillis()),
                    this::connectOnce);
        } catch (MqttException e) { // closed meanwhile
            LOG.debug("{} - gave up connecting: {}", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the connecting thread is being stopped: let it see so
        }
    }

    /** The connected client, or one already closed again when the session was closed meanwhile. */
    private MqttClient connectOnce() throws MqttException {
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
        return candidate;
    }

    private final class Callback implements MqttCallbackExtended {
        private final MqttClient owner;

        Callback(MqttClient owner) {
            this.owner = owner;
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            try {
                onConnected.connected(owner);
                firstReady.countDown();
                LOG.info("{} - {} to {}", name, reconnect ? "reconnected" : "connected", serverUri);
            } catch (MqttException e) {
                LOG.warn("{} - set-up after connect failed: {}", name, e.getMessage());
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            LOG.warn("{} - connection lost ({}); reconnecting", name, cause == null ? "?" : cause.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            onMessage.arrived(topic, message);
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // QoS 0 only
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

    private void disconnect(MqttClient current) {
        try {
            if (current.isConnected()) {
                current.disconnect(1_000);
            }
            current.close(true);
        } catch (MqttException e) {
            LOG.debug("{} - close: {}", name, e.getMessage());
        }
    }
}
