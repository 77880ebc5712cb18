package io.thermowatch.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvConfigTest {

    private static EnvConfig env(String... keyValues) {
        java.util.Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return EnvConfig.of(map);
    }

    @Test
    void unset_or_blank_values_take_the_default() {
        EnvConfig config = env("BLANK", "  ");

        assertEquals("d", config.string("UNSET", "d"));
        assertEquals("d", config.string("BLANK", "d"));
        assertEquals(7, config.integer("UNSET", 7, 0, 10));
        assertEquals(Duration.ofMinutes(2), config.duration("UNSET", Duration.ofMinutes(2)));
    }

    @Test
    void a_bad_number_names_variable_value_and_expectation_in_one_line() {
        EnvConfig config = env("TEMPERATURE_THRESHOLD", "abc");

        ConfigException e = assertThrows(
                ConfigException.class, () -> config.decimal("TEMPERATURE_THRESHOLD", 25, -273.15, 1000, "°C"));

        assertEquals("TEMPERATURE_THRESHOLD='abc': expected a number (°C) between -273.15 and 1000.0", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void integers_are_range_checked() {
        assertThrows(ConfigException.class, () -> env("N", "11").integer("N", 1, 0, 10));
        assertThrows(ConfigException.class, () -> env("N", "-1").integer("N", 1, 0, 10));
        assertThrows(ConfigException.class, () -> env("N", "1.5").integer("N", 1, 0, 10));
        assertEquals(10, env("N", "10").integer("N", 1, 0, 10));
    }

    @Test
    void decimals_reject_nan_and_out_of_range() {
        assertThrows(ConfigException.class, () -> env("X", "NaN").decimal("X", 1, 0, 10, "°C"));
        assertThrows(ConfigException.class, () -> env("X", "Infinity").decimal("X", 1, 0, 1e9, "°C"));
        assertThrows(ConfigException.class, () -> env("X", "10.5").decimal("X", 1, 0, 10, "°C"));
        assertEquals(2.5, env("X", "2.5").decimal("X", 1, 0, 10, "°C"));
    }

    @Test
    void durations_accept_bare_seconds_and_units() {
        assertEquals(Duration.ofSeconds(60), env("D", "60").duration("D", Duration.ZERO));
        assertEquals(Duration.ofMillis(100), env("D", "0.1").duration("D", Duration.ZERO));
        assertEquals(Duration.ofMillis(250), env("D", "250ms").duration("D", Duration.ZERO));
        assertEquals(Duration.ofMinutes(5), env("D", "5m").duration("D", Duration.ZERO));
        assertEquals(Duration.ofHours(1), env("D", "1h").duration("D", Duration.ZERO));
        assertEquals(Duration.ofDays(90), env("D", "90d").duration("D", Duration.ZERO));
    }

    @Test
    void durations_reject_garbage_negative_and_zero_when_positive_is_required() {
        assertThrows(ConfigException.class, () -> env("D", "soon").duration("D", Duration.ZERO));
        assertThrows(ConfigException.class, () -> env("D", "-5").duration("D", Duration.ZERO));
        assertThrows(ConfigException.class, () -> env("D", "0").positiveDuration("D", Duration.ofSeconds(1)));
    }

    @Test
    void a_bounded_duration_accepts_both_bounds_and_takes_the_default_when_unset() {
        Duration min = Duration.ofMillis(10);
        Duration max = Duration.ofSeconds(10);

        assertEquals(min, env("D", "10ms").durationBetween("D", Duration.ofSeconds(1), min, max));
        assertEquals(max, env("D", "10s").durationBetween("D", Duration.ofSeconds(1), min, max));
        assertEquals(Duration.ofMillis(250), env("D", "0.25").durationBetween("D", Duration.ofSeconds(1), min, max));
        assertEquals(Duration.ofSeconds(1), env().durationBetween("D", Duration.ofSeconds(1), min, max));
        assertEquals(Duration.ofSeconds(1), env("D", " ").durationBetween("D", Duration.ofSeconds(1), min, max));
    }

    @Test
    void a_bounded_duration_outside_its_range_names_variable_value_and_range_in_one_line() {
        EnvConfig below = env("LIVE_FEED_INTERVAL", "5ms");
        EnvConfig above = env("LIVE_FEED_INTERVAL", "1m");

        ConfigException low = assertThrows(
                ConfigException.class,
                () -> below.durationBetween(
                        "LIVE_FEED_INTERVAL", Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofSeconds(10)));
        ConfigException high = assertThrows(
                ConfigException.class,
                () -> above.durationBetween(
                        "LIVE_FEED_INTERVAL", Duration.ofMillis(100), Duration.ofMillis(10), Duration.ofSeconds(10)));

        assertEquals("LIVE_FEED_INTERVAL='5ms': expected a duration from 10ms to 10s", low.getMessage());
        assertEquals("LIVE_FEED_INTERVAL='1m': expected a duration from 10ms to 10s", high.getMessage());
    }

    @Test
    void a_bounded_duration_written_as_a_bare_number_is_reminded_that_it_means_seconds() {
        EnvConfig config = env("RETENTION", "30");

        ConfigException e = assertThrows(
                ConfigException.class,
                () -> config.durationBetween(
                        "RETENTION", Duration.ofDays(30), Duration.ofHours(1), Duration.ofDays(36_500)));

        assertEquals(
                "RETENTION='30': expected a duration from 1h to 36500d (a bare number means seconds)", e.getMessage());
    }

    @Test
    void a_bounded_duration_refuses_zero_garbage_and_a_default_outside_its_range() {
        Duration min = Duration.ofSeconds(10);
        Duration max = Duration.ofHours(1);

        ConfigException zero = assertThrows(
                ConfigException.class, () -> env("D", "0").durationBetween("D", Duration.ofMinutes(5), min, max));
        ConfigException garbage = assertThrows(
                ConfigException.class, () -> env("D", "soon").durationBetween("D", Duration.ofMinutes(5), min, max));
        assertThrows(IllegalArgumentException.class, () -> env().durationBetween("D", Duration.ofHours(2), min, max));
        assertThrows(IllegalArgumentException.class, () -> env().durationBetween("D", min, max, min));

        assertEquals("D='0': expected a duration from 10s to 1h (a bare number means seconds)", zero.getMessage());
        assertEquals("D='soon': expected " + DurationText.EXPECTED, garbage.getMessage());
    }

    @Test
    void booleans_accept_common_spellings_only() {
        assertTrue(env("B", "yes").bool("B", false));
        assertFalse(env("B", "0").bool("B", true));
        assertThrows(ConfigException.class, () -> env("B", "maybe").bool("B", true));
    }

    @Test
    void lists_are_split_and_trimmed() {
        assertEquals(List.of("a", "b"), env("L", " a , ,b ").list("L", ""));
        assertEquals(List.of("x"), env().list("L", "x"));
    }

    @Test
    void required_values_must_be_set() {
        ConfigException e = assertThrows(ConfigException.class, () -> env().requiredString("EMAIL_TO"));

        assertTrue(e.getMessage().startsWith("EMAIL_TO=''"));
    }

    @Test
    void describe_masks_secrets() {
        EnvConfig config = env("DB_PASS", "hunter2", "DB_USER", "postgres", "TOKEN", "t");
        config.string("DB_PASS", "");
        config.string("DB_USER", "");
        config.secret("TOKEN", "");

        String description = config.describe();

        assertTrue(description.contains("DB_USER=postgres"));
        assertFalse(description.contains("hunter2"));
        assertFalse(description.contains("=t"));
    }

    @Test
    void mqtt_settings_fall_back_to_the_original_host_and_port() {
        MqttSettings settings = MqttSettings.fromEnv(
                env("MQTT_HOST", "rabbitmq1", "MQTT_PORT", "1884", "MQTT_USERNAME", "u", "MQTT_PASSWORD", "p"), "c");

        assertEquals(List.of("tcp://rabbitmq1:1884"), settings.serverUris());
        assertEquals("u", settings.username());
    }

    @Test
    void mqtt_credentials_have_no_default_and_the_password_is_masked() {
        ConfigException missing = assertThrows(ConfigException.class, () -> MqttSettings.fromEnv(env(), "c"));
        assertTrue(missing.getMessage().startsWith("MQTT_USERNAME=''"), missing.getMessage());
        assertThrows(ConfigException.class, () -> MqttSettings.fromEnv(env("MQTT_USERNAME", "u"), "c"));

        EnvConfig config = env("MQTT_USERNAME", "u", "MQTT_PASSWORD", "hunter2");
        MqttSettings.fromEnv(config, "c");
        assertFalse(config.describe().contains("hunter2"), config.describe());
    }

    @Test
    void mqtt_uris_win_over_host_and_port_and_are_validated() {
        MqttSettings settings = MqttSettings.fromEnv(
                env(
                        "MQTT_URIS",
                        "tcp://rabbitmq1:1883,tcp://haproxy:1883",
                        "MQTT_HOST",
                        "x",
                        "MQTT_USERNAME",
                        "u",
                        "MQTT_PASSWORD",
                        "p"),
                "c");

        assertEquals(List.of("tcp://rabbitmq1:1883", "tcp://haproxy:1883"), settings.serverUris());
        assertTrue(settings.toConnectOptions().isAutomaticReconnect());
        assertThrows(
                ConfigException.class,
                () -> MqttSettings.fromEnv(
                        env("MQTT_URIS", "rabbitmq1", "MQTT_USERNAME", "u", "MQTT_PASSWORD", "p"), "c"));
        assertThrows(
                ConfigException.class,
                () -> MqttSettings.fromEnv(env("MQTT_PORT", "http", "MQTT_USERNAME", "u", "MQTT_PASSWORD", "p"), "c"));
    }

    @Test
    void amqp_addresses_keep_their_order_and_are_validated() {
        AmqpSettings settings = AmqpSettings.fromEnv(env("AMQP_ADDRESSES", "haproxy:5672, rabbitmq1:5673"), "u", "p");

        assertEquals("haproxy", settings.addresses().get(0).getHost());
        assertEquals(5673, settings.addresses().get(1).getPort());
        assertFalse(settings.toString().contains("p]"));
        assertThrows(ConfigException.class, () -> AmqpSettings.fromEnv(env("AMQP_ADDRESSES", "haproxy"), "u", "p"));
    }
}
