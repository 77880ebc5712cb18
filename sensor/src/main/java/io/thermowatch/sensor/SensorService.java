package io.thermowatch.sensor;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.thermowatch.common.runtime.HealthServer;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.common.wire.ReadingCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running emulator: its connections, the reading schedule and the health endpoint.
 *
 * <p>{@link #close()} is the graceful stop (SIGTERM): stop taking readings, publish {@code offline} for every
 * sensor, wait up to {@link SensorConfig#shutdownDrain()} for buffered and in-flight messages to be
 * acknowledged, disconnect cleanly (so no last will), stop the endpoint. Idempotent.
 */
final class SensorService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SensorService.class);
    private static final Duration DRAIN_POLL = Duration.ofMillis(20);
    private static final Duration DISCONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final int CLOSE_THREADS = 32;
    private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

    private final SensorConfig config;
    private final List<MqttSensorLink> links;
    private final Thread connector;
    private final ScheduledExecutorService readingExecutor;
    private final ScheduledExecutorService mqttTimer;
    private final ReadingsLog readingsLog;
    private final HealthServer health;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SensorService(
            SensorConfig config,
            List<MqttSensorLink> links,
            Thread connector,
            ScheduledExecutorService readingExecutor,
            ScheduledExecutorService mqttTimer,
            ReadingsLog readingsLog,
            HealthServer health) {
        this.config = config;
        this.links = links;
        this.connector = connector;
        this.readingExecutor = readingExecutor;
        this.mqttTimer = mqttTimer;
        this.readingsLog = readingsLog;
        this.health = health;
    }

    /** Wires and starts everything; connections come up in the background. */
    static SensorService start(SensorConfig config, Clock clock) throws Exception {
        PrometheusMeterRegistry registry = Metrics.newRegistry("sensor");
        SensorMetrics metrics = new SensorMetrics(registry);
        ReadingsLog readingsLog = ReadingsLog.open(config.readingsLog());
        ScheduledExecutorService readingExecutor = Executors.newSingleThreadScheduledExecutor(named("sensor-readings"));
        ScheduledExecutorService mqttTimer = Executors.newScheduledThreadPool(2, named("sensor-mqtt-timer"));
        ReadingScheduler scheduler =
                new ReadingScheduler(readingExecutor, config.publishInterval(), new ReadingCodec(clock), readingsLog);

        List<MqttSensorLink> links = new ArrayList<>(config.connectionCount());
        for (int i = 0; i < config.connectionCount(); i++) {
            List<String> ids = config.sensorsOfConnection(i);
            links.add(new MqttSensorLink(
                    config.clientIdOfConnection(i),
                    ids,
                    config.mqttOfConnection(i),
                    config.offlineBufferSize(),
                    config.maxInflight(),
                    metrics,
                    mqttTimer,
                    link -> scheduler.start(sensorsOf(link, config, clock), link::publishReading)));
        }
        SensorMetrics.registerGauges(
                registry,
                links,
                ls -> ls.stream().mapToInt(MqttSensorLink::bufferedCount).sum(),
                ls -> ls.stream().mapToInt(MqttSensorLink::inFlightCount).sum(),
                ls -> ls.stream().filter(MqttSensorLink::isConnected).count(),
                links::size);
        HealthServer health = HealthServer.start(
                config.healthPort(),
                registry,
                new HealthServer.Check("mqtt", () -> links.stream().allMatch(MqttSensorLink::isConnected)));

        log.info(
                "sensor - {} sensor(s) ({}{}) over {} MQTT connection(s) to {} as {}, a reading every {} ms; health on port {}",
                config.sensorIds().size(),
                config.sensorIds().get(0),
                config.sensorIds().size() > 1
                        ? ".." + config.sensorIds().get(config.sensorIds().size() - 1)
                        : "",
                links.size(),
                config.homeUris().isEmpty()
                        ? config.mqtt().serverUris()
                        : "home nodes " + config.homeUris() + " then "
                                + config.mqtt().serverUris(),
                config.mqtt().username(),
                config.publishInterval().toMillis(),
                health.port());
        Thread connector = new Thread(new Connector(links, config.connectConcurrency()), "sensor-connector");
        connector.setDaemon(true);
        connector.start();
        return new SensorService(config, links, connector, readingExecutor, mqttTimer, readingsLog, health);
    }

    /** The bound health port (useful when configured as 0). */
    int healthPort() {
        return health.port();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Every step below is bounded, but a Paho client stuck on a broker in trouble must not keep the process
        // alive: the stop runs on its own thread, and after the budget the process exits without waiting for it.
        Thread stopper = new Thread(this::stop, "sensor-stop");
        stopper.setDaemon(true);
        stopper.start();
        Duration budget = config.shutdownDrain().plus(STOP_MARGIN);
        try {
            stopper.join(budget.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (stopper.isAlive()) {
            log.warn("sensor - Graceful stop did not finish within {} s; exiting anyway", budget.toSeconds());
        }
    }

    private void stop() {
        connector.interrupt();
        readingExecutor.shutdownNow();
        try {
            readingExecutor.awaitTermination(1, TimeUnit.SECONDS);
            links.forEach(MqttSensorLink::beginShutdown);
            long deadline = System.nanoTime() + config.shutdownDrain().toNanos();
            while (System.nanoTime() < deadline && !links.stream().allMatch(MqttSensorLink::isDrained)) {
                Thread.sleep(DRAIN_POLL.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("sensor - Interrupted while waiting for acknowledgements; disconnecting now");
        }
        List<IMqttToken> disconnects = links.stream()
                .map(MqttSensorLink::disconnectAsync)
                .filter(Objects::nonNull)
                .toList();
        long disconnectDeadline = System.nanoTime() + DISCONNECT_TIMEOUT.toNanos();
        for (IMqttToken token : disconnects) {
            long remainingMillis = TimeUnit.NANOSECONDS.toMillis(disconnectDeadline - System.nanoTime());
            if (remainingMillis <= 0) {
                break;
            }
            try {
                token.waitForCompletion(remainingMillis);
            } catch (MqttException e) {
                log.debug("sensor - Disconnect: {}", e.toString());
            }
        }
        int left = links.stream()
                .mapToInt(link -> link.bufferedCount() + link.inFlightCount())
                .sum();
        if (left > 0) {
            log.warn(
                    "sensor - {} reading(s) or status(es) not acknowledged after the {} s drain: not delivered",
                    left,
                    config.shutdownDrain().toSeconds());
        }
        closeAll();
        mqttTimer.shutdownNow();
        readingsLog.close();
        try {
            health.close();
        } catch (Exception e) {
            log.warn("sensor - Stopping the health endpoint: {}", e.toString());
        }
        log.info("sensor - {} connection(s) closed", links.size());
    }

    /** Frees every client; in parallel, since tearing down one Paho client waits on its threads. */
    private void closeAll() {
        ExecutorService closer =
                Executors.newFixedThreadPool(Math.min(CLOSE_THREADS, links.size()), named("sensor-close"));
        links.forEach(link -> closer.execute(link::close));
        closer.shutdown();
        try {
            if (!closer.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                log.warn("sensor - Some MQTT clients were not closed within {} s", CLOSE_TIMEOUT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the connections at the pace the broker accepts them: at most
     * {@link SensorConfig#connectConcurrency()} first connects in progress at a time, so 10,000 sensors do not
     * overflow the nodes' listen backlog at once.
     */
    private static final class Connector implements Runnable {
        private final List<MqttSensorLink> links;
        private final Semaphore inProgress;

        Connector(List<MqttSensorLink> links, int concurrency) {
            this.links = links;
            this.inProgress = new Semaphore(concurrency);
        }

        @Override
        public void run() {
            try {
                for (MqttSensorLink link : links) {
                    inProgress.acquire();
                    link.start(inProgress::release);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<VirtualSensor> sensorsOf(MqttSensorLink link, SensorConfig config, Clock clock) {
        return link.sensorIds().stream()
                .map(id -> VirtualSensor.seededFromId(id, config.excursions(), clock))
                .toList();
    }

    private static ThreadFactory named(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
