package io.thermowatch.emailsender;

import io.thermowatch.common.runtime.MonotonicClock;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Alert state of every sensor seen since start: (event, clocks) in, notifications out. Pure: no I/O. Durations
 * (offline after silence, repeat interval, {@code for}, rise windows) are measured on the monotonic clock, the wall
 * clock only stamps. The rules are the environment's single default rule until {@link #useRules} replaces them (the
 * rules file, at start and on every valid change). Thread safe: every method is synchronised (the consumer thread,
 * the offline sweeper and the rules reloader share it).
 *
 * <p>Bounded: at most {@code maxTracked} sensors ({@code MAX_TRACKED_SENSORS}); a new id beyond that first forgets
 * about 1 % of them, UNKNOWN ones first, then NORMAL and OFFLINE, FIRING last, the longest silent first within each,
 * so ids published once and never again go before any sensor that talks or fires.
 */
final class AlertEngine {

    private final AlertRules rules;
    private RuleSet ruleSet;
    private final Clock clock;
    private final MonotonicClock monotonic;
    private final Map<String, SensorAlert> sensors = new HashMap<>();
    private final int maxTracked;
    private Consumer<String> newSensorListener = id -> {};
    private Consumer<List<String>> evictionListener = ids -> {};
    private Mutes mutes = Mutes.NONE;
    private Consumer<List<AlertEvent>> mutedListener = events -> {};
    private long evicted;
    /** True while the last sweep found no consuming channel: silence then means "cut off", not "sensor dead". */
    private boolean sweepSuspended;
    /** Monotonic time the consumer came back after a cut, or null: silence counts only from then on. */
    private Long resumedAtNanos;

    /** Default for {@code MAX_TRACKED_SENSORS}. */
    static final int DEFAULT_MAX_TRACKED = 100_000;

    AlertEngine(AlertRules rules, Clock clock, MonotonicClock monotonic) {
        this(rules, clock, monotonic, DEFAULT_MAX_TRACKED);
    }

    AlertEngine(AlertRules rules, Clock clock, MonotonicClock monotonic, int maxTracked) {
        if (maxTracked < 1) {
            throw new IllegalArgumentException("MAX_TRACKED_SENSORS='" + maxTracked + "': expected at least 1");
        }
        this.rules = rules;
        this.ruleSet = RuleSet.fromEnv(rules);
        this.clock = clock;
        this.monotonic = monotonic;
        this.maxTracked = maxTracked;
    }

    AlertRules rules() {
        return rules;
    }

    synchronized RuleSet ruleSet() {
        return ruleSet;
    }

    /**
     * Judges every sensor by {@code next} from now on: a rule kept by name keeps each sensor's level and timers (its
     * new thresholds decide from the next reading); a firing alert of a rule that no longer applies to a sensor ends.
     *
     * @return a RESOLVED per alert that ended that way (no reading behind them)
     */
    synchronized List<Notification> useRules(RuleSet next) {
        ruleSet = next;
        Now now = now();
        List<Notification> out = new ArrayList<>();
        for (SensorAlert sensor : sensors.values()) {
            out.addAll(sensor.bind(next, now));
        }
        return release(out);
    }

    /**
     * What is to be mailed of {@code out}; the muted rest (an ad-hoc silence, a maintenance window of the rules file,
     * an acknowledgement) goes to the muted listener. Pipeline kinds never pass.
     */
    private List<Notification> release(List<Notification> out) {
        if (out.isEmpty()
                || (mutes.silences().isEmpty()
                        && mutes.acknowledgements().isEmpty()
                        && ruleSet.maintenance().isEmpty())) {
            return out;
        }
        List<Notification> toMail = new ArrayList<>(out.size());
        List<AlertEvent> muted = new ArrayList<>(0);
        for (Notification n : out) {
            Optional<Mutes.Silence> silence = mutes.silenceFor(n.sensorId(), n.labels(), n.detectedAt());
            if (silence.isPresent()) {
                muted.add(AlertEvent.silenced(n, silence.get()));
                continue;
            }
            Optional<MaintenanceWindow> window = ruleSet.maintenanceFor(n.sensorId(), n.labels(), n.detectedAt());
            if (window.isPresent()) {
                muted.add(AlertEvent.inMaintenance(n, window.get()));
                continue;
            }
            if (n.kind() == Notification.Kind.REMINDER && n.alert() != null) {
                SensorAlert sensor = sensors.get(n.sensorId());
                Optional<Mutes.Acknowledgement> ack = sensor == null
                        ? Optional.empty()
                        : mutes.acknowledgementOf(
                                n.sensorId(),
                                n.alert().rule(),
                                sensor.firingSince(n.alert().rule()));
                if (ack.isPresent()) {
                    muted.add(AlertEvent.acknowledged(n, ack.get()));
                    continue;
                }
            }
            toMail.add(n);
        }
        if (!muted.isEmpty()) {
            mutedListener.accept(muted);
        }
        return toMail;
    }

    /**
     * The silences and acknowledgements in force from now on ({@link MutesReader}). A notification about a sensor a
     * silence selects at its detection time, and a REMINDER of an alert acknowledged since it began firing, is not
     * returned for mailing but handed to the muted listener (alert history).
     */
    synchronized void useMutes(Mutes next) {
        mutes = next;
    }

