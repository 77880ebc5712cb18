package io.thermowatch.dashboard;

import io.thermowatch.common.wire.SensorStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Judges a sensor from its latest stored reading and its last status message: {@code offline} when its last status
 * was {@code offline} and no reading is newer than that status, else {@code online} while its last reading is
 * younger than the offline timeout, {@code stale} after that; whether the value is over the alert threshold; and
 * whether the sensor is retired: silent for longer than the retire time and not listed in the inventory, so the page
 * no longer shows it (a fleet's decommissioned sensors would otherwise stay on it for ever).
 */
final class SensorState {

    static final String ONLINE = "online";
    static final String STALE = "stale";
    static final String OFFLINE = "offline";

    private final double threshold;
    private final Duration offlineAfter;
    private final Duration retireAfter;
    private final Clock clock;

    SensorState(double threshold, Duration offlineAfter, Duration retireAfter, Clock clock) {
        this.threshold = threshold;
        this.offlineAfter = offlineAfter;
        this.retireAfter = retireAfter;
        this.clock = clock;
    }

    /**
     * The JSON view of one sensor.
     *
     * @param labels its labels from the sensor inventory ({@code site}, {@code room}, {@code rack},
     *               {@code description}, ...); empty when it has none
     * @param listed whether the inventory lists it: the page never retires a listed sensor
     */
    record View(
            String sensor,
            double value,
            long timestamp,
            String status,
            boolean overThreshold,
            Map<String, String> labels,
            boolean listed) {

        View withInventory(Map<String, String> labels, boolean listed) {
            return new View(sensor, value, timestamp, status, overThreshold, labels, listed);
        }
    }

    View judge(LatestReading latest) {
        return judge(latest, clock.instant(), Optional.empty());
    }

    View judge(LatestReading latest, Instant now, Optional<StatusTracker.Seen> lastStatus) {
        var age = Duration.between(latest.time(), now);
        var offline = lastStatus
                .filter(seen -> seen.status() == SensorStatus.OFFLINE)
                .filter(seen -> !seen.receivedAt().isBefore(latest.time()))
                .isPresent();
        var status = offline ? OFFLINE : age.compareTo(offlineAfter) > 0 ? STALE : ONLINE;
        return new View(
                latest.sensor(),
                latest.value(),
                latest.time().toEpochMilli(),
                status,
                isOverThreshold(latest.value()),
                Map.of(),
                false);
    }

    /** Silent (by its newest stamp) for longer than the retire time, and not {@code listed} in the inventory. */
    boolean isRetired(LatestReading latest, Instant now, boolean listed) {
        return !listed && Duration.between(latest.time(), now).compareTo(retireAfter) > 0;
    }

    boolean isOverThreshold(double value) {
        return value > threshold;
    }
}
