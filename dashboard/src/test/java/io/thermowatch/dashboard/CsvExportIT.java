package io.thermowatch.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/sensors/{id}/readings.csv} against real PostgreSQL (database {@code dashboard_csv_it}, db-writer's
 * table), the server in-process on a free port: the rows of exactly the range in time order, streamed, as an
 * attachment; refusals before the first byte as the API's JSON errors.
 */
class CsvExportIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // Whole seconds, so the ISO parameters below are exact.
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private static Stack stack;
    private static TestDatabase database;
    private static DashboardService server;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.get();
        database = TestDatabase.create(stack, "dashboard_csv_it").withEmptyTable();
        server = start(database, Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static DashboardService start(TestDatabase target, Map<String, String> extra) throws Exception {
        var env = target.dashboardEnv();
        env.putAll(extra);
        return DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC());
    }

    @Test
    void the_csv_holds_every_reading_of_the_range_in_time_order_as_an_attachment() throws Exception {
        // Given 5,000 readings a second apart (about 200 kB of CSV, more than the server buffers before sending),
        // the first exactly at from, and one exactly at to
        var from = NOW.minus(Duration.ofHours(3));
        var to = from.plusSeconds(5_000);
        insertEvery("csv-all", from, 5_001, Duration.ofSeconds(1));
        insertEvery("csv-all", from.minusSeconds(10), 1, Duration.ofSeconds(1));

        // When
        var response = get(server, "/api/sensors/csv-all/readings.csv?from=" + from + "&to=" + to.toEpochMilli());

        // Then
        assertEquals(200, response.statusCode(), response.body());
        var headers = response.headers();
        assertEquals(
                "text/csv; charset=utf-8; header=present",
                headers.firstValue("Content-Type").orElse(""));
        assertEquals(
                "attachment; filename=\"thermowatch_csv-all_" + compact(from) + "_" + compact(to) + ".csv\"",
                headers.firstValue("Content-Disposition").orElse(""));
        assertEquals("no-store", headers.firstValue("Cache-Control").orElse(""));
        assertEquals(
                SecurityHeaders.CSP,
                headers.firstValue("Content-Security-Policy").orElse(""));
        assertFalse(headers.firstValue("Content-Length").isPresent(), "streamed, not sized in advance");
        var lines = response.body().split("\r\n", -1);
        assertEquals("time,sensor,value", lines[0]);
        assertEquals(5_000 + 2, lines.length, "header, 5,000 rows, nothing after the last CRLF");
        assertEquals("", lines[lines.length - 1]);
        assertEquals(iso(from) + ",csv-all," + value(0), lines[1]);
        assertEquals(iso(from.plusSeconds(4_999)) + ",csv-all," + value(4_999), lines[5_000]);
        for (var i = 2; i <= 5_000; i++) {
            assertTrue(lines[i].compareTo(lines[i - 1]) > 0, "ascending time at line " + i);
        }
    }

    @Test
    void an_unknown_sensor_gets_the_header_line_only() throws Exception {
        var response = get(server, "/api/sensors/never_reported/readings.csv");
        assertEquals(200, response.statusCode());
        assertEquals("time,sensor,value\r\n", response.body());
    }

    @Test
    void head_answers_the_headers_without_the_rows() throws Exception {
        // Given
        insertEvery("csv-head", NOW.minusSeconds(600), 10, Duration.ofSeconds(30));

        // When
        var response = HTTP.send(
                HttpRequest.newBuilder(uri(server, "/api/sensors/csv-head/readings.csv"))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // Then
        assertEquals(200, response.statusCode());
        assertTrue(response.headers()
                .firstValue("Content-Disposition")
                .orElse("")
                .startsWith("attachment; filename=\"thermowatch_csv-head_"));
        assertEquals("", response.body());
    }

    @Test
    void a_range_holding_more_than_csv_max_rows_is_refused_before_any_byte_with_a_json_error() throws Exception {
        // Given a dashboard whose exports return at most 100 rows, and a sensor with 101 readings in the range
        insertEvery("csv-cap", NOW.minusSeconds(1_000), 101, Duration.ofSeconds(5));
        try (var capped = start(database, Map.of("CSV_MAX_ROWS", "100"))) {
            var from = NOW.minusSeconds(1_000);

            // When
            var all = get(capped, "/api/sensors/csv-cap/readings.csv?from=" + from + "&to=" + NOW);
            var head = HTTP.send(
                    HttpRequest.newBuilder(uri(capped, "/api/sensors/csv-cap/readings.csv?from=" + from + "&to=" + NOW))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            var hundred = get(capped, "/api/sensors/csv-cap/readings.csv?from=" + from.plusSeconds(1) + "&to=" + NOW);

            // Then
            assertEquals(400, all.statusCode());
            assertEquals(
                    "application/json; charset=utf-8",
                    all.headers().firstValue("Content-Type").orElse(""));
            assertFalse(all.headers().firstValue("Content-Disposition").isPresent());
            var error = JSON.readTree(all.body()).path("error").asText();
            assertTrue(error.contains("more than 100 readings"), error);
            assertEquals(400, head.statusCode());
            assertEquals(200, hundred.statusCode());
            assertEquals(1 + 100, hundred.body().split("\r\n").length);
        }
    }

    @Test
    void bad_parameters_answer_400_with_a_json_error_naming_them() throws Exception {
        assertBadRequest("/api/sensors/a1/readings.csv?from=yesterday", "from");
        assertBadRequest("/api/sensors/a1/readings.csv?to=soon", "to");
        assertBadRequest(
                "/api/sensors/a1/readings.csv?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
                "from must be before to");
        assertBadRequest(
                "/api/sensors/a1/readings.csv?from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", "at most 31 days");
        assertBadRequest("/api/sensors/%3Cimg%20src=x%3E/readings.csv", "sensor id");
    }

    private static void assertBadRequest(String path, String messagePart) throws Exception {
        var response = get(server, path);
        assertEquals(400, response.statusCode(), path);
        assertEquals(
                "application/json; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""),
                path);
        var error = JSON.readTree(response.body()).path("error").asText();
        assertTrue(error.contains(messagePart), path + " -> " + error);
    }

    @Test
    void without_the_table_the_export_answers_503_json() throws Exception {
        try (var empty =
                start(TestDatabase.create(stack, "dashboard_csv_it_empty").withoutTable(), Map.of())) {
            var response = get(empty, "/api/sensors/a1/readings.csv");
            assertEquals(503, response.statusCode());
            assertTrue(
                    JSON.readTree(response.body()).path("error").asText().contains("does not exist yet"),
                    response.body());
        }
    }

    @Test
    void a_third_export_while_two_are_streaming_is_refused_with_429() throws Exception {
        // Given two exports held open by clients that do not read: 250,000 rows (about 11 MB) fill the socket buffers
        insertEvery("csv-big", NOW.minus(Duration.ofDays(3)), 250_000, Duration.ofSeconds(1));
        var path = "/api/sensors/csv-big/readings.csv?from=" + NOW.minus(Duration.ofDays(3)) + "&to=" + NOW;
        var stalled = new ArrayList<Socket>();
        try {
            for (var i = 0; i < CsvExport.MAX_RUNNING; i++) {
                stalled.add(requestWithoutReading(path));
            }
            // When / Then: a third is refused while they last
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> get(server, path).statusCode() == 429);
            var busy = get(server, path);
            assertEquals(429, busy.statusCode());
            assertEquals("5", busy.headers().firstValue("Retry-After").orElse(""));
            assertTrue(JSON.readTree(busy.body()).path("error").asText().contains("busy"), busy.body());
        } finally {
            for (var socket : stalled) {
                socket.close();
            }
        }
        // And once the stalled clients are gone, exports run again
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> get(server, "/api/sensors/csv-none/readings.csv").statusCode() == 200);
    }

    /** Sends a GET and never reads the answer: the server blocks once the socket buffers are full. */
    private static Socket requestWithoutReading(String path) throws IOException {
        var socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 5_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private static URI uri(DashboardService target, String path) {
        return URI.create("http://127.0.0.1:" + target.port() + path);
    }

    private static HttpResponse<String> get(DashboardService target, String path)
            throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(uri(target, path))
                        .timeout(Duration.ofSeconds(20))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Whole seconds in the CSV's format. */
    private static String iso(Instant wholeSeconds) {
        return wholeSeconds.toString().replace("Z", ".000Z");
    }

    private static String compact(Instant t) {
        return t.toString().replace("-", "").replace(":", "");
    }

    /** The value {@link TestDatabase#insertEvery} stores for reading {@code i}, as the CSV writes it. */
    private static String value(int i) {
        return java.math.BigDecimal.valueOf(200 + i % 97, 1)
                .stripTrailingZeros()
                .toPlainString();
    }

    private static void insertEvery(String sensor, Instant first, int count, Duration every) throws SQLException {
        database.insertEvery(sensor, first, count, every);
    }
}
