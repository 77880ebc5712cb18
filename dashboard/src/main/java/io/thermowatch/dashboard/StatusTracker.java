package io.thermowatch.dashboard;

import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.wire.SensorStatus;
import io.thermowatch.common.wire.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

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

    /** A status and when this process received it. */
    record Seen(SensorStatus status, Instant receivedAt) {}

    private final Map<String, Seen> statuses = new ConcurrentHashMap<>();
    private final int maxTracked;
    private final LongAdder evicted = new LongAdder();
    private final Clock clock;
    private final MqttSession session;

    StatusTracker(MqttSettings settings, Clock clock) {
        this(settings, clock, DashboardConfig.DEFAULT_MAX_TRACKED_SENSORS);
    }

    StatusTracker(MqttSettings settings, Clock clock, int maxTracked) {
        this.maxTracked = maxTracked;
        this.clock = clock;
        this.session = new MqttSession(
                "status",
                settings,
                client -> client.subscribe(Topics.ALL_STATUSES_FILTER, 1),
                (topic, message) -> accept(topic, message.getPayload()));
    }

    void start() {
        session.start();
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

    @Override
    public void close() {
        session.close();
    }
}
