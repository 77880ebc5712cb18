package io.thermowatch.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The facts {@link InfraChoice} asks about, read from this machine. Each answer is cheap and bounded: the Docker
 * probe only connects to the engine's socket (no Docker client, no retries, no log output), so a machine with a
 * Docker CLI but no engine answers "no" in milliseconds.
 */
final class MachineFacts implements InfraChoice.Facts {

    private static final int TCP_CONNECT_TIMEOUT_MS = 1000;

    private final Path root;
    private final Map<String, String> env;
    private final Path home;

    MachineFacts(Path root, Map<String, String> env, Path home) {
        this.root = root;
        this.env = env;
        this.home = home;
    }

    static MachineFacts of(Path root) {
        return new MachineFacts(root, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    @Override
    public boolean dockerReachable() {
        return dockerEngine().isPresent();
    }

    /** Where a Docker engine answers, if one does: DOCKER_HOST, Testcontainers' docker.host, else the usual sockets. */
    Optional<String> dockerEngine() {
        String configured = env.get("DOCKER_HOST");
        if (configured == null || configured.isBlank()) {
            configured = testcontainersDockerHost();
        }
        if (configured != null && !configured.isBlank()) {
            return answers(configured) ? Optional.of(configured) : Optional.empty();
        }
        return defaultSockets().stream()
                .filter(MachineFacts::unixSocketAnswers)
                .findFirst()
                .map(socket -> "unix://" + socket);
    }

    /** Sockets Testcontainers looks at without DOCKER_HOST: Linux, rootless, Docker Desktop. */
    List<Path> defaultSockets() {
        List<Path> sockets = new ArrayList<>(List.of(
                Path.of("/var/run/docker.sock"),
                home.resolve(".docker/run/docker.sock"),
                home.resolve(".docker/desktop/docker.sock")));
        String runtimeDir = env.get("XDG_RUNTIME_DIR");
        if (runtimeDir != null && !runtimeDir.isBlank()) {
            sockets.add(Path.of(runtimeDir, "docker.sock"));
        }
        return sockets;
    }

    /** {@code docker.host} from {@code ~/.testcontainers.properties}, which Testcontainers also honours. */
    private String testcontainersDockerHost() {
        Path file = home.resolve(".testcontainers.properties");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
            return properties.getProperty("docker.host");
        } catch (IOException e) {
            return null;
        }
    }

    static boolean answers(String dockerHost) {
        URI uri = URI.create(dockerHost.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "unix":
                return unixSocketAnswers(Path.of(uri.getPath()));
            case "tcp":
            case "http":
            case "https":
                return tcpAnswers(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 2375);
            case "npipe":
                // Windows named pipe (npipe:////./pipe/docker_engine): exists while the engine runs.
                return Files.exists(Path.of(uri.getPath().replace('/', '\\')));
            default:
                // An address this probe does not know (ssh://, ...): let Testcontainers try it.
                return true;
        }
    }

    static boolean unixSocketAnswers(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            return channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean tcpAnswers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TCP_CONNECT_TIMEOUT_MS);
            return true;
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public boolean debianRoot() {
        return Files.isRegularFile(Path.of("/etc/debian_version")) && isRoot();
    }

    private static boolean isRoot() {
        try {
            // /proc/self belongs to this process's user.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Asks {@code scripts/stack packages-missing} (dpkg), so the package list stays in one place. */
    @Override
    public boolean nativePackagesPresent() {
        Path script = root.resolve("scripts/stack");
        if (!Files.isExecutable(script) || !Files.isRegularFile(Path.of("/etc/debian_version"))) {
            return false;
        }
        try {
            Process process = new ProcessBuilder(script.toString(), "packages-missing")
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0 && output.isEmpty();
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
