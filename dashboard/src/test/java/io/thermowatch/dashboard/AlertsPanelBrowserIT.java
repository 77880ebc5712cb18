package io.thermowatch.dashboard;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thermowatch.common.config.EnvConfig;
import io.thermowatch.common.runtime.Metrics;
import io.thermowatch.testkit.Stack;
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
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * The active alerts panel in headless Chromium: the dashboard in-process on its own database (alert tables of
 * db-writer's V6, roles of the stack), alert events inserted as email-sender records them. Each test signs in (or
 * fails to) on a freshly loaded page: the token lives in the page's memory only. Screenshots in
 * {@code target/screenshots/}.
 */
class AlertsPanelBrowserIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOKEN = "it-browser-operator-" + UUID.randomUUID();
    private static final String EVIL = "<img src=x onerror=\"window.__xss=1\">";

    private static Stack stack;
    private static AlertTestDatabase database;
    private static DashboardService server;
    private static ChromeDriver driver;
    private static String url;
    private TestInfo testInfo;

    @BeforeAll
    static void start() throws Exception {
        stack = Stack.get();
        database = AlertTestDatabase.recreate(stack, "alerts_panel_browser_it");
        server = DashboardService.start(
                DashboardConfig.fromEnv(EnvConfig.of(database.dashboardEnv(TOKEN))),
                Metrics.newRegistry("dashboard"),
                Clock.systemUTC());
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
}
