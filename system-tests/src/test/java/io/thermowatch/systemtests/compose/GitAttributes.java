package io.thermowatch.systemtests.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The repository's .gitattributes, read as git matches it: a pattern without a slash matches a file name at any
 * depth, one with a slash matches the path from the root ({@code **} = any directories), and of the lines that
 * match a path the last one that sets an attribute wins. Only {@code eol} is resolved: what a checkout writes.
 */
final class GitAttributes {

    private record Rule(String pattern, Pattern regex, Optional<String> eol) {}

    private final List<Rule> rules;

    private GitAttributes(List<Rule> rules) {
        this.rules = rules;
    }

    static GitAttributes read(Path file) throws IOException {
        List<Rule> rules = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file)) {
                String stripped = line.strip();
                if (stripped.isEmpty() || stripped.startsWith("#")) {
                    continue;
                }
                String[] fields = stripped.split("\\s+");
                Optional<String> eol = Optional.empty();
                for (int i = 1; i < fields.length; i++) {
                    if (fields[i].startsWith("eol=")) {
                        eol = Optional.of(fields[i].substring("eol=".length()));
                    } else if (fields[i].equals("-text") || fields[i].equals("binary")) {
                        eol = Optional.of("unset"); // no conversion at all
                    }
                }
                rules.add(new Rule(fields[0], toRegex(fields[0]), eol));
            }
        }
        return new GitAttributes(rules);
    }

    /** The eol a checkout gives {@code path} (relative to the repository, with '/'), if a rule sets one. */
    Optional<String> eolOf(String path) {
        Optional<String> eol = Optional.empty();
        for (Rule rule : rules) {
            if (rule.eol().isPresent() && rule.regex().matcher(path).matches()) {
                eol = rule.eol();
            }
        }
        return eol;
    }

    private static Pattern toRegex(String pattern) {
        String glob = pattern.startsWith("/") ? pattern.substring(1) : pattern;
        boolean anyDepth = !pattern.contains("/");
        StringBuilder regex = new StringBuilder(anyDepth ? "(?:.*/)?" : "");
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (glob.startsWith("**", i)) {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
