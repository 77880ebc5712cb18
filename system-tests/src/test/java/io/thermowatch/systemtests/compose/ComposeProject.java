package io.thermowatch.systemtests.compose;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/**
 * The repository's deployment files, parsed once for {@link ComposeConsistencyTest}: docker-compose.yaml (with
 * {@code ${VAR}} taken from .env, as Compose does), .env, the Dockerfiles, haproxy/haproxy.cfg,
 * rabbitmq/rabbitmq.conf, scripts/stack, the parent pom's modules, and what each service module reads from the
 * environment (found in its sources, and in the classes of {@code common} it uses).
 */
final class ComposeProject {

    /** One environment variable a module reads: its name, the EnvConfig method, and the default as written. */
    record EnvRead(
            String name, String method, Optional<String> defaultText, Optional<String> defaultValue, String source) {

        /** A secret whose fallback is a demo credential (anything but an empty literal). */
        boolean isCredentialWithDemoDefault() {
            return method.equals("secret") && !defaultValue.map(String::isEmpty).orElse(false);
        }
    }

    /**
     * A call whose first argument is an UPPER_SNAKE literal: EnvConfig's readers ({@code string}, {@code secret},
     * {@code requiredString}, {@code port}, ...), whatever new ones are added.
     */
    private static final Pattern ENV_READ =
            Pattern.compile("\\.([a-z][A-Za-z]*)\\(\\s*\"([A-Z][A-Z0-9_]*)\"\\s*(?:,\\s*([^,)]+))?");

