package io.thermowatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.thermowatch.common.config.MqttSettings;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The offline buffer without a broker: a link that was never connected buffers everything. */
class MqttSensorLinkTest {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final SensorMetrics metrics = new SensorMetrics(new SimpleMeterRegistry());
    private MqttSensorLink link;

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        timer.shutdownNow();
    }

    private MqttSensorLink disconnectedLink(int bufferSize) throws Exception {
        MqttSettings settings = new MqttSettings(List.of("tcp://127.0.0.1:1"), "u", "p", "sensor-test", 30);
        return new MqttSensorLink("sensor-test", List.of("a1"), settings, bufferSize, 1_000, metrics, timer, l -> {});
    }

    private static byte[] payload(int i) {
        return ("{\"value\":21.0,\"timestamp\":" + (1_764_260_000_000L + i) + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readings_published_while_disconnected_wait_in_the_buffer() throws Exception {
        // Given
        link = disconnectedLink(10);

        // When
        for (int i = 0; i < 4; i++) {
            link.publishReading("temperature/a1", payload(i));
        }

        // Then
        assertFalse(link.isConnected());
        assertEquals(4, link.bufferedCount());
        assertEquals(4.0, metrics.published.count());
        assertEquals(0.0, metrics.dropped.count());
    }

    @Test
    void a_full_buffer_drops_the_oldest_and_counts_it() throws Exception {
        // Given
        link = disconnectedLink(3);

        // When
        for (int i = 0; i < 5; i++) {
            link.publishReading("temperature/a1", payload(i));
        }

        // Then
        assertEquals(3, link.bufferedCount());
        assertEquals(5.0, metrics.published.count());
        assertEquals(2.0, metrics.dropped.count());
    }
}
