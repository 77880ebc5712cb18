package io.thermowatch.common.inventory;

import io.thermowatch.common.wire.Topics;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Labels per sensor id ({@code site}, {@code room}, {@code rack}, {@code description}, any others): the
 * {@code inventory:} section of the alert rules file, which email-sender shows in mails and selects sensors by, and
 * the dashboard shows on the page and in its API. Validated on the way in: sensor ids as the wire's, label names of 1
 * to 64 letters, digits, {@code _ . -}, label values one line of at most {@value #MAX_LABEL_VALUE} characters.
 * Immutable, thread safe.
 */
public final class SensorInventory {

    /** No sensor has labels. */
    public static final SensorInventory EMPTY = new SensorInventory(Map.of());

    public static final int MAX_LABEL_VALUE = 256;

    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Map<String, Map<String, String>> labels;

    private SensorInventory(Map<String, Map<String, String>> labels) {
        this.labels = Collections.unmodifiableMap(labels);
    }

    /**
     * The {@code inventory:} mapping of sensor id to labels, e.g. {@code {a1: {site: dc-1, room: hall-a}}}.
     *
     * @throws InvalidYaml one line naming the first entry that is not valid
     */
    public static SensorInventory fromYaml(YamlNode inventory) throws InvalidYaml {
        inventory.requireObject("a mapping of sensor id to labels");
        Map<String, Map<String, String>> out = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> sensor : inventory.fields()) {
            if (!Topics.isValidSensorId(sensor.getKey())) {
                throw YamlNode.invalid(
                        inventory.path(), sensor.getKey(), "sensor ids of 1 to 64 letters, digits, '_' or '-'");
            }
            out.put(sensor.getKey(), labels(sensor.getValue()));
        }
        return new SensorInventory(out);
    }

    /**
     * One sensor's labels (or a rule's label selector), e.g. {@code {site: dc-1, room: hall-a}}, in the document's
     * order.
     *
     * @throws InvalidYaml one line naming the first label that is not valid
     */
    public static Map<String, String> labels(YamlNode node) throws InvalidYaml {
        node.requireObject("a mapping of label to value, e.g. {site: dc-1, room: hall-a}");
        Map<String, String> labels = new LinkedHashMap<>();
        for (Map.Entry<String, YamlNode> label : node.fields()) {
            if (!LABEL_NAME.matcher(label.getKey()).matches()) {
                throw YamlNode.invalid(
                        node.path(), label.getKey(), "label names of 1 to 64 letters, digits, '_', '.' or '-'");
            }
            YamlNode value = label.getValue();
            if (!value.node().isValueNode() || value.node().isNull()) {
                throw value.invalid("a label value (text)");
            }
            String text = value.node().asText();
            if (text.length() > MAX_LABEL_VALUE || text.chars().anyMatch(Character::isISOControl)) {
                throw value.invalid("one line of at most " + MAX_LABEL_VALUE + " characters");
            }
            labels.put(label.getKey(), text);
        }
        return Collections.unmodifiableMap(labels);
    }

    /** The sensor's labels; empty when the inventory does not list it. */
    public Map<String, String> labelsOf(String sensorId) {
        return labels.getOrDefault(sensorId, Map.of());
    }

    /** Whether the inventory lists the sensor (with labels or with none). */
    public boolean lists(String sensorId) {
        return labels.containsKey(sensorId);
    }

    /** Every listed sensor's labels, in the document's order. */
    public Map<String, Map<String, String>> bySensor() {
        return labels;
    }

    /** How many sensors have labels. */
    public int size() {
        return labels.size();
    }
}