    private static final Pattern RESOURCE_READ = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)");
    private static final Pattern INTERPOLATION =
            Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+]([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    final Path root;
    final Map<String, String> dotEnv;
    /** Compose's services, raw (before interpolation), as SnakeYAML reads them (merge keys applied). */
    final Map<String, Map<String, Object>> services;

    final List<String> reactorModules;
    final String haproxyCfg;
    final String rabbitmqConf;
    final String stackScript;
    final String composeText;
    private final Map<String, Map<String, EnvRead>> envReads = new java.util.HashMap<>();
    private final Map<Path, Dockerfile> parsedDockerfiles = new java.util.HashMap<>();

    private ComposeProject(Path root) throws IOException {
        this.root = root;
        this.dotEnv = readEnvFile(root.resolve(".env"));
        this.composeText = Files.readString(root.resolve("docker-compose.yaml"));
        Map<String, Object> compose = new Yaml().load(composeText);
        this.services = castMap(compose.get("services"));
        this.reactorModules = modulesOf(Files.readString(root.resolve("pom.xml")));
        this.haproxyCfg = Files.readString(root.resolve("haproxy/haproxy.cfg"));
        this.rabbitmqConf = Files.readString(root.resolve("rabbitmq/rabbitmq.conf"));
        this.stackScript = Files.readString(root.resolve("scripts/stack"));
    }

    /** Finds the repository root from the working directory (the module directory under Surefire). */
    static ComposeProject load() {
        Path dir = Path.of(System.getProperty("thermowatch.root", System.getProperty("user.dir")))
                .toAbsolutePath();
        while (dir != null
                && !(Files.isRegularFile(dir.resolve("docker-compose.yaml"))
                        && Files.isRegularFile(dir.resolve("pom.xml")))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no docker-compose.yaml above " + System.getProperty("user.dir"));
        }
        try {
            return new ComposeProject(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- compose -----------------------------------------------------------------------------------------

    Map<String, Object> service(String name) {
        return services.get(name);
    }

    /** The service's environment after interpolation from .env (list or map form). */
    Map<String, String> environment(String service) {
        Map<String, String> env = new TreeMap<>();
        rawEnvironment(service).forEach((k, v) -> env.put(k, interpolate(v)));
        return env;
    }

    /** The service's environment as written in the compose file. */
    Map<String, String> rawEnvironment(String service) {
        Object env = services.get(service).get("environment");
        Map<String, String> result = new TreeMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object item : list) {
                String[] kv = String.valueOf(item).split("=", 2);
                result.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return result;
    }

    /** Compose's substitution: {@code ${VAR}}, {@code ${VAR:-default}}, {@code $VAR}, {@code $$}. */
    String interpolate(String value) {
        Matcher m = INTERPOLATION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group().equals("$$")) {
                replacement = "$";
            } else {
                String name = m.group(1) != null ? m.group(1) : m.group(3);
                replacement = dotEnv.getOrDefault(name, m.group(2) != null ? m.group(2) : "");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Every {@code ${VAR}} / {@code $VAR} in the compose file with no default of its own ({@code $$} skipped). */
    Set<String> interpolatedVariablesWithoutDefault() {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = INTERPOLATION.matcher(composeText);
        while (m.find()) {
            if (!m.group().equals("$$") && m.group(2) == null) {
                names.add(m.group(1) != null ? m.group(1) : m.group(3));
            }
        }
        return names;
    }

    /** {@code build.dockerfile} relative to the repository, if the service is built here. */
    Optional<Path> dockerfileOf(String service) {
        return buildOf(service).map(build -> {
            Path context = root.resolve(String.valueOf(build.getOrDefault("context", ".")))
                    .normalize();
            return context.resolve(String.valueOf(build.getOrDefault("dockerfile", "Dockerfile")))
                    .normalize();
        });
    }

    Optional<Path> buildContextOf(String service) {
        return buildOf(service)
                .map(build -> root.resolve(String.valueOf(build.getOrDefault("context", ".")))
                        .normalize());
    }

    /**
     * The service's build: its own {@code build:}, or that of the one service that builds the image it uses
     * (rabbitmq2 runs what rabbitmq1 builds, sensor2 what sensor1 builds).
     */
    private Optional<Map<String, Object>> buildOf(String service) {
        Object build = services.get(service).get("build");
        if (build == null) {
            return imageBuilderOf(service)
                    .filter(builder -> !builder.equals(service))
                    .flatMap(this::buildOf);
        }
        if (build instanceof String context) {
            return Optional.of(Map.of("context", context));
        }
        return Optional.of(castMap(build));
    }

    /** The service that builds this service's image ({@code build:} and the same {@code image:}), if any. */
    Optional<String> imageBuilderOf(String service) {
        Object image = services.get(service).get("image");
        if (services.get(service).get("build") != null) {
            return Optional.of(service);
        }
        if (image == null) {
            return Optional.empty();
        }
        return services.entrySet().stream()
                .filter(e ->
                        image.equals(e.getValue().get("image")) && e.getValue().get("build") != null)
                .map(Map.Entry::getKey)
                .findFirst();
    }

    /** {@code build.args} of the service's build (list or map form), as written. */
    Map<String, String> buildArgs(String service) {
        Map<String, String> result = new TreeMap<>();
        Object args = buildOf(service).map(build -> build.get("args")).orElse(null);
        if (args instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        } else if (args instanceof List<?> list) {
            for (Object item : list) {
                String[] kv = String.valueOf(item).split("=", 2);
                result.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return result;
    }

    /** The Maven module a service is built from: its build argument {@code MODULE}, when that directory holds a pom.xml. */
    Optional<String> moduleOf(String service) {
        return Optional.ofNullable(buildArgs(service).get("MODULE"))
                .filter(module -> !module.isBlank()
                        && Files.isRegularFile(root.resolve(module).resolve("pom.xml")));
    }

    /** A path inside the repository as the repository names it (absolute paths are resolved against the root). */
    Path relative(Path path) {
        Path absolute = root.resolve(path).normalize();
        if (absolute.equals(root)) {
            return Path.of(".");
        }
        return absolute.startsWith(root) ? root.relativize(absolute) : path;
    }

    Dockerfile dockerfile(Path path) {
        return parsedDockerfiles.computeIfAbsent(root.resolve(path).normalize(), absolute -> {
            try {
                return Dockerfile.read(absolute);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The Dockerfile of the service's image as built with the service's build arguments (ARGs substituted). */
    Dockerfile dockerfileFor(String service) {
        Path path =
                dockerfileOf(service).orElseThrow(() -> new IllegalArgumentException(service + " is not built here"));
        try {
            return Dockerfile.read(path, buildArgs(service));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every Dockerfile a compose service is built from, once each. */
    Map<Path, String> dockerfiles() {
        Map<Path, String> files = new LinkedHashMap<>();
        services.keySet().forEach(s -> dockerfileOf(s).ifPresent(p -> files.putIfAbsent(p, s)));
        return files;
    }

    /** {@code "HOST:CONTAINER"} entries of {@code ports:} as (host port, container port). */
    List<int[]> publishedPorts(String service) {
        List<int[]> ports = new ArrayList<>();
        Object list = services.get(service).get("ports");
        if (list instanceof List<?> items) {
            for (Object item : items) {
                String text = interpolate(String.valueOf(item)).replaceAll("/(tcp|udp)$", "");
                String[] parts = text.split(":");
                int container = Integer.parseInt(parts[parts.length - 1]);
                int host = parts.length >= 2 ? Integer.parseInt(parts[parts.length - 2]) : container;
                ports.add(new int[] {host, container});
            }
        }
        return ports;
    }

    /** {@code depends_on} as target → condition ({@code service_started} for the short list form). */
    Map<String, String> dependsOn(String service) {
        Object deps = services.get(service).get("depends_on");
        Map<String, String> result = new LinkedHashMap<>();
        if (deps instanceof List<?> list) {
            list.forEach(d -> result.put(String.valueOf(d), "service_started"));
        } else if (deps instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(
                    String.valueOf(k),
                    v instanceof Map<?, ?> m ? String.valueOf(((Map<?, ?>) m).get("condition")) : "service_started"));
        }
        return result;
    }

    /** A compose healthcheck that is not disabled, or a HEALTHCHECK in the image's Dockerfile. */
    boolean hasHealthcheck(String service) {
        Object check = services.get(service).get("healthcheck");
        if (check instanceof Map<?, ?> map) {
            return !Boolean.TRUE.equals(map.get("disable")) && !List.of("NONE").equals(map.get("test"));
        }
        return dockerfileOf(service)
                .map(this::dockerfile)
                .map(f -> f.runtime.containsKey("HEALTHCHECK")
                        && !f.runtime.get("HEALTHCHECK").equalsIgnoreCase("NONE"))
                .orElse(false);
    }

    // --- what the services read --------------------------------------------------------------------------

    /** Every variable the module reads (its sources and resources, plus those of the common classes it uses). */
    Map<String, EnvRead> envReadsOf(String module) {
        return envReads.computeIfAbsent(module, this::scanEnvReads);
    }

    private Map<String, EnvRead> scanEnvReads(String module) {
        Map<String, EnvRead> reads = new TreeMap<>();
        Map<Path, String> own = sources(root.resolve(module).resolve("src/main/java"));
        Map<Path, String> common = sources(root.resolve("common/src/main/java"));
        String ownText = String.join("\n", own.values());
        Map<Path, String> scanned = new LinkedHashMap<>(own);
        common.forEach((path, text) -> {
            String className = path.getFileName().toString().replace(".java", "");
            if (Pattern.compile("\\b" + className + "\\s*\\.").matcher(ownText).find()) {
                scanned.put(path, text);
            }
        });
        String allText = String.join("\n", scanned.values());
        scanned.forEach((path, text) -> {
            Matcher m = ENV_READ.matcher(text);
            while (m.find()) {
                Optional<String> defaultText = Optional.ofNullable(m.group(3)).map(String::strip);
                reads.putIfAbsent(
                        m.group(2),
                        new EnvRead(
                                m.group(2),
                                m.group(1),
                                defaultText,
                                defaultText.flatMap(d -> resolveConstant(d, allText)),
                                root.relativize(path).toString()));
            }
        });
        List<Path> resources = new ArrayList<>(files(root.resolve(module).resolve("src/main/resources")));
        resources.addAll(files(root.resolve("common/src/main/resources"))); // logback.xml, shared by every service
        for (Path resource : resources) {
            Matcher m = RESOURCE_READ.matcher(read(resource));
            while (m.find()) {
                reads.putIfAbsent(
                        m.group(1),
                        new EnvRead(
                                m.group(1),
                                "resource",
                                Optional.empty(),
                                Optional.empty(),
                                root.relativize(resource).toString()));
            }
        }
        return reads;
    }

    /** A string literal, or a {@code static final String NAME = "..."} constant of the scanned sources. */
    private static Optional<String> resolveConstant(String expression, String sources) {
        if (expression.startsWith("\"") && expression.endsWith("\"")) {
            return Optional.of(expression.substring(1, expression.length() - 1));
        }
        if (expression.matches("[A-Z_][A-Z0-9_]*")) {
            Matcher m = Pattern.compile("\\b" + expression + "\\s*=\\s*\"([^\"]*)\"")
                    .matcher(sources);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        if (expression.matches("-?\\d+(\\.\\d+)?")) {
            return Optional.of(expression);
        }
        return Optional.empty();
    }

    /** A service's effective value of {@code name}: compose, else its image's ENV, else the module's default. */
    Optional<String> effectiveValue(String service, String name) {
        String value = environment(service).get(name);
        if (value != null) {
            return Optional.of(value);
        }
        Optional<String> fromImage =
                dockerfileOf(service).map(path -> dockerfileFor(service)).map(f -> f.runtimeEnv.get(name));
        if (fromImage.isPresent()) {
            return fromImage;
        }
        return moduleOf(service)
                .map(this::envReadsOf)
                .map(reads -> reads.get(name))
                .flatMap(EnvRead::defaultValue);
    }

    // --- other files ---------------------------------------------------------------------------------------

    /** {@code ${NAME-default}} substitutions of haproxy.cfg: name → default. */
    Map<String, String> haproxyDefaults() {
        Map<String, String> defaults = new LinkedHashMap<>();
        Matcher m = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)-([^}]*)}").matcher(haproxyCfg);
        while (m.find()) {
            defaults.putIfAbsent(m.group(1), m.group(2));
        }
        return defaults;
    }

    /** Value of a rabbitmq.conf key (the last assignment wins, as in RabbitMQ). */
    Optional<String> rabbitmqConf(String key) {
        String value = null;
        for (String line : rabbitmqConf.split("\n")) {
            String stripped = line.strip();
            if (stripped.startsWith("#") || !stripped.contains("=")) {
                continue;
            }
            String[] kv = stripped.split("=", 2);
            if (kv[0].strip().equals(key)) {
                value = kv[1].strip();
            }
        }
        return Optional.ofNullable(value);
    }

    /**
     * What {@code scripts/stack up} gives a module: the {@code echo "NAME=VALUE"} lines of {@code service_env}
     * shared by every module and those of the module's own {@code case} branch.
     */
    Map<String, String> stackEnvironment(String module) {
        int start = stackScript.indexOf("service_env()");
        if (start < 0) {
            throw new IllegalStateException("scripts/stack has no service_env() function");
        }
        String body = stackScript.substring(start, stackScript.indexOf("\n}\n", start));
        int caseStart = body.indexOf("case $m in");
        String shared = caseStart < 0 ? body : body.substring(0, caseStart);
        String own = "";
        Matcher branch = Pattern.compile("(?m)^\\s*" + Pattern.quote(module) + "\\)(.*?);;", Pattern.DOTALL)
                .matcher(caseStart < 0 ? "" : body.substring(caseStart));
        if (branch.find()) {
            own = branch.group(1);
        }
        Map<String, String> env = new TreeMap<>();
        Pattern echo = Pattern.compile("(?m)^(?!\\s*\\[\\[)\\s*echo \"([A-Z][A-Z0-9_]*)=([^\"]*)\"");
        for (String part : List.of(shared, own)) {
            Matcher m = echo.matcher(part);
            while (m.find()) {
                env.put(m.group(1), m.group(2));
            }
        }
        return env;
    }

    static List<String> modulesOf(String pom) {
        List<String> modules = new ArrayList<>();
        Matcher m = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>").matcher(pom);
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    static Map<String, String> readEnvFile(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#") || !stripped.contains("=")) {
                continue;
            }
            String[] kv = stripped.split("=", 2);
            env.put(kv[0].strip(), kv[1].strip());
        }
        return env;
    }

    String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<Path, String> sources(Path dir) {
        Map<Path, String> sources = new TreeMap<>();
        for (Path file : files(dir)) {
            if (file.toString().endsWith(".java")) {
                sources.put(file, read(file));
            }
        }
        return sources;
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Map<String, T> castMap(Object value) {
        return (Map<String, T>) value;
    }
}
