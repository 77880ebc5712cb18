package io.thermowatch.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native stack: {@code scripts/stack} runs RabbitMQ x3, HAProxy, PostgreSQL and GreenMail on 127.0.0.1 at the
 * ports of {@code scripts/native.env}; every start and stop goes through that script (output in
 * {@code target/testkit/stack-<command>.log}), so tests and humans share one mechanism. The script's state
 * directory ({@code .stack/}, or {@code THERMOWATCH_STACK_DIR}) reaches it through the inherited environment.
 */
final class NativeInfra implements Infra {

    static final String HOST = "127.0.0.1";
    private static final Logger log = LoggerFactory.getLogger(NativeInfra.class);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(20);
    private static final Duration INFRA_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration CONTROL_TIMEOUT = Duration.ofMinutes(3);
    static final String HOW_TO_PROVIDE =
            "Provide the native stack: `sudo scripts/stack install && scripts/stack infra` (install: Debian "
                    + "packages, once; infra: RabbitMQ x3, HAProxy, PostgreSQL, GreenMail); `scripts/stack status` "
                    + "shows what runs, `scripts/stack logs` where the logs are. Or start a Docker engine: "
                    + "Testcontainers then runs docker-compose.yaml's infrastructure.";

    private final Path root;
    private final Path workDir;
    private final DotEnv ports;
    private final boolean installFirst;

