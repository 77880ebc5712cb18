package io.thermowatch.emailsender;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The alerting thresholds and timers, validated once. Immutable.
 *
 * @param threshold      a value strictly above it fires an alert (°C); {@code TEMPERATURE_THRESHOLD}
 * @param clearThreshold a value at or below it resolves a firing alert (°C); must be below {@code threshold}
 *                       so that the gap between the two is hysteresis; {@code ALERT_CLEAR_THRESHOLD}
 * @param repeatInterval a firing alert is mailed again at most this often; {@code ALERT_REPEAT_INTERVAL}
 * @param offlineAfter   a sensor with no message for this long is offline; {@code SENSOR_OFFLINE_AFTER}
 */
record AlertRules(double threshold, double clearThreshold, Duration repeatInterval, Duration offlineAfter) {

    AlertRules {
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        Objects.requireNonNull(offlineAfter, "offlineAfter");
        if (!Double.isFinite(threshold) || !Double.isFinite(clearThreshold)) {
            throw new IllegalArgumentException("thresholds must be finite numbers");
        }
        if (!(clearThreshold < threshold)) {
            throw new IllegalArgumentException(String.format(
                    Locale.ROOT,
                    "ALERT_CLEAR_THRESHOLD='%s': expected a number below TEMPERATURE_THRESHOLD (%s °C)",
                    clearThreshold,
                    threshold));
        }
        if (repeatInterval.isNegative() || repeatInterval.isZero()) {
            throw new IllegalArgumentException(
                    "ALERT_REPEAT_INTERVAL='" + repeatInterval + "': expected a positive duration");
        }
        if (offlineAfter.isNegative() || offlineAfter.isZero()) {
            throw new IllegalArgumentException(
                    "SENSOR_OFFLINE_AFTER='" + offlineAfter + "': expected a positive duration");
        }
    }

    /** The defaults of the original system plus Alertmanager-like timers: 25 °C, 24 °C, 1 h, 2 min. */
    static AlertRules defaults() {
        return new AlertRules(25.0, 24.0, Duration.ofHours(1), Duration.ofMinutes(2));
    }
}
