package io.thermowatch.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Judges a sensor from its latest stored reading: {@code online} while its last reading is younger than the
 * offline timeout, {@code stale} after that, and whether the value is over the alert threshold.
 *
 * <p>{@code offline} is not decided here: it comes from the sensor's status topic, which only the page
 * subscribes to (the database keeps readings, not statuses).
 */
final class SensorState {

    static final String ONLINE = "online";
    static final String STALE = "stale";

    private final double threshold;
    private final Duration offlineAfter;
    private final Clock clock;

    SensorState(double threshold, Duration offlineAfter, Clock clock) {
        this.threshold = threshold;
        this.offlineAfter = offlineAfter;
        this.clock = clock;
    }

    /** The JSON view of one sensor. */
    record View(String sensor, double value, long timestamp, String status, boolean overThreshold) {
    }

    View judge(LatestReading latest) {
        return judge(latest, clock.instant());
    }

    View judge(LatestReading latest, Instant now) {
        var age = Duration.between(latest.time(), now);
        var status = age.compareTo(offlineAfter) > 0 ? STALE : ONLINE;
        return new View(latest.sensor(), latest.value(), latest.time().toEpochMilli(), status, isOverThreshold(latest.value()));
    }

    boolean isOverThreshold(double value) {
        return value > threshold;
    }
}
