package io.thermowatch.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Paho MQTT 3.1.1 client for tests: blocking QoS 1 publish (returns once PUBACK arrived), subscriptions whose
 * messages are collected for awaiting, and the connection's fate ({@link #awaitDisconnected}).
 * Clean session, in-memory persistence. Thread safe as Paho's {@link MqttClient} is. Close it.
 */
public final class MqttTestClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MqttTestClient.class);
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

    private final MqttClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<Throwable> connectionLost = new AtomicReference<>();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicReference<String> serverUri = new AtomicReference<>();

    /** A message that arrived on a subscription. */
    public record Received(String topic, byte[] payload, int qos, boolean retained) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return topic + " " + text();
        }
    }

    private MqttTestClient(MqttClient client) {
        this.client = client;
    }

    /** Connects once (no automatic reconnect) to {@code serverUri}; {@code credentials} may be null (anonymous). */
    public static MqttTestClient connect(String serverUri, Credentials credentials) throws MqttException {
        return connect(List.of(serverUri), credentials, false);
    }

    /**
     * Connects to the first reachable URI of {@code serverUris}; with {@code automaticReconnect} Paho keeps
     * reconnecting (1 s, doubling, at most 2 s apart) after the connection is lost, like a real sensor.
     *
     * @throws MqttException if the connection is refused (e.g. {@link org.eclipse.paho.client.mqttv3.MqttSecurityException}
     *                       for bad credentials)
     */
    public static MqttTestClient connect(List<String> serverUris, Credentials credentials, boolean automaticReconnect)
            throws MqttException {
        String clientId = "testkit-" + UUID.randomUUID().toString().substring(0, 8);
        MqttClient paho = new MqttClient(serverUris.get(0), clientId, new MemoryPersistence());
        MqttTestClient client = new MqttTestClient(paho);
        paho.setCallback(client.new Callback());
        paho.setTimeToWait(PUBLISH_TIMEOUT.toMillis());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setServerURIs(serverUris.toArray(String[]::new));
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(30);
        options.setAutomaticReconnect(automaticReconnect);
        options.setMaxReconnectDelay(2_000);
        options.setMaxInflight(1000);
        if (credentials != null) {
            options.setUserName(credentials.username());
            options.setPassword(credentials.password().toCharArray());
        }
        try {
            paho.connect(options);
        } catch (MqttException e) {
            closeQuietly(paho);
            throw e;
        }
        return client;
    }

    public String clientId() {
        return client.getClientId();
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /** Publishes with QoS 1 and returns when the broker's PUBACK arrived; throws if it does not within 10 s. */
    public void publish(String topic, byte[] payload) throws MqttException {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        client.publish(topic, message);
    }

    public void publish(String topic, String payload) throws MqttException {
        publish(topic, payload.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Publishes a retained message with QoS 1 (the broker replays it to every new subscriber); an empty payload
     * clears the topic's retained message.
     */
    public void publishRetained(String topic, byte[] payload) throws MqttException {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        message.setRetained(true);
        client.publish(topic, message);
    }

    /**
     * Publishes with QoS 1 until a PUBACK arrives, as a real client does: after a failure it waits for Paho's
     * automatic reconnect and sends the same message again (so the broker may hold it twice).
     * Needs a client connected with {@code automaticReconnect}.
     *
     * @return the number of failed attempts before the acknowledged one
     * @throws AssertionError if no attempt is acknowledged within {@code timeout}
     */
    public int publishUntilAcknowledged(String topic, byte[] payload, Duration timeout) {
        AtomicInteger failures = new AtomicInteger();
        AtomicReference<MqttException> last = new AtomicReference<>();
        // Each poll is one attempt, made only while connected (Paho reconnects by itself in between).
        Waits.until(
                "PUBACK for " + topic,
                timeout,
                Duration.ofMillis(50),
                () -> {
                    if (!client.isConnected()) {
                        return false;
                    }
                    try {
                        publish(topic, payload);
                        return true;
                    } catch (MqttException e) {
                        failures.incrementAndGet();
                        last.set(e);
                        log.info(
                                "mqtt {} - publish to {} failed ({}); retrying after reconnect",
                                clientId(),
                                topic,
                                e.toString());
                        return false;
                    }
                },
                acknowledged -> acknowledged,
                attempt -> failures.get() + " failed attempt(s); last: " + last.get());
        return failures.get();
    }

    /** Subscribes with QoS 1; arriving messages are collected (see {@link #received()}). */
    public void subscribe(String topicFilter) throws MqttException {
        client.subscribe(topicFilter, 1);
    }

    /** Everything received so far, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /**
     * Waits until {@code count} messages matching {@code filter} arrived and returns them.
     *
     * @throws AssertionError on timeout, listing what did arrive
     */
    public List<Received> awaitReceived(Predicate<Received> filter, int count, Duration timeout) {
        return Waits.until(
                count + " matching message(s) received",
                timeout,
                Duration.ofMillis(50),
                () -> received.stream().filter(filter).toList(),
                matching -> matching.size() >= count,
                matching -> "got " + (matching == null ? 0 : matching.size()) + "; all received: " + received);
    }

    /**
     * Waits until the broker closed the connection (e.g. after a denied publish) and returns Paho's cause.
     *
     * @throws AssertionError if still connected after {@code timeout}
     */
    public Throwable awaitDisconnected(Duration timeout) {
        Waits.until(
                "client " + clientId() + " disconnected",
                timeout,
                Duration.ofMillis(50),
                client::isConnected,
                connected -> !connected,
                connected -> "still connected");
        return connectionLost.get();
    }

    /** How often Paho's automatic reconnect re-established the connection. */
    public int reconnects() {
        return reconnects.get();
    }

    /** The server URI of the current (or last) connection. */
    public String serverUri() {
        return serverUri.get();
    }

    /** The cause of the last lost connection, or null. */
    public Throwable lastConnectionLoss() {
        return connectionLost.get();
    }

    @Override
    public void close() {
        closeQuietly(client);
    }

    private static void closeQuietly(MqttClient paho) {
        try {
            if (paho.isConnected()) {
                paho.disconnect(2_000);
            }
        } catch (MqttException e) {
            log.debug("mqtt - disconnect: {}", e.toString());
        }
        try {
            paho.close(true);
        } catch (MqttException e) {
            log.debug("mqtt - close: {}", e.toString());
        }
    }

    private final class Callback implements MqttCallbackExtended {

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            serverUri.set(serverURI);
            if (reconnect) {
                reconnects.incrementAndGet();
                log.info("mqtt {} - reconnected to {}", clientId(), serverURI);
            }
        }

        @Override
        public void connectionLost(Throwable cause) {
            connectionLost.set(cause);
            log.info("mqtt {} - connection lost: {}", clientId(), String.valueOf(cause));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(new Received(topic, message.getPayload(), message.getQos(), message.isRetained()));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // publish() blocks on the token itself
        }
    }
}
