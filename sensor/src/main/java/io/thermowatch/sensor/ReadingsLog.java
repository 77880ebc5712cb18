package io.thermowatch.sensor;

import io.thermowatch.common.wire.Reading;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Optional audit trail ({@code READINGS_LOG}): one line {@code <sensorId> <timestampMillis> <value>} per reading
 * produced, written before the reading is handed to MQTT. It lets a test compare what was produced with what
 * arrived; off by default (it costs a write per reading). Thread-safe.
 */
interface ReadingsLog extends AutoCloseable {

    ReadingsLog NONE = new ReadingsLog() {
        @Override
        public void record(Reading reading) {}

        @Override
        public void close() {}
    };

    void record(Reading reading);

    @Override
    void close();

    /** A log appending to {@code file}, or {@link #NONE}. */
    static ReadingsLog open(Optional<Path> file) {
        return file.<ReadingsLog>map(FileReadingsLog::new).orElse(NONE);
    }

    /** Appends and flushes each line, so the file is complete whenever the process stops. */
    final class FileReadingsLog implements ReadingsLog {
        private final BufferedWriter writer;

        FileReadingsLog(Path file) {
            try {
                writer = Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot open READINGS_LOG " + file, e);
            }
        }

        @Override
        public synchronized void record(Reading reading) {
            try {
                writer.write(reading.sensorId() + ' ' + reading.timestampMillis() + ' ' + reading.value() + '\n');
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public synchronized void close() {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
