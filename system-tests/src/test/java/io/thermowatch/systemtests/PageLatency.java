package io.thermowatch.systemtests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Publish → browser latency: the dashboard open in headless Chromium, a marker sensor publishing a distinct value
 * ~5 times a second, and a MutationObserver in the page that records {@code [text, Date.now()]} each time the
 * marker's value cell changes. The page and this JVM read the same host clock, so rendered-at − published-at is
 * the latency (including the page's one-frame batching of row updates).
 */
final class PageLatency implements AutoCloseable {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** Distinct one-decimal values (the page shows toFixed(1)): −50.0 … 24.9, all under the alert threshold. */
    private static final int DISTINCT_VALUES = 750;

    // Records every new text of the marker's value cell; polled (and emptied) from Java.
    private static final String OBSERVER = """
            const marker = arguments[0];
            const rows = document.getElementById('sensor-rows');
            const marks = window.__benchMarks = [];
            let last = null;
            new MutationObserver(() => {
              const row = rows.querySelector('[data-sensor="' + marker + '"]');
              if (!row) { return; }
              const text = row.children[1].textContent;
              if (text !== last) { last = text; marks.push([text, Date.now()]); }
            }).observe(rows, { childList: true, subtree: true, characterData: true });
            """;

    private final WebDriver driver;

    private PageLatency(WebDriver driver) {
        this.driver = driver;
    }

    /** Opens {@code url} in headless Chromium and waits until the page's live connection is up. */
    static PageLatency open(String url) {
        return open(url, 1);
    }

    /**
     * Opens {@code url} in {@code pages} tabs of one headless Chromium (each page its own live connection, as that
     * many viewers) and waits until each is live; the first tab is the one {@link #measure} watches. Background tabs
     * keep running their timers and rendering (the flags below), so each costs what a visible page costs.
     */
    static PageLatency open(String url, int pages) {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("headless Chromium needs " + CHROMIUM + " and " + DRIVER
                    + ": install them with `scripts/stack install`");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--disable-background-timer-throttling",
                "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows",
                "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        PageLatency page = new PageLatency(new ChromeDriver(service, options));
        try {
            page.driver.get(url);
            awaitLive(page.driver, 1);
            String watched = page.driver.getWindowHandle();
            for (int n = 2; n <= pages; n++) {
                page.driver.switchTo().newWindow(WindowType.TAB);
                page.driver.get(url);
                awaitLive(page.driver, n);
            }
            page.driver.switchTo().window(watched);
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
        return page;
    }

    private static void awaitLive(WebDriver driver, int n) {
        new WebDriverWait(driver, Duration.ofSeconds(30))
                .withMessage(() -> "dashboard live connection up in page " + n)
                .until(d ->
                        "connected".equals(d.findElement(By.id("connection")).getAttribute("data-state")));
    }

    /**
     * Publishes {@code marker}'s readings every 200 ms for {@code duration} and returns the latencies (ms) of the
     * values the page rendered; values it never rendered are counted in {@link Result#missed}. A collector thread
     * reads the page's records, so a slow WebDriver round trip never delays a publish.
     */
    Result measure(MqttAsyncClient client, String marker, Duration duration) throws InterruptedException {
        ((JavascriptExecutor) driver).executeScript(OBSERVER, marker);
        PageWork workBefore = pageWork();
        Map<String, Long> publishedAt = new ConcurrentHashMap<>();
        List<Long> latencies = new ArrayList<>();
        AtomicBoolean publishing = new AtomicBoolean(true);
        Thread collector = new Thread(
                () -> {
                    // after the last publish, two seconds for the page to render the last values
                    long grace = Long.MAX_VALUE;
                    while (System.nanoTime() < grace && !(grace != Long.MAX_VALUE && publishedAt.isEmpty())) {
                        if (!publishing.get() && grace == Long.MAX_VALUE) {
                            grace = System.nanoTime() + 2_000_000_000L;
                        }
                        collect(publishedAt, latencies);
                        LockSupport.parkNanos(250_000_000L);
                    }
                },
                "page-latency-collector");
        collector.start();
        long end = System.nanoTime() + duration.toNanos();
        long next = System.nanoTime();
        int published = 0;
        while (System.nanoTime() < end) {
            double value = (published % DISTINCT_VALUES - 500) / 10.0;
            String text = String.format(Locale.ROOT, "%.1f °C", value);
            long now = System.currentTimeMillis();
            publishedAt.put(text, now);
            Publishers.publish(client, marker, now, value, () -> {});
            published++;
            next += 200_000_000L;
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }
        publishing.set(false);
        collector.join();
        PageWork work = pageWork().minus(workBefore);
        return new Result(published, latencies, published - latencies.size(), work, duration.toMillis() / 1000.0);
    }

    /**
     * What the watched page did over a phase, from its {@code window.thermowatchStats}: the live messages it took,
     * the animation frames in which it drew rows ({@code flush}) and the milliseconds those draws took.
     */
    record PageWork(long messages, long frames, double drawMillis) {

        PageWork minus(PageWork earlier) {
            return new PageWork(messages - earlier.messages, frames - earlier.frames, drawMillis - earlier.drawMillis);
        }
    }

    /** Latencies (ms) of the rendered marker values; {@code seconds}: how long the marker published. */
    record Result(int published, List<Long> latencies, int missed, PageWork work, double seconds) {

        double framesPerSecond() {
            return work.frames() / seconds;
        }

        double drawMillisPerFrame() {
            return work.frames() == 0 ? Double.NaN : work.drawMillis() / work.frames();
        }

        double messagesPerSecond() {
            return work.messages() / seconds;
        }
    }

    @SuppressWarnings("unchecked")
    private PageWork pageWork() {
        Map<String, Object> stats = (Map<String, Object>) ((JavascriptExecutor) driver)
                .executeScript("const s = window.thermowatchStats;"
                        + " return {messages: s.messages, flushes: s.flushes, totalFlushMs: s.totalFlushMs};");
        return new PageWork(
                ((Number) stats.get("messages")).longValue(),
                ((Number) stats.get("flushes")).longValue(),
                ((Number) stats.get("totalFlushMs")).doubleValue());
    }

    @SuppressWarnings("unchecked")
    private void collect(Map<String, Long> publishedAt, List<Long> latencies) {
        List<List<Object>> marks = (List<List<Object>>)
                ((JavascriptExecutor) driver).executeScript("return window.__benchMarks.splice(0);");
        for (List<Object> mark : marks) {
            // the first render of the marker may show the value it had from the API: not a publish of ours
            Long at = publishedAt.remove((String) mark.get(0));
            if (at != null) {
                latencies.add(((Number) mark.get(1)).longValue() - at);
            }
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
