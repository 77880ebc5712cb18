package io.thermowatch.dashboard;

import java.time.Instant;

/** A sensor's most recent stored reading. */
record LatestReading(String sensor, double value, Instant time) {}
