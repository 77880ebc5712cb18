package io.thermowatch.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The page in headless Chromium against the native stack: the dashboard jar on a free port, its own database, live
 * updates over MQTT-over-WebSocket through HAProxy. Each test leaves a screenshot in {@code target/screenshots/}.
 */
class DashboardBrowserIT {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardBrowserIT.class);
    private static final Duration TWO_SECONDS = Duration.ofSeconds(2);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private static final String COOL = "room_" + RUN + "_cool";
    private static final String WARM = "room_" + RUN + "_warm";
    private static final String EVIL = "<img src=x onerror=\"window.__xss=1\">";

    private static Stack stack;
    private static TestDatabase database;
    private static ServiceProcess dashboard;
    private static ChromeDriver driver;
    private static MqttTestClient publisher;
    private static String url;
    private TestInfo testInfo;

    @BeforeAll
    static void startDashboardAndBrowser() throws Exception {
        stack = Stack.get();
        database = TestDatabase.create(stack, "dashboard_browser_it").withEmptyTable();
        var now = Instant.now();
        database.insertPerMinute(
                List.of(COOL, WARM), now.minusSeconds(30), 60, (sensor, minute) -> 21.0 + (minute % 7) / 10.0);
        database.insert(COOL, now.minusSeconds(5), 21.4);
        database.insert(WARM, now.minusSeconds(5), 23.8);
        database.insert(EVIL, now.minusSeconds(5), 20.5);
        var port = ServiceEnv.freePort();
        dashboard = startDashboard(port, Map.of());
        url = "http://127.0.0.1:" + port + "/";
        publisher = MqttTestClient.connect(List.of(stack.mqttUri()), stack.sensor(), true);
        driver = Browser.start(1400, 900);
    }

    private static ServiceProcess startDashboard(int port, Map<String, String> extra) {
        return database.startDashboardProcess(port, extra);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @BeforeEach
    void remember(TestInfo info) {
        this.testInfo = info;
    }

    @AfterEach
    void screenshot() {
        var file = Browser.screenshot(
                driver, testInfo.getTestMethod().orElseThrow().getName());
        LOG.info("screenshot: {}", file.toAbsolutePath());
    }

    @Test
    void rows_are_visible_within_two_seconds_of_load_without_any_publish() throws Exception {
        // Given stored readings younger than the offline timeout, whenever this test runs
        database.insert(COOL, Instant.now().minusSeconds(1), 21.4);
        database.insert(WARM, Instant.now().minusSeconds(1), 23.8);

        // When
        var started = System.nanoTime();
        driver.get(url);

        // Then
        await().atMost(TWO_SECONDS)
                .pollInterval(Duration.ofMillis(50))
                .until(() ->
                        cellText(COOL, 1).equals("21.4 °C") && cellText(WARM, 1).equals("23.8 °C"));
        LOG.info("rows visible {} ms after navigation started", (System.nanoTime() - started) / 1_000_000);
        assertEquals("online", row(COOL).getAttribute("data-status"));
        assertEquals(
                List.of("Sensor", "Temperature", "Status", "Timestamp", "Chart", "Rack / description"),
                driver.findElements(By.cssSelector("#sensors [role=columnheader]")).stream()
                        .map(th -> th.getDomProperty("textContent"))
                        .toList());
        assertTrue(cellText(COOL, 3).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}"), cellText(COOL, 3));
        var cspViolations = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy"))
                .toList();
        assertEquals(List.of(), cspViolations, "the page runs under its strict CSP");
    }

    @Test
    void a_hostile_sensor_id_renders_as_text() {
        // When
        driver.get(url);

        // Then
        await().atMost(TWO_SECONDS).until(() -> findRow(EVIL).isPresent());
        assertEquals(
                EVIL,
                findRow(EVIL)
                        .orElseThrow()
                        .findElements(By.cssSelector("[role=cell]"))
                        .get(0)
                        .getText());
        assertTrue(
                driver.findElements(By.cssSelector("#sensors img, #chart-sensor img"))
                        .isEmpty(),
                "no element injected");
        assertEquals(Boolean.FALSE, js("return window.__xss === 1;"));
    }

    @Test
    void clicking_a_row_charts_that_sensors_last_hour_with_live_points_appended() {
        // Given
        loadAndAwaitLive();

        // When
        row(WARM).click();

        // Then an hour of per-minute history is drawn
        await().atMost(TWO_SECONDS)
                .until(() -> WARM.equals(js("return window.thermowatchStats.chartSensor;")) && chartPoints() >= 55);
        assertEquals(WARM, driver.findElement(By.id("chart-sensor")).getText());
        assertEquals("true", row(WARM).getAttribute("aria-selected"));

        // And a live reading is appended
        publish(WARM, 24.9);
        await().atMost(TWO_SECONDS)
                .until(() -> Double.valueOf(24.9).equals(js("return window.thermowatchStats.chartLastValue;")));
    }

    @Test
    void a_publish_updates_the_row_within_two_seconds() {
        // Given
        loadAndAwaitLive();

        // When
        publish(COOL, 22.7);

        // Then
        await().atMost(TWO_SECONDS)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> cellText(COOL, 1).equals("22.7 °C"));
        assertEquals("false", row(COOL).getAttribute("data-hot"));
    }

    @Test
    void a_hot_reading_highlights_the_row() {
        // Given
        loadAndAwaitLive();

        // When
        publish(WARM, 31.2);

        // Then
        await().atMost(TWO_SECONDS)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "true".equals(row(WARM).getAttribute("data-hot")));
        assertTrue(row(WARM).getAttribute("class").contains("hot"));
        assertEquals("31.2 °C", cellText(WARM, 1));
    }

    @Test
    void an_offline_status_marks_the_sensor_offline_at_once() throws Exception {
        // Given a sensor of this test's own (the dashboard remembers its offline status for the other tests' pages)
        String gone = "room_" + RUN + "_gone";
        database.insert(gone, Instant.now().minusSeconds(5), 21.2);
        loadAndAwaitLive();
        await().atMost(TWO_SECONDS).until(() -> findRow(gone).isPresent());

        // When
        publisher.publish("sensors/" + gone + "/status", "offline");

        // Then
        await().atMost(TWO_SECONDS)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "offline".equals(row(gone).getAttribute("data-status")));
        assertEquals("offline", cellText(gone, 2));

        // And a reading brings it back
        publish(gone, 21.9);
        await().atMost(TWO_SECONDS).until(() -> "online".equals(row(gone).getAttribute("data-status")));
    }

    @Test
    void killing_the_node_the_page_uses_reconnects_it_and_the_cluster_panel_shows_the_dead_node() {
        // Given the page live, and the node its WebSocket landed on
        loadAndAwaitLive();
        var clientId = (String) js("return window.thermowatchStats.clientId;");
        var nodeName = await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> nodeOfConnection(clientId), Optional::isPresent)
                .orElseThrow();
        var node = Integer.parseInt(nodeName.replaceAll("\\D", ""));
        LOG.info("page {} is connected to {}", clientId, nodeName);
        var connectsBefore = ((Number) js("return window.thermowatchStats.connects;")).intValue();
        try {
            // When
            stack.killNode(node);

            // Then the page reconnects through HAProxy to a live node
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> ((Number) js("return window.thermowatchStats.connects;")).intValue() > connectsBefore
                            && "connected"
                                    .equals(driver.findElement(By.id("connection"))
                                            .getAttribute("data-state")));
            // and keeps updating
            publisher.publishUntilAcknowledged("temperature/" + COOL, payload(24.4), Duration.ofSeconds(20));
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cellText(COOL, 1).equals("24.4 °C"));
            // and the cluster panel shows the dead node
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !driver.findElements(
                                    By.cssSelector("#nodes li[data-node='" + nodeName + "'][data-running='false']"))
                            .isEmpty());
            Browser.screenshot(driver, testInfo.getTestMethod().orElseThrow().getName() + "-node-down");
        } finally {
            stack.startNode(node);
        }
        // After the restart the panel shows every node running again
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> driver.findElements(By.cssSelector("#nodes li[data-running='true']"))
                                .size()
                        == Stack.NODES);
    }

    @Test
    void a_sensor_without_readings_for_the_offline_timeout_turns_stale() {
        // Given a dashboard whose offline timeout is 3 s; the stored readings are older than that
        var port = ServiceEnv.freePort();
        try (var shortTimeout = startDashboard(port, Map.of("SENSOR_OFFLINE_AFTER", "3s"))) {
            driver.get("http://127.0.0.1:" + port + "/");
            // stale from the API at once, or from the page within 3 s if the stored reading was younger than that
            await().atMost(Duration.ofSeconds(6)).until(() -> "stale".equals(attributeOf(WARM, "data-status")));
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> "connected"
                            .equals(driver.findElement(By.id("connection")).getAttribute("data-state")));

            // When a reading arrives, then nothing for 3 s
            publish(WARM, 22.2);
            await().atMost(TWO_SECONDS).until(() -> "online".equals(attributeOf(WARM, "data-status")));

            // Then the page marks it stale by itself
            await().atMost(Duration.ofSeconds(6)).until(() -> "stale".equals(attributeOf(WARM, "data-status")));
            assertEquals("stale", cellText(WARM, 2));
            assertTrue(row(WARM).getAttribute("class").contains("stale"));
        }
    }

    @Test
    void a_sensor_silent_for_longer_than_the_retire_time_leaves_the_page_and_its_next_reading_brings_it_back() {
        // Given a dashboard that retires sensors after 6 s of silence (stale after 2 s): the class's stored sensors
        // leave the page (retired by the API, or by the page if their newest reading was younger than 6 s)
        var leaving = "room_" + RUN + "_leaving";
        var port = ServiceEnv.freePort();
        try (var shortRetire =
                startDashboard(port, Map.of("SENSOR_OFFLINE_AFTER", "2s", "SENSOR_RETIRE_AFTER", "6s"))) {
            driver.get("http://127.0.0.1:" + port + "/");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> "connected"
                            .equals(driver.findElement(By.id("connection")).getAttribute("data-state")));
            await().atMost(Duration.ofSeconds(8))
                    .until(() -> findRow(COOL).isEmpty() && findRow(WARM).isEmpty() && retiredCount() >= 2);

            // When a reading arrives, then nothing
            publish(leaving, 21.0);
            await().atMost(TWO_SECONDS).until(() -> "online".equals(attributeOf(leaving, "data-status")));
            var retiredBefore = retiredCount();

            // Then the row turns stale, then leaves, and the summary counts it
            await().atMost(Duration.ofSeconds(5)).until(() -> "stale".equals(attributeOf(leaving, "data-status")));
            await().atMost(Duration.ofSeconds(8)).until(() -> findRow(leaving).isEmpty());
            assertEquals(retiredBefore + 1, retiredCount());
            assertTrue(driver.findElement(By.id("summary-retired")).isDisplayed());

            // And its next reading brings it back
            publish(leaving, 21.5);
            await().atMost(TWO_SECONDS).until(() -> cellText(leaving, 1).equals("21.5 °C"));
        }
    }

    private static int retiredCount() {
        return Integer.parseInt((String) js("return document.getElementById('count-retired').textContent;"));
    }

    @Test
    void the_page_renews_its_token_before_it_expires_and_stays_live() {
        // Given a dashboard whose page tokens live 10 s (the page replaces its connection at 70 %, i.e. every 7 s)
        var port = ServiceEnv.freePort();
        try (var shortTokens = startDashboard(port, Map.of("MQTT_PAGE_TOKEN_LIFETIME", "10s"))) {
            driver.get("http://127.0.0.1:" + port + "/");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> "connected"
                            .equals(driver.findElement(By.id("connection")).getAttribute("data-state")));
            var firstClient = (String) js("return window.thermowatchStats.clientId;");

            // When two renewals happened (past the first token's expiry)
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ((Number) js("return window.thermowatchStats.renewals;")).intValue() >= 2);

            // Then the page is on a new connection, never went through a reconnect, and is still live
            assertTrue(!firstClient.equals(js("return window.thermowatchStats.clientId;")));
            assertEquals(1, ((Number) js("return window.thermowatchStats.connects;")).intValue(), "no reconnect");
            assertEquals("connected", driver.findElement(By.id("connection")).getAttribute("data-state"));
            publish(COOL, 23.1);
            await().atMost(TWO_SECONDS)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cellText(COOL, 1).equals("23.1 °C"));
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    @Test
    void a_retained_reading_stamped_in_the_future_never_pins_a_row() throws Exception {
        // Given: the page live (RabbitMQ replays retained messages only to exact-topic subscriptions, so the
        // dashboard's temperature/+ sees them as they are published, and forwards what the codec accepts)
        var year2100 = "room_" + RUN + "_y2100";
        var ahead = "room_" + RUN + "_ahead";
        loadAndAwaitLive();
        try {
            // When: a retained reading stamped in the year 2100 (outside the codec's rules), then a normal one
            var invalidBefore = invalidReadings();
            publisher.publishRetained(
                    "temperature/" + year2100,
                    payload(99.9, Instant.parse("2100-01-01T00:00:00Z").toEpochMilli()));
            publish(year2100, 21.5);

            // Then: the next reading shows, and the page never even received the invalid one (the dashboard's live
            // feed forwards only what the codec accepts; the page would have counted it)
            await().atMost(TWO_SECONDS)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cellText(year2100, 1).equals("21.5 °C"));
            assertEquals(invalidBefore, invalidReadings());

            // When: a retained reading stamped 4 minutes ahead (inside the codec's rules), then one stamped now
            publisher.publishRetained(
                    "temperature/" + ahead,
                    payload(
                            30.5,
                            System.currentTimeMillis() + Duration.ofMinutes(4).toMillis()));
            await().atMost(TWO_SECONDS).until(() -> cellText(ahead, 1).equals("30.5 °C"));
            publish(ahead, 22.5);

            // Then: the reading that arrived last is the latest, whatever the stamps say
            await().atMost(TWO_SECONDS)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> cellText(ahead, 1).equals("22.5 °C"));

            // And a sensor whose live readings are stamped 4 minutes ahead is marked, until its clock is right again
            publisher.publishUntilAcknowledged(
                    "temperature/" + ahead,
                    payload(
                            23.5,
                            System.currentTimeMillis() + Duration.ofMinutes(4).toMillis()),
                    Duration.ofSeconds(10));
            await().atMost(TWO_SECONDS).until(() -> "ahead".equals(attributeOf(ahead, "data-skew")));
            assertTrue(cellText(ahead, 3).endsWith("clock ahead 4 min"), cellText(ahead, 3));
            assertEquals("23.5 °C", cellText(ahead, 1));
            publish(ahead, 24.0);
            await().atMost(TWO_SECONDS).until(() -> cellText(ahead, 1).equals("24.0 °C"));
            assertEquals("", attributeOf(ahead, "data-skew"));
        } finally {
            publisher.publishRetained("temperature/" + year2100, new byte[0]);
            publisher.publishRetained("temperature/" + ahead, new byte[0]);
        }
    }

    private static int invalidReadings() {
        return ((Number) js("return window.thermowatchStats.invalidReadings;")).intValue();
    }

    private static byte[] payload(double value, long timestampMillis) {
        return ("{\"value\":" + value + ",\"timestamp\":" + timestampMillis + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static void loadAndAwaitLive() {
        driver.get(url);
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "connected"
                        .equals(driver.findElement(By.id("connection")).getAttribute("data-state")));
        await().atMost(TWO_SECONDS)
                .until(() -> findRow(COOL).isPresent() && findRow(WARM).isPresent());
    }

    private static int chartPoints() {
        return ((Number) js("return window.thermowatchStats.chartPoints;")).intValue();
    }

    private static byte[] payload(double value) {
        return ("{\"value\":" + value + ",\"timestamp\":" + System.currentTimeMillis() + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void publish(String sensor, double value) {
        publisher.publishUntilAcknowledged("temperature/" + sensor, payload(value), Duration.ofSeconds(10));
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    /**
     * The row of a sensor, found by its id as text (works for any id, markup included), in one script: the page may
     * remove a row (a retired sensor) between a lookup and a read, which two WebDriver calls would meet as a stale
     * element.
     */
    private static Optional<WebElement> findRow(String sensor) {
        return Optional.ofNullable((WebElement) ((JavascriptExecutor) driver)
                .executeScript(
                        "return Array.from(document.querySelectorAll('#sensor-rows [data-sensor]'))"
                                + ".find((row) => row.dataset.sensor === arguments[0]) || null;",
                        sensor));
    }

    /** An attribute of the sensor's row, null without a row; read in the same script that finds the row. */
    private static String attributeOf(String sensor, String attribute) {
        return (String) ((JavascriptExecutor) driver)
                .executeScript(
                        "const row = Array.from(document.querySelectorAll('#sensor-rows [data-sensor]'))"
                                + ".find((r) => r.dataset.sensor === arguments[0]);"
                                + " return row ? row.getAttribute(arguments[1]) : null;",
                        sensor,
                        attribute);
    }

    private static WebElement row(String sensor) {
        return driver.findElement(By.cssSelector("#sensor-rows [data-sensor='" + sensor + "']"));
    }

    private static String cellText(String sensor, int column) {
        var rows = driver.findElements(By.cssSelector("#sensor-rows [data-sensor='" + sensor + "']"));
        return rows.isEmpty()
                ? ""
                : rows.get(0)
                        .findElements(By.cssSelector("[role=cell]"))
                        .get(column)
                        .getText();
    }

    /** The node of the page's Web MQTT connection, from the management API (statistics lag a few seconds). */
    private static Optional<String> nodeOfConnection(String clientId) {
        for (var connection : stack.management().connections()) {
            var properties = connection.path("client_properties");
            var matches = clientId.equals(properties.path("client_id").asText())
                    || connection.path("name").asText().contains(clientId);
            if (matches) {
                return Optional.of(connection.path("node").asText());
            }
        }
        return Optional.empty();
    }
}
