package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardConfigTest {

    private static DashboardConfig fromEnv(Map<String, String> env) {
        return DashboardConfig.fromEnv(EnvConfig.of(env));
    }

    @Test
    void defaults_fit_docker_compose() {
        // When
        var config = fromEnv(Map.of());

        // Then
        assertEquals(8080, config.port());
        assertEquals(9104, config.healthPort());
        assertEquals(
                "jdbc:postgresql://timescaledb:5432/metrics", config.database().jdbcUrl());
        assertEquals("postgres", config.database().user());
        assertEquals(URI.create("http://haproxy:15672"), config.managementUrl());
        assertEquals("monitor", config.monitorUser());
        assertEquals("dashboard-page", config.pageUser());
        assertEquals(Optional.empty(), config.mqttWsUrl());
        assertEquals(25.0, config.threshold());
        assertEquals(Duration.ofMinutes(2), config.offlineAfter());
        assertEquals(List.of("tcp://haproxy:1883"), config.statusMqtt().serverUris());
        assertEquals(
                "dashboard-page", config.statusMqtt().username(), "the status subscription reads as the page user");
        assertEquals("page-demo-pass", config.statusMqtt().password());
    }

    @Test
    void the_page_token_defaults_to_five_minutes_for_the_browser_identity() {
        var config = fromEnv(Map.of());
        assertEquals("dashboard-browser", config.pageTokenUser());
        assertEquals(Duration.ofMinutes(5), config.pageTokenLifetime());
    }

    @Test
    void a_short_or_non_base64url_token_key_stops_the_start_without_printing_it() {
        var e = assertThrows(ConfigException.class, () -> fromEnv(Map.of("MQTT_PAGE_TOKEN_KEY", "short+key/")));
        assertTrue(e.getMessage().contains("MQTT_PAGE_TOKEN_KEY"), e.getMessage());
        assertTrue(!e.getMessage().contains("short+key/"), "the key never reaches a log: " + e.getMessage());
    }

    @Test
    void a_token_lifetime_outside_ten_seconds_to_one_hour_stops_the_start() {
        assertMessageStartsWith(
                "MQTT_PAGE_TOKEN_LIFETIME='5s': expected a duration from 10s to 1h",
                Map.of("MQTT_PAGE_TOKEN_LIFETIME", "5s"));
        assertMessageStartsWith(
                "MQTT_PAGE_TOKEN_LIFETIME='2h': expected a duration from 10s to 1h",
                Map.of("MQTT_PAGE_TOKEN_LIFETIME", "2h"));
        assertEquals(
                Duration.ofSeconds(20),
                fromEnv(Map.of("MQTT_PAGE_TOKEN_LIFETIME", "20s")).pageTokenLifetime());
    }

    @Test
    void the_live_feed_sends_a_frame_at_most_every_100_ms_as_its_own_publisher_on_the_status_broker() {
        // Given
        var config = fromEnv(Map.of("MQTT_URIS", "tcp://broker:1883", "MQTT_CLIENT_ID", "dash"));

        // Then
        assertEquals(Duration.ofMillis(100), config.liveFeedInterval());
        assertEquals("dashboard-live", config.liveFramesMqtt().username());
        assertEquals("live-demo-pass", config.liveFramesMqtt().password());
        assertEquals(List.of("tcp://broker:1883"), config.liveFramesMqtt().serverUris());
        assertEquals("dashboard-page", config.liveReadingsMqtt().username(), "the readings are read as the page user");
        assertEquals(
                3,
                java.util.Set.of(
                                config.statusMqtt().clientId(),
                                config.liveReadingsMqtt().clientId(),
                                config.liveFramesMqtt().clientId())
                        .size(),
                "three connections, three client ids");
        assertEquals(
                Duration.ofSeconds(1),
                fromEnv(Map.of("LIVE_FEED_INTERVAL", "1s")).liveFeedInterval());
    }

    @Test
    void a_live_feed_interval_outside_10_ms_to_10_s_stops_the_start() {
        assertMessageStartsWith(
                "LIVE_FEED_INTERVAL='5ms': expected a duration from 10ms to 10s", Map.of("LIVE_FEED_INTERVAL", "5ms"));
        assertMessageStartsWith(
                "LIVE_FEED_INTERVAL='1m': expected a duration from 10ms to 10s", Map.of("LIVE_FEED_INTERVAL", "1m"));
    }

    @Test
    void a_sensor_is_retired_after_seven_days_unless_sensor_retire_after_says_otherwise() {
        assertEquals(Duration.ofDays(7), fromEnv(Map.of()).retireAfter());
        assertEquals(
                Duration.ofDays(30),
                fromEnv(Map.of("SENSOR_RETIRE_AFTER", "30d")).retireAfter());
        assertMessageStartsWith(
                "SENSOR_RETIRE_AFTER='soon': expected a duration", Map.of("SENSOR_RETIRE_AFTER", "soon"));
        assertMessageStartsWith(
                "SENSOR_RETIRE_AFTER='4000d': expected a duration from 1s to 3650d",
                Map.of("SENSOR_RETIRE_AFTER", "4000d"));
    }

    @Test
    void a_retire_time_not_longer_than_the_offline_timeout_stops_the_start() {
        assertMessageStartsWith(
                "SENSOR_RETIRE_AFTER='2m': expected longer than SENSOR_OFFLINE_AFTER (2m)",
                Map.of("SENSOR_RETIRE_AFTER", "2m"));
        assertMessageStartsWith(
                "SENSOR_RETIRE_AFTER='1h': expected longer than SENSOR_OFFLINE_AFTER (2h)",
                Map.of("SENSOR_RETIRE_AFTER", "1h", "SENSOR_OFFLINE_AFTER", "2h"));
    }

    @Test
    void csv_exports_return_at_most_a_million_rows_unless_csv_max_rows_says_otherwise() {
        assertEquals(1_000_000, fromEnv(Map.of()).csvMaxRows());
        assertEquals(500, fromEnv(Map.of("CSV_MAX_ROWS", "500")).csvMaxRows());
        assertMessageStartsWith("CSV_MAX_ROWS='0'", Map.of("CSV_MAX_ROWS", "0"));
        assertMessageStartsWith("CSV_MAX_ROWS='lots'", Map.of("CSV_MAX_ROWS", "lots"));
    }

    @Test
    void the_effective_configuration_names_the_user_the_status_subscription_really_uses() {
        // Given
        var env = EnvConfig.of(Map.of("MQTT_PAGE_USER", "page"));

        // When
        DashboardConfig.fromEnv(env);

        // Then
        assertTrue(env.describe().contains("MQTT_USERNAME=page"), env.describe());
    }

    @Test
    void mqtt_username_overrides_the_status_subscription_user() {
        var config =
                fromEnv(Map.of("MQTT_USERNAME", "watcher", "MQTT_PASSWORD", "w", "MQTT_URIS", "tcp://a:1,tcp://b:2"));
        assertEquals("watcher", config.statusMqtt().username());
        assertEquals("w", config.statusMqtt().password());
        assertEquals(List.of("tcp://a:1", "tcp://b:2"), config.statusMqtt().serverUris());
    }

    @Test
    void every_variable_is_read() {
        // When
        var config = fromEnv(Map.ofEntries(
                Map.entry("DASHBOARD_PORT", "9000"),
                Map.entry("DB_HOST", "db"),
                Map.entry("DB_PORT", "6543"),
                Map.entry("DB_NAME", "m2"),
                Map.entry("DB_USER", "u"),
                Map.entry("DB_PASS", "p"),
                Map.entry("RABBITMQ_MANAGEMENT_URL", "https://mq:443/"),
                Map.entry("RABBITMQ_MONITOR_USER", "mon"),
                Map.entry("RABBITMQ_MONITOR_PASS", "monpass"),
                Map.entry("MQTT_PAGE_USER", "page"),
                Map.entry("MQTT_PAGE_PASS", "pagepass"),
                Map.entry("MQTT_WS_URL", "ws://h:1/ws"),
                Map.entry("TEMPERATURE_THRESHOLD", "30.5"),
                Map.entry("SENSOR_OFFLINE_AFTER", "45s")));

        // Then
        assertEquals(9000, config.port());
        assertEquals("jdbc:postgresql://db:6543/m2", config.database().jdbcUrl());
        assertEquals("p", config.database().password());
        assertEquals(URI.create("https://mq:443/"), config.managementUrl());
        assertEquals("monpass", config.monitorPassword());
        assertEquals("pagepass", config.pagePassword());
        assertEquals(Optional.of("ws://h:1/ws"), config.mqttWsUrl());
        assertEquals(30.5, config.threshold());
        assertEquals(Duration.ofSeconds(45), config.offlineAfter());
    }

    @Test
    void bad_values_stop_the_start_with_one_line_naming_the_variable() {
        assertMessageStartsWith("DASHBOARD_PORT='http'", Map.of("DASHBOARD_PORT", "http"));
        assertMessageStartsWith(
                "RABBITMQ_MANAGEMENT_URL='haproxy:15672'", Map.of("RABBITMQ_MANAGEMENT_URL", "haproxy:15672"));
        assertMessageStartsWith("MQTT_WS_URL='http://h/ws'", Map.of("MQTT_WS_URL", "http://h/ws"));
        assertMessageStartsWith("TEMPERATURE_THRESHOLD='hot'", Map.of("TEMPERATURE_THRESHOLD", "hot"));
        assertMessageStartsWith("SENSOR_OFFLINE_AFTER='0'", Map.of("SENSOR_OFFLINE_AFTER", "0"));
    }

    private static void assertMessageStartsWith(String prefix, Map<String, String> env) {
        var e = assertThrows(ConfigException.class, () -> fromEnv(env));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }

    @Test
    void without_sensor_inventory_file_no_sensor_has_labels() {
        assertEquals(Optional.empty(), fromEnv(Map.of()).inventory());
    }

    @Test
    void the_sensor_inventory_file_is_read_at_start(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, "inventory: {a1: {site: dc-1, room: hall-a}}\nrules: []\n");
        // When
        var inventory = fromEnv(
                        Map.of("SENSOR_INVENTORY_FILE", file.toString(), "SENSOR_INVENTORY_CHECK_INTERVAL", "1s"))
                .inventory()
                .orElseThrow();
        // Then
        assertEquals(
                Map.of("site", "dc-1", "room", "hall-a"), inventory.inventory().labelsOf("a1"));
        assertEquals(Duration.ofSeconds(1), inventory.checkInterval());
    }

    @Test
    void a_broken_or_missing_sensor_inventory_file_stops_the_start_with_one_line_naming_it(@TempDir Path dir)
            throws Exception {
        // Given
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, "inventory: {a/b: {site: x}}\n");
        // When
        var broken =
                assertThrows(ConfigException.class, () -> fromEnv(Map.of("SENSOR_INVENTORY_FILE", file.toString())));
        var missing = assertThrows(
                ConfigException.class,
                () -> fromEnv(
                        Map.of("SENSOR_INVENTORY_FILE", dir.resolve("none.yaml").toString())));
        // Then
        assertEquals(
                "SENSOR_INVENTORY_FILE='" + file
                        + "': inventory='a/b': expected sensor ids of 1 to 64 letters, digits, '_' or '-'",
                broken.getMessage());
        assertTrue(missing.getMessage().startsWith("SENSOR_INVENTORY_FILE='"), missing.getMessage());
        assertTrue(!missing.getMessage().contains("\n"), missing.getMessage());
    }
}
