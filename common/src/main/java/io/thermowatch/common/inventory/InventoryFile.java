package io.thermowatch.common.inventory;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The sensor inventory as a reader that is not email-sender sees the rules file: only its {@code inventory:} section
 * is read (and validated as email-sender validates it); the rules and whatever else the file holds are email-sender's
 * to check. A file without an inventory has none. Thread safe.
 */
public final class InventoryFile {

    /** A file this large is not a rules file someone wrote (email-sender's limit too). */
    public static final int MAX_BYTES = 1 << 20;

    // Duplicate keys are errors: YAML would otherwise keep the last one silently.
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build());

    private InventoryFile() {}

    /**
     * The file's text, UTF-8 and at most {@link #MAX_BYTES}.
     *
     * @throws InvalidYaml when it cannot be read, is too large or is not UTF-8
     */
    public static String readText(Path path) throws InvalidYaml {
        byte[] bytes;
        try {
            if (Files.size(path) > MAX_BYTES) {
                throw new InvalidYaml("larger than " + MAX_BYTES + " bytes: expected a rules file");
            }
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new InvalidYaml("cannot be read (" + e + ")");
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InvalidYaml("not valid UTF-8");
        }
    }

    /**
     * The inventory of a rules file's text.
     *
     * @throws InvalidYaml one line naming the problem: not YAML, not a mapping, an inventory entry not valid
     */
    public static SensorInventory parse(String yaml) throws InvalidYaml {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidYaml("not valid YAML: "
                    + String.valueOf(e.getOriginalMessage()).strip().replaceAll("\\s*\\R\\s*", " ")
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return SensorInventory.EMPTY;
        }
        YamlNode top = new YamlNode("", root);
        top.requireObject("a mapping with 'inventory' (and 'rules')");
        YamlNode inventory = top.get("inventory");
        return inventory == null ? SensorInventory.EMPTY : SensorInventory.fromYaml(inventory);
    }

    /** {@link #readText} then {@link #parse}. */
    public static SensorInventory read(Path path) throws InvalidYaml {
        return parse(readText(path));
    }
}
