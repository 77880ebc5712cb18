package io.thermowatch.testkit;

import java.util.UUID;

/** Unique sensor ids, so each test picks out only its own messages from shared queues. */
final class Markers {

    private Markers() {}

    /** {@code it-<purpose>-<8 hex>}: a valid sensor id ({@code [A-Za-z0-9_-]{1,64}}). */
    static String sensorId(String purpose) {
        return "it-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String reading(double value) {
        return "{\"value\":" + value + ",\"timestamp\":" + System.currentTimeMillis() + "}";
    }
}
