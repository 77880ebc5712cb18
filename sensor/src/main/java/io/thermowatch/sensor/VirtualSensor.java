package io.thermowatch.sensor;

import io.thermowatch.common.wire.Reading;
import java.time.Clock;
import java.util.Random;

/**
 * One emulated sensor: its id and its signal, read against a clock.
 *
 * <p>The signal's random source is seeded from the id, so a sensor keeps its character (base temperature)
 * across restarts. Not thread-safe: the scheduler reads each sensor from one thread at a time.
 */
final class VirtualSensor {

    private final String id;
    private final TemperatureSignal signal;
    private final Clock clock;

    VirtualSensor(String id, TemperatureSignal signal, Clock clock) {
        this.id = id;
        this.signal = signal;
        this.clock = clock;
    }

    /** A sensor whose signal is seeded from its id. */
    static VirtualSensor seededFromId(String id, TemperatureSignal.Excursions excursions, Clock clock) {
        return new VirtualSensor(
                id, new TemperatureSignal(new Random(id.hashCode() * 0x9E3779B97F4A7C15L), excursions), clock);
    }

    String id() {
        return id;
    }

    /** Takes a reading now. */
    Reading read() {
        return new Reading(id, signal.next(), clock.millis());
    }
}
