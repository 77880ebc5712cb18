package io.thermowatch.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClockSkewMeterTest {

    private static final long ARRIVAL = 1_800_000_000_000L;
    private static final Duration WARN = Duration.ofSeconds(30);

    @Test
    void a_stamp_within_the_warning_is_not_skew() {
        assertEquals(Optional.empty(), ClockSkewMeter.judge(ARRIVAL + 30_000, ARRIVAL, WARN));
        assertEquals(Optional.empty(), ClockSkewMeter.judge(ARRIVAL - 30_000, ARRIVAL, WARN));
    }

    @Test
    void a_stamp_beyond_the_warning_is_ahead_or_behind() {
        assertEquals(
                Optional.of(ClockSkewMeter.Direction.AHEAD), ClockSkewMeter.judge(ARRIVAL + 240_000, ARRIVAL, WARN));
        assertEquals(
                Optional.of(ClockSkewMeter.Direction.BEHIND), ClockSkewMeter.judge(ARRIVAL - 30_001, ARRIVAL, WARN));
    }

    @Test
    void observed_readings_are_counted_by_direction() {
        // Given
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ClockSkewMeter meter = new ClockSkewMeter(WARN, registry);
        // When
        meter.observe(ARRIVAL + 240_000, ARRIVAL);
        meter.observe(ARRIVAL - 600_000, ARRIVAL);
        meter.observe(ARRIVAL - 600_000, ARRIVAL);
        meter.observe(ARRIVAL + 1_000, ARRIVAL);
        // Then
        assertEquals(
                1.0,
                registry.get(ClockSkewMeter.METER)
                        .tag("direction", "ahead")
                        .counter()
                        .count());
        assertEquals(
                2.0,
                registry.get(ClockSkewMeter.METER)
                        .tag("direction", "behind")
                        .counter()
                        .count());
    }

    @Test
    void clock_skew_warn_is_read_from_the_environment_and_a_bad_value_is_one_line() {
        assertEquals(ClockSkewMeter.DEFAULT_WARN, ClockSkewMeter.warnFromEnv(EnvConfig.of(Map.of())));
        assertEquals(Duration.ofMinutes(2), ClockSkewMeter.warnFromEnv(EnvConfig.of(Map.of("CLOCK_SKEW_WARN", "2m"))));
        ConfigException bad = assertThrows(
                ConfigException.class,
                () -> ClockSkewMeter.warnFromEnv(EnvConfig.of(Map.of("CLOCK_SKEW_WARN", "soon"))));
        assertTrue(bad.getMessage().startsWith("CLOCK_SKEW_WARN='soon'"), bad.getMessage());
        assertThrows(
                ConfigException.class, () -> ClockSkewMeter.warnFromEnv(EnvConfig.of(Map.of("CLOCK_SKEW_WARN", "0"))));
    }
}
