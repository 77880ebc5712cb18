package io.thermowatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SensorConfigTest {

    /** The sensor's configuration from {@code env}, with credentials added unless {@code env} names them. */
    private static SensorConfig fromEnv(Map<String, String> env) {
        Map<String, String> withCredentials =
                new java.util.HashMap<>(Map.of("MQTT_USERNAME", "u", "MQTT_PASSWORD", "p"));
        withCredentials.putAll(env);
        return SensorConfig.fromEnv(EnvConfig.of(withCredentials));
    }

    private static void assertRejected(Map<String, String> env, String variable) {
        ConfigException e = assertThrows(ConfigException.class, () -> fromEnv(env));
        assertTrue(e.getMessage().startsWith(variable + "='"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void a_sensor_without_a_credential_of_its_own_does_not_start() {
        // Given no MQTT_USERNAME / MQTT_PASSWORD (there is no shared default to fall back to)
        for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("MQTT_USERNAME", "data_center_a1"))) {
            // When / Then: one line naming the missing variable
            ConfigException e = assertThrows(ConfigException.class, () -> SensorConfig.fromEnv(EnvConfig.of(env)));
            assertTrue(e.getMessage().startsWith("MQTT_"), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void defaults_fit_docker_compose_and_the_original_system() {
        // Given / When
        SensorConfig config = fromEnv(Map.of());

        // Then
        assertEquals(List.of("data_center_a1"), config.sensorIds());
        assertEquals(Duration.ofSeconds(60), config.publishInterval());
        assertEquals(List.of("tcp://haproxy:1883"), config.mqtt().serverUris());
        assertEquals("u", config.mqtt().username());
        assertEquals(9101, config.healthPort());
        assertEquals(10_000, config.offlineBufferSize());
        assertEquals(1, config.connectionCount());
        assertEquals(Optional.empty(), config.readingsLog());
    }

    @Test
    void the_original_variables_alone_configure_the_sensor() {
        // Given
        Map<String, String> env = Map.of(
                "MQTT_HOST",
                "127.0.0.1",
                "MQTT_PORT",
                "1883",
                "MQTT_TOPIC",
                "temperature/data_center_b1",
                "PUBLISH_INTERVAL",
                "5");

        // When
        SensorConfig config = fromEnv(env);

        // Then
        assertEquals(List.of("data_center_b1"), config.sensorIds());
        assertEquals(List.of("tcp://127.0.0.1:1883"), config.mqtt().serverUris());
        assertEquals(Duration.ofSeconds(5), config.publishInterval());
        assertEquals("sensor-data_center_b1", config.clientIdOfConnection(0));
    }

    @Test
    void mqtt_topic_must_be_a_reading_topic() {
        assertRejected(Map.of("MQTT_TOPIC", "temperature"), "MQTT_TOPIC");
        assertRejected(Map.of("MQTT_TOPIC", "sensors/a1/status"), "MQTT_TOPIC");
        assertRejected(Map.of("MQTT_TOPIC", "temperature/a b"), "MQTT_TOPIC");
        assertRejected(Map.of("MQTT_TOPIC", "temperature/a1/extra"), "MQTT_TOPIC");
    }

    @Test
    void sensor_id_wins_when_mqtt_topic_is_unset_and_must_agree_when_both_are_set() {
        assertEquals(List.of("rack-1"), fromEnv(Map.of("SENSOR_ID", "rack-1")).sensorIds());
        assertEquals(
                List.of("rack-1"),
                fromEnv(Map.of("SENSOR_ID", "rack-1", "MQTT_TOPIC", "temperature/rack-1"))
                        .sensorIds());
        assertRejected(Map.of("SENSOR_ID", "rack-1", "MQTT_TOPIC", "temperature/rack-2"), "MQTT_TOPIC");
        assertRejected(Map.of("SENSOR_ID", "rack.1"), "SENSOR_ID");
        assertRejected(Map.of("SENSOR_ID", "x".repeat(65)), "SENSOR_ID");
    }

    @Test
    void publish_interval_accepts_seconds_fractions_and_units() {
        assertEquals(
                Duration.ofMillis(100),
                fromEnv(Map.of("PUBLISH_INTERVAL", "0.1")).publishInterval());
        assertEquals(
                Duration.ofMillis(250),
                fromEnv(Map.of("PUBLISH_INTERVAL", "250ms")).publishInterval());
        assertEquals(
                Duration.ofMinutes(2), fromEnv(Map.of("PUBLISH_INTERVAL", "2m")).publishInterval());
        assertRejected(Map.of("PUBLISH_INTERVAL", "abc"), "PUBLISH_INTERVAL");
        assertRejected(Map.of("PUBLISH_INTERVAL", "0"), "PUBLISH_INTERVAL");
        assertRejected(Map.of("PUBLISH_INTERVAL", "-1"), "PUBLISH_INTERVAL");
        assertRejected(Map.of("PUBLISH_INTERVAL", "1ms"), "PUBLISH_INTERVAL");
    }

    @Test
    void sensor_count_numbers_the_sensors_after_a_prefix() {
        // Given / When
        SensorConfig byId = fromEnv(Map.of("SENSOR_ID", "dc", "SENSOR_COUNT", "12"));
        SensorConfig byPrefix = fromEnv(Map.of("SENSOR_COUNT", "3", "SENSOR_ID_PREFIX", "sim_"));

        // Then
        assertEquals(12, byId.sensorIds().size());
        assertEquals("dc-01", byId.sensorIds().get(0));
        assertEquals("dc-12", byId.sensorIds().get(11));
        assertEquals(List.of("sim_1", "sim_2", "sim_3"), byPrefix.sensorIds());
        assertRejected(Map.of("SENSOR_COUNT", "0"), "SENSOR_COUNT");
        assertRejected(Map.of("SENSOR_COUNT", "many"), "SENSOR_COUNT");
        assertRejected(Map.of("SENSOR_COUNT", "2", "SENSOR_ID_PREFIX", "bad/prefix"), "SENSOR_ID_PREFIX");
        assertRejected(Map.of("SENSOR_COUNT", "2", "SENSOR_ID_PREFIX", "p".repeat(64)), "SENSOR_ID_PREFIX");
    }

    @Test
    void by_default_each_sensor_has_its_own_connection_and_client_id() {
        // Given / When
        SensorConfig config = fromEnv(Map.of("SENSOR_COUNT", "3", "SENSOR_ID_PREFIX", "s"));

        // Then
        assertEquals(3, config.connectionCount());
        assertEquals(List.of("s2"), config.sensorsOfConnection(1));
        assertEquals("sensor-s3", config.clientIdOfConnection(2));
    }

    @Test
    void sensors_per_connection_multiplexes_sensors_over_fewer_connections() {
        // Given / When
        SensorConfig config =
                fromEnv(Map.of("SENSOR_COUNT", "10", "SENSOR_ID_PREFIX", "s", "SENSORS_PER_CONNECTION", "4"));

        // Then
        assertEquals(3, config.connectionCount());
        assertEquals(List.of("s05", "s06", "s07", "s08"), config.sensorsOfConnection(1));
        assertEquals(List.of("s09", "s10"), config.sensorsOfConnection(2));
        assertEquals("sensor-s05", config.clientIdOfConnection(1));
        assertEquals(1, fromEnv(Map.of("SENSORS_PER_CONNECTION", "50")).connectionCount());
        assertRejected(Map.of("SENSORS_PER_CONNECTION", "0"), "SENSORS_PER_CONNECTION");
    }

    @Test
    void excursions_are_configurable_and_can_be_turned_off() {
        // Given / When
        SensorConfig config = fromEnv(Map.of("EXCURSION_PROBABILITY", "0", "EXCURSION_SIZE", "3.5"));

        // Then
        assertEquals(0.0, config.excursions().probability());
        assertEquals(3.5, config.excursions().size());
        assertRejected(Map.of("EXCURSION_PROBABILITY", "1.5"), "EXCURSION_PROBABILITY");
        assertRejected(Map.of("EXCURSION_PROBABILITY", "often"), "EXCURSION_PROBABILITY");
        assertRejected(Map.of("EXCURSION_SIZE", "-2"), "EXCURSION_SIZE");
    }

    @Test
    void offline_buffer_size_is_bounded() {
        assertEquals(50, fromEnv(Map.of("OFFLINE_BUFFER_SIZE", "50")).offlineBufferSize());
        assertRejected(Map.of("OFFLINE_BUFFER_SIZE", "0"), "OFFLINE_BUFFER_SIZE");
        assertRejected(Map.of("OFFLINE_BUFFER_SIZE", "lots"), "OFFLINE_BUFFER_SIZE");
    }

    @Test
    void health_port_is_a_port() {
        assertEquals(0, fromEnv(Map.of("HEALTH_PORT", "0")).healthPort());
        assertRejected(Map.of("HEALTH_PORT", "70000"), "HEALTH_PORT");
    }

    @Test
    void mqtt_uris_list_the_home_node_first_then_haproxy() {
        // Given / When
        SensorConfig config = fromEnv(Map.of(
                "MQTT_URIS", "tcp://127.0.0.1:1902, tcp://127.0.0.1:1883", "MQTT_USERNAME", "u", "MQTT_PASSWORD", "p"));

        // Then
        assertEquals(
                List.of("tcp://127.0.0.1:1902", "tcp://127.0.0.1:1883"),
                config.mqtt().serverUris());
        assertEquals("u", config.mqtt().username());
        assertEquals("p", config.mqtt().password());
        assertRejected(Map.of("MQTT_URIS", "127.0.0.1:1883"), "MQTT_URIS");
        assertRejected(Map.of("MQTT_PORT", "x"), "MQTT_PORT");
    }

    @Test
    void home_uris_spread_connections_over_the_nodes_with_haproxy_behind_each() {
        // Given / When
        SensorConfig config = fromEnv(Map.of(
                "SENSOR_COUNT",
                "4",
                "SENSOR_ID_PREFIX",
                "s",
                "MQTT_HOME_URIS",
                "tcp://n1:1883,tcp://n2:1883",
                "MQTT_URIS",
                "tcp://haproxy:1883"));

        // Then
        assertEquals(
                List.of("tcp://n1:1883", "tcp://haproxy:1883"),
                config.mqttOfConnection(0).serverUris());
        assertEquals(
                List.of("tcp://n2:1883", "tcp://haproxy:1883"),
                config.mqttOfConnection(1).serverUris());
        assertEquals(
                List.of("tcp://n1:1883", "tcp://haproxy:1883"),
                config.mqttOfConnection(2).serverUris());
        assertEquals("sensor-s4", config.mqttOfConnection(3).clientId());
        assertEquals(
                List.of("tcp://haproxy:1883"),
                fromEnv(Map.of("MQTT_URIS", "tcp://haproxy:1883"))
                        .mqttOfConnection(0)
                        .serverUris());
        assertRejected(Map.of("MQTT_HOME_URIS", "n1:1883"), "MQTT_HOME_URIS");
    }

    @Test
    void connect_concurrency_paces_the_first_connects() {
        assertEquals(128, fromEnv(Map.of()).connectConcurrency());
        assertEquals(8, fromEnv(Map.of("MQTT_CONNECT_CONCURRENCY", "8")).connectConcurrency());
        assertRejected(Map.of("MQTT_CONNECT_CONCURRENCY", "0"), "MQTT_CONNECT_CONCURRENCY");
    }

    @Test
    void readings_log_is_optional() {
        assertEquals(
                Optional.of(Path.of("/tmp/r.log")),
                fromEnv(Map.of("READINGS_LOG", "/tmp/r.log")).readingsLog());
    }
}
