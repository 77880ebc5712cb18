package io.thermowatch.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.config.EnvConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LogEncoderTest {

    private final LoggerContext context = new LoggerContext();

    LogEncoderTest() {
        context.setMDCAdapter(new LogbackMDCAdapter());
    }

    private String encode(String format, String message) {
        LogEncoder encoder = new LogEncoder(format);
        encoder.setContext(context);
        encoder.start();
        LoggingEvent event =
                new LoggingEvent("test", context.getLogger("io.thermowatch.Example"), Level.WARN, message, null, null);
        event.setTimeStamp(1_764_260_000_000L);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void text_is_one_line_in_utc() {
        // When
        String line = encode(null, "queue \"a\" gone");

        // Then
        assertTrue(line.startsWith("2025-11-27T16:13:20.000Z WARN  ["), line);
        assertTrue(line.endsWith("Example - queue \"a\" gone" + System.lineSeparator()), line);
    }

    @Test
    void json_is_one_object_per_line() throws Exception {
        // When
        String line = encode("JSON", "queue \"a\"\ngone");

        // Then
        assertEquals(1, line.strip().lines().count(), line);
        JsonNode json = new ObjectMapper().readTree(line);
        assertEquals("WARN", json.path("level").asText());
        assertEquals("io.thermowatch.Example", json.path("loggerName").asText());
        assertEquals("queue \"a\"\ngone", json.path("formattedMessage").asText());
        assertEquals(1_764_260_000_000L, json.path("timestamp").asLong());
    }

    @Test
    void a_bad_log_level_or_format_is_a_configuration_error_naming_it() {
        // When / Then
        ConfigException level = assertThrows(
                ConfigException.class, () -> ServiceMain.checkLogging(EnvConfig.of(Map.of("LOG_LEVEL", "verbose"))));
        assertTrue(level.getMessage().contains("LOG_LEVEL='verbose'"), level.getMessage());
        ConfigException format = assertThrows(
                ConfigException.class, () -> ServiceMain.checkLogging(EnvConfig.of(Map.of("LOG_FORMAT", "xml"))));
        assertTrue(format.getMessage().contains("LOG_FORMAT='xml'"), format.getMessage());
        ServiceMain.checkLogging(EnvConfig.of(Map.of("LOG_LEVEL", "debug", "LOG_FORMAT", "json")));
        assertFalse(LogEncoder.isValidFormat("yaml"));
    }
}
