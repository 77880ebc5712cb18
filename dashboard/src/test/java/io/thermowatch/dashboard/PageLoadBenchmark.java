package io.thermowatch.dashboard;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The page with 1,000 sensors in headless Chromium: time until all rows show, then every sensor publishing once a
 * second for {@code bench.seconds} (QoS 1 through HAProxy), measuring the page's per-frame DOM work and its event-loop
 * lag. Purges the two thermowatch queues afterwards (run it while no other test uses the stack). Prints figures;
 * asserts nothing. Run: {@code ./mvnw -B -pl dashboard -Pbench verify -DskipTests
 * -Dbench.main=io.thermowatch.dashboard.PageLoadBenchmark}.
 */
public final class PageLoadBenchmark {

    private static final int PUBLISHERS = 4;

    private PageLoadBenchmark() {}

    private static void publishRounds(
            MqttTestClient client,
            List<String> share,
            long deadline,
            java.util.concurrent.atomic.AtomicLong published) {
        try {
            while (System.nanoTime() < deadline) {
                var roundStart = System.nanoTime();
                for (var id : share) {
                    var payload =
                            "{\"value\":" + (18 + ThreadLocalRandom.current().nextInt(100) / 10.0) + ",\"timestamp\":"
                                    + System.currentTimeMillis() + "}";
                    client.publish("temperature/" + id, payload.getBytes(StandardCharsets.UTF_8));
                    published.incrementAndGet();
                }
                var spentMillis = (System.nanoTime() - roundStart) / 1_000_000;
                if (spentMillis < 1000) {
                    Thread.sleep(1000 - spentMillis);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] args) throws Exception {
        var sensors = Integer.getInteger("bench.sensors", 1000);
        var seconds = Integer.getInteger("bench.seconds", 15);
        var stack = Stack.get();
        var database = TestDatabase.create(stack, "dashboard_page_bench").withEmptyTable();
        var ids = IntStream.range(0, sensors)
                .mapToObj(i -> String.format(Locale.ROOT, "page_bench_%04d", i))
                .toList();
        database.insertPerMinute(
                ids,
                Instant.now().truncatedTo(ChronoUnit.SECONDS),
                60,
                (sensor, minute) -> 18 + ThreadLocalRandom.current().nextDouble(10));

        var env = new HashMap<String, String>();
        env.put("DASHBOARD_PORT", "0");
        env.put("HEALTH_PORT", "0");
        env.put("DB_HOST", stack.dbHost());
        env.put("DB_PORT", Integer.toString(stack.dbPort()));
        env.put("DB_NAME", database.name());
        env.put("DB_USER", stack.database().username());
        env.put("DB_PASS", stack.database().password());
        env.put("RABBITMQ_MANAGEMENT_URL", stack.managementUri().toString());
        env.put("RABBITMQ_MONITOR_USER", stack.monitor().username());
        env.put("RABBITMQ_MONITOR_PASS", stack.monitor().password());
        env.put("MQTT_PAGE_USER", stack.page().username());
        env.put("MQTT_PAGE_PASS", stack.page().password());
        env.put("MQTT_LIVE_USER", stack.live().username());
        env.put("MQTT_LIVE_PASS", stack.live().password());
        env.put("MQTT_URIS", stack.mqttUri());
        var driver = Browser.start(1400, 900);
        try (var server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC())) {
            var js = (JavascriptExecutor) driver;
            var started = System.nanoTime();
            driver.get("http://127.0.0.1:" + server.port() + "/");
            while (((Number) js.executeScript("return document.querySelectorAll('#sensor-rows [data-sensor]').length;"))
                            .intValue()
                    < sensors) {
                Thread.sleep(10);
            }
            System.out.printf(
                    Locale.ROOT,
                    "%d rows visible %.0f ms after navigation started%n",
                    sensors,
                    (System.nanoTime() - started) / 1e6);
            while (!"connected"
                    .equals(js.executeScript("return document.getElementById('connection').dataset.state;"))) {
                Thread.sleep(20);
            }
            js.executeScript("""
                    const s = window.thermowatchStats;
                    s.flushes = 0; s.totalFlushMs = 0; s.maxFlushMs = 0; s.messages = 0;
                    window.__lag = { max: 0, sum: 0, n: 0 };
                    let last = performance.now();
                    setInterval(() => {
                      const now = performance.now(); const lag = Math.max(0, now - last - 50);
                      window.__lag.max = Math.max(window.__lag.max, lag); window.__lag.sum += lag; window.__lag.n++;
                      last = now;
                    }, 50);""");
            // Every sensor once a second, from several publishers in parallel (one QoS 1 client waits for each PUBACK).
            var published = new java.util.concurrent.atomic.AtomicLong();
            var deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            var threads = new java.util.ArrayList<Thread>();
            var publishers = new java.util.ArrayList<MqttTestClient>();
            for (var p = 0; p < PUBLISHERS; p++) {
                var share = ids.subList(p * ids.size() / PUBLISHERS, (p + 1) * ids.size() / PUBLISHERS);
                var client = MqttTestClient.connect(List.of(stack.mqttUri()), stack.sensor(), true);
                publishers.add(client);
                var thread =
                        new Thread(() -> publishRounds(client, share, deadline, published), "bench-publisher-" + p);
                thread.start();
                threads.add(thread);
            }
            for (var thread : threads) {
                thread.join();
            }
            for (var client : publishers) {
                client.close();
            }
            // The readings also filled the consumers' quorum queues (nobody consumes them here): leave them empty.
            stack.management().purge("thermowatch.db-writer");
            stack.management().purge("thermowatch.email-sender");
            Thread.sleep(1000);
            @SuppressWarnings("unchecked")
            var stats = (Map<String, Object>)
                    js.executeScript(
                            "return Object.assign({}, window.thermowatchStats, {lagMax: window.__lag.max, lagAvg: window.__lag.sum / window.__lag.n});");
            var flushes = ((Number) stats.get("flushes")).doubleValue();
            System.out.printf(
                    Locale.ROOT,
                    "published %,d readings in %d s, %d sensors, %d publishers (%.0f msg/s offered)%n",
                    published.get(),
                    seconds,
                    sensors,
                    PUBLISHERS,
                    published.get() / (double) seconds);
            System.out.printf(
                    Locale.ROOT,
                    "page received %,d messages; %,.0f DOM flushes (%.1f frames drawn a second); flush avg %.2f ms,"
                            + " max %.1f ms; event-loop lag avg %.1f ms, max %.1f ms%n",
                    ((Number) stats.get("messages")).longValue(),
                    flushes,
                    flushes / seconds,
                    ((Number) stats.get("totalFlushMs")).doubleValue() / Math.max(1, flushes),
                    ((Number) stats.get("maxFlushMs")).doubleValue(),
                    ((Number) stats.get("lagAvg")).doubleValue(),
                    ((Number) stats.get("lagMax")).doubleValue());
            Browser.screenshot(driver, "page-bench-" + sensors);
        } finally {
            driver.quit();
        }
    }
}
