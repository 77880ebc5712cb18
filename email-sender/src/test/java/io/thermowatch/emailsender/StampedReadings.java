package io.thermowatch.emailsender;

import io.thermowatch.testkit.MqttTestClient;
import java.util.concurrent.atomic.AtomicLong;

/** Readings published as a sensor would, each stamped later than the one before. */
final class StampedReadings {

    /** Strictly increasing stamps: two readings in one millisecond would make the second stale (never lowers). */
    private static final AtomicLong LAST_STAMP = new AtomicLong();

    private StampedReadings() {}

    /** Publishes {@code value} °C for {@code sensor} on {@code temperature/<sensor>}, stamped now or just after. */
    static void publish(MqttTestClient mqtt, String sensor, double value) throws Exception {
        long stamp = LAST_STAMP.updateAndGet(last -> Math.max(last + 1, System.currentTimeMillis()));
        mqtt.publish("temperature/" + sensor, "{\"value\": " + value + ", \"timestamp\": " + stamp + "}");
    }
}
