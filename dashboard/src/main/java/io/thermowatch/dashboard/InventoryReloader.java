package io.thermowatch.dashboard;

import io.thermowatch.common.inventory.InvalidYaml;
import io.thermowatch.common.inventory.InventoryFile;
import io.thermowatch.common.inventory.SensorInventory;
import io.thermowatch.common.inventory.WatchedFile;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor labels the API serves, kept equal to {@code SENSOR_INVENTORY_FILE} without a restart: a
 * {@link WatchedFile} reads it every check interval and hands over a changed text, as for email-sender's rules. A
 * file that is not valid (or was half written when read) changes nothing: the previous labels stay and one WARN line
 * names the problem, once per problem. Without a file, no sensor has labels. Thread safe.
 */
final class InventoryReloader implements AutoCloseable, WatchedFile.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(InventoryReloader.class);

    private final Path path;
    private final WatchedFile file;
    private volatile SensorInventory current;

    // only touched in the watch's calls, one at a time
    private String lastProblem;

    private InventoryReloader(InventorySettings settings) {
        this.path = settings.path();
        this.current = settings.inventory();
        this.file = new WatchedFile("inventory", settings.path(), settings.text(), this);
    }

    private InventoryReloader() {
        this.path = null;
        this.current = SensorInventory.EMPTY;
        this.file = null;
    }

    /** No file: no labels, nothing to watch. */
    static InventoryReloader none() {
        return new InventoryReloader();
    }

    /** The inventory read at start; {@link #start} watches the file. */
    static InventoryReloader of(InventorySettings settings) {
        return new InventoryReloader(settings);
    }

    /** The labels of {@code sensorId} now; empty when it has none. */
    Map<String, String> labelsOf(String sensorId) {
        return current.labelsOf(sensorId);
    }

    /** Whether the inventory lists {@code sensorId} now: a listed sensor is expected, so it is never retired. */
    boolean lists(String sensorId) {
        return current.lists(sensorId);
    }

    /** Checks every {@code settings.checkInterval()} on a named daemon thread. */
    void start(InventorySettings settings) {
        file.start(settings.checkInterval());
    }

    /**
     * One look at the file.
     *
     * @return true if it had changed and its new labels are now served
     */
    boolean check() {
        return file != null && file.check();
    }

    @Override
    public boolean changed(String text) {
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

    @Override
    public void unreadable(String problem) {
        refuse(problem);
    }

    private void refuse(String problem) {
        if (!problem.equals(lastProblem)) { // one line per problem, not one per changed text
            lastProblem = problem;
            LOG.warn("inventory - {}: {}; keeping the previous labels", path, problem);
        }
    }

    /** Stops checking. Idempotent. */
    @Override
    public void close() {
        if (file != null) {
            file.close();
        }
    }
}
