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
    @CsvSource({
        "0, 0s",
        "10, 10ms",
        "1500, 1500ms",
        "30000, 30s",
        "90000, 90s",
        "300000, 5m",
        "3600000, 1h",
        "86400000, 1d",
        "3153600000000, 36500d"
    })
    void writes_a_duration_in_the_largest_exact_unit_and_reads_it_back(long millis, String text) {
        assertEquals(text, DurationText.format(Duration.ofMillis(millis)));
        assertEquals(Optional.of(Duration.ofMillis(millis)), DurationText.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "1w", "abc", "1.", "5 minutes", "1234567890123s"})
    void refuses_what_is_not_a_duration(String text) {
        assertEquals(Optional.empty(), DurationText.parse(text));
    }
}
