package io.thermowatch.systemtests;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A steady stream of readings from several publishers (MQTT QoS 1, sensor credentials, automatic reconnect), each
 * remembering what it sent and what the broker acknowledged, so tests count rows against acknowledgements.
 * Publisher {@code i} lists node {@code 1 + i % 3} first, then HAProxy, as real sensors do; publishers listed in
 * {@code haproxyOnly} connect through HAProxy alone. A publish that fails is retried (same timestamp) until
 * acknowledged, like the sensor's offline buffer. Thread safe.
 */
final class CountedStream implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CountedStream.class);

    private final List<Publisher> publishers = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    private final class Publisher implements Runnable {
        final String sensorId;
        final MqttTestClient client;
        final Duration period;
        final Set<Long> sent = new ConcurrentSkipListSet<>();
        final Set<Long> acked = new ConcurrentSkipListSet<>();
        final Thread thread;

        Publisher(String sensorId, MqttTestClient client, Duration period) {
            this.sensorId = sensorId;
            this.client = client;
            this.period = period;
            this.thread = new Thread(this, "stream-" + sensorId);
            thread.setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0;
            long next = System.currentTimeMillis();
            while (running) {
                long timestamp = Math.max(System.currentTimeMillis(), last + 1);
                last = timestamp;
                double value = 20 + (timestamp % 40) / 10.0;
                byte[] payload =
                        ("{\"value\":" + value + ",\"timestamp\":" + timestamp + "}").getBytes(StandardCharsets.UTF_8);
                sent.add(timestamp);
                try {
                    client.publishUntilAcknowledged("temperature/" + sensorId, payload, Duration.ofSeconds(120));
                    acked.add(timestamp);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    log.error("stream {} - gave up on {}: {}", sensorId, timestamp, e.toString());
                    return;
                }
                next += period.toMillis();
                long wait = next - System.currentTimeMillis();
                if (wait > 0) {
                    // pacing of the stream (a fixed rate), not waiting for an outcome
                    java.util.concurrent.locks.LockSupport.parkNanos(wait * 1_000_000L);
                } else {
                    next = System.currentTimeMillis();
                }
            }
        }
    }

    /**
     * Connects {@code count} publishers named {@code <prefix>_p<i>} and starts them, each publishing every
     * {@code period}. Publishers with an index in {@code haproxyOnly} use HAProxy alone.
     */
    static CountedStream start(Stack stack, String prefix, int count, Duration period, Set<Integer> haproxyOnly)
            throws MqttException {
        CountedStream stream = new CountedStream();
        try {
            for (int i = 0; i < count; i++) {
                List<String> uris = haproxyOnly.contains(i)
                        ? List.of(stack.mqttUri())
                        : List.of(stack.nodeMqttUri(1 + i % Stack.NODES), stack.mqttUri());
                MqttTestClient client = MqttTestClient.connect(uris, stack.sensor(), true);
                stream.publishers.add(stream.new Publisher(prefix + "_p" + i, client, period));
            }
        } catch (MqttException | RuntimeException e) {
            stream.close();
            throw e;
        }
        stream.publishers.forEach(p -> p.thread.start());
        log.info("stream - {} publishers, one reading each per {} ms", count, period.toMillis());
        return stream;
    }

    List<String> sensorIds() {
        return publishers.stream().map(p -> p.sensorId).toList();
    }

    /** Acknowledged timestamps per sensor so far (a snapshot). */
    Map<String, Set<Long>> acknowledged() {
        Map<String, Set<Long>> all = new TreeMap<>();
        publishers.forEach(p -> all.put(p.sensorId, new TreeSet<>(p.acked)));
        return all;
    }

    /** Sent timestamps (acknowledged or not) per sensor so far. */
    Map<String, Set<Long>> sent() {
        Map<String, Set<Long>> all = new TreeMap<>();
        publishers.forEach(p -> all.put(p.sensorId, new TreeSet<>(p.sent)));
        return all;
    }

    long totalAcknowledged() {
        return publishers.stream().mapToLong(p -> p.acked.size()).sum();
    }

    int reconnects() {
        return publishers.stream().mapToInt(p -> p.client.reconnects()).sum();
    }

    /** Fails if a publisher gave up (no PUBACK within two minutes). */
    void assertHealthy() {
        Throwable e = failure.get();
        if (e != null) {
            throw new AssertionError("a publisher gave up: " + e, e);
        }
    }

    /**
     * Counts: every acknowledged reading has exactly one row, and every row was sent. Call after {@link #close()}
     * for a final count, or any time for the acknowledged-so-far prefix.
     */
    void assertExactlyOnce(Rows rows, Duration timeout) {
        assertHealthy();
        Map<String, Set<Long>> acked = acknowledged();
        Map<String, Set<Long>> sent = sent();
        for (String sensor : acked.keySet()) {
            rows.awaitExactlyOnce(sensor, acked.get(sensor), sent.get(sensor), timeout);
        }
        log.info(
                "stream - counted: {} acknowledged readings, each stored exactly once ({} reconnects)",
                acked.values().stream().mapToInt(Set::size).sum(),
                reconnects());
    }

    @Override
    public void close() {
        running = false;
        for (Publisher p : publishers) {
            try {
                p.thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            p.client.close();
        }
    }
}
