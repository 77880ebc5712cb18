package io.thermowatch.common.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryFileTest {

    private static final String RULES = """
            # labels per sensor id
            inventory:
              a1: {site: dc-1, room: hall-a, rack: A1, description: "cold aisle, inlet"}
              b_2: {site: dc-1, room: hall-b}
            rules:
              - name: default
                sensors: "*"
                levels: {critical: {above: 25}}
            maintenance: [{whatever: "email-sender checks this, not the inventory's readers"}]
            """;

    private static String error(String yaml) {
        return assertThrows(InvalidYaml.class, () -> InventoryFile.parse(yaml)).getMessage();
    }

    @Test
    void only_the_inventory_section_is_read_with_its_labels_in_order() throws Exception {
        // When
        SensorInventory inventory = InventoryFile.parse(RULES);
        // Then
        assertEquals(2, inventory.size());
        assertEquals(
                Map.of("site", "dc-1", "room", "hall-a", "rack", "A1", "description", "cold aisle, inlet"),
                inventory.labelsOf("a1"));
        assertEquals(
                "[site, room, rack, description]",
                inventory.labelsOf("a1").keySet().toString());
        assertEquals(Map.of(), inventory.labelsOf("unknown"));
    }

    @Test
    void a_sensor_listed_without_labels_is_listed_all_the_same() throws Exception {
        SensorInventory inventory = InventoryFile.parse("inventory: {a1: {}, a2: {site: dc-1}}");
        assertTrue(inventory.lists("a1"));
        assertEquals(Map.of(), inventory.labelsOf("a1"));
        assertTrue(inventory.lists("a2"));
        assertTrue(!inventory.lists("a3"));
    }

    @Test
    void a_file_without_inventory_or_empty_has_no_labels() throws Exception {
        assertEquals(
                0,
                InventoryFile.parse("rules: [{name: a, levels: {warning: {above: 3}}}]")
                        .size());
        assertEquals(0, InventoryFile.parse("# nothing yet\n").size());
    }

    @Test
    void entries_are_validated_as_email_sender_validates_them() {
        assertEquals(
                "inventory='a/b': expected sensor ids of 1 to 64 letters, digits, '_' or '-'",
                error("inventory: {a/b: {site: x}}"));
        assertEquals(
                "inventory.a1.site='[1,2]': expected a label value (text)", error("inventory: {a1: {site: [1, 2]}}"));
        assertEquals(
                "inventory.a1='x y': expected label names of 1 to 64 letters, digits, '_', '.' or '-'",
                error("inventory: {a1: {\"x y\": 1}}"));
        assertTrue(error("inventory: {a1: {description: \"" + "x".repeat(300) + "\"}}")
                .endsWith("expected one line of at most 256 characters"));
        assertEquals("inventory='[]': expected a mapping of sensor id to labels", error("inventory: []"));
        assertEquals("document='[1,2]': expected a mapping with 'inventory' (and 'rules')", error("[1, 2]"));
        assertTrue(
                error("inventory: {a1: {site: x}, a1: {site: y}}").startsWith("not valid YAML: Duplicate field 'a1'"));
    }

    @Test
    void the_file_is_read_as_utf8_and_bounded(@TempDir Path dir) throws Exception {
        // Given
        Path file = dir.resolve("alerts.yaml");
        Files.writeString(file, "inventory: {a1: {room: \"Säle 1\"}}", StandardCharsets.UTF_8);
        Path latin1 = dir.resolve("latin1.yaml");
        Files.write(latin1, "inventory: {a1: {room: \"S\u00e4le\"}}".getBytes(StandardCharsets.ISO_8859_1));
        Path large = dir.resolve("large.yaml");
        Files.write(large, new byte[InventoryFile.MAX_BYTES + 1]);
        // Then
        assertEquals("Säle 1", InventoryFile.read(file).labelsOf("a1").get("room"));
        assertEquals(
                "not valid UTF-8",
                assertThrows(InvalidYaml.class, () -> InventoryFile.read(latin1))
                        .getMessage());
        assertTrue(assertThrows(InvalidYaml.class, () -> InventoryFile.read(large))
                .getMessage()
                .startsWith("larger than"));
        assertTrue(assertThrows(InvalidYaml.class, () -> InventoryFile.read(dir.resolve("missing.yaml")))
                .getMessage()
                .startsWith("cannot be read"));
    }
}
