package io.thermowatch.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service under test as a real OS process: {@code java -jar <module>/target/<module>.jar} with exactly the
 * given environment (only PATH, HOME, LANG, TZ, JAVA_HOME and TMPDIR are taken from the test JVM, so no
 * MQTT/DB variable leaks in). stdout and stderr go, merged, to {@code target/testkit/<module>-<n>.log} and to
 * memory ({@link #output()}). Every process still alive when the test JVM exits is killed. Thread safe.
 *
 * <pre>{@code
 * try (ServiceProcess writer = ServiceProcess.start("db-writer", ServiceEnv.forDbWriter(stack).build())) {
 *     writer.awaitReady(Duration.ofSeconds(30));
 *     ...
 *     writer.sigterm();
 *     assertEquals(0, writer.awaitExit(Duration.ofSeconds(15)));
 * }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final List<String> INHERITED =
            List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ", "JAVA_HOME", "TMPDIR");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "testkit-service-reaper"));
    }

    private final String name;
    private final Process process;
    private final Map<String, String> env;
    private final Path logFile;
    private final StringBuffer output = new StringBuffer();
    private final Thread pump;

    private ServiceProcess(String name, Process process, Map<String, String> env, Path logFile) {
        this.name = name;
        this.process = process;
        this.env = Map.copyOf(env);
        this.logFile = logFile;
        this.pump = new Thread(this::pumpOutput, "testkit-output-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /** Starts {@code <root>/<module>/target/<module>.jar}; fails if it was not built. */
    public static ServiceProcess start(String module, Map<String, String> env) {
        return start(module, env, List.of());
    }

    /**
     * Starts the module's jar with extra JVM options (e.g. {@code -Xmx128m}).
     *
     * @throws AssertionError if the jar does not exist (build it first: {@code ./mvnw -pl <module> -am package})
     */
    public static ServiceProcess start(String module, Map<String, String> env, List<String> jvmOptions) {
        Stack stack = Stack.get();
        Path jar = stack.root().resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " does not exist: build it with `./mvnw -B -pl " + module
                    + " -am package -DskipTests` (Failsafe runs after package, so `verify` builds it)");
        }
        return start(module, jar, env, jvmOptions, stack.workDir());
    }

    /** Starts any runnable jar; {@code name} names the log file and threads. */
    public static ServiceProcess start(
            String name, Path jar, Map<String, String> env, List<String> jvmOptions, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Xshare:auto");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> processEnv = builder.environment();
        Map<String, String> parent = Map.copyOf(processEnv);
        processEnv.clear();
        for (String key : INHERITED) {
            if (parent.containsKey(key)) {
                processEnv.put(key, parent.get(key));
            }
        }
        processEnv.putAll(env);
        Path logFile = logDir.resolve(name + "-" + SEQUENCE.incrementAndGet() + ".log");
        try {
            Files.createDirectories(logDir);
            Process process = builder.start();
            LIVE.add(process);
            log.info("{} - started pid {} (output: {})", name, process.pid(), logFile);
            return new ServiceProcess(name, process, env, logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The environment the process was given (without the inherited PATH etc.). */
    public Map<String, String> env() {
        return env;
    }

    public Path logFile() {
        return logFile;
    }

    /** Everything the process printed so far (stdout and stderr, merged). */
    public String output() {
        return output.toString();
    }

    /** The port of {@code HEALTH_PORT} in the env. */
    public int healthPort() {
        String port = env.get("HEALTH_PORT");
        if (port == null) {
            throw new IllegalStateException(name + " was started without HEALTH_PORT; use awaitReady(port, timeout)");
        }
        return Integer.parseInt(port);
    }

    /** Waits until {@code GET /readyz} on {@code HEALTH_PORT} answers 200. */
    public void awaitReady(Duration timeout) {
        awaitReady(healthPort(), timeout);
    }

    /**
     * Waits until {@code GET http://127.0.0.1:<port>/readyz} answers 200.
     *
     * @throws AssertionError if the process exits first or the timeout passes, with its last output
     */
    public void awaitReady(int port, Duration timeout) {
        URI uri = URI.create("http://" + Stack.HOST + ":" + port + "/readyz");
        Waits.untilNoProblem(name + " ready", timeout, Duration.ofMillis(200), () -> {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before ready:\n" + tail());
            }
            try {
                HttpResponse<String> response = HTTP.send(
                        HttpRequest.newBuilder(uri)
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                return response.statusCode() == 200
                        ? null
                        : uri + ": " + response.statusCode() + " " + response.body() + "\n" + tail();
            } catch (IOException e) {
                return uri + ": " + e + "\n" + tail();
            }
        });
    }

    /**
     * Waits until the output contains {@code text}.
     *
     * @throws AssertionError on timeout or if the process exits first
     */
    public void awaitOutput(String text, Duration timeout) {
        Waits.untilNoProblem(name + " printing '" + text + "'", timeout, Duration.ofMillis(100), () -> {
            if (output().contains(text)) {
                return null;
            }
            if (!process.isAlive()) {
                joinPump();
                if (output().contains(text)) {
                    return null;
                }
                throw new AssertionError(name + " exited without printing '" + text + "':\n" + tail());
            }
            return "not printed yet:\n" + tail();
        });
    }

    /** Sends SIGTERM (graceful shutdown). */
    public void sigterm() {
        // Through the handle: Process.destroy() would also close our end of the pipe and lose the last output.
        process.toHandle().destroy();
    }

    /** Sends SIGKILL. */
    public void sigkill() {
        process.toHandle().destroyForcibly();
    }

    /**
     * Waits for the process to exit and returns its exit code (143 = died of SIGTERM without handling it,
     * 137 = SIGKILL).
     *
     * @throws AssertionError if it is still running after {@code timeout}
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " still running " + timeout + " later:\n" + tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        LIVE.remove(process);
        joinPump();
        return process.exitValue();
    }

    /** SIGTERM, up to 15 s to exit, then SIGKILL. */
    @Override
    public void close() {
        if (process.isAlive()) {
            sigterm();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    log.warn("{} - did not exit 15 s after SIGTERM; killing it", name);
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        LIVE.remove(process);
        joinPump();
    }

    /** The last 40 lines of output. */
    public String tail() {
        String[] lines = output().split("\n", -1);
        int from = Math.max(0, lines.length - 40);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }

    @Override
    public String toString() {
        return name + "[pid " + process.pid() + (process.isAlive() ? "" : ", exited") + "]";
    }

    private void pumpOutput() {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer file = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                output.append(line).append('\n');
                file.write(line);
                file.write('\n');
                file.flush();
            }
        } catch (IOException e) {
            log.debug("{} - output pump: {}", name, e.toString());
        }
    }

    private void joinPump() {
        try {
            pump.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
