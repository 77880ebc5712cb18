package io.thermowatch.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way integration tests reach the infrastructure: three RabbitMQ nodes behind HAProxy, PostgreSQL
 * (database {@code metrics}) and an SMTP server, all on 127.0.0.1, run natively by {@code scripts/stack}.
 *
 * <p>{@link #get()} finds the repository root (system property {@code thermowatch.root}, which Failsafe sets,
 * else the nearest parent of the working directory holding {@code scripts/stack}), reads {@code .env}
 * (credentials) and {@code scripts/native.env} (ports), and probes every part. If something is down it runs
 * {@code scripts/stack infra} once (output in {@code target/testkit/}) and waits; if that cannot work it fails
 * with a message saying how to provide the stack. Never skips.
 *
 * <p>Node, database and SMTP control ({@link #stopNode}, {@link #killNode}, {@link #startNode},
 * {@link #stopPostgres}, ...) go through {@code scripts/stack} too, so tests and humans share one mechanism.
 * Integration tests that stop things must run alone: {@code flock /tmp/thermowatch-it.lock ./mvnw verify}.
 *
 * <p>Docker: where a Docker engine exists, Testcontainers' {@code ComposeContainer} could provide the same
 * infrastructure from the project's {@code docker-compose.yaml}. It would plug in here, as a second way of
 * making {@link #ensureRunning()} true, with the accessors returning its mapped ports. The machines this
 * project runs on have no engine, so that path is deliberately not built.
 *
 * <p>Thread safety: immutable after {@link #get()}; control methods are meant to be called from one test thread.
 */
public final class Stack {

    public static final String DB_WRITER_QUEUE = "thermowatch.db-writer";
    public static final String EMAIL_SENDER_QUEUE = "thermowatch.email-sender";
    public static final String EXCHANGE = "amq.topic";
    public static final int NODES = 3;

    static final String HOST = "127.0.0.1";
    private static final Logger log = LoggerFactory.getLogger(Stack.class);
    private static final Duration INFRA_TIMEOUT = Duration.ofMinutes(6);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);
    private static final String HOW_TO_PROVIDE =
            "Provide the native stack: `sudo scripts/stack install && scripts/stack infra` (install: Debian "
                    + "packages, once; infra: RabbitMQ x3, HAProxy, PostgreSQL, GreenMail); `scripts/stack status` "
                    + "shows what runs, `scripts/stack logs` where the logs are.";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Stack instance;
    private static AssertionError startFailure;

    private final Path root;
    private final Path workDir;
    private final DotEnv credentials;
    private final DotEnv ports;

    private Stack(Path root) {
        this.root = root;
        this.workDir = Path.of(System.getProperty("user.dir"), "target", "testkit").toAbsolutePath();
        this.credentials = DotEnv.read(root.resolve(".env"));
        this.ports = DotEnv.read(root.resolve("scripts/native.env"));
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The stack, running: probes it and starts it with {@code scripts/stack infra} if needed (once per JVM).
     *
     * @throws AssertionError if the stack is not running and cannot be started, with instructions
     */
    public static synchronized Stack get() {
        if (startFailure != null) {
            throw new AssertionError(startFailure.getMessage(), startFailure);
        }
        if (instance == null) {
            try {
                instance = connect(findRoot());
            } catch (AssertionError e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    /** The stack of the repository at {@code root}, started if needed; not cached (tests of this class). */
    static Stack connect(Path root) {
        Stack stack = new Stack(root);
        stack.ensureRunning();
        return stack;
    }

    // ---------------------------------------------------------------- endpoints

    public Path root() {
        return root;
    }

    /** Where the testkit writes logs: {@code <module>/target/testkit}. */
    public Path workDir() {
        return workDir;
    }

    public String mqttUri() {
        return "tcp://" + HOST + ":" + ports.requiredInt("HAPROXY_MQTT_PORT");
    }

    public String nodeMqttUri(int node) {
        return "tcp://" + HOST + ":" + nodePort("NODE_MQTT_PORT_BASE", node);
    }

    public List<String> nodeMqttUris() {
        return nodes().mapToObj(this::nodeMqttUri).toList();
    }

    /** HAProxy's AMQP front, {@code host:port}. */
    public String amqpAddress() {
        return HOST + ":" + ports.requiredInt("HAPROXY_AMQP_PORT");
    }

    public String nodeAmqpAddress(int node) {
        return HOST + ":" + nodePort("NODE_AMQP_PORT_BASE", node);
    }

    /** HAProxy first, then each node: the list a resilient AMQP client is given. */
    public List<String> amqpAddresses() {
        List<String> all = new ArrayList<>();
        all.add(amqpAddress());
        nodes().mapToObj(this::nodeAmqpAddress).forEach(all::add);
        return all;
    }

    public URI managementUri() {
        return URI.create("http://" + HOST + ":" + ports.requiredInt("HAPROXY_MANAGEMENT_PORT"));
    }

    public URI nodeManagementUri(int node) {
        return URI.create("http://" + HOST + ":" + nodePort("NODE_MANAGEMENT_PORT_BASE", node));
    }

    /** MQTT over WebSocket through HAProxy: {@code ws://127.0.0.1:15675/ws}. */
    public URI webMqttUri() {
        return URI.create("ws://" + HOST + ":" + ports.requiredInt("HAPROXY_WEB_MQTT_PORT") + "/ws");
    }

    public URI nodeWebMqttUri(int node) {
        return URI.create("ws://" + HOST + ":" + nodePort("NODE_WEB_MQTT_PORT_BASE", node) + "/ws");
    }

    public int haproxyStatsPort() {
        return ports.requiredInt("HAPROXY_STATS_PORT");
    }

    public int dashboardPort() {
        return ports.requiredInt("DASHBOARD_PORT");
    }

    public String dbHost() {
        return HOST;
    }

    public int dbPort() {
        return ports.requiredInt("POSTGRES_PORT");
    }

    public String dbName() {
        return "metrics";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + dbHost() + ":" + dbPort() + "/" + dbName();
    }

    /** The PostgreSQL user of database {@code metrics}. */
    public Credentials database() {
        return new Credentials(credentials.required("POSTGRES_USER"), credentials.required("POSTGRES_PASSWORD"));
    }

    /** A new JDBC connection to {@code metrics}; the caller closes it. */
    public Connection openDatabase() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", database().username());
        props.setProperty("password", database().password());
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    public String smtpHost() {
        return HOST;
    }

    public int smtpPort() {
        return ports.requiredInt("SMTP_PORT");
    }

    // ---------------------------------------------------------------- credentials

    public Credentials admin() {
        return credentials("RABBITMQ_ADMIN_USER", "RABBITMQ_ADMIN_PASS");
    }

    public Credentials sensor() {
        return credentials("MQTT_SENSOR_USER", "MQTT_SENSOR_PASS");
    }

    public Credentials page() {
        return credentials("MQTT_PAGE_USER", "MQTT_PAGE_PASS");
    }

    public Credentials dbWriter() {
        return credentials("AMQP_DBWRITER_USER", "AMQP_DBWRITER_PASS");
    }

    public Credentials emailSender() {
        return credentials("AMQP_EMAILSENDER_USER", "AMQP_EMAILSENDER_PASS");
    }

    public Credentials monitor() {
        return credentials("RABBITMQ_MONITOR_USER", "RABBITMQ_MONITOR_PASS");
    }

    // ---------------------------------------------------------------- helpers

    /** Management API through HAProxy, as admin. */
    public ManagementClient management() {
        return new ManagementClient(managementUri(), admin());
    }

    /** Management API of one node, as admin (use a surviving node while another is down). */
    public ManagementClient management(int node) {
        return new ManagementClient(nodeManagementUri(checkNode(node)), admin());
    }

    /** A new AMQP probe (admin, HAProxy then each node); the caller closes it. */
    public QueueProbe queueProbe() {
        return new QueueProbe(amqpAddresses(), admin());
    }

    /** The mail the stack's SMTP server received. */
    public Mailbox mailbox() {
        return new Mailbox(greenMailApiUri());
    }

    /** GreenMail's REST API ({@code GREENMAIL_API_PORT}). */
    public URI greenMailApiUri() {
        return URI.create("http://" + HOST + ":" + ports.requiredInt("GREENMAIL_API_PORT"));
    }

    /** GreenMail's IMAP port; login and password are both the recipient address. */
    public int imapPort() {
        return ports.requiredInt("GREENMAIL_IMAP_PORT");
    }

    // ---------------------------------------------------------------- control

    /** Stops node N gracefully ({@code scripts/stack stop-node N}) and waits until the cluster sees it down. */
    public void stopNode(int node) {
        runStack(NODE_TIMEOUT, "stop-node", Integer.toString(checkNode(node)));
        awaitNodeDown(node);
    }

    /** SIGKILLs node N ({@code scripts/stack kill-node N}) and waits until the cluster sees it down. */
    public void killNode(int node) {
        runStack(NODE_TIMEOUT, "kill-node", Integer.toString(checkNode(node)));
        awaitNodeDown(node);
    }

    /**
     * Starts node N ({@code scripts/stack start-node N}); returns when the cluster is complete again
     * (see {@link #awaitClusterComplete}).
     */
    public void startNode(int node) {
        runStack(NODE_TIMEOUT, "start-node", Integer.toString(checkNode(node)));
        awaitClusterComplete(NODE_TIMEOUT);
    }

    /**
     * Waits until every node runs and serves AMQP and MQTT, HAProxy reports every node UP in every backend, and
     * the cluster reports {@value #NODES} running nodes.
     */
    public void awaitClusterComplete(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<String> problems = clusterProblems();
        while (!problems.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("cluster not complete after " + timeout + ": " + problems);
            }
            pause(Duration.ofMillis(500));
            problems = clusterProblems();
        }
    }

    public void stopPostgres() {
        runStack(NODE_TIMEOUT, "stop-postgres");
    }

    /** Starts PostgreSQL and waits until {@code metrics} answers a query. */
    public void startPostgres() {
        runStack(NODE_TIMEOUT, "start-postgres");
        awaitNoProblem(this::postgresProblem, NODE_TIMEOUT);
    }

    public void stopSmtp() {
        runStack(NODE_TIMEOUT, "stop-smtp");
    }

    /** Starts the SMTP server and waits until it greets. */
    public void startSmtp() {
        runStack(NODE_TIMEOUT, "start-smtp");
        awaitNoProblem(this::smtpProblem, NODE_TIMEOUT);
    }

    // ---------------------------------------------------------------- workings

    private void ensureRunning() {
        List<String> problems = problems();
        if (problems.isEmpty()) {
            log.info("stack - running ({})", root);
            return;
        }
        Path script = root.resolve("scripts/stack");
        if (!Files.isExecutable(script)) {
            throw new AssertionError("The native stack is not running (" + problems + ") and " + script
                    + " is missing or not executable. " + HOW_TO_PROVIDE);
        }
        log.info("stack - not running ({}); starting it with scripts/stack infra", problems);
        Instant start = Instant.now();
        runStack(INFRA_TIMEOUT, "infra");
        Instant deadline = Instant.now().plus(READY_TIMEOUT);
        while (!(problems = problems()).isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("`scripts/stack infra` returned but the stack is not ready after "
                        + READY_TIMEOUT + ": " + problems + ". See " + logFile("infra") + ". " + HOW_TO_PROVIDE);
            }
            pause(Duration.ofSeconds(1));
        }
        log.info("stack - started in {} s", Duration.between(start, Instant.now()).toSeconds());
    }

    /** Everything that is not ready, one phrase each; empty when the stack is usable. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (String key : List.of("HAPROXY_MQTT_PORT", "HAPROXY_AMQP_PORT", "HAPROXY_MANAGEMENT_PORT",
                "HAPROXY_WEB_MQTT_PORT")) {
            int port = ports.requiredInt(key);
            if (!isListening(port)) {
                problems.add(key + " " + port + " closed");
            }
        }
        if (problems.isEmpty()) {
            problems.addAll(clusterProblems());
            for (String queue : List.of(DB_WRITER_QUEUE, EMAIL_SENDER_QUEUE)) {
                try {
                    if (management().queueIfExists(queue).isEmpty()) {
                        problems.add("queue " + queue + " missing");
                    }
                } catch (RuntimeException e) {
                    problems.add("management API: " + e.getMessage());
                }
            }
        }
        addIfPresent(problems, postgresProblem());
        addIfPresent(problems, smtpProblem());
        return problems;
    }

    private List<String> clusterProblems() {
        List<String> problems = new ArrayList<>();
        for (int node = 1; node <= NODES; node++) {
            int mqtt = nodePort("NODE_MQTT_PORT_BASE", node);
            int amqp = nodePort("NODE_AMQP_PORT_BASE", node);
            if (!isListening(mqtt) || !isListening(amqp)) {
                problems.add("node " + node + " not serving (AMQP " + amqp + ", MQTT " + mqtt + ")");
            }
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        problems.addAll(haproxyProblems());
        try {
            List<String> running = management(1).runningNodes();
            if (running.size() != NODES) {
                problems.add("running nodes " + running + ", expected " + NODES);
            }
        } catch (RuntimeException e) {
            problems.add("management API of node 1: " + e.getMessage());
        }
        return problems;
    }

    /** Every HAProxy server (node) that HAProxy's health checks do not report UP, from its stats CSV. */
    private List<String> haproxyProblems() {
        URI csv = URI.create("http://" + HOST + ":" + haproxyStatsPort() + "/stats;csv");
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(csv).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return List.of("HAProxy stats " + csv + " answered " + response.statusCode());
            }
            List<String> problems = new ArrayList<>();
            for (String line : response.body().split("\n")) {
                String[] fields = line.split(",", -1);
                // # pxname,svname,...; status is field 18 (index 17)
                if (line.startsWith("#") || fields.length < 18 || fields[1].equals("FRONTEND")) {
                    continue;
                }
                if (!fields[17].startsWith("UP")) {
                    problems.add("HAProxy " + fields[0] + "/" + fields[1] + " " + fields[17]);
                }
            }
            return problems;
        } catch (IOException e) {
            return List.of("HAProxy stats " + csv + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private String postgresProblem() {
        try (Connection c = openDatabase(); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            return "PostgreSQL " + jdbcUrl() + ": " + e.getMessage();
        }
    }

    private String smtpProblem() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, smtpPort()), 1000);
            socket.setSoTimeout(3000);
            BufferedReader in = new BufferedReader(
                    new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("220")) {
                return "SMTP " + smtpPort() + " greeted with " + greeting;
            }
            return mailbox().isReady() ? null : "GreenMail API " + greenMailApiUri() + " not ready";
        } catch (IOException e) {
            return "SMTP " + smtpPort() + ": " + e.getMessage();
        }
    }

    private void awaitNodeDown(int node) {
        ManagementClient survivor = management(node == 1 ? 2 : 1);
        String name = "rabbit" + node + "@";
        Instant deadline = Instant.now().plus(NODE_TIMEOUT);
        while (true) {
            try {
                if (survivor.runningNodes().stream().noneMatch(n -> n.startsWith(name))) {
                    return;
                }
            } catch (RuntimeException e) {
                log.debug("stack - management not answering while node {} goes down: {}", node, e.toString());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("node " + node + " still reported running after " + NODE_TIMEOUT);
            }
            pause(Duration.ofMillis(200));
        }
    }

    private void awaitNoProblem(java.util.function.Supplier<String> probe, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        String problem;
        while ((problem = probe.get()) != null) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not ready after " + timeout + ": " + problem);
            }
            pause(Duration.ofMillis(300));
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
        log.info("stack - {} done in {} ms", String.join(" ", args), Duration.between(start, Instant.now()).toMillis());
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

    private static Path findRoot() {
        String property = System.getProperty("thermowatch.root");
        if (property != null && !property.isBlank()) {
            Path root = Path.of(property).toAbsolutePath().normalize();
            if (Files.isRegularFile(root.resolve(".env")) && Files.isRegularFile(root.resolve("scripts/native.env"))) {
                return root;
            }
            throw new AssertionError("thermowatch.root=" + root + " has no .env and scripts/native.env");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("scripts/stack")) || Files.isRegularFile(dir.resolve("scripts/native.env"))) {
                return dir;
            }
        }
        throw new AssertionError("cannot find the repository root (a directory holding scripts/stack) above "
                + Path.of("").toAbsolutePath() + "; set -Dthermowatch.root=<repo>");
    }

    private static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int nodePort(String baseKey, int node) {
        return ports.requiredInt(baseKey) + checkNode(node);
    }

    private static int checkNode(int node) {
        if (node < 1 || node > NODES) {
            throw new IllegalArgumentException("node must be 1.." + NODES + ", was " + node);
        }
        return node;
    }

    private static IntStream nodes() {
        return IntStream.rangeClosed(1, NODES);
    }

    private Credentials credentials(String userKey, String passKey) {
        return new Credentials(credentials.required(userKey), credentials.required(passKey));
    }

    private static void addIfPresent(List<String> list, String problem) {
        if (problem != null) {
            list.add(problem);
        }
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
