package io.thermowatch.dashboard;

import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.wire.Decoded;
import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The live feed's one copy of the readings stream: subscribes to {@code temperature/+} at QoS 0 (a clean session:
 * the broker drops its queue when it disconnects) and hands every reading {@link ReadingCodec} accepts (db-writer's
 * rules) to {@code sink}; the rest is counted and dropped. Started and stopped as pages come and go; each start is a
 * new connection. Thread-safe.
 */
final class LiveReadingsSubscriber implements AutoCloseable {

    static final String FILTER = "temperature/+";

    private final MqttSettings settings;
    private final ReadingCodec codec;
    private final Consumer<Reading> sink;
    private final LongAdder rejected = new LongAdder();
    private MqttSession session;

    LiveReadingsSubscriber(MqttSettings settings, ReadingCodec codec, Consumer<Reading> sink) {
        this.settings = settings;
        this.codec = codec;
        this.sink = sink;
    }

    /** Connects and subscribes, unless already started; returns the session to wait on. */
    synchronized MqttSession start() {
        if (session == null) {
            session = new MqttSession(
                    "live-readings", settings, client -> client.subscribe(FILTER, 0), (topic, message) -> {
                        // A retained reading is an old one the broker replays on subscribe, not an arrival.
                        if (!message.isRetained()) {
                            accept(topic, message.getPayload());
                        }
                    });
            session.start();
        }
        return session;
    }

    /** Disconnects (the broker deletes the subscription's queue), if started. */
    synchronized void stop() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    synchronized boolean started() {
        return session != null;
    }

    long rejectedCount() {
        return rejected.sum();
    }

    void accept(String topic, byte[] payload) {
        var route = Topics.parseTopic(topic);
        if (route.isEmpty() || route.get().kind() != Topics.Kind.READING) {
            rejected.increment();
            return;
        }
        if (codec.decode(route.get().sensorId(), payload) instanceof Decoded.Accepted accepted) {
            sink.accept(accepted.reading());
        } else {
            rejected.increment();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
