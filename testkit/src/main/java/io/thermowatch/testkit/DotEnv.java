package io.thermowatch.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a `KEY=VALUE` file (`.env`, `scripts/native.env`): comments and blank lines skipped, quotes stripped. */
final class DotEnv {

    private final Path file;
    private final Map<String, String> values;

    private DotEnv(Path file, Map<String, String> values) {
        this.file = file;
        this.values = values;
    }

    static DotEnv read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2
                    && (value.startsWith("\"") && value.endsWith("\"")
                            || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(key, value);
        }
        return new DotEnv(file, values);
    }

    String required(String key) {
        String value = values.get(key);
        if (value == null || value.isEmpty()) {
            throw new IllegalStateException(key + " is missing in " + file);
        }
        return value;
    }

    /**
     * {@code template} with every {@code @KEY@} replaced by the JSON-escaped value of {@code KEY}, as
     * {@code rabbitmq/render-definitions} does; throws if a key is missing.
     */
    String renderJson(String template) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("@([A-Z][A-Z0-9_]*)@").matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String json = required(m.group(1)).replace("\\", "\\\\").replace("\"", "\\\"");
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(json));
        }
        m.appendTail(out);
        return out.toString();
    }

    int requiredInt(String key) {
        String value = required(key);
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + "='" + value + "' in " + file + ": expected an integer", e);
        }
    }
}
