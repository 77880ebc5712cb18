package io.thermowatch.sensor;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReadingSchedulerTest {

    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    private final List<String> published = new CopyOnWriteArrayList<>();
    private final List<Reading> recorded = new CopyOnWriteArrayList<>();
    private final ReadingsLog log = new ReadingsLog() {
        @Override
        public void record(Reading reading) {
            recorded.add(reading);
        }

        @Override
        public void close() {}
    };

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    private static VirtualSensor sensor(String id) {
        return VirtualSensor.seededFromId(id, TemperatureSignal.Excursions.OFF, Clock.systemUTC());
    }

    @Test
    void the_first_reading_is_taken_at_once_with_the_wire_payload() {
        // Given
        ReadingScheduler scheduler = new ReadingScheduler(executor, Duration.ofHours(1), new ReadingCodec(), log);

        // When
        scheduler.start(
                List.of(sensor("a1")),
                (topic, payload) -> published.add(topic + " " + new String(payload, StandardCharsets.UTF_8)));

        // Then
        await().atMost(Duration.ofSeconds(2)).until(() -> published.size() == 1);
        assertTrue(
                published.get(0).matches("temperature/a1 \\{\"value\":-?\\d+\\.\\d,\"timestamp\":\\d{13}\\}"),
                published.get(0));
        assertEquals(1, recorded.size());
    }

    @Test
    void readings_repeat_every_interval() {
        // Given
        ReadingScheduler scheduler = new ReadingScheduler(executor, Duration.ofMillis(20), new ReadingCodec(), log);

        // When
        long start = System.currentTimeMillis();
        scheduler.start(List.of(sensor("a1")), (topic, payload) -> published.add(topic));

        // Then: the tenth reading is due 9 intervals after the start (a late run catches up, never runs early)
        await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 10);
        List<Long> times = recorded.stream().map(Reading::timestampMillis).toList();
        assertTrue(times.get(9) - start >= 9 * 20 - 2, "start " + start + ", timestamps " + times);
    }

    @Test
    void the_sensors_of_a_connection_are_spread_over_the_interval() {
        // Given
        ReadingScheduler scheduler = new ReadingScheduler(executor, Duration.ofMillis(400), new ReadingCodec(), log);

        // When
        scheduler.start(
                List.of(sensor("a"), sensor("b"), sensor("c"), sensor("d")), (topic, payload) -> published.add(topic));

        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 4);
        assertEquals(
                List.of("temperature/a", "temperature/b", "temperature/c", "temperature/d"), published.subList(0, 4));
        long spread = recorded.get(3).timestampMillis() - recorded.get(0).timestampMillis();
        assertTrue(spread >= 250, "first readings spread over " + spread + " ms");
    }

    @Test
    void a_failing_publish_does_not_stop_the_sensor() {
        // Given
        ReadingScheduler scheduler = new ReadingScheduler(executor, Duration.ofMillis(10), new ReadingCodec(), log);

        // When
        scheduler.start(List.of(sensor("a1")), (topic, payload) -> {
            published.add(topic);
            throw new IllegalStateException("boom");
        });

        // Then
        await().atMost(Duration.ofSeconds(5)).until(() -> published.size() >= 3);
    }
}
