package io.thermowatch.sensor;

import io.thermowatch.common.wire.Reading;
import io.thermowatch.common.wire.ReadingCodec;
import io.thermowatch.common.wire.Topics;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes each sensor's readings at a fixed rate and hands them to its connection.
 *
 * <p>A connection's sensors start when it first connects: the first at once, the others spread evenly over one
 * interval so that thousands of sensors do not publish in one burst. Readings go on being taken while the
 * connection is down (they wait in its offline buffer). Thread-safe.
 */
final class ReadingScheduler {

    private static final Logger log = LoggerFactory.getLogger(ReadingScheduler.class);

    /** Where a reading goes once taken. */
    @FunctionalInterface
    interface Publisher {
        void publish(String topic, byte[] payload);
    }

    private final ScheduledExecutorService executor;
    private final Duration interval;
    private final ReadingCodec codec;
    private final ReadingsLog readingsLog;

    ReadingScheduler(
            ScheduledExecutorService executor, Duration interval, ReadingCodec codec, ReadingsLog readingsLog) {
        this.executor = executor;
        this.interval = interval;
        this.codec = codec;
        this.readingsLog = readingsLog;
    }

    /** Starts taking readings of {@code sensors}, publishing them with {@code publisher}. */
    void start(List<VirtualSensor> sensors, Publisher publisher) {
        long periodNanos = interval.toNanos();
        for (int i = 0; i < sensors.size(); i++) {
            long initialDelayNanos = periodNanos / sensors.size() * i;
            executor.scheduleAtFixedRate(
                    new SensorTask(sensors.get(i), publisher), initialDelayNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** One sensor's periodic job: read, record, publish. Never throws (that would cancel the schedule). */
    private final class SensorTask implements Runnable {
        private final VirtualSensor sensor;
        private final String topic;
        private final Publisher publisher;

        SensorTask(VirtualSensor sensor, Publisher publisher) {
            this.sensor = sensor;
            this.topic = Topics.readingTopic(sensor.id());
            this.publisher = publisher;
        }

        @Override
        public void run() {
            try {
                Reading reading = sensor.read();
                readingsLog.record(reading);
                publisher.publish(topic, codec.encode(reading));
            } catch (RuntimeException e) {
                log.error("{} - Reading failed; the sensor goes on", sensor.id(), e);
            }
        }
    }
}
