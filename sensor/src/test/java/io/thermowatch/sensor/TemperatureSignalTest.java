package io.thermowatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;

class TemperatureSignalTest {

    private static final TemperatureSignal.Excursions NONE = TemperatureSignal.Excursions.OFF;

    private static double[] readings(TemperatureSignal signal, int count) {
        return DoubleStream.generate(signal::next).limit(count).toArray();
    }

    @Test
    void every_reading_has_one_decimal() {
        // Given
        TemperatureSignal signal = new TemperatureSignal(new Random(1), new TemperatureSignal.Excursions(0.1, 8));

        // When
        double[] values = readings(signal, 1_000);

        // Then
        for (double value : values) {
            assertEquals(value, Math.round(value * 10) / 10.0, 1e-9, "value " + value);
        }
    }

    @Test
    void each_sensor_has_its_own_base_temperature_in_the_normal_band() {
        // Given / When
        TemperatureSignal a = new TemperatureSignal(new Random(1), NONE);
        TemperatureSignal b = new TemperatureSignal(new Random(2), NONE);

        // Then
        assertNotEquals(a.base(), b.base());
        for (TemperatureSignal s : new TemperatureSignal[] {a, b}) {
            assertTrue(s.base() >= TemperatureSignal.BASE_MIN && s.base() <= TemperatureSignal.BASE_MAX);
        }
    }

    @Test
    void without_excursions_the_signal_stays_near_its_base_and_below_the_alert_threshold() {
        // Given
        TemperatureSignal signal = new TemperatureSignal(new Random(7), NONE);

        // When
        double[] values = readings(signal, 10_000);

        // Then
        for (double value : values) {
            assertTrue(Math.abs(value - signal.base()) < TemperatureSignal.DRIFT_LIMIT + 1.0, "value " + value);
            assertTrue(value < 25.0, "value " + value);
        }
    }

    @Test
    void consecutive_readings_move_by_small_steps_not_uniform_noise() {
        // Given
        TemperatureSignal signal = new TemperatureSignal(new Random(3), NONE);

        // When
        double[] values = readings(signal, 1_000);

        // Then
        double meanStep = 0;
        for (int i = 1; i < values.length; i++) {
            meanStep += Math.abs(values[i] - values[i - 1]);
        }
        meanStep /= values.length - 1;
        assertTrue(meanStep < 0.3, "mean step " + meanStep);
    }

    @Test
    void excursions_rise_above_the_alert_threshold_and_come_back() {
        // Given
        TemperatureSignal signal = new TemperatureSignal(new Random(11), new TemperatureSignal.Excursions(0.05, 8));

        // When
        double[] values = readings(signal, 2_000);

        // Then
        long hot = DoubleStream.of(values).filter(v -> v > 25.0).count();
        assertTrue(hot > 10, "readings above 25 °C: " + hot);
        assertTrue(hot < values.length / 2, "readings above 25 °C: " + hot);
        assertTrue(values[values.length - 1] < 25.0 || signal.isInExcursion());
    }

    @Test
    void the_same_random_seed_gives_the_same_signal() {
        // Given
        TemperatureSignal a = new TemperatureSignal(new Random(42), new TemperatureSignal.Excursions(0.02, 8));
        TemperatureSignal b = new TemperatureSignal(new Random(42), new TemperatureSignal.Excursions(0.02, 8));

        // When / Then
        org.junit.jupiter.api.Assertions.assertArrayEquals(readings(a, 500), readings(b, 500));
    }

    @Test
    void excursion_settings_out_of_range_are_refused() {
        assertThrows(IllegalArgumentException.class, () -> new TemperatureSignal.Excursions(-0.1, 8));
        assertThrows(IllegalArgumentException.class, () -> new TemperatureSignal.Excursions(1.5, 8));
        assertThrows(IllegalArgumentException.class, () -> new TemperatureSignal.Excursions(0.1, -1));
        assertThrows(IllegalArgumentException.class, () -> new TemperatureSignal.Excursions(Double.NaN, 8));
    }
}
