package io.thermowatch.dashboard;

import io.thermowatch.common.inventory.InvalidYaml;
import io.thermowatch.common.inventory.InventoryFile;
import io.thermowatch.common.inventory.SensorInventory;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor labels the API serves, kept equal to {@code SENSOR_INVENTORY_FILE} without a restart: the file is read
 * every check interval and its text compared, as email-sender's rules reloader does (an edit in place, a replace by
 * rename and a bind mount whose change events never reach the container all look the same). A file that is not valid
 * (or was half written when read) changes nothing: the previous labels stay and one WARN line names the problem, once
 * per problem. Without a file, no sensor has labels. Thread safe.
 */
final class InventoryReloader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryReloader.class);

    private final Path path;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SensorInventory current;
    private ScheduledExecutorService timer;

    // guarded by this
    private String lastText;
    private String lastProblem;

    private InventoryReloader(Path path, String text, SensorInventory inventory) {
        this.path = path;
        this.lastText = text;
        this.current = inventory;
    }

    /** No file: no labels, nothing to watch. */
    static InventoryReloader none() {
        return new InventoryReloader(null, null, SensorInventory.EMPTY);
    }

    /** The inventory read at start; {@link #start} watches the file. */
    static InventoryReloader of(InventorySettings settings) {
        return new InventoryReloader(settings.path(), settings.text(), settings.inventory());
    }

    /** The labels of {@code sensorId} now; empty when it has none. */
    Map<String, String> labelsOf(String sensorId) {
        return current.labelsOf(sensorId);
    }

    /** Checks every {@code settings.checkInterval()} on a named daemon thread. */
    void start(InventorySettings settings) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "inventory-reloader");
            t.setDaemon(true);
            return t;
        });
        long millis = settings.checkInterval().toMillis();
        timer.scheduleWithFixedDelay(this::checkAndGoOn, millis, millis, TimeUnit.MILLISECONDS);
    }

    private void checkAndGoOn() {
        try {
            check();
        } catch (RuntimeException e) {
            LOG.error("inventory - Checking {} failed", path, e);
        }
    }

    /**
     * One look at the file.
     *
     * @return true if it had changed and its new labels are now served
     */
    synchronized boolean check() {
        if (path == null) {
            return false;
        }
        String text;
        try {
            text = InventoryFile.readText(path);
        } catch (InvalidYaml e) {
            lastText = null; // read it again as new once it is back
            refuse(e.getMessage());
            return false;
        }
        if (text.equals(lastText)) {
            return false;
        }
        lastText = text;
        SensorInventory next;
        try {
            next = InventoryFile.parse(text);
        } catch (InvalidYaml e) {
            refuse(e.getMessage());
            return false;
        }
        current = next;
        lastProblem = null;
        LOG.info("inventory - Reloaded {}: labels of {} sensor(s)", path, next.size());
        return true;
    }

    private void refuse(String problem) {
        if (!problem.equals(lastProblem)) { // one line per problem, not one per check
            lastProblem = problem;
            LOG.warn("inventory - {}: {}; keeping the previous labels", path, problem);
        }
    }

    /** Stops checking. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && timer != null) {
            timer.shutdownNow();
        }
    }
}
