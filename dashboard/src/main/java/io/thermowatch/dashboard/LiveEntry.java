package io.thermowatch.dashboard;

/**
 * One sensor's line in a live frame: its latest reading by arrival since the previous frame, and how many of its
 * readings arrived in that time ({@code count} ≥ 1; the others were coalesced away).
 *
 * @param sensor          the sensor id (valid by {@code Topics.isValidSensorId}: no JSON escaping needed)
 * @param value           °C
 * @param timestampMillis the sensor's own stamp, epoch milliseconds
 * @param count           readings of this sensor that arrived since the previous frame
 */
record LiveEntry(String sensor, double value, long timestampMillis, int count) {}
