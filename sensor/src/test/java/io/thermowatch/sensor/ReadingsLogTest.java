package io.thermowatch.sensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.thermowatch.common.wire.Reading;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadingsLogTest {

    @Test
    void each_reading_is_one_line_available_at_once(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("readings.log");
        ReadingsLog log = ReadingsLog.open(Optional.of(file));

        // When
        log.record(new Reading("a1", 21.5, 1_764_260_000_000L));
        log.record(new Reading("a1", 21.6, 1_764_260_000_100L));

        // Then
        assertEquals(List.of("a1 1764260000000 21.5", "a1 1764260000100 21.6"), Files.readAllLines(file));
        log.close();
    }

    @Test
    void without_a_file_nothing_is_written() {
        // Given / When / Then
        assertEquals(ReadingsLog.NONE, ReadingsLog.open(Optional.empty()));
    }
}
