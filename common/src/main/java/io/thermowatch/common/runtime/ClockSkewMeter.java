package io.thermowatch.common.runtime;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * Counts readings whose stamp (the sensor's claim) differs from their arrival (the consumer's clock) by more than
 * {@code CLOCK_SKEW_WARN}, in {@value #METER}{@code {direction=ahead|behind}}: skew is made visible, never
 * corrected. "Behind" also counts readings that waited in a queue (a sensor draining its buffer, a consumer
 * catching up a backlog). Thread-safe; no allocation per reading.
 */
public final class ClockSkewMeter {

    /** Meter name; Prometheus shows it as {@code thermowatch_readings_clock_skew_total}. */
    public static final String METER = "thermowatch.readings.clock.skew";
    /** {@code CLOCK_SKEW_WARN} when unset. */
    public static final Duration DEFAULT_WARN = Duration.ofSeconds(30);

    /** Which way a stamp is off. */
    public enum Direction {
        /** Stamped later than it arrived: the sensor's clock runs ahead (or the stamp is forged). */
        AHEAD,
        /** Stamped earlier than it arrived: the sensor's clock runs behind, or the reading waited somewhere. */
        BEHIND
    }

    private final long warnMillis;
    private final Counter ahead;
    private final Counter behind;

    public ClockSkewMeter(Duration warn, MeterRegistry registry) {
        if (warn.isNegative() || warn.isZero()) {
            throw new IllegalArgumentException("CLOCK_SKEW_WARN='" + warn + "': expected a positive duration");
        }
        this.warnMillis = warn.toMillis();
        this.ahead = counter(registry, "ahead");
        this.behind = counter(registry, "behind");
    }

    /**
     * {@code CLOCK_SKEW_WARN}, default 30 s.
     *
     * @throws ConfigException naming the variable when it is not a positive duration
     */
    public static Duration warnFromEnv(EnvConfig env) {
        return env.positiveDuration("CLOCK_SKEW_WARN", DEFAULT_WARN);
    }

    /** Pure: the direction if {@code stampMillis} is more than {@code warn} away from {@code arrivalMillis}. */
    public static Optional<Direction> judge(long stampMillis, long arrivalMillis, Duration warn) {
        long skew = stampMillis - arrivalMillis;
        if (skew > warn.toMillis()) {
            return Optional.of(Direction.AHEAD);
        }
        if (-skew > warn.toMillis()) {
            return Optional.of(Direction.BEHIND);
        }
        return Optional.empty();
    }

    /** Counts one reading stamped {@code stampMillis} that arrived at {@code arrivalMillis} (wall clock). */
    public void observe(long stampMillis, long arrivalMillis) {
        long skew = stampMillis - arrivalMillis;
        if (skew > warnMillis) {
            ahead.increment();
        } else if (skew < -warnMillis) {
            behind.increment();
        }
    }

    private static Counter counter(MeterRegistry registry, String direction) {
        return Counter.builder(METER)
                .tag("direction", direction)
                .description("Readings whose stamp differs from their arrival by more than CLOCK_SKEW_WARN")
                .register(registry);
    }
}
