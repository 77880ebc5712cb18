package io.thermowatch.dashboard;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/sensors/{id}/readings.csv?from=&to=}: one sensor's raw readings of a range as a CSV download,
 * streamed from a database cursor as it is read (memory stays flat whatever the size), at most {@code maxRows} rows
 * over at most {@link SensorSpan#MAX_RANGE}, at most {@value #MAX_RUNNING} exports at once (each holds one of the
 * pool's connections while it streams).
 *
 * <p>Everything that can be refused is refused before the first byte, with the API's JSON errors: bad parameters or a
 * range holding more than {@code maxRows} readings (400), too many exports at once (429), no database (503). A failure
 * once the first bytes are out (the database lost mid-stream) aborts the response, so the client sees a failed
 * download, never a file that looks complete. {@code HEAD} counts and answers the same status and headers without streaming.
 *
 * <p>Format (RFC 4180, UTF-8, CRLF): the header {@code time,sensor,value}, then one line per reading in time order:
 * {@code time} ISO-8601 in UTC with milliseconds, {@code value} the stored °C in plain decimal notation with a dot and no trailing zeros,
 * the same whatever the server's or the browser's locale. Thread-safe.
 */
final class CsvExport {

    private static final Logger LOG = LoggerFactory.getLogger(CsvExport.class);
    static final int MAX_RUNNING = 2;
    static final String CSV_TYPE = "text/csv; charset=utf-8; header=present";
    static final String HEADER = "time,sensor,value\r\n";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter FILE_TIME =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ReadingStore store;
    private final int maxRows;
    private final Clock clock;
    private final Semaphore running = new Semaphore(MAX_RUNNING);

    CsvExport(ReadingStore store, int maxRows, Clock clock) {
        this.store = store;
        this.maxRows = maxRows;
        this.clock = clock;
    }

    /**
     * Answers one export (or its {@code HEAD}) and completes {@code callback}.
     *
     * @throws BadRequestException        a bad parameter, or more than {@code maxRows} readings; nothing sent
     * @throws BusyException              {@value #MAX_RUNNING} exports are running; nothing sent
     * @throws SchemaUnavailableException no database; nothing sent
     */
    void send(String sensor, String fromParam, String toParam, boolean head, Response response, Callback callback) {
        var span = SensorSpan.parse(sensor, fromParam, toParam, HistoryRequest.DEFAULT_RANGE, clock.instant());
        if (head) {
            store.exportSize(span, maxRows);
            writeHeaders(response, span);
            response.write(true, null, callback);
            return;
        }
        if (!running.tryAcquire()) {
            throw new BusyException();
        }
        var sink = new CsvSink(response, span);
        try {
            store.export(span, maxRows, sink);
            sink.finish();
            callback.succeeded();
        } catch (IOException e) {
            LOG.debug("{} - CSV export cut off after {} rows: the client went away ({})", sensor, sink.rows, e);
            callback.failed(e);
        } catch (RuntimeException e) {
            if (!response.isCommitted()) {
                // Nothing sent yet (the first 64 KB were still buffered): the API answers with its JSON error.
                response.getHeaders().remove("Content-Disposition");
                throw e;
            }
            LOG.warn("{} - CSV export aborted after {} rows: {}", sensor, sink.rows, e.getMessage());
            callback.failed(e);
        } finally {
            running.release();
        }
    }

    static String fileName(SensorSpan span) {
        // The id matches [A-Za-z0-9_-]{1,64} (SensorSpan): nothing in the name needs quoting or escaping.
        return "thermowatch_" + span.sensor() + "_" + FILE_TIME.format(span.from()) + "_" + FILE_TIME.format(span.to())
                + ".csv";
    }

    /** One reading as a CSV line: the format never depends on a locale. */
    static String line(String sensor, Instant time, double value) {
        return TIME.format(time) + ',' + sensor + ',' + decimal(value) + "\r\n";
    }

    private static String decimal(double value) {
        // Double.toString's shortest exact digits, without its 1.0E-4 notation or a trailing ".0": 21.4, -0.0001, 20.
        return Double.isFinite(value)
                ? BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()
                : Double.toString(value);
    }

    private static void writeHeaders(Response response, SensorSpan span) {
        response.setStatus(200);
        var headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, CSV_TYPE);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("Content-Disposition", "attachment; filename=\"" + fileName(span) + "\"");
    }

    /** Sends the headers with the first line, once the rows are counted and within the bound. */
    private static final class CsvSink implements ReadingStore.ExportSink {

        private final Response response;
        private final SensorSpan span;
        private Writer writer;
        private long rows;

        CsvSink(Response response, SensorSpan span) {
            this.response = response;
            this.span = span;
        }

        @Override
        public void begin(long expectedRows) throws IOException {
            writeHeaders(response, span);
            writer = new OutputStreamWriter(
                    new BufferedOutputStream(Content.Sink.asOutputStream(response), BUFFER_BYTES),
                    StandardCharsets.UTF_8);
            writer.write(HEADER);
        }

        @Override
        public void row(Instant time, double value) throws IOException {
            writer.write(line(span.sensor(), time, value));
            rows++;
        }

        /** Flushes the rest and ends the response (the last, empty chunk). */
        void finish() throws IOException {
            writer.close();
        }
    }

    /** Too many exports at once: answered with 429 and {@code Retry-After}. */
    static final class BusyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BusyException() {
            super(
                    "CSV export busy: " + MAX_RUNNING + " exports are running, try again in a few seconds",
                    null,
                    false,
                    false);
        }
    }
}
