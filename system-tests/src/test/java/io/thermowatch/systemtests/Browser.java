package io.thermowatch.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium (Debian's {@code chromium} and {@code chromium-driver}, installed by {@code scripts/stack
 * install}) looking at the dashboard page: the same browser the dashboard module's page test uses. Fails with
 * instructions if the browser is missing; never downloads one.
 */
final class Browser implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private final WebDriver driver;

    private Browser(WebDriver driver) {
        this.driver = driver;
    }

    static Browser open() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            throw new AssertionError("headless Chromium needs " + CHROMIUM + " and " + DRIVER
                    + ": install them with `scripts/stack install` (Debian packages chromium, chromium-driver)");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options));
    }

    void load(String url) {
        driver.get(url);
    }

    /** Waits until the sensor table has a row for {@code sensorId} whose {@code data-status} is {@code status}. */
    void awaitSensorStatus(String sensorId, String status, Duration timeout) {
        new WebDriverWait(driver, timeout)
                .withMessage(() -> "row of " + sensorId + " with status " + status + "; rows now: " + rows())
                .until(d -> d.findElements(By.cssSelector("#sensor-rows [data-sensor='" + sensorId + "']")).stream()
                        .anyMatch(row -> status.equals(row.getAttribute("data-status"))));
    }

    /** {@code id:status} of every sensor row of the table (not the site/room headings). */
    List<String> rows() {
        return driver.findElements(By.cssSelector("#sensor-rows [data-sensor]")).stream()
                .map(row -> row.getAttribute("data-sensor") + ":" + row.getAttribute("data-status"))
                .toList();
    }

    /** The visible text of the sensor's row (value, status, time), or empty if it has none. */
    String rowText(String sensorId) {
        return driver.findElements(By.cssSelector("#sensor-rows [data-sensor='" + sensorId + "']")).stream()
                .map(WebElement::getText)
                .findFirst()
                .orElse("");
    }

    String pageSource() {
        return driver.getPageSource();
    }

    String text(String elementId) {
        WebElement element = driver.findElement(By.id(elementId));
        return element.getText();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
