package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hostile input over MQTT with the sensor credentials, and at the dashboard API, against the whole system: no service
 * crashes or stalls, every good reading is stored once, every bad one that reaches db-writer is in
 * {@code rejected_messages} with a reason (and never in {@code temperature}), every API error is a JSON 4xx.
 * The flood size is {@code -Dhostile.flood} (default 10,000). Each test reads only the sensor ids it published, so
 * any one runs alone and in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT {

    private static final Logger log = LoggerFactory.getLogger(HostileInputIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STORED = Duration.ofSeconds(60);

    private SystemUnderTest system;
    private Stack stack;
    private int aliveProbes;
    private Rows rows;

    /** One hostile (or good) message: a label, the sensor id part of its topic, its payload. */
    private record Case(String label, String sensorId, byte[] payload, boolean good, boolean retained) {

        String routingKey() {
            return "temperature." + sensorId;
        }
    }

    @BeforeAll
    void startTheSystem() {
        system = SystemUnderTest.start(Duration.ofMinutes(10), Map.of(), Map.of());
        stack = system.stack;
        rows = new Rows(stack);
    }

    @AfterAll
    void stopTheSystem() {
        if (system != null) {
            system.close();
        }
    }

    @Test
    void every_hostile_reading_is_rejected_with_a_reason_and_every_good_one_stored_once() throws Exception {
        // Given
        long now = System.currentTimeMillis();
        List<Case> cases = new ArrayList<>();
        bad(cases, "not JSON", "hello, world");
        bad(cases, "JSON array", "[21.5, " + now + "]");
        bad(cases, "string value", "{\"value\": \"21.5\", \"timestamp\": " + now + "}");
        bad(cases, "null value", "{\"value\": null, \"timestamp\": " + now + "}");
        bad(cases, "NaN spelled in JSON", "{\"value\": NaN, \"timestamp\": " + now + "}");
        bad(cases, "Infinity spelled in JSON", "{\"value\": Infinity, \"timestamp\": " + now + "}");
        bad(cases, "-Infinity", "{\"value\": -Infinity, \"timestamp\": " + now + "}");
        bad(cases, "missing value", "{\"timestamp\": " + now + "}");
        bad(cases, "missing timestamp", "{\"value\": 21.5}");
        bad(cases, "timestamp in seconds", "{\"value\": 21.5, \"timestamp\": " + now / 1000 + "}");
        bad(cases, "far-future timestamp", "{\"value\": 21.5, \"timestamp\": " + (now + 365L * 86_400_000) + "}");
        bad(cases, "ancient timestamp", "{\"value\": 21.5, \"timestamp\": -2208988800000}");
        bad(cases, "minus 300 degrees", "{\"value\": -300, \"timestamp\": " + now + "}");
        bad(cases, "1e308", "{\"value\": 1e308, \"timestamp\": " + now + "}");
        bad(
                cases,
                "1 MB payload",
                "{\"value\": 21.5, \"timestamp\": " + now + ", \"pad\": \"" + "x".repeat(1 << 20) + "\"}");
        cases.add(new Case("binary garbage", id(cases), garbage(), false, false));
        cases.add(new Case(
                "invalid UTF-8",
                id(cases),
                concat(
                        "{\"value\": 21.5, \"timestamp\": " + now + ", \"note\": \"",
                        new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF},
                        "\"}"),
                false,
                false));
        bad(
                cases,
                "deeply nested JSON",
                "{\"value\": " + "[".repeat(5000) + "]".repeat(5000) + ", \"timestamp\": " + now + "}");
        bad(cases, "boolean value", "{\"value\": true, \"timestamp\": " + now + "}");
        bad(cases, "trailing garbage", "{\"value\": 21.5, \"timestamp\": " + now + "} DROP TABLE temperature");
        bad(cases, "fractional timestamp", "{\"value\": 21.5, \"timestamp\": " + now + ".5}");
        bad(cases, "empty payload", "");
        bad(cases, "JSON string", "\"21.5\"");
        bad(cases, "timestamp overflow", "{\"value\": 21.5, \"timestamp\": 99999999999999999999999}");
        cases.add(new Case(
                "sensor id with SQL metacharacters",
                "x'); DROP TABLE temperature; --" + system.run,
                json(21.5, now),
                false,
                false));
        cases.add(new Case(
                "sensor id with HTML metacharacters",
                "<img src=x onerror=alert(1)>" + system.run,
                json(21.5, now),
                false,
                false));
        cases.add(new Case(
                "65-character sensor id",
                (system.run + "_" + "s".repeat(64)).substring(0, 65),
                json(21.5, now),
                false,
                false));
        cases.add(new Case(
                "retained garbage", id(cases), "\u0000\u0001garbage".getBytes(StandardCharsets.UTF_8), false, true));
        // good ones, interleaved: the original's payload, extra fields, the bounds
        good(cases, "the original's integer payload", "{\"value\": 23, \"timestamp\": " + now + "}");
        good(
                cases,
                "extra fields",
                "{\"value\": 21.5, \"timestamp\": " + now + ", \"unit\": \"C\", \"fw\": {\"v\": 2}}");
        good(cases, "absolute zero", "{\"value\": -273.15, \"timestamp\": " + now + "}");
        good(cases, "64-character sensor id", "{\"value\": 21.5, \"timestamp\": " + now + "}");
        Case longest = cases.remove(cases.size() - 1);
        cases.add(new Case(
                longest.label(), (system.run + "_" + "L".repeat(64)).substring(0, 64), longest.payload(), true, false));
        // ambiguous by the contract: a reading or a rejection, exactly one of them
        Case duplicateKeys = new Case(
                "duplicate keys",
                id(cases),
                ("{\"value\": 21.5, \"value\": 99.9, \"timestamp\": " + now + "}").getBytes(StandardCharsets.UTF_8),
                false,
                false);
        String tooDeep = system.run + "_deep/level/three";

        // When
        Set<String> refusedByBroker = new TreeSet<>();
        try (Publisher publisher = new Publisher(stack)) {
            for (Case c : cases) {
                if (!publisher.publish("temperature/" + c.sensorId(), c.payload(), c.retained())) {
                    refusedByBroker.add(c.label());
                }
            }
            publisher.publish("temperature/" + duplicateKeys.sensorId(), duplicateKeys.payload(), false);
            publisher.publish("temperature/" + tooDeep, json(21.5, now), false);
        }
        log.info("hostile - {} cases published; refused by the broker itself: {}", cases.size(), refusedByBroker);

        // Then: each bad case the broker routed is one rejection with a reason and no row; each good case one row
        assertTrue(cases.size() - 4 >= 25, "at least 25 hostile kinds, got " + (cases.size() - 4));
        await("every case judged by db-writer")
                .atMost(STORED)
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    List<String> problems = new ArrayList<>();
                    for (Case c : cases) {
                        if (refusedByBroker.contains(c.label())) {
                            continue;
                        }
                        long stored = rows.count(c.sensorId());
                        long rejected = rows.rejectedCount(c.routingKey());
                        if (c.good() && (stored != 1 || rejected != 0)) {
                            problems.add(c.label() + ": stored " + stored + ", rejected " + rejected);
                        }
                        if (!c.good() && (stored != 0 || rejected != 1)) {
                            problems.add(c.label() + ": stored " + stored + ", rejected " + rejected);
                        }
                    }
                    long dk = rows.count(duplicateKeys.sensorId()) + rows.rejectedCount(duplicateKeys.routingKey());
                    if (dk != 1) {
                        problems.add("duplicate keys: " + dk + " outcomes");
                    }
                    assertEquals(List.of(), problems);
                });
        Map<String, List<String>> reasons = new java.util.TreeMap<>();
        for (Case c : cases) {
            if (!c.good() && !refusedByBroker.contains(c.label())) {
                reasons.put(c.label(), rejectionReasons(c.routingKey()));
            }
        }
        reasons.forEach((label, why) -> assertTrue(
                why.size() == 1 && why.get(0) != null && !why.get(0).isBlank(), "reason for " + label + ": " + why));
        log.info("hostile - rejections: {}", reasons);
        // a topic too deep for the `temperature.*` binding is routed nowhere: no row, no rejection
        assertEquals(0, rows.count(system.run + "_deep"));
        assertEquals(0, rows.rejectedLike(system.run + "_deep").size());
        assertTrue(
                refusedByBroker.size() <= 1, "only the 1 MB payload may be refused by the broker: " + refusedByBroker);
        // leave no retained garbage for later subscribers (the clearing empty message is one more rejection)
        try (Publisher publisher = new Publisher(stack)) {
            for (Case c : cases) {
                if (c.retained()) {
                    publisher.publish("temperature/" + c.sensorId(), new byte[0], true);
                }
            }
        }
        assertTheSystemStillWorks();
    }

    @Test
    void a_flood_of_bad_messages_interleaved_with_good_ones_stalls_nothing_and_loses_nothing() throws Exception {
        // Given
        int flood = Integer.getInteger("hostile.flood", 10_000);
        int threads = 4;
        String badId = system.run + "_flood";
        String goodId = system.run + "_floodgood";
        Set<Long> good = new ConcurrentSkipListSet<>();
        long start = System.nanoTime();
        long base = System.currentTimeMillis() - 120_000;

        // When: 4 publishers, each sending its share of bad messages with a good reading every 100th
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    try (Publisher publisher = new Publisher(stack)) {
                        for (int i = thread; i < flood; i += threads) {
                            publisher.publishOrFail(
                                    "temperature/" + badId, ("bad #" + i + " {").getBytes(StandardCharsets.UTF_8));
                            if (i % 100 == 0) {
                                long timestamp = base + i;
                                good.add(timestamp);
                                publisher.publishOrFail(
                                        "temperature/" + goodId, json(21.0 + (i % 10) / 10.0, timestamp));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        log.info(
                "hostile - flood of {} bad + {} good published in {} ms",
                flood,
                good.size(),
                (System.nanoTime() - start) / 1_000_000);

        // Then
        await(flood + " rejections stored")
                .atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> rows.rejectedCount("temperature." + badId) >= flood);
        assertEquals(flood, rows.rejectedCount("temperature." + badId), "each bad message rejected exactly once");
        rows.awaitExactlyOnce(goodId, good, good, STORED);
        log.info("hostile - flood judged {} ms after it started", (System.nanoTime() - start) / 1_000_000);
        assertTheSystemStillWorks();
    }

    @Test
    void every_bad_dashboard_api_request_gets_a_json_4xx_and_nothing_echoes_unescaped() throws Exception {
        String ok = system.run + "_api";
        Map<String, String> bad = new LinkedHashMap<>();
        String readings = "/api/sensors/" + ok + "/readings";
        bad.put("from not a time", readings + "?from=yesterday");
        bad.put("from after to", readings + "?from=2026-11-27T10:00:00Z&to=2026-11-27T09:00:00Z");
        bad.put("huge range", readings + "?from=0&to=4102444800000");
        bad.put("overflowing number", readings + "?from=99999999999999999999999&to=1");
        bad.put("zero step", readings + "?step=0");
        bad.put("negative step", readings + "?step=-5s");
        bad.put("too many buckets", readings + "?from=2026-11-01T00:00:00Z&to=2026-11-27T00:00:00Z&step=1s");
        bad.put("SQL injection in the id", "/api/sensors/x'%3B%20DROP%20TABLE%20temperature%3B--/readings");
        bad.put("HTML in the id", "/api/sensors/%3Cscript%3Ealert(1)%3Cx%3E/readings");
        bad.put("65-character id", "/api/sensors/" + "a".repeat(65) + "/readings");
        bad.put("SQL in a parameter", readings + "?from=1%27%20OR%201%3D1--");
        bad.put("HTML in a parameter", readings + "?step=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        bad.put("unknown resource", "/api/nothing-here");
        // Jetty itself refuses an encoded slash (%2F, ambiguous path separator) before the API runs; the dashboard's
        // error handler answers those in the API's JSON shape too.
        bad.put("HTML with an encoded slash in the id", "/api/sensors/%3Cscript%3Ealert(1)%3C%2Fscript%3E/readings");
        bad.put("encoded path traversal", "/api/sensors/..%2F..%2Fetc%2Fpasswd/readings");
        bad.put("path traversal (normalised out of /api/)", "/api/sensors/../../../../etc/passwd");

        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> response = SystemUnderTest.get(system.dashboard(e.getValue()));
            String problem = jsonError(response, e.getKey());
            if (problem != null) {
                problems.add(problem);
            }
        }
        // methods other than GET
        for (String method : List.of("POST", "PUT", "DELETE")) {
            HttpResponse<String> response =
                    SystemUnderTest.send(HttpRequest.newBuilder(system.dashboard("/api/sensors"))
                            .method(method, HttpRequest.BodyPublishers.ofString("{\"value\":1}"))
                            .build());
            String problem = jsonError(response, method);
            if (problem != null) {
                problems.add(problem);
            }
        }
        assertEquals(List.of(), problems);

        // an unknown (well-formed) sensor is not an error: no points
        HttpResponse<String> unknown =
                SystemUnderTest.get(system.dashboard("/api/sensors/" + ok + "_unknown/readings"));
        assertTrue(
                unknown.statusCode() == 200 || unknown.statusCode() == 404,
                unknown.statusCode() + " " + unknown.body());
        // the injection did nothing
        assertTrue(rows.count(ok) == 0 && tableExists(), "temperature still there");
        assertTheSystemStillWorks();
    }

    // ------------------------------------------------------------------------------------------------

    /** Null if the answer is a JSON 4xx that echoes no markup, else what is wrong. */
    private static String jsonError(HttpResponse<String> response, String label) {
        int status = response.statusCode();
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (status < 400 || status > 499) {
            return label + ": status " + status + " " + response.body();
        }
        if (!type.startsWith("application/json")) {
            return label + ": Content-Type " + type;
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            if (!body.isObject()) {
                return label + ": not a JSON object: " + response.body();
            }
        } catch (Exception e) {
            return label + ": not JSON: " + response.body();
        }
        if (response.body().contains("<script")
                || response.body().contains("<img")
                || response.body().contains("root:")) {
            return label + ": echoes markup: " + response.body();
        }
        return null;
    }

    private List<String> rejectionReasons(String routingKey) {
        List<String> reasons = new ArrayList<>();
        rows.query(
                "SELECT reason FROM rejected_messages WHERE routing_key = ?",
                List.of(routingKey),
                rs -> reasons.add(rs.getString(1)));
        return reasons;
    }

    private boolean tableExists() {
        boolean[] exists = {false};
        rows.query("SELECT to_regclass('temperature') IS NOT NULL", List.of(), rs -> exists[0] = rs.getBoolean(1));
        return exists[0];
    }

    /** Every service alive and ready, and a fresh good reading is stored within seconds (no stall). */
    private void assertTheSystemStillWorks() throws Exception {
        system.awaitAllReady(Duration.ofSeconds(30));
        String probe = system.run + "_alive" + aliveProbes++;
        long timestamp = System.currentTimeMillis();
        try (MqttTestClient client = MqttTestClient.connect(stack.mqttUri(), stack.sensor())) {
            client.publish("temperature/" + probe, json(21.0, timestamp));
        }
        rows.awaitExactlyOnce(probe, Set.of(timestamp), Set.of(timestamp), Duration.ofSeconds(20));
        for (String service : List.of("db-writer", "email-sender", "dashboard")) {
            assertTrue(system.service(service).isAlive(), service + " alive");
            assertFalse(system.service(service).output().contains("OutOfMemoryError"), service + " out of memory");
        }
    }

    private void bad(List<Case> cases, String label, String payload) {
        cases.add(new Case(label, id(cases), payload.getBytes(StandardCharsets.UTF_8), false, false));
    }

    private void good(List<Case> cases, String label, String payload) {
        cases.add(new Case(label, id(cases), payload.getBytes(StandardCharsets.UTF_8), true, false));
    }

    private String id(List<Case> cases) {
        return system.run + "_k" + cases.size();
    }

    private static byte[] json(double value, long timestamp) {
        return ("{\"value\": " + value + ", \"timestamp\": " + timestamp + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] garbage() {
        byte[] bytes = new byte[512];
        new java.util.Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(String head, byte[] middle, String tail) {
        byte[] a = head.getBytes(StandardCharsets.UTF_8);
        byte[] c = tail.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(a, a.length + middle.length + c.length);
        System.arraycopy(middle, 0, all, a.length, middle.length);
        System.arraycopy(c, 0, all, a.length + middle.length, c.length);
        return all;
    }

    /**
     * QoS 1 publisher with the sensor credentials that reconnects when the broker closes the connection (RabbitMQ
     * does so for a publish it denies or cannot take).
     */
    private static final class Publisher implements AutoCloseable {

        private final Stack stack;
        private MqttClient client;

        Publisher(Stack stack) throws MqttException {
            this.stack = stack;
            connect();
        }

        /** True if the broker acknowledged it; false if it refused it (exception or closed connection). */
        boolean publish(String topic, byte[] payload, boolean retained) throws MqttException {
            if (!client.isConnected()) {
                connect();
            }
            MqttMessage message = new MqttMessage(payload);
            message.setQos(1);
            message.setRetained(retained);
            try {
                client.publish(topic, message);
                return true;
            } catch (MqttException e) {
                log.info(
                        "hostile - broker refused a publish to {} ({} bytes): {}",
                        topic.length() > 80 ? topic.substring(0, 80) + "…" : topic,
                        payload.length,
                        e.toString());
                closeQuietly();
                connect();
                return false;
            }
        }

        void publishOrFail(String topic, byte[] payload) throws MqttException {
            if (!publish(topic, payload, false)) {
                throw new AssertionError("broker refused a publish to " + topic);
            }
        }

        private void connect() throws MqttException {
            closeQuietly();
            client = new MqttClient(
                    stack.mqttUri(),
                    "hostile-" + java.util.UUID.randomUUID().toString().substring(0, 8),
                    new MemoryPersistence());
            client.setTimeToWait(15_000);
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setUserName(stack.sensor().username());
            options.setPassword(stack.sensor().password().toCharArray());
            options.setMaxInflight(1000);
            options.setConnectionTimeout(10);
            client.connect(options);
        }

        private void closeQuietly() {
            if (client == null) {
                return;
            }
            try {
                if (client.isConnected()) {
                    client.disconnect(1000);
                }
            } catch (MqttException e) {
                log.debug("disconnect: {}", e.toString());
            }
            try {
                client.close(true);
            } catch (MqttException e) {
                log.debug("close: {}", e.toString());
            }
            client = null;
        }

        @Override
        public void close() {
            closeQuietly();
        }
    }
}
