package io.thermowatch.systemtests;

import io.thermowatch.testkit.Stack;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * A steady fleet of virtual sensors: {@code sensors} ids ({@code <prefix>_s<n>}) spread over {@code connections}
 * QoS 1 connections, each sensor publishing {@code rate} readings/s, and the PUBACKs counted per sensor.
 * Each connection spreads its sensors over ten slots of the period, so the broker sees a steady stream rather
 * than one burst per second. A sensor's timestamps are strictly increasing (epoch ms), so every acknowledged
 * reading is exactly one {@code (sensor, time)} row: acknowledged − rows per sensor is the loss.
 */
final class Fleet implements AutoCloseable {

    private static final int SLOTS = 10;

    private final String prefix;
    private final int sensors;
    private final double rate;
    private final List<MqttAsyncClient> clients;
    private final AtomicLongArray acked;
    private final long[] lastTimestamp;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;
    private long startedNanos;
    private long stoppedNanos;

    Fleet(Stack stack, String prefix, int sensors, int connections, double rate) throws MqttException {
        if (sensors < 1 || connections < 1 || !(rate > 0)) {
            throw new IllegalArgumentException("fleet: sensors " + sensors + ", connections " + connections + ", rate "
                    + rate + "/s: expected at least 1, 1 and > 0");
        }
        this.prefix = prefix;
        this.sensors = sensors;
        this.rate = rate;
        this.clients = Publishers.connect(stack, prefix, Math.min(connections, sensors));
        this.acked = new AtomicLongArray(sensors);
        this.lastTimestamp = new long[sensors];
    }

    String prefix() {
        return prefix;
    }

    int size() {
        return sensors;
    }

    String sensor(int index) {
        return prefix + "_s" + index;
    }

    /** Readings per second the whole fleet is meant to publish. */
    double targetRate() {
        return sensors * rate;
    }

    void start() {
        running = true;
        startedNanos = System.nanoTime();
        for (int c = 0; c < clients.size(); c++) {
            int connection = c;
            Thread thread = new Thread(() -> publishLoop(connection), "fleet-" + prefix + "-" + c);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    /**
     * Stops publishing and waits up to 30 s for the PUBACKs still in flight.
     *
     * @return how many publishes stayed unacknowledged (not counted; they may be stored all the same)
     */
    int stop() throws InterruptedException {
        running = false;
        for (Thread thread : threads) {
            thread.join();
        }
        stoppedNanos = System.nanoTime();
        return Publishers.awaitInflight(clients, 30_000);
    }

    long acked() {
        long total = 0;
        for (int i = 0; i < sensors; i++) {
            total += acked.get(i);
        }
        return total;
    }

    /** Acknowledged readings per sensor id. */
    Map<String, Long> ackedBySensor() {
        Map<String, Long> bySensor = new HashMap<>();
        for (int i = 0; i < sensors; i++) {
            bySensor.put(sensor(i), acked.get(i));
        }
        return bySensor;
    }

    /** Acknowledged readings per second from start to stop (or to now while running). */
    double ackedRate() {
        long end = running || stoppedNanos == 0 ? System.nanoTime() : stoppedNanos;
        return acked() / ((end - startedNanos) / 1e9);
    }

    @Override
    public void close() {
        running = false;
        Publishers.close(clients);
    }

    private void publishLoop(int connection) {
        MqttAsyncClient client = clients.get(connection);
        long slotNanos = (long) (1e9 / rate / SLOTS);
        long next = System.nanoTime();
        int slot = 0;
        while (running) {
            // this connection's sensors are connection, connection + C, ...; the k-th of them goes in slot k mod 10
            for (int s = connection + slot * clients.size(); s < sensors && running; s += SLOTS * clients.size()) {
                publishOne(client, s);
            }
            slot = (slot + 1) % SLOTS;
            next += slotNanos;
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
    }

    private void publishOne(MqttAsyncClient client, int s) {
        // strictly increasing per sensor, even when the loop runs late and catches up within one millisecond
        long timestamp = Math.max(System.currentTimeMillis(), lastTimestamp[s] + 1);
        lastTimestamp[s] = timestamp;
        double value = 20 + s % 5;
        while (running && !Publishers.publish(client, sensor(s), timestamp, value, () -> acked.incrementAndGet(s))) {
            // window full: retried until it goes (the fleet falls behind rather than skipping readings)
        }
    }
}
