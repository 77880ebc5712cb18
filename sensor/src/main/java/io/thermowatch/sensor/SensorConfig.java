package io.thermowatch.sensor;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.config.MqttSettings;
import io.thermowatch.common.wire.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The sensor emulator's configuration, read from the environment and validated once.
 *
 * <p>The original system's variables keep their meaning: {@code MQTT_HOST}, {@code MQTT_PORT},
 * {@code MQTT_TOPIC} ({@code temperature/<sensorId>}, the sensor id is taken from it) and
 * {@code PUBLISH_INTERVAL} (seconds, fractions allowed, or with a unit such as {@code 100ms}).
 * A bad value throws {@link io.thermowatch.common.config.ConfigException} with one line naming it.
 *
 * @param sensorIds             every emulated sensor, in order
 * @param sensorsPerConnection  how many sensors share one MQTT connection (1 = one connection each)
 * @param publishInterval       time between two readings of one sensor
 * @param excursions            probability and size of hot spells
 * @param offlineBufferSize     readings each connection keeps while disconnected (oldest dropped beyond it)
 * @param healthPort            port of /healthz, /readyz, /metrics (0 = any free port)
 * @param shutdownDrain         how long SIGTERM waits for in-flight and buffered readings before disconnecting
 * @param readingsLog           optional file receiving one line per reading produced (an audit trail for tests)
 * @param mqtt                  broker URIs, credentials, keep-alive, client id
 * @param homeUris              optional home nodes handed out round-robin: connection k tries
 *                              {@code homeUris[k % size]} first, then {@code mqtt.serverUris()} (spreads a fleet
 *                              over the nodes; empty = every connection uses {@code mqtt.serverUris()} as given)
 * @param connectConcurrency    how many first connects may be in progress at once
 * @param maxInflight           publishes one connection may have unacknowledged; more wait in the connection's buffer
 */
