package io.thermowatch.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.ScratchDatabase;
import io.thermowatch.testkit.Stack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The active alerts panel, the sensor table's site/room groups and a sensor's alert history in headless Chromium: the
 * dashboard in-process on its own database (readings and alert tables of db-writer's V1 and V6, roles of the stack),
 * alert events inserted as email-sender records them, the sensor labels from a rules file's inventory. Each test signs
 * in (or fails to) on a freshly loaded page: the token lives in the page's memory only. Screenshots in
 * {@code target/screenshots/}.
 */
class AlertsPanelBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOKEN = "it-browser-operator-" + UUID.randomUUID();
    private static final String EVIL = "<img src=x onerror=\"window.__xss=1\">";

    /** The rules file's inventory, as email-sender reads it: three rooms of one site, and a sensor it does not list. */
    private static final String INVENTORY = """
            inventory:
              grp_a1: {site: it-site, room: room-a, rack: A1, description: "inlet <b>cold</b>"}
              grp_a2: {site: it-site, room: room-a, rack: A2}
              grp_b1: {site: it-site, room: room-b, rack: B1}
              grp_b2: {site: it-site, room: room-b, rack: B2, description: exhaust}
              grp_c1: {site: it-site, room: room-c, rack: C1}
            rules:
              - {name: hall, sensors: "*", levels: {warning: {above: 30}, critical: {above: 35}}}
            """;

    @TempDir
    static Path config;

    private static Stack stack;
    private static ScratchDatabase database;
    private static DashboardService server;
    private static ChromeDriver driver;
    private static String url;
    private TestInfo testInfo;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.get();
        database = AlertTestDatabase.recreate(stack, "alerts_panel_browser_it");
        var env = AlertTestDatabase.dashboardEnv(stack, database, TOKEN);
        Files.writeString(config.resolve("alerts.yaml"), INVENTORY);
        env.put("SENSOR_INVENTORY_FILE", config.resolve("alerts.yaml").toString());
        server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(env)), Metrics.newRegistry("dashboard"), Clock.systemUTC());
        url = "http://127.0.0.1:" + server.port() + "/";
        driver = Browser.start(1400, 900);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void remember(TestInfo info) {
        this.testInfo = info;
    }

    @AfterEach
    void screenshot() {
        Browser.screenshot(
                driver, "alerts-" + testInfo.getTestMethod().orElseThrow().getName());
    }

    private static String newSensor() {
        return "pan_" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A WARNING since 12 minutes, escalated to CRITICAL 4 minutes ago, as email-sender records it. */
    private static void firing(String sensor) throws Exception {
        database.execute("INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level, value, mailed_at)"
                + " VALUES (now() - interval '12 minutes', '" + sensor.replace("'", "''")
                + "', 'hall', 'FIRING', 'NORMAL', 'WARNING', 31.2, now()),"
                + " (now() - interval '4 minutes', '" + sensor.replace("'", "''")
                + "', 'hall', 'FIRING', 'WARNING', 'CRITICAL', 36.4, now())");
    }

    private static WebElement row(String sensor) {
        for (WebElement tr : driver.findElements(By.cssSelector("#alert-rows tr"))) {
            if (sensor.equals(tr.getDomAttribute("data-sensor"))) {
                return tr;
            }
        }
        return null;
    }

    private static List<String> cells(String sensor) {
        WebElement tr = row(sensor);
        return tr == null
                ? List.of()
                : tr.findElements(By.tagName("td")).stream()
                        .map(td -> td.getDomProperty("textContent"))
                        .toList();
    }

    private static void signIn(String name, String token) {
        driver.findElement(By.id("operator-name")).sendKeys(name);
        driver.findElement(By.id("operator-token")).sendKeys(token);
        driver.findElement(By.id("operator-signin-button")).click();
    }

    @Test
    void the_panel_shows_level_since_when_and_an_operator_acknowledges_from_the_page() throws Exception {
        // Given a CRITICAL alert, and a sensor id that is markup
        String sensor = newSensor();
        firing(sensor);
        firing(EVIL);
        driver.get(url);
        await().atMost(WAIT).until(() -> row(sensor) != null);
        List<String> before = cells(sensor);
        assertEquals("CRITICAL", before.get(0));
        assertEquals("36.4 °C", before.get(3));
        assertTrue(before.get(4).contains("(12 min)"), before.toString());
        assertEquals("–", before.get(5));
        assertEquals("", before.get(6), "no action before signing in");
        // When the operator signs in and acknowledges it
        signIn("alice", TOKEN);
        await().atMost(WAIT).until(() -> cells(sensor).get(6).contains("Acknowledge"));
        row(sensor).findElement(By.xpath(".//button[text()='Acknowledge']")).click();
        // Then the panel says who acknowledged it, and the database has it
        await().atMost(WAIT).until(() -> cells(sensor).get(5).equals("acknowledged by alice"));
        assertEquals(
                1,
                database.count("SELECT count(*) FROM alert_acknowledgements WHERE sensor = '" + sensor
                        + "' AND rule = 'hall' AND acknowledged_by = 'alice'"));
        // And the markup sensor id is text, never markup
        assertTrue(row(EVIL) != null);
        assertEquals(null, ((JavascriptExecutor) driver).executeScript("return window.__xss;"));
        // And the token is nowhere the browser keeps things
        assertEquals(
                0L,
                ((JavascriptExecutor) driver)
                        .executeScript("return localStorage.length + sessionStorage.length + document.cookie.length;"));
        assertEquals("", driver.findElement(By.id("operator-token")).getDomProperty("value"));
    }

    @Test
    void a_wrong_token_signs_nobody_in_and_shows_no_action() throws Exception {
        // Given
        String sensor = newSensor();
        firing(sensor);
        driver.get(url);
        await().atMost(WAIT).until(() -> row(sensor) != null);
        // When
        signIn("mallory", "not-the-token-at-all");
        // Then
        await().atMost(WAIT)
                .until(() -> driver.findElement(By.id("operator-message"))
                        .getDomProperty("textContent")
                        .equals("Wrong operator token."));
        assertEquals("", cells(sensor).get(6));
        assertTrue(driver.findElement(By.id("operator-signed-in"))
                .getDomProperty("hidden")
                .equals("true"));
    }

    @Test
    void an_operator_silences_an_alert_from_the_page() throws Exception {
        // Given
        String sensor = newSensor();
        firing(sensor);
        driver.get(url);
        await().atMost(WAIT).until(() -> row(sensor) != null);
        signIn("bob", TOKEN);
        await().atMost(WAIT).until(() -> cells(sensor).get(6).contains("Silence"));
        // When
        row(sensor)
                .findElement(By.xpath(".//button[starts-with(text(), 'Silence')]"))
                .click();
        // Then
        await().atMost(WAIT).until(() -> cells(sensor).get(5).equals("silenced"));
        assertEquals(
                1,
                database.count("SELECT count(*) FROM alert_silences WHERE sensors = '" + sensor
                        + "' AND created_by = 'bob' AND ends_at > now() + interval '55 minutes'"));
    }

    /** The sensor table top to bottom: "# title" for a group heading, the sensor id for a sensor row. */
    private static List<String> tableOrder() {
        @SuppressWarnings("unchecked")
        var order = (List<String>)
                ((JavascriptExecutor) driver)
                        .executeScript(
                                "return Array.from(document.querySelectorAll('#sensor-rows > [role=row]'))"
                                        + ".map((row) => row.classList.contains('group') ? '# ' + row.dataset.group : row.dataset.sensor);");
        return order;
    }

    @Test
    void sensors_are_grouped_by_site_and_room_with_the_worst_group_first() throws Exception {
        // Given readings: room B has a sensor over the threshold (25), room C one with a WARNING alert firing, room A
        // is quiet; grp_u1 is not in the inventory
        database.execute("INSERT INTO temperature (time, sensor, value) VALUES"
                + " (now(), 'grp_a1', 20.0), (now(), 'grp_a2', 21.0), (now(), 'grp_b1', 20.5),"
                + " (now(), 'grp_b2', 31.0), (now(), 'grp_c1', 22.0), (now(), 'grp_u1', 22.5)"
                + " ON CONFLICT DO NOTHING");
        database.execute("INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level, value, mailed_at)"
                + " VALUES (now() - interval '3 minutes', 'grp_c1', 'hall', 'FIRING', 'NORMAL', 'WARNING', 30.4,"
                + " now())");
        // When the page loads
        driver.get(url);
        // Then the groups come worst first (not alphabetically), the unlabelled sensors last, each group worst first
        var expected = List.of(
                "# it-site / room-b",
                "grp_b2",
                "grp_b1",
                "# it-site / room-c",
                "grp_c1",
                "# it-site / room-a",
                "grp_a1",
                "grp_a2",
                "# unlabelled",
                "grp_u1");
        await().atMost(WAIT)
                .untilAsserted(() -> assertEquals(
                        expected,
                        tableOrder().stream().filter(expected::contains).toList()));
        // And each row shows its rack and description (as text), the value still in the second cell
        assertEquals(
                "A1 · inlet <b>cold</b>",
                ((JavascriptExecutor) driver)
                        .executeScript(
                                "return document.querySelector('#sensor-rows [data-sensor=\"grp_a1\"]').children[5]"
                                        + ".textContent;"));
        assertEquals(
                "31.0 °C",
                ((JavascriptExecutor) driver)
                        .executeScript(
                                "return document.querySelector('#sensor-rows [data-sensor=\"grp_b2\"]').children[1]"
                                        + ".textContent;"));
        assertTrue(driver.findElements(By.cssSelector("#sensors b")).isEmpty(), "labels are text, never markup");
        assertEquals(
                "2 sensors · 1 critical",
                driver.findElement(By.cssSelector("#sensor-rows .group[data-group='it-site / room-b'] .group-summary"))
                        .getDomProperty("textContent"));
    }

    @Test
    void selecting_a_sensor_shows_its_alert_history() throws Exception {
        // Given a sensor with a reading and four alert events: mailed, silenced (by a name that is markup),
        // acknowledged, resolved
        String sensor = newSensor();
        database.execute("INSERT INTO temperature (time, sensor, value) VALUES (now(), '" + sensor + "', 23.0)");
        database.execute("INSERT INTO alert_events (time, sensor, rule, kind, from_level, to_level, value, mailed_at,"
                + " silence_id, silenced_by, acknowledged_by) VALUES"
                + " (now() - interval '30 minutes', '" + sensor + "', 'hall', 'FIRING', 'NORMAL', 'WARNING', 31.2,"
                + " now() - interval '30 minutes', null, null, null),"
                + " (now() - interval '20 minutes', '" + sensor + "', 'hall', 'FIRING', 'WARNING', 'CRITICAL', 36.4,"
                + " null, 7, '" + EVIL.replace("'", "''") + "', null),"
                + " (now() - interval '10 minutes', '" + sensor + "', 'hall', 'REMINDER', 'CRITICAL', 'CRITICAL', 36.9,"
                + " null, null, null, 'dave'),"
                + " (now() - interval '5 minutes', '" + sensor + "', 'hall', 'RESOLVED', 'CRITICAL', 'NORMAL', 23.0,"
                + " now() - interval '5 minutes', null, null, null)");
        driver.get(url);
        await().atMost(WAIT)
                .until(() -> !driver.findElements(By.cssSelector("#sensor-rows [data-sensor='" + sensor + "']"))
                        .isEmpty());
        // When the operator clicks its row
        driver.findElement(By.cssSelector("#sensor-rows [data-sensor='" + sensor + "']"))
                .click();
        // Then the alert history panel shows its events, newest first
        await().atMost(WAIT)
                .until(() -> driver.findElement(By.id("alert-history-sensor"))
                                .getDomProperty("textContent")
                                .equals(sensor)
                        && driver.findElements(By.cssSelector("#alert-history-rows tr"))
                                        .size()
                                == 4);
        var rows = driver.findElements(By.cssSelector("#alert-history-rows tr")).stream()
                .map(tr -> tr.findElements(By.tagName("td")).stream()
                        .skip(1) // the time
                        .map(td -> td.getDomProperty("textContent"))
                        .toList())
                .toList();
        assertEquals(
                List.of("hall", "RESOLVED", "CRITICAL → NORMAL", "23.0 °C"),
                rows.get(0).subList(0, 4));
        assertTrue(rows.get(0).get(4).startsWith("mailed "), rows.get(0).toString());
        assertEquals(List.of("hall", "REMINDER", "CRITICAL", "36.9 °C", "acknowledged by dave"), rows.get(1));
        assertEquals(List.of("hall", "FIRING", "WARNING → CRITICAL", "36.4 °C", "silenced by " + EVIL), rows.get(2));
        assertEquals(
                List.of("hall", "FIRING", "NORMAL → WARNING", "31.2 °C"),
                rows.get(3).subList(0, 4));
        assertEquals(null, ((JavascriptExecutor) driver).executeScript("return window.__xss;"));
        // (the panel in the screenshot)
        ((JavascriptExecutor) driver).executeScript("document.getElementById('alert-history-panel').scrollIntoView();");
    }
}
