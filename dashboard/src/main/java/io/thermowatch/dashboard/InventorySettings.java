package io.thermowatch.dashboard;

import io.thermowatch.common.config.ConfigException;
import io.thermowatch.common.inventory.InvalidYaml;
import io.thermowatch.common.inventory.InventoryFile;
import io.thermowatch.common.inventory.SensorInventory;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The sensor inventory as read at start: {@code SENSOR_INVENTORY_FILE} (email-sender's rules file, whose
 * {@code inventory:} section holds the labels per sensor), how often it is checked for changes
 * ({@code SENSOR_INVENTORY_CHECK_INTERVAL}), and its inventory, already validated. Immutable.
 *
 * @param text the file's text at start, so the first check does not reload what is already in force
 */
record InventorySettings(Path path, Duration checkInterval, String text, SensorInventory inventory) {

    static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(5);

    /**
     * Reads and validates the file once, at start.
     *
     * @throws ConfigException one line naming {@code SENSOR_INVENTORY_FILE}, the path and the problem
     */
    static InventorySettings load(Path path, Duration checkInterval) {
        try {
            String text = InventoryFile.readText(path);
            return new InventorySettings(path, checkInterval, text, InventoryFile.parse(text));
        } catch (InvalidYaml e) {
            throw new ConfigException("SENSOR_INVENTORY_FILE='" + path + "': " + e.getMessage());
        }
    }
}