record SensorConfig(
        List<String> sensorIds,
        int sensorsPerConnection,
        Duration publishInterval,
        TemperatureSignal.Excursions excursions,
        int offlineBufferSize,
        int healthPort,
        Duration shutdownDrain,
        Optional<Path> readingsLog,
        MqttSettings mqtt,
        List<String> homeUris,
        int connectConcurrency,
        int maxInflight) {

    static final String DEFAULT_SENSOR_ID = "data_center_a1";
    static final Duration DEFAULT_PUBLISH_INTERVAL = Duration.ofSeconds(60);
    static final Duration MIN_PUBLISH_INTERVAL = Duration.ofMillis(10);
    static final double DEFAULT_EXCURSION_PROBABILITY = 0.02;
    static final double DEFAULT_EXCURSION_SIZE = 8.0;
    static final int DEFAULT_OFFLINE_BUFFER_SIZE = 10_000;
    static final int DEFAULT_HEALTH_PORT = 9101;
    static final int MAX_SENSOR_COUNT = 100_000;
    static final Duration DEFAULT_SHUTDOWN_DRAIN = Duration.ofSeconds(15);
    static final int DEFAULT_MAX_INFLIGHT = 1_000;
    static final int DEFAULT_CONNECT_CONCURRENCY = 128;

    SensorConfig {
        sensorIds = List.copyOf(sensorIds);
        homeUris = List.copyOf(homeUris);
    }

    /** Reads and validates every variable. */
    static SensorConfig fromEnv(EnvConfig env) {
        String baseId = sensorId(env);
        int count = env.integer("SENSOR_COUNT", 1, 1, MAX_SENSOR_COUNT);
        List<String> ids =
                count == 1 ? List.of(baseId) : numberedIds(env.string("SENSOR_ID_PREFIX", baseId + "-"), count);
        int perConnection = env.integer("SENSORS_PER_CONNECTION", 1, 1, MAX_SENSOR_COUNT);
        Duration interval = env.positiveDuration("PUBLISH_INTERVAL", DEFAULT_PUBLISH_INTERVAL);
        EnvConfig.check(
                interval.compareTo(MIN_PUBLISH_INTERVAL) >= 0,
                "PUBLISH_INTERVAL",
                interval,
                "at least " + MIN_PUBLISH_INTERVAL.toMillis() + "ms");
        TemperatureSignal.Excursions excursions = new TemperatureSignal.Excursions(
                env.decimal("EXCURSION_PROBABILITY", DEFAULT_EXCURSION_PROBABILITY, 0, 1, "chance per reading"),
                env.decimal("EXCURSION_SIZE", DEFAULT_EXCURSION_SIZE, 0, 100, "°C above the sensor's base"));
        int bufferSize = env.integer("OFFLINE_BUFFER_SIZE", DEFAULT_OFFLINE_BUFFER_SIZE, 1, 10_000_000);
        int healthPort = env.port("HEALTH_PORT", DEFAULT_HEALTH_PORT);
        Duration shutdownDrain = env.duration("SHUTDOWN_DRAIN", DEFAULT_SHUTDOWN_DRAIN);
        Optional<Path> readingsLog = env.optionalString("READINGS_LOG").map(Path::of);
        MqttSettings mqtt = MqttSettings.fromEnv(env, "sensor-" + baseId);
        List<String> homeUris = env.list("MQTT_HOME_URIS", "");
        for (String uri : homeUris) {
            EnvConfig.check(
                    uri.matches("(tcp|ssl)://[^\\s/:]+:\\d{1,5}"),
                    "MQTT_HOME_URIS",
                    uri,
                    "comma-separated URIs like tcp://rabbitmq1:1883");
            EnvConfig.check(
                    mqtt.tlsCa().isEmpty() || uri.startsWith("ssl://"),
                    "MQTT_HOME_URIS",
                    uri,
                    "only ssl:// URIs when MQTT_TLS_CA is set");
        }
        return new SensorConfig(
                ids,
                Math.min(perConnection, ids.size()),
                interval,
                excursions,
                bufferSize,
                healthPort,
                shutdownDrain,
                readingsLog,
                mqtt,
                homeUris,
                env.integer("MQTT_CONNECT_CONCURRENCY", DEFAULT_CONNECT_CONCURRENCY, 1, 10_000),
                env.integer("MQTT_MAX_INFLIGHT", DEFAULT_MAX_INFLIGHT, 1, 65_535));
    }

    /** Broker settings of connection {@code index}: its client id, and its home node first when homes are set. */
    MqttSettings mqttOfConnection(int index) {
        List<String> uris = mqtt.serverUris();
        if (!homeUris.isEmpty()) {
            List<String> ordered = new ArrayList<>();
            ordered.add(homeUris.get(index % homeUris.size()));
            uris.stream().filter(uri -> !ordered.contains(uri)).forEach(ordered::add);
            uris = ordered;
        }
        return new MqttSettings(
                uris,
                mqtt.username(),
                mqtt.password(),
                clientIdOfConnection(index),
                mqtt.keepAliveSeconds(),
                mqtt.tlsCa());
    }

    /** How many MQTT connections the sensors need. */
    int connectionCount() {
        return (sensorIds.size() + sensorsPerConnection - 1) / sensorsPerConnection;
    }

    /** The sensors of connection {@code index} (0-based). */
    List<String> sensorsOfConnection(int index) {
        int from = index * sensorsPerConnection;
        return sensorIds.subList(from, Math.min(from + sensorsPerConnection, sensorIds.size()));
    }

    /** MQTT client id of connection {@code index}: {@code MQTT_CLIENT_ID} (default {@code sensor-<id>}) for a single connection, else one per connection. */
    String clientIdOfConnection(int index) {
        if (connectionCount() == 1) {
            return mqtt.clientId();
        }
        return "sensor-" + sensorsOfConnection(index).get(0);
    }

    /** {@code SENSOR_ID}, else the id in {@code MQTT_TOPIC}, else {@value #DEFAULT_SENSOR_ID}; both set must agree. */
    private static String sensorId(EnvConfig env) {
        Optional<String> explicitId = env.optionalString("SENSOR_ID");
        explicitId.ifPresent(id ->
                EnvConfig.check(Topics.isValidSensorId(id), "SENSOR_ID", id, "1 to 64 characters of A-Z a-z 0-9 _ -"));
        Optional<String> topic = env.optionalString("MQTT_TOPIC");
        if (topic.isEmpty()) {
            return explicitId.orElse(DEFAULT_SENSOR_ID);
        }
        Optional<Topics.Route> route = Topics.parseTopic(topic.get()).filter(r -> r.kind() == Topics.Kind.READING);
        EnvConfig.check(
                route.isPresent(),
                "MQTT_TOPIC",
                topic.get(),
                "temperature/<sensorId> with a sensor id of 1 to 64 characters of A-Z a-z 0-9 _ -");
        String topicId = route.get().sensorId();
        explicitId.ifPresent(id -> EnvConfig.check(
                id.equals(topicId),
                "MQTT_TOPIC",
                topic.get(),
                "temperature/" + id + " to agree with SENSOR_ID (or leave one of them unset)"));
        return topicId;
    }

    private static List<String> numberedIds(String prefix, int count) {
        int width = Integer.toString(count).length();
        List<String> ids = new ArrayList<>(count);
        for (int i = 1; i <= count; i++) {
            ids.add(prefix + String.format("%0" + width + "d", i));
        }
        EnvConfig.check(
                Topics.isValidSensorId(ids.get(count - 1)),
                "SENSOR_ID_PREFIX",
                prefix,
                "a prefix that keeps ids like " + ids.get(count - 1) + " within 64 characters of A-Z a-z 0-9 _ -");
        return ids;
    }
}
