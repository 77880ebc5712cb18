package io.thermowatch.emailsender;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which sensors a rule is for: sensor id globs ({@code *} any run of characters, {@code ?} one) and labels from the
 * inventory. A sensor is selected when its id matches one of the globs (or there are none) and it has every label
 * with the given value (or there are none): no globs and no labels select every sensor. Immutable.
 */
final class SensorSelector {

    static final SensorSelector ALL = new SensorSelector(List.of(), Map.of());

    private final List<String> globs;
    private final List<Pattern> patterns;
    private final Map<String, String> labels;

    SensorSelector(List<String> globs, Map<String, String> labels) {
        // "*" among them selects every id: the same as no glob at all.
        this.globs = globs.contains("*") ? List.of() : List.copyOf(globs);
        this.patterns = this.globs.stream().map(SensorSelector::compile).toList();
        this.labels = Map.copyOf(labels);
    }

    boolean selects(String sensorId, Map<String, String> sensorLabels) {
        if (!patterns.isEmpty()
                && patterns.stream().noneMatch(p -> p.matcher(sensorId).matches())) {
            return false;
        }
        for (Map.Entry<String, String> wanted : labels.entrySet()) {
            if (!wanted.getValue().equals(sensorLabels.get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** A glob in regex form; every other character is literal. */
    private static Pattern compile(String glob) {
        StringBuilder regex = new StringBuilder(glob.length() + 8);
        StringBuilder literal = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*' || c == '?') {
                if (!literal.isEmpty()) {
                    regex.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (!literal.isEmpty()) {
            regex.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(regex.toString());
    }

    @Override
    public String toString() {
        if (globs.isEmpty() && labels.isEmpty()) {
            return "every sensor";
        }
        String ids = globs.isEmpty() ? "" : "sensors " + String.join(", ", globs);
        String with = labels.isEmpty() ? "" : "labels " + labels;
        return ids.isEmpty() ? with : with.isEmpty() ? ids : ids + " with " + with;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SensorSelector s && s.globs.equals(globs) && s.labels.equals(labels);
    }

    @Override
    public int hashCode() {
        return globs.hashCode() * 31 + labels.hashCode();
    }
}
