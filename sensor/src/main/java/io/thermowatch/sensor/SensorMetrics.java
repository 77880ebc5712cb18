package io.thermowatch.sensor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The emulator's meters. Counters are lock-free and safe from any thread; gauges are read on scrape.
 *
 * <ul>
 *   <li>{@code sensor_readings_published_total}: readings handed to the MQTT client (sent or buffered);</li>
 *   <li>{@code sensor_readings_acknowledged_total}: readings the broker acknowledged (PUBACK);</li>
 *   <li>{@code sensor_readings_dropped_total}: readings lost to a full offline buffer (the oldest) or refused;</li>
 *   <li>{@code sensor_reconnects_total}: connections re-established after a loss;</li>
 *   <li>{@code sensor_readings_buffered}: readings waiting in the offline buffers now;</li>
 *   <li>{@code sensor_readings_inflight}: publishes sent and not yet acknowledged;</li>
 *   <li>{@code sensor_connections_connected}, {@code sensor_connections}: connections up, and in all.</li>
 * </ul>
 */
final class SensorMetrics {

    final Counter published;
    final Counter acknowledged;
    final Counter dropped;
    final Counter reconnects;

    SensorMetrics(MeterRegistry registry) {
        published = Counter.builder("sensor.readings.published")
                .description("Readings handed to the MQTT client (sent or buffered)")
                .register(registry);
        acknowledged = Counter.builder("sensor.readings.acknowledged")
                .description("Readings acknowledged by the broker (QoS 1 PUBACK)")
                .register(registry);
        dropped = Counter.builder("sensor.readings.dropped")
                .description("Readings dropped: oldest of a full offline buffer, or refused by the client")
                .register(registry);
        reconnects = Counter.builder("sensor.reconnects")
                .description("MQTT connections re-established after a loss")
                .register(registry);
    }

    /** Registers the gauges that read the live connections. */
    static <T> void registerGauges(
            MeterRegistry registry,
            T links,
            ToDoubleFunction<T> buffered,
            ToDoubleFunction<T> inFlight,
            ToDoubleFunction<T> connected,
            Supplier<Number> total) {
        Gauge.builder("sensor.readings.buffered", links, buffered)
                .description("Readings waiting in the offline buffers")
                .register(registry);
        Gauge.builder("sensor.readings.inflight", links, inFlight)
                .description("Publishes sent and not yet acknowledged")
                .register(registry);
        Gauge.builder("sensor.connections.connected", links, connected)
                .description("MQTT connections currently up")
                .register(registry);
        Gauge.builder("sensor.connections", total)
                .description("MQTT connections in all")
                .register(registry);
    }
}
