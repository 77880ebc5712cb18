package io.thermowatch.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

    @ParameterizedTest
    @CsvSource({
        "60, 60000",
        "0.5, 500",
        "250ms, 250",
        "30s, 30000",
        "5m, 300000",
        "1h, 3600000",
        "1d, 86400000",
        "' 2 M ', 120000",
        "0, 0"
    })
    void reads_seconds_and_units(String text, long millis) {
        assertEquals(Optional.of(Duration.ofMillis(millis)), DurationText.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1w", "abc", "1.", "5 minutes", "1234567890123s"})
    void refuses_what_is_not_a_duration(String text) {
        assertEquals(Optional.empty(), DurationText.parse(text));
    }
}
