package io.thermowatch.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.common.config.DatabaseSettings;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API against real PostgreSQL (a database of its own on the native stack) and the real management API through
 * HAProxy, with the server running in-process on a free port.
 */
class DashboardApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A management API host name that never resolves (RFC 2606), as an internal name would not from outside. */
    private static final String INTERNAL_HOST = "rabbitmq-mgmt.internal.invalid";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String EVIL = "<img src=x onerror=alert(1)>\"'&";
    // Whole minutes, so the per-minute rows fall in predictable buckets.
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MINUTES);

    @TempDir
    static Path config;

    private static Stack stack;
    private static TestDatabase database;
    private static DashboardService server;
    private static DashboardService serverWithoutTable;

    @BeforeAll
    static void startDashboard() throws Exception {
        stack = Stack.get();
        database = TestDatabase.create(stack, "dashboard_it").withEmptyTable();
        // a1: an hour of per-minute readings, 20.0 + minute/100 (newest = 20.0); hot: over the threshold; old: stale
        database.insertPerMinute(List.of("a1"), NOW, 60, (sensor, minute) -> 20.0 + minute / 100.0);
        database.insert("hot", NOW.minusSeconds(5), 31.5);
        database.insert("old", NOW.minus(Duration.ofMinutes(10)), 19.0);
        database.insert(EVIL, NOW.minusSeconds(5), 21.0);
        database.insert("gone", NOW.minusSeconds(5), 22.0);
        server = start(database.name());
        serverWithoutTable = start(
                TestDatabase.create(stack, "dashboard_it_empty").withoutTable().name());
    }

    @AfterAll
    static void stopDashboard() throws Exception {
        if (server != null) {
            server.close();
        }
        if (serverWithoutTable != null) {
            serverWithoutTable.close();
        }
    }

    private static DashboardService start(String databaseName) throws Exception {
        return start(
                databaseName, "inventory: {a1: {site: dc-1}}\nrules: [{name: d, levels: {warning: {above: 3}}}]\n");
    }

    private static DashboardService start(String databaseName, String rulesFile) throws Exception {
        var env = TestDatabase.create(stack, databaseName).dashboardEnv();
        // The rules file as email-sender reads it; this test rewrites it to see the labels follow.
        var rules = config.resolve(databaseName + ".yaml");
        Files.writeString(rules, rulesFile);
        env.put("SENSOR_INVENTORY_FILE", rules.toString());
        env.put("SENSOR_INVENTORY_CHECK_INTERVAL", "200ms");
        return DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC());
    }

    private static HttpResponse<String> get(DashboardService target, String path, String... headers)
            throws IOException, InterruptedException {
        var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return HTTP.send(builder.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertEquals(
                "application/json; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(response.body());
    }

    private static JsonNode sensorNamed(JsonNode sensors, String name) {
        for (var sensor : sensors) {
            if (sensor.path("sensor").asText().equals(name)) {
                return sensor;
            }
        }
        throw new AssertionError("no sensor " + name + " in " + sensors);
    }

    @Test
    void sensors_lists_each_sensor_once_with_its_latest_reading_status_and_threshold() throws Exception {
        // When
        var response = get(server, "/api/sensors");

        // Then
        assertEquals(200, response.statusCode());
        var body = json(response);
        assertEquals(25.0, body.path("threshold").asDouble());
        assertEquals(120, body.path("offlineAfterSeconds").asInt());
        var sensors = body.path("sensors");
        assertEquals(5, sensors.size(), sensors.toString());
        var a1 = sensorNamed(sensors, "a1");
        assertEquals(20.0, a1.path("value").asDouble());
        assertEquals(NOW.toEpochMilli(), a1.path("timestamp").asLong());
        assertEquals("online", a1.path("status").asText());
        assertFalse(a1.path("overThreshold").asBoolean());
        var hot = sensorNamed(sensors, "hot");
        assertTrue(hot.path("overThreshold").asBoolean());
        assertEquals(31.5, hot.path("value").asDouble());
        assertEquals("stale", sensorNamed(sensors, "old").path("status").asText());
    }

    @Test
    void a_sensor_silent_for_longer_than_seven_days_is_retired_unless_the_inventory_lists_it() throws Exception {
        // Given: two sensors silent for 8 days, one of them listed (without labels), one silent for 6 days, one fresh
        var retiring = TestDatabase.create(stack, "dashboard_it_retire").withEmptyTable();
        retiring.insert("decommissioned", NOW.minus(Duration.ofDays(8)), 20.0);
        retiring.insert("expected", NOW.minus(Duration.ofDays(8)), 20.5);
        retiring.insert("quiet", NOW.minus(Duration.ofDays(6)), 21.0);
        retiring.insert("fresh", NOW.minusSeconds(5), 21.5);
        try (var dashboard = start(retiring.name(), "inventory: {expected: {}}\n")) {
            // When
            var body = json(get(dashboard, "/api/sensors"));

            // Then: the decommissioned one is left off and counted; the listed one stays, stale
            var sensors = body.path("sensors");
            assertEquals(
                    List.of("expected", "fresh", "quiet"),
                    java.util.stream.StreamSupport.stream(sensors.spliterator(), false)
                            .map(s -> s.path("sensor").asText())
                            .toList());
            assertEquals(1, body.path("retired").asInt());
            assertEquals(
                    Duration.ofDays(7).toSeconds(),
                    body.path("retireAfterSeconds").asLong());
            assertTrue(sensorNamed(sensors, "expected").path("listed").asBoolean());
            assertEquals(
                    "stale", sensorNamed(sensors, "expected").path("status").asText());
            assertFalse(sensorNamed(sensors, "quiet").path("listed").asBoolean());
            assertEquals(
                    Duration.ofDays(7).toSeconds(),
                    json(get(dashboard, "/api/config"))
                            .path("retireAfterSeconds")
                            .asLong());
        }
    }

    @Test
    void sensors_carry_their_labels_from_the_inventory_file_which_is_reread_when_it_changes() throws Exception {
        // Given the rules file lists a1 and hot, not the others
        Files.writeString(config.resolve(database.name() + ".yaml"), """
                inventory:
                  a1: {site: dc-1, room: hall-a, rack: A1, description: "cold aisle"}
                  hot: {site: dc-1, room: "<b>hall-b</b>"}
                rules:
                  - {name: default, sensors: "*", levels: {critical: {above: 25}}}
                """);
        // When the API is asked (the file is read again within its check interval)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            var sensors = json(get(server, "/api/sensors")).path("sensors");
            // Then each sensor carries its labels as the file says, {} when it has none
            assertEquals(
                    JSON.readTree("{\"site\":\"dc-1\",\"room\":\"hall-a\",\"rack\":\"A1\","
                            + "\"description\":\"cold aisle\"}"),
                    sensorNamed(sensors, "a1").path("labels"));
            assertEquals(
                    "<b>hall-b</b>",
                    sensorNamed(sensors, "hot").path("labels").path("room").asText());
            assertEquals(JSON.createObjectNode(), sensorNamed(sensors, "old").path("labels"));
        });
    }

    @Test
    void an_offline_status_message_makes_the_sensor_offline_in_the_api() throws Exception {
        // Given the server's status subscription is up (it connects in the background)
        try (var sensor = MqttTestClient.connect(List.of(stack.mqttUri()), stack.sensor(), true)) {
            // When the sensor says goodbye (repeated until seen: the subscription may still be connecting)
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> {
                        sensor.publishUntilAcknowledged(
                                "sensors/gone/status",
                                "offline".getBytes(StandardCharsets.UTF_8),
                                Duration.ofSeconds(5));
                        return "offline"
                                .equals(sensorNamed(
                                                json(get(server, "/api/sensors"))
                                                        .path("sensors"),
                                                "gone")
                                        .path("status")
                                        .asText());
                    });
        }

        // Then the others are untouched
        assertEquals(
                "online",
                sensorNamed(json(get(server, "/api/sensors")).path("sensors"), "a1")
                        .path("status")
                        .asText());
    }

    @Test
    void a_hostile_sensor_id_comes_back_as_an_exact_json_string_never_as_markup() throws Exception {
        // When
        var response = get(server, "/api/sensors");

        // Then the id round-trips exactly, inside a JSON string, served as JSON the browser may not sniff
        assertEquals(
                EVIL,
                sensorNamed(json(response).path("sensors"), EVIL).path("sensor").asText());
        assertEquals(
                "nosniff",
                response.headers().firstValue("X-Content-Type-Options").orElse(""));
    }

    @Test
    void readings_are_bucketed_over_the_requested_range() throws Exception {
        // Given the last hour in 10-minute buckets
        var from = NOW.minus(Duration.ofMinutes(60)).plusSeconds(1).toEpochMilli();
        var to = NOW.plusSeconds(1).toEpochMilli();

        // When
        var response = get(server, "/api/sensors/a1/readings?from=" + from + "&to=" + to + "&step=10m");

        // Then
        assertEquals(200, response.statusCode());
        var body = json(response);
        assertEquals("a1", body.path("sensor").asText());
        assertEquals(600_000, body.path("stepMillis").asLong());
        var points = body.path("points");
        var total = 0L;
        var previous = Long.MIN_VALUE;
        for (var point : points) {
            assertTrue(point.path("timestamp").asLong() > previous, "ascending");
            previous = point.path("timestamp").asLong();
            assertTrue(point.path("min").asDouble() <= point.path("avg").asDouble());
            assertTrue(point.path("avg").asDouble() <= point.path("max").asDouble());
            total += point.path("count").asLong();
        }
        assertEquals(60, total, "every reading of the range in exactly one bucket: " + points);
        assertTrue(points.size() >= 6 && points.size() <= 7, points.toString());
    }

    @Test
    void iso_instants_are_accepted_and_the_range_bounds_what_is_returned() throws Exception {
        // When: only the newest five minutes, one-minute buckets
        var response = get(
                server,
                "/api/sensors/a1/readings?from=" + NOW.minus(Duration.ofMinutes(4)) + "&to=" + NOW.plusSeconds(1)
                        + "&step=60");

        // Then
        var points = json(response).path("points");
        assertEquals(5, points.size(), points.toString());
        assertEquals(20.0, points.get(4).path("avg").asDouble(), 1e-9);
        assertEquals(NOW.toEpochMilli(), points.get(4).path("timestamp").asLong());
    }

    @Test
    void an_unknown_sensor_has_an_empty_history() throws Exception {
        // When
        var response = get(server, "/api/sensors/no_such_sensor/readings");

        // Then
        assertEquals(200, response.statusCode());
        assertEquals(0, json(response).path("points").size());
    }

    @Test
    void bad_parameters_answer_400_with_a_json_error_naming_them() throws Exception {
        assertBadRequest("/api/sensors/a1/readings?step=fast", "step");
        assertBadRequest("/api/sensors/a1/readings?from=yesterday", "from");
        assertBadRequest(
                "/api/sensors/a1/readings?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z", "from must be before to");
        assertBadRequest("/api/sensors/a1/readings?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&step=1d", "range");
        assertBadRequest(
                "/api/sensors/a1/readings?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&step=1s", "step too small");
        assertBadRequest("/api/sensors/%3Cimg%20src=x%3E/readings", "sensor id");
    }

    private static void assertBadRequest(String path, String messagePart) throws Exception {
        var response = get(server, path);
        assertEquals(400, response.statusCode(), path);
        var error = json(response).path("error").asText();
        assertTrue(error.contains(messagePart), path + " -> " + error);
    }

    @Test
    void unknown_api_paths_answer_404_json_and_writes_answer_405() throws Exception {
        assertEquals(404, get(server, "/api/nothing").statusCode());
        var post = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/sensors"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertTrue(post.body().contains("\"error\""), post.body());
        // the body is not read, so the connection is not reused (the next request on it would get no answer)
        assertEquals("close", post.headers().firstValue("Connection").orElse(""));
    }

    @Test
    void a_path_jetty_refuses_itself_answers_json_too() throws Exception {
        // Given an encoded slash, which Jetty refuses as an ambiguous path separator before any handler runs
        var response = get(server, "/api/sensors/%3Cscript%3E%2F/readings");

        // Then the error has the API's JSON shape and echoes nothing of the request
        assertEquals(400, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        assertEquals(400, json(response).path("status").asInt());
        assertTrue(!response.body().contains("<script"), response.body());
    }

    @Test
    void config_derives_the_websocket_url_from_the_host_the_browser_used() throws Exception {
        // When the browser reaches the dashboard as "localhost"
        var response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + server.port() + "/api/config"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        // Then
        var body = json(response);
        assertEquals("ws://localhost:15675/ws", body.path("mqtt").path("url").asText());
        assertEquals(
                "ws://127.0.0.1:15675/ws",
                json(get(server, "/api/config")).path("mqtt").path("url").asText());
        assertEquals("api/mqtt-token", body.path("mqtt").path("tokenUrl").asText());
        assertFalse(
                response.body().contains(stack.page().password()), "the server's MQTT password never reaches the page");
        assertEquals(25.0, body.path("threshold").asDouble());
        assertFalse(response.body().contains(stack.monitor().password()), "monitor credentials never reach the page");
    }

    @Test
    void cluster_reports_three_running_nodes_and_the_thermowatch_queues() throws Exception {
        // When
        var response = get(server, "/api/cluster");

        // Then
        assertEquals(200, response.statusCode(), response.body());
        var body = json(response);
        assertEquals(3, body.path("nodes").size(), body.toString());
        for (var node : body.path("nodes")) {
            assertTrue(node.path("running").asBoolean(), node.toString());
        }
        var queues = body.path("queues").toString();
        assertTrue(queues.contains("thermowatch.db-writer") && queues.contains("thermowatch.email-sender"), queues);
        assertFalse(response.body().contains(stack.monitor().password()));
    }

    @Test
    void cluster_reports_db_writer_without_consumer_as_a_pipeline_alert_for_the_banner() throws Exception {
        // Given: db-writer, as the broker sees it (a consumer with its credentials)
        var factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setUsername(stack.dbWriter().username());
        factory.setPassword(stack.dbWriter().password());
        factory.setAutomaticRecoveryEnabled(false);
        try (var connection = factory.newConnection(
                stack.amqpAddresses().stream()
                        .map(com.rabbitmq.client.Address::parseAddress)
                        .toList(),
                "DashboardApiIT")) {
            var channel = connection.createChannel();
            channel.basicConsume("thermowatch.db-writer", true, (tag, delivery) -> {}, tag -> {});
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !pipelineConditions().contains("DB_WRITER_NO_CONSUMER"));
            // When: it stops consuming
            channel.close();
            // Then: the page's banner data says so, in words
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> pipelineConditions().contains("DB_WRITER_NO_CONSUMER"));
            var body = json(get(server, "/api/cluster"));
            assertTrue(
                    body.path("pipeline").toString().contains("thermowatch.db-writer has no consumer"),
                    body.toString());
        }
    }

    private static List<String> pipelineConditions() throws Exception {
        var conditions = new java.util.ArrayList<String>();
        for (var alert : json(get(server, "/api/cluster")).path("pipeline")) {
            conditions.add(alert.path("condition").asText());
        }
        return conditions;
    }

    @Test
    void without_the_table_the_api_answers_503_and_readyz_is_not_ready() throws Exception {
        // When
        var sensors = get(serverWithoutTable, "/api/sensors");
        var readings = get(serverWithoutTable, "/api/sensors/a1/readings");
        var ready = get(serverWithoutTable, "/readyz");

        // Then
        assertEquals(503, sensors.statusCode());
        assertTrue(json(sensors).path("error").asText().contains("does not exist yet"), sensors.body());
        assertEquals(503, readings.statusCode());
        assertEquals(503, ready.statusCode());
        assertEquals(200, get(serverWithoutTable, "/healthz").statusCode());
        assertEquals(200, get(serverWithoutTable, "/").statusCode(), "the page loads anyway");
    }

    @Test
    void health_and_readiness_are_served_on_both_ports_metrics_only_on_the_health_port() throws Exception {
        assertEquals(200, get(server, "/healthz").statusCode());
        assertEquals(200, get(server, "/readyz").statusCode());
        get(server, "/api/sensors");
        // The public port does not serve the internals
        assertEquals(404, get(server, "/metrics").statusCode(), "/metrics on the public port");
        // The health port does, like every service's HEALTH_PORT
        var metrics = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.healthPort() + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(
                metrics.body().contains("dashboard_api_requests_seconds_count{route=\"sensors\""),
                "API timer exported");
        var ready = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.healthPort() + "/readyz"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode());
    }

    @Test
    void error_bodies_say_what_failed_without_internal_text() throws Exception {
        // Given a dashboard whose database refuses its password and whose management API host does not resolve
        var env = new java.util.HashMap<>(
                TestDatabase.create(stack, database.name()).dashboardEnv());
        env.put("DB_USER", stack.dashboardDatabase().username());
        env.put("DB_PASS", "not-the-password");
        env.put("RABBITMQ_MANAGEMENT_URL", "http://" + INTERNAL_HOST + ":15672");
        try (var broken = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC())) {
            // When the page asks for readings, history and the cluster
            var sensors = get(broken, "/api/sensors");
            var readings = get(broken, "/api/sensors/a1/readings");
            var cluster = get(broken, "/api/cluster");

            // Then each says what is unavailable, in the user's terms
            assertEquals(503, sensors.statusCode());
            assertEquals(
                    SchemaUnavailableException.DATABASE_UNAVAILABLE,
                    json(sensors).path("error").asText());
            assertEquals(503, readings.statusCode());
            assertEquals(502, cluster.statusCode());
            assertEquals(
                    ApiHandler.CLUSTER_UNAVAILABLE, json(cluster).path("error").asText());
            // And none carries a host name, an address, a user name or the driver's or client's text
            for (var response : List.of(sensors, readings, cluster)) {
                for (var internal : List.of(
                        INTERNAL_HOST,
                        stack.dbHost(),
                        ":" + stack.dbPort(),
                        stack.dashboardDatabase().username() + "\"",
                        "authentication",
                        "Exception",
                        "FATAL",
                        "jdbc",
                        "http://",
                        "15672")) {
                    assertFalse(
                            response.body().contains(internal),
                            response.uri().getPath() + " body carries \"" + internal + "\": " + response.body());
                }
            }
        }
    }

    @Test
    void the_page_and_its_libraries_come_from_the_jar_with_a_strict_content_security_policy() throws Exception {
        // When
        var page = get(server, "/");

        // Then
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<th scope=\"col\">Sensor</th>"));
        assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no CDN");
        var csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
        assertEquals(
                "nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        for (var library : List.of(
                "/vendor/paho-mqtt.min.js", "/vendor/uPlot.min.js", "/vendor/uPlot.min.css", "/app.js", "/app.css")) {
            var response = get(server, library);
            assertEquals(200, response.statusCode(), library);
            assertTrue(response.body().length() > 1000, library);
        }
        assertEquals(404, get(server, "/logback.xml").statusCode(), "only listed files are served");
        var traversal = get(server, "/../../etc/passwd");
        assertTrue(
                traversal.statusCode() == 400 || traversal.statusCode() == 404, "refused: " + traversal.statusCode());
    }

    @Test
    void gzip_and_etags_are_honoured_for_static_files() throws Exception {
        // When
        var gzipped = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/vendor/uPlot.min.js"))
                        .header("Accept-Encoding", "gzip")
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        var etag = gzipped.headers().firstValue("ETag").orElseThrow();
        var again = get(server, "/vendor/uPlot.min.js", "If-None-Match", etag);

        // Then
        assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(""));
        assertTrue(gzipped.body().length < 30_000, "compressed: " + gzipped.body().length);
        assertEquals(304, again.statusCode());
    }

    @Test
    void the_aggregate_query_shape_reweights_averages_by_sample_count() throws Exception {
        // Given db-writer's plain views, forced as if TimescaleDB's continuous aggregates were there
        try (var dataSource = Database.open(new DatabaseSettings(
                stack.dbHost(),
                stack.dbPort(),
                database.name(),
                stack.database().username(),
                stack.database().password()))) {
            var probe = new SchemaProbe(dataSource, Clock.systemUTC());
            var store = new ReadingStore(dataSource, probe);
            var request = HistoryRequest.parse(
                    "a1",
                    NOW.minus(Duration.ofHours(6)).toString(),
                    NOW.plusSeconds(60).toString(),
                    "1h",
                    NOW);

            // When
            var viaAggregate = store.history(request, new Schema(true, false, true, true));
            var viaRaw = store.history(request, new Schema(true, false, false, false));

            // Then
            assertEquals(viaRaw.size(), viaAggregate.size());
            for (var i = 0; i < viaRaw.size(); i++) {
                assertEquals(viaRaw.get(i).timestamp(), viaAggregate.get(i).timestamp());
                assertEquals(viaRaw.get(i).avg(), viaAggregate.get(i).avg(), 1e-9);
                assertEquals(viaRaw.get(i).count(), viaAggregate.get(i).count());
            }
        }
    }
}
