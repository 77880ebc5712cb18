package io.thermowatch.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
 * The chart panel in headless Chromium against the native stack (the dashboard jar on a free port, database
 * {@code dashboard_chart_browser_it}): the time-range picker, several sensors in one chart, the CSV download link.
 * The dashboard's exports are capped at {@value #CSV_MAX_ROWS} rows, so a 30-day export is refused. Each test leaves a
 * screenshot in {@code target/screenshots/}.
 */
class DashboardChartBrowserIT {

    private static final Logger LOG = LoggerFactory.getLogger(DashboardChartBrowserIT.class);
    private static final Duration TWO_SECONDS = Duration.ofSeconds(2);
    private static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
    private static final String AISLE = "aisle_" + RUN;
    private static final String EXHAUST = "exhaust_" + RUN;
    private static final String INLET = "inlet_" + RUN;
    private static final int CSV_MAX_ROWS = 1_000;

    private static TestDatabase database;
    private static ServiceProcess dashboard;
    private static ChromeDriver driver;
    private static MqttTestClient publisher;
    private static Path downloads;
    private static String url;
    private TestInfo testInfo;

    @BeforeAll
    static void startDashboardAndBrowser() throws Exception {
        var stack = Stack.get();
        database = TestDatabase.create(stack, "dashboard_chart_browser_it").withEmptyTable();
        // Each sensor: a reading every 20 minutes for 31 days up to 80 minutes ago (2,229), and every minute in the
        // last hour (60) at a level of its own, so that the three lines are told apart in the screenshots
        var now = Instant.now();
        var levels = Map.of(AISLE, 21.0, EXHAUST, 23.5, INLET, 18.5);
        for (var sensor : List.of(AISLE, EXHAUST, INLET)) {
            database.insertEvery(sensor, now.minus(Duration.ofDays(31)), 31 * 24 * 3 - 3, Duration.ofMinutes(20));
            database.insertPerMinute(
                    List.of(sensor), now.minusSeconds(30), 60, (id, minute) -> levels.get(id) + (minute % 7) / 10.0);
        }
        var port = ServiceEnv.freePort();
        dashboard = database.startDashboardProcess(port, Map.of("CSV_MAX_ROWS", Integer.toString(CSV_MAX_ROWS)));
        url = "http://127.0.0.1:" + port + "/";
        publisher = MqttTestClient.connect(List.of(stack.mqttUri()), stack.sensor(), true);
        downloads = Files.createTempDirectory("dashboard-downloads-");
        driver = Browser.start(1400, 900, downloads);
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
    void the_range_picker_redraws_the_chart_over_the_chosen_range() {
        // Given the page with one sensor charted over the last hour
        load();
        row(AISLE).click();
        await().atMost(TWO_SECONDS).until(() -> series().size() == 1 && points(0) >= 55);
        assertEquals(
                List.of("1 h", "6 h", "24 h", "7 d", "30 d"),
                driver.findElements(By.cssSelector("#ranges button")).stream()
                        .map(WebElement::getText)
                        .toList());
        assertEquals("true", rangeButton("1h").getAttribute("aria-pressed"));

        // When 7 days are picked
        rangeButton("7d").click();

        // Then the week in hour buckets (db-writer's hour aggregate under TimescaleDB): 168 points, 7 days back
        await().atMost(TWO_SECONDS)
                .until(() -> "7d".equals(stat("chartRange"))
                        && Long.valueOf(3_600_000).equals(stat("chartStepMillis"))
                        && points(0) >= 160);
        assertTrue(points(0) <= HistoryRange.MAX_POINTS_PER_SENSOR + 60, "buckets plus the live minute");
        assertTrue(firstSecondsAgo(0) > Duration.ofDays(6).toSeconds(), "reaches back a week");
        assertEquals("true", rangeButton("7d").getAttribute("aria-pressed"));
        assertEquals("false", rangeButton("1h").getAttribute("aria-pressed"));
        assertEquals("Last 7 d", driver.findElement(By.id("chart-range")).getText());

        // And 30 days in two-hour buckets
        rangeButton("30d").click();
        await().atMost(TWO_SECONDS)
                .until(() -> Long.valueOf(7_200_000).equals(stat("chartStepMillis")) && points(0) >= 350);
        assertTrue(firstSecondsAgo(0) > Duration.ofDays(29).toSeconds(), "reaches back 30 days");
        assertEquals(List.of(), cspViolations(), "the page runs under its strict CSP");
    }

    @Test
    void ticked_sensors_are_drawn_as_lines_of_one_chart_with_live_points() {
        // Given one sensor charted
        load();
        row(AISLE).click();
        await().atMost(TWO_SECONDS).until(() -> series().size() == 1);

        // When two more are ticked
        chartToggle(EXHAUST).click();
        chartToggle(INLET).click();

        // Then the chart has a line for each, in the order ticked, each with its hour of history, and a legend entry
        await().atMost(TWO_SECONDS)
                .until(() -> series().size() == 3 && points(0) >= 55 && points(1) >= 55 && points(2) >= 55);
        assertEquals(List.of(AISLE, EXHAUST, INLET), chartedSensors());
        assertEquals(
                List.of(AISLE, EXHAUST, INLET, "threshold"),
                driver.findElements(By.cssSelector("#chart .u-legend .u-series .u-label")).stream()
                        .map(label -> label.getDomProperty("textContent"))
                        .filter(label -> !label.isEmpty() && !label.equals("Time"))
                        .toList());
        assertEquals(
                AISLE + ", " + EXHAUST + ", " + INLET,
                driver.findElement(By.id("chart-sensor")).getText());
        assertTrue(chartToggle(EXHAUST).isSelected());

        // And a live reading of a ticked sensor is appended to its own line
        publisher.publishUntilAcknowledged(
                "temperature/" + EXHAUST,
                ("{\"value\":26.4,\"timestamp\":" + System.currentTimeMillis() + "}").getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        await().atMost(TWO_SECONDS).until(() -> Double.valueOf(26.4).equals(seriesField(1, "last")));
        Browser.screenshot(driver, testInfo.getTestMethod().orElseThrow().getName() + "-three");

        // When one is unticked, its line goes
        chartToggle(AISLE).click();
        await().atMost(TWO_SECONDS).until(() -> chartedSensors().equals(List.of(EXHAUST, INLET)));
        assertTrue(!chartToggle(AISLE).isSelected());
        assertEquals(List.of(), cspViolations(), "the page runs under its strict CSP");
    }

    @Test
    void the_csv_link_downloads_the_raw_readings_of_the_charted_range() throws Exception {
        // Given one sensor charted over 24 hours
        load();
        row(INLET).click();
        rangeButton("24h").click();
        await().atMost(TWO_SECONDS).until(() -> "24h".equals(stat("chartRange")));
        var link = driver.findElement(By.cssSelector("#csv-links a.csv[data-sensor='" + INLET + "']"));
        assertEquals(INLET + ".csv", link.getText());
        var downloadsBefore = ((Number) stat("downloads")).intValue();
        var clicked = Instant.now();

        // When
        link.click();

        // Then the browser saves the server's file: every reading of the last 24 hours of that sensor, in order
        var file = await().atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> savedCsv(INLET), path -> path != null);
        assertEquals(downloadsBefore + 1, ((Number) stat("downloads")).intValue());
        var lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals("time,sensor,value", lines.get(0));
        var first = Instant.parse(lines.get(1).split(",")[0]);
        var last = Instant.parse(lines.get(lines.size() - 1).split(",")[0]);
        assertTrue(first.isAfter(clicked.minus(Duration.ofHours(24))), "from 24 h back: " + first);
        assertTrue(first.isBefore(clicked.minus(Duration.ofHours(24)).plus(Duration.ofMinutes(22))), "" + first);
        // (the file says milliseconds; the test's rows were stored with the microseconds of Instant.now())
        assertEquals(
                countReadings(INLET, first, last.plusMillis(1)) + 1,
                lines.size(),
                "header plus each stored reading, once");
        assertTrue(lines.get(1)
                .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z," + INLET + ",2\\d(\\.\\d)?"));
    }

    @Test
    void a_csv_export_over_the_row_limit_is_refused_on_the_page_with_the_servers_reason() throws Exception {
        // Given 30 days charted: about 2,200 readings, over this dashboard's CSV_MAX_ROWS
        load();
        row(AISLE).click();
        rangeButton("30d").click();
        await().atMost(TWO_SECONDS).until(() -> "30d".equals(stat("chartRange")));
        var downloadsBefore = ((Number) stat("downloads")).intValue();

        // When
        driver.findElement(By.cssSelector("#csv-links a.csv[data-sensor='" + AISLE + "']"))
                .click();

        // Then the page says why, and nothing is downloaded
        var error = driver.findElement(By.id("download-error"));
        await().atMost(TWO_SECONDS).until(error::isDisplayed);
        assertTrue(error.getText().contains("more than " + CSV_MAX_ROWS + " readings"), error.getText());
        assertEquals(downloadsBefore, ((Number) stat("downloads")).intValue());
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static void load() {
        driver.get(url);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> findRows(AISLE)
                        && findRows(EXHAUST)
                        && findRows(INLET)
                        && driver.findElements(By.cssSelector("#ranges button")).size() == 5);
    }

    private static boolean findRows(String sensor) {
        return !driver.findElements(By.cssSelector("#sensor-rows [data-sensor='" + sensor + "']"))
                .isEmpty();
    }

    private static WebElement row(String sensor) {
        return driver.findElement(By.cssSelector("#sensor-rows [data-sensor='" + sensor + "']"));
    }

    private static WebElement chartToggle(String sensor) {
        return row(sensor).findElement(By.cssSelector("input.chart-toggle"));
    }

    private static WebElement rangeButton(String name) {
        return driver.findElement(By.cssSelector("#ranges button[data-range='" + name + "']"));
    }

    private static Object js(String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static Object stat(String name) {
        return js("return window.thermowatchStats." + name + ";");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> series() {
        return (List<Map<String, Object>>) stat("chartSeries");
    }

    private static List<String> chartedSensors() {
        return series().stream().map(s -> (String) s.get("sensor")).toList();
    }

    private static Object seriesField(int index, String field) {
        var series = series();
        return index < series.size() ? series.get(index).get(field) : null;
    }

    private static int points(int index) {
        var points = seriesField(index, "points");
        return points == null ? 0 : ((Number) points).intValue();
    }

    private static long firstSecondsAgo(int index) {
        var first = ((Number) seriesField(index, "first")).doubleValue();
        return Instant.now().getEpochSecond() - (long) first;
    }

    private static List<String> cspViolations() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(LogEntry::getMessage)
                .filter(message -> message.contains("Content Security Policy"))
                .toList();
    }

    /** The finished download of {@code sensor}'s CSV (Chromium renames it from {@code .crdownload} when done). */
    private static Path savedCsv(String sensor) throws Exception {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.filter(f -> f.getFileName().toString().startsWith("thermowatch_" + sensor + "_"))
                    .filter(f -> f.getFileName().toString().endsWith(".csv"))
                    .findFirst()
                    .orElse(null);
        }
    }

    private static long countReadings(String sensor, Instant from, Instant to) throws Exception {
        try (var connection = database.open();
                var query = connection.prepareStatement(
                        "SELECT count(*) FROM temperature WHERE sensor = ? AND time >= ? AND time < ?")) {
            query.setString(1, sensor);
            query.setObject(2, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
            query.setObject(3, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
            try (var rs = query.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
