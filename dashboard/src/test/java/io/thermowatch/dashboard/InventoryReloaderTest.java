package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryReloaderTest {

    @TempDir
    Path dir;

    private InventoryReloader reloaderOf(String yaml) throws Exception {
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, yaml);
        return InventoryReloader.of(InventorySettings.load(file, Duration.ofSeconds(5)));
    }

    @Test
    void a_changed_file_changes_the_labels_and_an_unchanged_one_nothing() throws Exception {
        // Given
        var reloader = reloaderOf("inventory: {a1: {room: hall-a}}\n");
        assertFalse(reloader.check(), "the text read at start is in force already");
        // When
        Files.writeString(dir.resolve("alerts.yaml"), "inventory: {a1: {room: hall-b}, b1: {room: hall-b}}\n");
        // Then
        assertTrue(reloader.check());
        assertEquals(Map.of("room", "hall-b"), reloader.labelsOf("a1"));
        assertEquals(Map.of("room", "hall-b"), reloader.labelsOf("b1"));
    }

    @Test
    void a_broken_or_vanished_file_keeps_the_previous_labels() throws Exception {
        // Given
        var reloader = reloaderOf("inventory: {a1: {room: hall-a}}\n");
        // When the file is broken, then gone
        Files.writeString(dir.resolve("alerts.yaml"), "inventory: {a1: {room: [1]}}\n");
        boolean brokenApplied = reloader.check();
        Files.delete(dir.resolve("alerts.yaml"));
        boolean goneApplied = reloader.check();
        // Then
        assertFalse(brokenApplied);
        assertFalse(goneApplied);
        assertEquals(Map.of("room", "hall-a"), reloader.labelsOf("a1"));
        // And once it is back (even with the text of before), it is read again
        Files.writeString(dir.resolve("alerts.yaml"), "inventory: {a1: {room: hall-a}}\n");
        assertTrue(reloader.check());
    }

    @Test
    void without_a_file_no_sensor_has_labels() {
        var reloader = InventoryReloader.none();
        assertFalse(reloader.check());
        assertEquals(Map.of(), reloader.labelsOf("a1"));
    }
}
