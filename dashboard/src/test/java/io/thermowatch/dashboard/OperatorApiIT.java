package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.Credentials;
import io.thermowatch.testkit.ScratchDatabase;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator API and the alert reads against real PostgreSQL: a database of the test's own with db-writer's alert
 * tables (V6) and grants, the dashboard in-process reading as the stack's read-only dashboard role and writing as the
 * operator role, as compose runs it. The rows email-sender would write are inserted directly.
 */
class OperatorApiIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String DATABASE = "operator_api_it";
    private static final String TOKEN = "it-operator-token-" + UUID.randomUUID();
    private static Stack stack;
    private static ScratchDatabase database;
    private static DashboardService server;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.get();
        database = AlertTestDatabase.recreate(stack, DATABASE);
        server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(AlertTestDatabase.dashboardEnv(stack, database, TOKEN))),
                Metrics.newRegistry("dashboard"),
                Clock.systemUTC());
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static void execute(String sql) throws SQLException {
        database.execute(sql);
    }

    private static long count(String sql) throws SQLException {
        return database.count(sql);
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        var builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String[] bearer(String token) {
        return new String[] {"Authorization", "Bearer " + token, "Content-Type", "application/json"};
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertEquals(
                "application/json; charset=utf-8",
                response.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(response.body());
    }

    @Test
    void every_operator_request_without_the_credential_or_with_a_wrong_one_is_refused_with_401_and_writes_nothing()
            throws Exception {
        // Given
        String sensor = "op_" + UUID.randomUUID().toString().substring(0, 8);
        String silence = "{\"sensors\": \"" + sensor + "\", \"minutes\": 5, \"by\": \"mallory\"}";
        String ack = "{\"sensor\": \"" + sensor + "\", \"rule\": \"default\", \"by\": \"mallory\"}";
        List<HttpResponse<String>> answers = List.of(
                // When: no credential, a wrong one, the right one as HTTP Basic, as a cookie, an empty bearer
                send("POST", "/api/operator/silences", silence, "Content-Type", "application/json"),
                send("POST", "/api/operator/silences", silence, bearer(TOKEN + "x")),
                send("POST", "/api/operator/silences", silence, "Authorization", "Basic " + TOKEN),
                send("POST", "/api/operator/acknowledgements", ack, "Cookie", "token=" + TOKEN),
                send("POST", "/api/operator/acknowledgements", ack, "Authorization", "Bearer "),
                send("GET", "/api/operator/silences", null),
                send("DELETE", "/api/operator/silences/1?by=mallory", null, bearer("wrong")));
        // Then: 401 in the API's JSON style, naming no internals, and no row
        for (var answer : answers) {
            assertEquals(401, answer.statusCode(), answer.body());
            var body = json(answer);
            assertEquals(401, body.path("status").asInt());
            assertEquals(AlertsHandler.UNAUTHORIZED, body.path("error").asText());
            assertEquals(
                    "Bearer", answer.headers().firstValue("WWW-Authenticate").orElse(""));
            // and a refused body is not read, so the connection is not reused (the next request would get no answer)
            if (!answer.request().method().equals("GET")
                    && !answer.request().method().equals("DELETE")) {
                assertEquals("close", answer.headers().firstValue("Connection").orElse(""), answer.request() + "");
            }
        }
        assertEquals(0, count("SELECT count(*) FROM alert_silences WHERE created_by = 'mallory'"));
        assertEquals(0, count("SELECT count(*) FROM alert_acknowledgements WHERE acknowledged_by = 'mallory'"));
    }

    @Test
    void an_operator_silences_a_sensor_lists_the_silence_and_ends_it() throws Exception {
        // Given
        String sensor = "op_" + UUID.randomUUID().toString().substring(0, 8);
        // When
        var created = send(
                "POST",
                "/api/operator/silences",
                "{\"sensors\": \"" + sensor + "*\", \"minutes\": 30, \"by\": \"alice\", \"comment\": \"rack swap\"}",
                bearer(TOKEN));
        // Then
        assertEquals(201, created.statusCode(), created.body());
        long id = json(created).path("id").asLong();
        var listed = json(send("GET", "/api/operator/silences", null, bearer(TOKEN)));
        assertTrue(listed.path("silences").toString().contains("\"id\":" + id), listed.toString());
        // When it is ended early
        var ended = send("DELETE", "/api/operator/silences/" + id + "?by=alice", null, bearer(TOKEN));
        // Then it is no longer in force, and its row says who ended it
        assertEquals(200, ended.statusCode(), ended.body());
        assertEquals(
                1,
                count("SELECT count(*) FROM alert_silences WHERE id = " + id
                        + " AND ends_at <= now() AND ended_by = 'alice'"));
        assertEquals(
                404,
                send("DELETE", "/api/operator/silences/" + id + "?by=alice", null, bearer(TOKEN))
                        .statusCode());
    }

    @Test
    void a_bad_silence_is_refused_with_400_naming_the_field() throws Exception {
        // When
        var answer = send(
                "POST",
                "/api/operator/silences",
                "{\"sensors\": \"a\", \"minutes\": 0, \"by\": \"alice\"}",
                bearer(TOKEN));
        // Then
        assertEquals(400, answer.statusCode());
        assertTrue(json(answer).path("error").asText().startsWith("minutes: "), answer.body());
    }

    @Test
    void active_alerts_show_level_since_when_and_who_acknowledged_and_silenced() throws Exception {
        // Given what email-sender records for two alerts of new sensors: one CRITICAL since 10 min, one WARNING
        String hot = "op_" + UUID.randomUUID().toString().substring(0, 8);
        String warm = "op_" + UUID.randomUUID().toString().substring(0, 8);
        String cooled = "op_" + UUID.randomUUID().toString().substring(0, 8);
        String serviced = "op_" + UUID.randomUUID().toString().substring(0, 8);
        execute("INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level, value, silenced_by)"
                + " VALUES (now() - interval '4 minutes', '" + serviced + "', 'hall', 'FIRING', 'NORMAL', 'WARNING',"
                + " 31, 'maintenance:hall-b-service')");
        execute("INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level, value, mail_error) VALUES"
                + " (now() - interval '7 minutes', '" + hot + "', 'hall', 'REMINDER', 'WARNING', 'WARNING', 31,"
                + " '550 5.1.1 every recipient refused')");
        execute("INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level, value, mailed_at) VALUES"
                + " (now() - interval '10 minutes', '" + hot + "', 'hall', 'FIRING', 'NORMAL', 'WARNING', 31, now()),"
                + " (now() - interval '5 minutes', '" + hot + "', 'hall', 'FIRING', 'WARNING', 'CRITICAL', 36, now()),"
                + " (now() - interval '2 minutes', '" + warm + "', 'hall', 'FIRING', 'NORMAL', 'WARNING', 31, now()),"
                + " (now() - interval '3 minutes', '" + cooled + "', 'hall', 'FIRING', 'NORMAL', 'WARNING', 31, now()),"
                + " (now() - interval '1 minutes', '" + cooled + "', 'hall', 'RESOLVED', 'WARNING', 'NORMAL', 20,"
                + " now())");
        // When the operator acknowledges the first and silences the second
        assertEquals(
                201,
                send(
                                "POST",
                                "/api/operator/acknowledgements",
                                "{\"sensor\": \"" + hot + "\", \"rule\": \"hall\", \"by\": \"alice\"}",
                                bearer(TOKEN))
                        .statusCode());
        assertEquals(
                201,
                send(
                                "POST",
                                "/api/operator/silences",
                                "{\"sensors\": \"" + warm + "\", \"minutes\": 10, \"by\": \"bob\"}",
                                bearer(TOKEN))
                        .statusCode());
        // Then the public list has both (CRITICAL first), not the resolved one
        var alerts = json(send("GET", "/api/alerts/active", null)).path("alerts");
        JsonNode first = null;
        JsonNode second = null;
        JsonNode third = null;
        for (var a : alerts) {
            assertFalse(a.path("sensor").asText().equals(cooled), alerts.toString());
            if (a.path("sensor").asText().equals(hot)) {
                first = a;
            } else if (a.path("sensor").asText().equals(warm)) {
                second = a;
            } else if (a.path("sensor").asText().equals(serviced)) {
                third = a;
            }
        }
        assertTrue(first != null && second != null && third != null, alerts.toString());
        assertTrue(first.path("maintenance").isNull(), first.toString());
        // And one muted by a maintenance window of the rules file says so
        assertEquals("maintenance:hall-b-service", third.path("maintenance").asText(), third.toString());
        assertTrue(third.path("silenceId").isNull(), third.toString());
        assertEquals("CRITICAL", first.path("level").asText());
        assertEquals("alice", first.path("acknowledgedBy").asText());
        assertTrue(first.path("silenceId").isNull());
        assertEquals("WARNING", second.path("level").asText());
        assertFalse(second.path("silenceId").isNull(), second.toString());
        long since = first.path("since").asLong();
        assertTrue(Math.abs(System.currentTimeMillis() - 600_000 - since) < 60_000, "since " + since);
        // And the sensor's history, newest first
        var history =
                json(send("GET", "/api/alerts/history?sensor=" + hot, null)).path("events");
        assertEquals(3, history.size());
        assertEquals("CRITICAL", history.get(0).path("to").asText());
        assertTrue(history.get(0).path("mailError").isNull(), history.toString());
        // with a mail SMTP refused for good and why
        assertEquals(
                "550 5.1.1 every recipient refused",
                history.get(1).path("mailError").asText(),
                history.toString());
    }

    @Test
    void each_role_may_do_only_its_own_job() throws Exception {
        // The page's role reads, never writes; the operator's writes silences and acknowledgements only;
        // email-sender's records alert events only.
        Map<Credentials, List<String>> refused = Map.of(
                stack.dashboardDatabase(),
                List.of(
                        "INSERT INTO temperature (time, sensor, value) VALUES (now(), 'x', 1)",
                        "INSERT INTO alert_silences (sensors, ends_at, created_by) VALUES ('x', now(), 'x')"),
                stack.operatorDatabase(),
                List.of(
                        "INSERT INTO temperature (time, sensor, value) VALUES (now(), 'x', 1)",
                        "INSERT INTO alert_events (time, sensor, kind) VALUES (now(), 'x', 'OFFLINE')",
                        "UPDATE alert_silences SET created_by = 'someone else'"),
                stack.emailSenderDatabase(),
                List.of(
                        "INSERT INTO temperature (time, sensor, value) VALUES (now(), 'x', 1)",
                        "INSERT INTO alert_silences (sensors, ends_at, created_by) VALUES ('x', now(), 'x')",
                        "DELETE FROM alert_events"));
        refused.forEach((role, statements) -> {
            for (String sql : statements) {
                var e = assertThrows(SQLException.class, () -> {
                    try (Connection c = database.connect(role);
                            Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                });
                assertEquals("42501", e.getSQLState(), role + ": " + sql + ": " + e.getMessage());
            }
        });
        try (Connection c = database.connect(stack.emailSenderDatabase());
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO alert_events (time, sensor, kind) VALUES (now(), 'role_check', 'OFFLINE')");
        }
    }
}
