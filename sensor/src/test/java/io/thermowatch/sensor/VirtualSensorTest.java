package io.thermowatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thermowatch.common.wire.Reading;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class VirtualSensorTest {

    @Test
    void a_reading_carries_the_sensor_id_and_the_clock_time() {
        // Given
        Clock clock = Clock.fixed(Instant.ofEpochMilli(1_764_260_000_000L), ZoneOffset.UTC);
        VirtualSensor sensor = VirtualSensor.seededFromId("data_center_a1", TemperatureSignal.Excursions.OFF, clock);

        // When
        Reading reading = sensor.read();

        // Then
        assertEquals("data_center_a1", reading.sensorId());
        assertEquals(1_764_260_000_000L, reading.timestampMillis());
    }

    @Test
    void a_sensor_keeps_its_character_across_restarts() {
        // Given
        Clock clock = Clock.systemUTC();
        VirtualSensor first = VirtualSensor.seededFromId("rack-7", TemperatureSignal.Excursions.OFF, clock);
        VirtualSensor restarted = VirtualSensor.seededFromId("rack-7", TemperatureSignal.Excursions.OFF, clock);

        // When / Then
        for (int i = 0; i < 20; i++) {
            assertEquals(first.read().value(), restarted.read().value());
        }
    }
}
