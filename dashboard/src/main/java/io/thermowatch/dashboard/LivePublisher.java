package io.thermowatch.dashboard;

import io.thermowatch.common.config.MqttSettings;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the live frames to {@code dashboard/live} at QoS 0, not retained, as the live user (allowed to write
 * that routing key and nothing else). A frame that finds no connection is dropped and counted: the next one carries
 * every sensor that changed since, and a page that reconnects reloads the latest readings from the API.
 */
final class LivePublisher implements AutoCloseable {

    static final String TOPIC = "dashboard/live";

    private static final Logger LOG = LoggerFactory.getLogger(LivePublisher.class);

    private final MqttSession session;
    private final LiveFrames frames;
    private final LongAdder sent = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    LivePublisher(MqttSettings settings, LiveFrames frames) {
        this.session = new MqttSession("live-frames", settings, client -> {}, (topic, message) -> {});
        this.frames = frames;
    }

    void start() {
        session.start();
    }

    /** Encodes the entries and publishes them (one or more messages); called on one thread. */
    void publish(List<LiveEntry> entries) {
        var messages = frames.encode(entries);
        var client = session.connectedClient();
        if (client == null) {
            dropped.add(messages.size());
            return;
        }
        for (var message : messages) {
            try {
                client.publish(TOPIC, message, 0, false);
                sent.increment();
            } catch (MqttException e) {
                dropped.increment();
                LOG.debug("live-frames - publish failed: {}", e.getMessage());
            }
        }
    }

    long sentCount() {
        return sent.sum();
    }

    long droppedCount() {
        return dropped.sum();
    }

    @Override
    public void close() {
        session.close();
    }
}
