package io.thermowatch.common.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node of a parsed YAML document and where it is, for one-line messages such as
 * {@code inventory.a1.site='[1,2]': expected a label value (text)}. A path ending in {@code :} names its children with
 * a space ({@code rules[1] exhaust: labels}), any other with a dot.
 *
 * @param path where the node is; empty for the document itself
 */
public record YamlNode(String path, JsonNode node) {

    /** The child under {@code key}, or null. */
    public YamlNode get(String key) {
        JsonNode child = node.get(key);
        return child == null ? null : new YamlNode(join(key), child);
    }

    /** @throws InvalidYaml naming this node and {@code expected} unless it is a mapping */
    public void requireObject(String expected) throws InvalidYaml {
        if (!node.isObject()) {
            throw invalid(expected);
        }
    }

    /** The entries of a mapping, in the document's order. */
    public List<Map.Entry<String, YamlNode>> fields() {
        List<Map.Entry<String, YamlNode>> out = new ArrayList<>();
        node.fields()
                .forEachRemaining(e -> out.add(Map.entry(e.getKey(), new YamlNode(join(e.getKey()), e.getValue()))));
        return out;
    }

    /** {@code <path>='<value as written>': expected <expected>}. */
    public InvalidYaml invalid(String expected) {
        return invalid(path.isEmpty() ? "document" : path, shown(), expected);
    }

    /** {@code <where>='<value>': expected <expected>}. */
    public static InvalidYaml invalid(String where, String value, String expected) {
        return new InvalidYaml(where + "='" + value + "': expected " + expected);
    }

    private String join(String key) {
        if (path.isEmpty()) {
            return key;
        }
        return path.endsWith(":") ? path + " " + key : path + "." + key;
    }

    /** The value as the person wrote it, shortened for a one-line message. */
    public String shown() {
        String text = node.isValueNode() ? node.asText() : node.toString();
        text = text.replaceAll("\\s+", " ");
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
