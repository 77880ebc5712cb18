package io.thermowatch.emailsender;

import io.thermowatch.common.MonotonicClock;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Alert state of every sensor seen since start: (event, clocks) in, notifications out. Pure: no I/O. Durations
 * (offline after silence, repeat interval) are measured on the monotonic clock, the wall clock only stamps.
 * Thread safe: every method is synchronised (the consumer thread and the offline sweeper share it).
 */
final class AlertEngine {

    private final AlertRules rules;
    private final Clock clock;
    private final MonotonicClock monotonic;
    private final Map<String, SensorAlert> sensors = new HashMap<>();
    private Consumer<String> newSensorListener = id -> { };

    AlertEngine(AlertRules rules, Clock clock, MonotonicClock monotonic) {
        this.rules = rules;
        this.clock = clock;
        this.monotonic = monotonic;
    }

    AlertRules rules() {
        return rules;
    }

    /** Called (under the engine's lock: keep it short) when a sensor is seen for the first time. */
    synchronized void onNewSensor(Consumer<String> listener) {
        this.newSensorListener = listener;
    }

    /** Restores what the recipients were last told, before the first message is consumed. */
    synchronized void restore(MailedState mailed) {
        Now now = now();
        mailed.entries().forEach((id, e) -> sensor(id).restore(e.state(), e.since(), now));
    }

    /** A reading as it arrives; {@code redelivered} is the broker's flag (see {@link SensorAlert#onReading}). */
    synchronized List<Notification> onReading(String sensorId, double value, long timestampMillis,
                                              boolean redelivered) {
        return sensor(sensorId).onReading(value, Instant.ofEpochMilli(timestampMillis), redelivered, now(), rules);
    }

    /** A reading delivered for the first time. */
    List<Notification> onReading(String sensorId, double value, long timestampMillis) {
        return onReading(sensorId, value, timestampMillis, false);
    }

    synchronized List<Notification> onOnline(String sensorId) {
        return sensor(sensorId).onOnline(now());
    }

    synchronized List<Notification> onOffline(String sensorId) {
        return sensor(sensorId).onOffline(now());
    }

    /** Marks offline every sensor silent for {@code offlineAfter}; called periodically by the sweeper. */
    synchronized List<Notification> sweepSilentSensors() {
        Now now = now();
        List<Notification> out = new ArrayList<>();
        for (SensorAlert sensor : sensors.values()) {
            out.addAll(sensor.checkSilence(now, rules));
        }
        return out;
    }

    synchronized int count(SensorAlert.State state) {
        int n = 0;
        for (SensorAlert sensor : sensors.values()) {
            if (sensor.state() == state) {
                n++;
            }
        }
        return n;
    }

    synchronized SensorAlert.State stateOf(String sensorId) {
        SensorAlert sensor = sensors.get(sensorId);
        return sensor == null ? SensorAlert.State.UNKNOWN : sensor.state();
    }

    private Now now() {
        return new Now(clock.instant(), monotonic.nanos());
    }

    private SensorAlert sensor(String sensorId) {
        SensorAlert sensor = sensors.get(sensorId);
        if (sensor == null) {
            sensor = new SensorAlert(sensorId);
            sensors.put(sensorId, sensor);
            newSensorListener.accept(sensorId);
        }
        return sensor;
    }
}
