package io.thermowatch.common.wire;

import java.time.Instant;

/**
 * One temperature reading as it travels on the wire: which sensor, degrees Celsius, and when it was taken.
 *
 * <p>Instances are not validated here; {@link ReadingCodec#decode} is the gate that rejects bad input.
 *
 * @param sensorId        the sensor's id, matching {@link Topics#isValidSensorId}
 * @param value           temperature in °C
 * @param timestampMillis when the reading was taken, epoch milliseconds
 */
public record Reading(String sensorId, double value, long timestampMillis) {

    /** The reading's time as an {@link Instant}. */
    public Instant time() {
        return Instant.ofEpochMilli(timestampMillis);
    }
}