    /** Called (under the engine's lock: keep it short, e.g. a non-blocking offer) with the muted notifications. */
    synchronized void onMuted(Consumer<List<AlertEvent>> listener) {
        this.mutedListener = listener;
    }

    /** Called (under the engine's lock: keep it short) when a sensor is seen for the first time. */
    synchronized void onNewSensor(Consumer<String> listener) {
        this.newSensorListener = listener;
    }

    /** Called (under the engine's lock: keep it short) with the ids forgotten to stay within the cap. */
    synchronized void onEvicted(Consumer<List<String>> listener) {
        this.evictionListener = listener;
    }

    /** Sensors forgotten so far to stay within {@code MAX_TRACKED_SENSORS}. */
    synchronized long evictedCount() {
        return evicted;
    }

    synchronized int trackedCount() {
        return sensors.size();
    }

    /** Restores what the recipients were last told, before the first message is consumed. */
    synchronized void restore(MailedState mailed) {
        Now now = now();
        mailed.entries().forEach((id, e) -> sensor(id).restore(e, now));
    }

    /** A reading as it arrives; {@code redelivered} is the broker's flag (see {@link SensorAlert#onReading}). */
    synchronized List<Notification> onReading(
            String sensorId, double value, long timestampMillis, boolean redelivered) {
        return release(sensor(sensorId).onReading(value, Instant.ofEpochMilli(timestampMillis), redelivered, now()));
    }

    /** A reading delivered for the first time. */
    List<Notification> onReading(String sensorId, double value, long timestampMillis) {
        return onReading(sensorId, value, timestampMillis, false);
    }

    /** A reading dead-lettered by the broker, evaluated late (see {@link SensorAlert#onLateReading}). */
    synchronized List<Notification> onLateReading(String sensorId, double value, long timestampMillis) {
        return sensor(sensorId).onLateReading(value, Instant.ofEpochMilli(timestampMillis), now());
    }

    synchronized List<Notification> onOnline(String sensorId) {
        return release(sensor(sensorId).onOnline(now()));
    }

    synchronized List<Notification> onOffline(String sensorId) {
        return release(sensor(sensorId).onOffline(now()));
    }

    /** Marks offline every sensor silent for {@code offlineAfter}; called periodically by the sweeper. */
    List<Notification> sweepSilentSensors() {
        return sweepSilentSensors(true);
    }

    /**
     * Like {@link #sweepSilentSensors()}, but only while this service consumes: without a consuming channel
     * (broker cut, permissions revoked) nobody can be heard from, so the sweep is suspended; once consuming again,
     * silence counts from that moment, so every sensor gets a fresh {@code offlineAfter} before it can be declared
     * OFFLINE by silence. Explicit {@code offline} statuses are not affected (they arrive as messages).
     *
     * @param consuming whether the consumer has a consuming channel now ({@code AmqpConsumer.isConsuming()})
     */
    synchronized List<Notification> sweepSilentSensors(boolean consuming) {
        Now now = now();
        if (!consuming) {
            sweepSuspended = true;
            return List.of();
        }
        if (sweepSuspended) {
            sweepSuspended = false;
            resumedAtNanos = now.nanos();
        }
        if (resumedAtNanos != null) {
            // max(lastSeen, resumedAt) + offlineAfter: one check on the resume time is enough.
            if (!now.isAtLeast(rules.offlineAfter(), resumedAtNanos)) {
                return List.of();
            }
            resumedAtNanos = null;
        }
        List<Notification> out = new ArrayList<>();
        for (SensorAlert sensor : sensors.values()) {
            out.addAll(sensor.checkSilence(now, rules.offlineAfter()));
        }
        return release(out);
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
            if (sensors.size() >= maxTracked) {
                evictSome();
            }
            sensor = new SensorAlert(sensorId);
            sensor.bind(ruleSet, now()); // a new sensor has no alert a rule change could end
            sensors.put(sensorId, sensor);
            newSensorListener.accept(sensorId);
        }
        return sensor;
    }

    /** The slow path of a new id at the cap: one sort per ~1 % of the cap, not per new id. */
    private void evictSome() {
        long now = monotonic.nanos();
        int count = Math.max(1, maxTracked / 100);
        List<Map.Entry<String, SensorAlert>> candidates = new ArrayList<>(sensors.entrySet());
        candidates.sort(Comparator.<Map.Entry<String, SensorAlert>>comparingInt(e -> keepPriority(e.getValue()))
                .thenComparingLong(e -> -(now - e.getValue().lastSeenNanos())));
        List<String> gone = new ArrayList<>(count);
        for (Map.Entry<String, SensorAlert> e : candidates.subList(0, Math.min(count, candidates.size()))) {
            gone.add(e.getKey());
        }
        gone.forEach(sensors::remove);
        evicted += gone.size();
        evictionListener.accept(gone);
    }

    /** Lower is forgotten first: nothing known, then nothing pending, then an alert whose resolution is owed. */
    private static int keepPriority(SensorAlert sensor) {
        return switch (sensor.state()) {
            case UNKNOWN -> 0;
            case NORMAL, OFFLINE -> 1;
            case FIRING -> 2;
        };
    }
}
