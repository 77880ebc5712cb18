package io.thermowatch.dashboard;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.Stack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * API latency with 1,000 sensors × 1 h of per-minute readings (goal: /api/sensors under 100 ms, one sensor's hour
 * under 50 ms), measured end to end over HTTP against the in-process server and the native stack's PostgreSQL.
 * Prints figures; asserts nothing. Run: {@code ./mvnw -B -pl dashboard -Pbench verify -DskipTests}
 * (system properties {@code bench.sensors}, {@code bench.minutes}, {@code bench.iterations}).
 */
public final class ApiLatencyBenchmark {

    private ApiLatencyBenchmark() {}

    public static void main(String[] args) throws Exception {
        var sensors = Integer.getInteger("bench.sensors", 1000);
        var minutes = Integer.getInteger("bench.minutes", 60);
        var iterations = Integer.getInteger("bench.iterations", 300);
        var stack = Stack.get();
        var database = TestDatabase.create(stack, "dashboard_bench").withEmptyTable();
        var ids = IntStream.range(0, sensors)
                .mapToObj(i -> String.format(Locale.ROOT, "bench_sensor_%04d", i))
                .toList();
        var end = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        var loadStarted = System.nanoTime();
        database.insertPerMinute(
                ids,
                end,
                minutes,
                (sensor, minute) -> 18 + ThreadLocalRandom.current().nextDouble(10));
        try (var connection = database.open();
                var statement = connection.createStatement()) {
            statement.execute("VACUUM ANALYZE temperature");
        }
        System.out.printf(
                Locale.ROOT,
                "loaded %,d rows (%d sensors x %d per-minute readings) in %.1f s%n",
                (long) sensors * minutes,
                sensors,
                minutes,
                (System.nanoTime() - loadStarted) / 1e9);

        var env = new HashMap<String, String>();
        env.put("DASHBOARD_PORT", "0");
        env.put("HEALTH_PORT", "0");
        env.put("DB_HOST", stack.dbHost());
        env.put("DB_PORT", Integer.toString(stack.dbPort()));
        env.put("DB_NAME", database.name());
        env.put("DB_USER", stack.database().username());
        env.put("DB_PASS", stack.database().password());
        env.put("MQTT_URIS", stack.mqttUri());
        try (var server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC())) {
            var http = HttpClient.newHttpClient();
            var base = "http://127.0.0.1:" + server.port();
            var random = ThreadLocalRandom.current();
            measure(
                    "GET /api/sensors (" + sensors + " sensors)",
                    iterations,
                    http,
                    () -> base + "/api/sensors",
                    sensors);
            measure(
                    "GET /api/sensors/{id}/readings (last hour, default 10 s buckets)",
                    iterations,
                    http,
                    () -> base + "/api/sensors/" + ids.get(random.nextInt(ids.size())) + "/readings",
                    -1);
            measure(
                    "GET /api/sensors/{id}/readings (last hour, step=1m)",
                    iterations,
                    http,
                    () -> base + "/api/sensors/" + ids.get(random.nextInt(ids.size())) + "/readings?step=1m",
                    -1);
        }
    }

    private static void measure(
            String name, int iterations, HttpClient http, java.util.function.Supplier<String> url, int expectedSensors)
            throws Exception {
        for (var i = 0; i < Math.max(20, iterations / 5); i++) { // warm-up: JIT, pool, PostgreSQL caches
            get(http, url.get());
        }
        var millis = new double[iterations];
        var bytes = 0L;
        for (var i = 0; i < iterations; i++) {
            var started = System.nanoTime();
            var body = get(http, url.get());
            millis[i] = (System.nanoTime() - started) / 1e6;
            bytes = body.length();
            if (expectedSensors > 0
                    && !body.contains(String.format(Locale.ROOT, "bench_sensor_%04d", expectedSensors - 1))) {
                throw new IllegalStateException(
                        "answer misses sensors: " + body.substring(0, Math.min(200, body.length())));
            }
        }
        Arrays.sort(millis);
        System.out.printf(
                Locale.ROOT,
                "%-66s n=%d  p50=%6.1f ms  p95=%6.1f ms  p99=%6.1f ms  max=%6.1f ms  (%,d bytes)%n",
                name,
                iterations,
                pct(millis, 50),
                pct(millis, 95),
                pct(millis, 99),
                millis[millis.length - 1],
                bytes);
    }

    private static double pct(double[] sorted, int percentile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(percentile / 100.0 * sorted.length) - 1)];
    }

    private static String get(HttpClient http, String url) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(url + " -> " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }
}
