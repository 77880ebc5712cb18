package io.thermowatch.systemtests.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of one Dockerfile that the consistency checks need, read line by line (continuations joined,
 * comments dropped). Only the last stage is the runtime image; {@code COPY --from} lines are kept apart. Read with
 * build arguments, the {@code ARG}s a stage declares are substituted where Docker substitutes them at build time
 * ({@code COPY}, {@code ADD}, {@code ENV}, {@code EXPOSE}, {@code WORKDIR}, {@code USER}, {@code LABEL}) and in
 * {@code RUN} (the shell sees them as variables); never in {@code HEALTHCHECK}, {@code ENTRYPOINT} or {@code CMD},
 * which the container's shell expands at run time, if at all.
 */
final class Dockerfile {

    /** {@code FROM image[:tag] [AS name]} of one stage. */
    record Stage(String image, Optional<String> name, int line) {}

    /** One {@code COPY}: its sources, destination, {@code --from} stage (empty = the build context) and stage index. */
    record Copy(List<String> sources, String destination, Optional<String> from, int stage, String text) {}

    private static final Pattern FROM =
            Pattern.compile("(?i)FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?\\s*");
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
    private static final Pattern ARG = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(?:=(\"[^\"]*\"|\\S*))?");
    private static final Set<String> BUILD_TIME_EXPANDED =
            Set.of("COPY", "ADD", "ENV", "EXPOSE", "WORKDIR", "USER", "LABEL", "RUN");

    final Path path;
    final List<Stage> stages = new ArrayList<>();
    final List<Copy> copies = new ArrayList<>();
    /** Instructions of the last (runtime) stage, keyed by keyword; the last occurrence wins. */
    final Map<String, String> runtime = new LinkedHashMap<>();
    /** {@code ENV} of the last stage. */
    final Map<String, String> runtimeEnv = new LinkedHashMap<>();
    /** {@code RUN} lines of every stage, in order. */
    final List<String> runs = new ArrayList<>();
    /** Every {@code ARG} of every stage: name → its default ("" when it has none). */
    final Map<String, String> args = new LinkedHashMap<>();
    /** {@code ARG}s declared without a default: a build must pass them. */
    final Set<String> requiredArgs = new LinkedHashSet<>();

    private Dockerfile(Path path) {
        this.path = path;
    }

    static Dockerfile read(Path path) throws IOException {
        return read(path, Map.of());
    }

    /** The file as built with these build arguments (compose's {@code build.args}). */
    static Dockerfile read(Path path, Map<String, String> buildArgs) throws IOException {
        Dockerfile file = new Dockerfile(path);
        Map<String, String> stageArgs = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : Files.readAllLines(path)) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            lines.add(current.toString().strip());
            current.setLength(0);
        }
        int lineNumber = 0;
        for (String line : lines) {
            lineNumber++;
            if (line.isEmpty()) {
                continue;
            }
            String keyword = line.split("\\s+", 2)[0].toUpperCase();
            String rest = line.length() > keyword.length()
                    ? line.substring(keyword.length()).strip()
                    : "";
            if (BUILD_TIME_EXPANDED.contains(keyword)) {
                rest = substitute(rest, stageArgs);
            }
            switch (keyword) {
                case "FROM" -> {
                    Matcher m = FROM.matcher(line);
                    if (!m.matches()) {
                        throw new IllegalStateException(path + ": cannot parse " + line);
                    }
                    file.stages.add(new Stage(m.group(1), Optional.ofNullable(m.group(2)), lineNumber));
                    file.runtime.clear();
                    file.runtimeEnv.clear();
                    stageArgs.clear();
                }
                case "ARG" -> {
                    Matcher m = ARG.matcher(rest);
                    if (m.matches()) {
                        String defaultValue =
                                m.group(2) == null ? "" : m.group(2).replaceAll("^\"|\"$", "");
                        file.args.putIfAbsent(m.group(1), defaultValue);
                        if (m.group(2) == null) {
                            file.requiredArgs.add(m.group(1));
                        }
                        stageArgs.put(m.group(1), buildArgs.getOrDefault(m.group(1), defaultValue));
                    }
                }
                case "COPY", "ADD" -> file.copies.add(parseCopy(rest, file.stages.size() - 1, line));
                case "RUN" -> file.runs.add(rest);
                case "ENV" -> {
                    Matcher m = ENV_PAIR.matcher(rest);
                    while (m.find()) {
                        file.runtimeEnv.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
                    }
                }
                default -> {}
            }
            file.runtime.put(keyword, rest);
        }
        return file;
    }

    /** {@code ${NAME}} and {@code $NAME} of the stage's ARGs replaced by their values. */
    private static String substitute(String text, Map<String, String> stageArgs) {
        String result = text;
        for (Map.Entry<String, String> arg : stageArgs.entrySet()) {
            String value = Matcher.quoteReplacement(arg.getValue());
            result = result.replaceAll("\\$\\{" + arg.getKey() + "}", value)
                    .replaceAll("\\$" + arg.getKey() + "(?![A-Za-z0-9_])", value);
        }
        return result;
    }

    private static Copy parseCopy(String rest, int stage, String text) {
        List<String> words = new ArrayList<>(List.of(rest.split("\\s+")));
        Optional<String> from = Optional.empty();
        while (!words.isEmpty() && words.get(0).startsWith("--")) {
            String option = words.remove(0);
            if (option.startsWith("--from=")) {
                from = Optional.of(option.substring("--from=".length()));
            }
        }
        String destination = words.remove(words.size() - 1);
        return new Copy(List.copyOf(words), destination, from, stage, text);
    }

    /** The runtime stage's working directory of the build stage named {@code stage} (its {@code WORKDIR}). */
    static Optional<String> workdirOf(Path path, String stageName) throws IOException {
        String stage = null;
        String workdir = null;
        for (String raw : Files.readAllLines(path)) {
            String line = raw.strip();
            Matcher m = FROM.matcher(line);
            if (m.matches()) {
                stage = m.group(2);
                workdir = null;
            } else if (line.toUpperCase().startsWith("WORKDIR ") && stageName.equals(stage)) {
                workdir = line.substring("WORKDIR ".length()).strip();
            }
            if (workdir != null && stageName.equals(stage)) {
                return Optional.of(workdir);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
