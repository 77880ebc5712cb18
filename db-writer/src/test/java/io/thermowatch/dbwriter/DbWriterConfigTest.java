package io.thermowatch.dbwriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DbWriterConfigTest {

    private static DbWriterConfig fromEnv(Map<String, String> env) {
        return DbWriterConfig.fromEnv(EnvConfig.of(env), 1024L * 1024 * 1024);
    }

    @Test
    void defaults_fit_docker_compose() {
        // When
        DbWriterConfig config = fromEnv(Map.of());
        // Then
        assertEquals(
                "jdbc:postgresql://timescaledb:5432/metrics", config.database().jdbcUrl());
        assertEquals("postgres", config.database().user());
        assertEquals("postgres", config.database().password());
        assertEquals("db-writer", config.amqp().username());
        assertEquals(2000, config.batchSize());
        assertEquals(Duration.ofMillis(100), config.batchMaxWait());
        assertEquals(8000, config.prefetch());
        assertEquals(2, config.consumers());
        assertEquals(90, config.retentionDays());
        assertEquals(9102, config.healthPort());
        assertEquals(Duration.ofDays(30), config.rejectsRetention());
    }

    @Test
    void rejects_retention_takes_a_duration_with_a_unit() {
        assertEquals(
                Duration.ofDays(7), fromEnv(Map.of("REJECTS_RETENTION", "7d")).rejectsRetention());
        assertEquals(
                Duration.ofHours(12),
                fromEnv(Map.of("REJECTS_RETENTION", "12h")).rejectsRetention());
        assertEquals(
                Duration.ofHours(1),
                fromEnv(Map.of("REJECTS_RETENTION", "3600")).rejectsRetention());
    }

    @Test
    void the_original_database_variable_names_are_read() {
        // When
        DbWriterConfig config = fromEnv(
                Map.of("DB_HOST", "db.local", "DB_PORT", "6543", "DB_NAME", "m", "DB_USER", "u", "DB_PASS", "p"));
        // Then
        assertEquals("jdbc:postgresql://db.local:6543/m", config.database().jdbcUrl());
        assertEquals("u", config.database().user());
        assertEquals("p", config.database().password());
        assertTrue(config.database().toString().contains("****"));
    }

    @Test
    void batching_settings_are_read_and_prefetch_follows_batch_size() {
        // When
        DbWriterConfig config = fromEnv(Map.of("BATCH_SIZE", "500", "BATCH_MAX_WAIT", "250ms", "RETENTION_DAYS", "30"));
        // Then
        assertEquals(500, config.batchSize());
        assertEquals(Duration.ofMillis(250), config.batchMaxWait());
        assertEquals(2000, config.prefetch());
        assertEquals(30, config.retentionDays());
    }

    @Test
    void bad_values_stop_the_start_with_one_line_naming_the_variable() {
        assertMessageStartsWith("DB_PORT='x'", Map.of("DB_PORT", "x"));
        assertMessageStartsWith("BATCH_SIZE='0'", Map.of("BATCH_SIZE", "0"));
        assertMessageStartsWith(
                "BATCH_MAX_WAIT='0': expected a duration from 1ms to 1m", Map.of("BATCH_MAX_WAIT", "0"));
        assertMessageStartsWith(
                "BATCH_MAX_WAIT='2m': expected a duration from 1ms to 1m", Map.of("BATCH_MAX_WAIT", "2m"));
        assertMessageStartsWith("PREFETCH='10'", Map.of("BATCH_SIZE", "100", "PREFETCH", "10"));
        assertMessageStartsWith("RETENTION_DAYS='-1'", Map.of("RETENTION_DAYS", "-1"));
        assertMessageStartsWith("HEALTH_PORT='70000'", Map.of("HEALTH_PORT", "70000"));
        assertMessageStartsWith("CONSUMERS='0'", Map.of("CONSUMERS", "0"));
        assertMessageStartsWith("REJECTS_RETENTION='thirty'", Map.of("REJECTS_RETENTION", "thirty"));
        // A bare number means seconds: 30 would delete every reject within the hour, so it is refused.
        assertMessageStartsWith(
                "REJECTS_RETENTION='30': expected a duration from 1h to 36500d (a bare number means seconds)",
                Map.of("REJECTS_RETENTION", "30"));
        assertMessageStartsWith("REJECTS_RETENTION='0'", Map.of("REJECTS_RETENTION", "0"));
        assertMessageStartsWith(
                "REJECTS_RETENTION='40000d': expected a duration from 1h to 36500d",
                Map.of("REJECTS_RETENTION", "40000d"));
        assertMessageStartsWith("CLOCK_SKEW_WARN='later'", Map.of("CLOCK_SKEW_WARN", "later"));
    }

    @Test
    void the_default_prefetch_shrinks_to_what_fits_half_the_heap() {
        // 160 MiB (the test services' heap): half is 80 MiB; minus 200 dead letters x 16 KiB, over 2 consumers
        DbWriterConfig small = DbWriterConfig.fromEnv(EnvConfig.of(Map.of()), 160L * 1024 * 1024);
        assertEquals(2460, small.prefetch());
        // compose's 384 MiB: 6044 (the 4 x BATCH_SIZE = 8000 that fits a larger heap would not)
        assertEquals(
                6044,
                DbWriterConfig.fromEnv(EnvConfig.of(Map.of()), 384L * 1024 * 1024)
                        .prefetch());
    }

    @Test
    void a_window_that_could_exceed_half_the_heap_stops_the_start_with_one_line_naming_it() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> DbWriterConfig.fromEnv(
                        EnvConfig.of(Map.of("PREFETCH", "8000", "AMQP_MAX_MESSAGE_SIZE", "65536")),
                        384L * 1024 * 1024));
        assertTrue(
                e.getMessage()
                        .startsWith("PREFETCH=8000 x CONSUMERS=2 (+200 dead letters) x"
                                + " AMQP_MAX_MESSAGE_SIZE=65536 bytes = 1012 MiB"),
                e.getMessage());
        assertTrue(e.getMessage().contains("more than half the heap (192 of 384 MiB)"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    private static void assertMessageStartsWith(String prefix, Map<String, String> env) {
        ConfigException e = assertThrows(ConfigException.class, () -> fromEnv(env));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }
}