    NativeInfra(Path root, Path workDir, boolean installFirst) {
        this.root = root;
        this.workDir = workDir;
        this.ports = DotEnv.read(root.resolve("scripts/native.env"));
        this.installFirst = installFirst;
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public String host() {
        return HOST;
    }

    @Override
    public int port(Front front) {
        return ports.requiredInt(
                switch (front) {
                    case MQTT -> "HAPROXY_MQTT_PORT";
                    case AMQP -> "HAPROXY_AMQP_PORT";
                    case MQTTS -> "HAPROXY_MQTTS_PORT";
                    case AMQPS -> "HAPROXY_AMQPS_PORT";
                    case MANAGEMENT -> "HAPROXY_MANAGEMENT_PORT";
                    case WEB_MQTT -> "HAPROXY_WEB_MQTT_PORT";
                    case STATS -> "HAPROXY_STATS_PORT";
                    case POSTGRES -> "POSTGRES_PORT";
                    case SMTP -> "SMTP_PORT";
                    case MAIL_API -> "GREENMAIL_API_PORT";
                });
    }

    @Override
    public int nodePort(NodePort port, int node) {
        return node
                + ports.requiredInt(
                        switch (port) {
                            case MQTT -> "NODE_MQTT_PORT_BASE";
                            case AMQP -> "NODE_AMQP_PORT_BASE";
                            case MANAGEMENT -> "NODE_MANAGEMENT_PORT_BASE";
                            case WEB_MQTT -> "NODE_WEB_MQTT_PORT_BASE";
                        });
    }

    @Override
    public String nodeName(int node) {
        return "rabbit" + node + "@localhost";
    }

    /** {@code <state dir>/tls/ca.pem}: scripts/stack's state directory, as the script itself finds it. */
    @Override
    public Path tlsCaFile() {
        String stateDir = System.getenv("THERMOWATCH_STACK_DIR");
        Path state = stateDir == null || stateDir.isBlank() ? root.resolve(".stack") : Path.of(stateDir);
        Path ca = state.resolve("tls").resolve("ca.pem");
        if (!Files.isRegularFile(ca)) {
            throw new AssertionError(ca + " does not exist: scripts/stack makes it when it starts HAProxy "
                    + "(scripts/stack restart-haproxy)");
        }
        return ca;
    }

    @Override
    public Mailbox.Api mailApi() {
        return Mailbox.Api.GREENMAIL;
    }

    @Override
    public int imapPort() {
        return ports.requiredInt("GREENMAIL_IMAP_PORT");
    }

    @Override
    public boolean mayAlreadyRun() {
        return true;
    }

    @Override
    public void start(List<String> problems) {
        Path script = root.resolve("scripts/stack");
        if (!Files.isExecutable(script)) {
            throw new AssertionError("The native stack is not running (" + problems + ") and " + script
                    + " is missing or not executable. " + HOW_TO_PROVIDE);
        }
        if (installFirst) {
            log.info("stack - installing the native stack's Debian packages with scripts/stack install");
            runStack(INSTALL_TIMEOUT, "install");
        }
        log.info("stack - not running ({}); starting it with scripts/stack infra", problems);
        runStack(INFRA_TIMEOUT, "infra");
    }

    @Override
    public String startLogHint() {
        return "See " + logFile("infra") + ".";
    }

    @Override
    public String howToProvide() {
        return HOW_TO_PROVIDE;
    }

    @Override
    public void stopNode(int node) {
        runStack(CONTROL_TIMEOUT, "stop-node", Integer.toString(node));
    }

    @Override
    public void killNode(int node) {
        runStack(CONTROL_TIMEOUT, "kill-node", Integer.toString(node));
    }

    @Override
    public void startNode(int node) {
        runStack(CONTROL_TIMEOUT, "start-node", Integer.toString(node));
    }

    @Override
    public void stopPostgres() {
        runStack(CONTROL_TIMEOUT, "stop-postgres");
    }

    @Override
    public void startPostgres() {
        runStack(CONTROL_TIMEOUT, "start-postgres");
    }

    @Override
    public void stopSmtp() {
        runStack(CONTROL_TIMEOUT, "stop-smtp");
    }

    @Override
    public void startSmtp() {
        runStack(CONTROL_TIMEOUT, "start-smtp");
    }

    @Override
    public void restartHaproxy() {
        runStack(CONTROL_TIMEOUT, "restart-haproxy");
    }

    @Override
    public String evalOnNode(int node, String erlangExpression) {
        // The environment scripts/stack gives rabbitmqctl for node N (rabbit_env): above all HOME, whose
        // .erlang.cookie the nodes share; a cookie inherited from the caller's environment would not match.
        String stateEnv = System.getenv("THERMOWATCH_STACK_DIR");
        Path rabbit = (stateEnv == null || stateEnv.isBlank() ? root.resolve(".stack") : Path.of(stateEnv))
                .resolve("rabbitmq");
        ProcessBuilder builder = new ProcessBuilder(
                        "/usr/lib/rabbitmq/bin/rabbitmqctl", "-q", "-n", nodeName(node), "eval", erlangExpression)
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        java.util.Map<String, String> env = builder.environment();
        env.remove("RABBITMQ_ERLANG_COOKIE");
        env.put("HOME", rabbit.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", nodeName(node));
        env.put(
                "RABBITMQ_CONFIG_FILE",
                rabbit.resolve("rabbit" + node + ".conf").toString());
        env.put(
                "RABBITMQ_ADVANCED_CONFIG_FILE",
                rabbit.resolve("advanced.config").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", rabbit.resolve("rabbitmq-env.conf").toString());
        env.put(
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                rabbit.resolve("enabled_plugins").toString());
        env.put("ERL_EPMD_ADDRESS", HOST);
        try {
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(
                        "rabbitmqctl eval on node " + node + " did not finish within " + CONTROL_TIMEOUT);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("rabbitmqctl eval '" + erlangExpression + "' on node " + node
                        + " failed with exit code " + process.exitValue() + ":\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new AssertionError("cannot run rabbitmqctl: " + e.getMessage() + ". " + HOW_TO_PROVIDE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running rabbitmqctl eval", e);
        }
    }

    /** Runs {@code scripts/stack <args>}, output appended to {@code target/testkit/stack-<first arg>.log}. */
    void runStack(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add(root.resolve("scripts/stack").toString());
        command.addAll(List.of(args));
        Path logFile = logFile(args[0]);
        log.info("stack - running {}", String.join(" ", command.subList(1, command.size())));
        Instant start = Instant.now();
        int exit;
        try {
            Process process = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("`scripts/stack " + String.join(" ", args) + "` did not finish within "
                        + timeout + "; output: " + logFile + "\n" + tail(logFile));
            }
            exit = process.exitValue();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e.getMessage() + ". " + HOW_TO_PROVIDE, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
        if (exit != 0) {
            throw new AssertionError("`scripts/stack " + String.join(" ", args) + "` failed with exit code " + exit
                    + " (output: " + logFile + "):\n" + tail(logFile) + "\n" + HOW_TO_PROVIDE);
        }
        log.info(
                "stack - {} done in {} ms",
                String.join(" ", args),
                Duration.between(start, Instant.now()).toMillis());
    }

    private Path logFile(String subcommand) {
        return workDir.resolve("stack-" + subcommand + ".log");
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 25), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }
}
