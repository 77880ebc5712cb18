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
import java.util.Optional;
import java.util.Properties;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way integration tests reach the infrastructure: three RabbitMQ nodes behind HAProxy, PostgreSQL
 * (database {@code metrics}) and an SMTP server whose received mail a {@link Mailbox} reads.
 *
 * <p>{@link #get()} finds the repository root (system property {@code thermowatch.root}, which Failsafe sets,
 * else the nearest parent of the working directory holding {@code scripts/stack}), reads {@code .env}
 * (credentials) and lets {@link InfraChoice} pick a provider, named once in the log:
 * <ul>
 *   <li>{@link ComposeInfra} where a Docker engine is reachable: Testcontainers brings up
 *       {@code docker-compose.yaml}'s infrastructure services, the accessors return its mapped ports;</li>
 *   <li>{@link NativeInfra} otherwise: {@code scripts/stack} on 127.0.0.1 (ports of {@code scripts/native.env});
 *       if something is down it runs {@code scripts/stack infra} once (first {@code scripts/stack install} when
 *       the Debian packages are missing and it runs as root on Debian);</li>
 *   <li>else it fails with one message saying what to provide. Never skips.</li>
 * </ul>
 * {@code -Dthermowatch.infra=docker|native} (or {@code THERMOWATCH_INFRA}) forces a provider.
 *
 * <p>Node, database and SMTP control ({@link #stopNode}, {@link #killNode}, {@link #startNode},
 * {@link #stopPostgres}, ...) go through the provider: {@code scripts/stack}, or the compose containers.
 * Integration tests that stop things must run alone: {@code flock /tmp/thermowatch-it.lock ./mvnw verify}.
 *
 * <p>Thread safety: immutable after {@link #get()}; control methods are meant to be called from one test thread.
 */
public final class Stack {

    public static final String DB_WRITER_QUEUE = "thermowatch.db-writer";
    public static final String EMAIL_SENDER_QUEUE = "thermowatch.email-sender";
    /** Where {@link #DB_WRITER_QUEUE} dead-letters; db-writer drains it. */
    public static final String DEAD_LETTER_QUEUE = "thermowatch.dead-letter";
    /** Where {@link #EMAIL_SENDER_QUEUE} dead-letters; email-sender drains it. */
    public static final String EMAIL_SENDER_DEAD_LETTER_QUEUE = "thermowatch.email-sender.dead-letter";

    public static final String EXCHANGE = "amq.topic";
    public static final int NODES = 3;

    /** Where service processes started by tests listen (they run on this machine whatever the provider). */
    static final String HOST = NativeInfra.HOST;

    private static final Logger log = LoggerFactory.getLogger(Stack.class);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration NODE_TIMEOUT = Duration.ofMinutes(3);

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Stack instance;
    private static AssertionError startFailure;

    private final Path root;
    private final Path workDir;
    private final DotEnv credentials;
    private final DotEnv ports;
    private final Infra infra;

    private Stack(Path root, Path workDir, Infra infra) {
        this.root = root;
        this.workDir = workDir;
        this.credentials = DotEnv.read(root.resolve(".env"));
        this.ports = DotEnv.read(root.resolve("scripts/native.env"));
        this.infra = infra;
    }

    private static Path createWorkDir() {
        Path workDir =
                Path.of(System.getProperty("user.dir"), "target", "testkit").toAbsolutePath();
        try {
            return Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The stack, running: chooses the provider, probes the infrastructure and starts it if needed (once per JVM).
     *
     * @throws AssertionError if the stack is not running and cannot be started, with instructions
     */
    public static synchronized Stack get() {
        if (startFailure != null) {
            throw new AssertionError(startFailure.getMessage(), startFailure);
        }
        if (instance == null) {
            try {
                instance = choose(findRoot());
            } catch (AssertionError e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    /** The provider {@link InfraChoice} picks on this machine, logged once, and its stack, running. */
    private static Stack choose(Path root) {
        String property = System.getProperty(InfraChoice.PROPERTY);
        String variable = System.getenv(InfraChoice.VARIABLE);
        boolean byProperty = property != null && !property.isBlank();
        InfraChoice.Decision decision = InfraChoice.decide(
                byProperty ? property : variable,
                byProperty ? "-D" + InfraChoice.PROPERTY : InfraChoice.VARIABLE,
                MachineFacts.of(root));
        if (!decision.chosen()) {
            throw new AssertionError(decision.failure());
        }
        log.info("stack - {}", decision.logLine());
        Path workDir = createWorkDir();
        Infra infra = decision.provider() == InfraChoice.Provider.DOCKER
                ? new ComposeInfra(root)
                : new NativeInfra(root, workDir, decision.installFirst());
        return start(new Stack(root, workDir, infra));
    }

    /** The native stack of the repository at {@code root}, started if needed; not cached (tests of this class). */
    static Stack connect(Path root) {
        Path workDir = createWorkDir();
        return start(new Stack(root, workDir, new NativeInfra(root, workDir, false)));
    }

    private static Stack start(Stack stack) {
        stack.ensureRunning();
        DatabaseRoles.ensure(stack);
        BrokerDefinitions.ensure(stack.management(), stack.credentials, stack.root);
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

    /** Which provider runs the infrastructure: {@code native} or {@code docker}. */
    public String provider() {
        return infra.name();
    }

    /** The Erlang node name of node N as the cluster reports it: {@code rabbitN@localhost} or {@code rabbit@rabbitmqN}. */
    public String nodeName(int node) {
        return infra.nodeName(checkNode(node));
    }

    public String mqttUri() {
        return "tcp://" + host() + ":" + infra.port(Infra.Front.MQTT);
    }

    /** HAProxy's MQTT-over-TLS front, {@code ssl://127.0.0.1:8883} on the native stack (see {@link #tlsCaFile()}). */
    public String mqttsUri() {
        return "ssl://" + host() + ":" + infra.port(Infra.Front.MQTTS);
    }

    /** HAProxy's AMQP-over-TLS front, {@code host:port}. */
    public String amqpsAddress() {
        return host() + ":" + infra.port(Infra.Front.AMQPS);
    }

    /**
     * The local CA's certificate (PEM) that signed HAProxy's TLS certificate (names: localhost, 127.0.0.1,
     * haproxy): what a TLS client of {@link #mqttsUri()} or {@link #amqpsAddress()} trusts.
     */
    public Path tlsCaFile() {
        return infra.tlsCaFile();
    }

    public String nodeMqttUri(int node) {
        return "tcp://" + host() + ":" + nodePort(Infra.NodePort.MQTT, node);
    }

    public List<String> nodeMqttUris() {
        return nodes().mapToObj(this::nodeMqttUri).toList();
    }

    /** HAProxy's AMQP front, {@code host:port}. */
    public String amqpAddress() {
        return host() + ":" + infra.port(Infra.Front.AMQP);
    }

    public String nodeAmqpAddress(int node) {
        return host() + ":" + nodePort(Infra.NodePort.AMQP, node);
    }

    /** HAProxy first, then each node: the list a resilient AMQP client is given. */
    public List<String> amqpAddresses() {
        List<String> all = new ArrayList<>();
        all.add(amqpAddress());
        nodes().mapToObj(this::nodeAmqpAddress).forEach(all::add);
        return all;
    }

    public URI managementUri() {
        return URI.create("http://" + host() + ":" + infra.port(Infra.Front.MANAGEMENT));
    }

    public URI nodeManagementUri(int node) {
        return URI.create("http://" + host() + ":" + nodePort(Infra.NodePort.MANAGEMENT, node));
    }

    /** MQTT over WebSocket through HAProxy: {@code ws://127.0.0.1:15675/ws} on the native stack. */
    public URI webMqttUri() {
        return URI.create("ws://" + host() + ":" + infra.port(Infra.Front.WEB_MQTT) + "/ws");
    }

    public URI nodeWebMqttUri(int node) {
        return URI.create("ws://" + host() + ":" + nodePort(Infra.NodePort.WEB_MQTT, node) + "/ws");
    }

    public int haproxyStatsPort() {
        return infra.port(Infra.Front.STATS);
    }

    /** The dashboard port of {@code scripts/native.env} (for a dashboard run on this machine). */
    public int dashboardPort() {
        return ports.requiredInt("DASHBOARD_PORT");
    }

    public String dbHost() {
        return host();
    }

    public int dbPort() {
        return infra.port(Infra.Front.POSTGRES);
    }

    public String dbName() {
        return "metrics";
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + dbHost() + ":" + dbPort() + "/" + dbName();
    }

    /** The PostgreSQL superuser: for tests that set up or inspect the database, never for a service. */
    public Credentials database() {
        return new Credentials(credentials.required("POSTGRES_USER"), credentials.required("POSTGRES_PASSWORD"));
    }

    /** db-writer's role: owns the schema of {@code metrics}, migrates it and writes (postgres/roles.sql). */
    public Credentials dbWriterDatabase() {
        return credentials("POSTGRES_DBWRITER_USER", "POSTGRES_DBWRITER_PASS");
    }

    /** The dashboard's role: SELECT on the readings and their aggregates only (postgres/roles.sql). */
    public Credentials dashboardDatabase() {
        return credentials("POSTGRES_DASHBOARD_USER", "POSTGRES_DASHBOARD_PASS");
    }

    /** email-sender's role: INSERT alert_events, SELECT silences and acknowledgements (postgres/roles.sql). */
    public Credentials emailSenderDatabase() {
        return credentials("POSTGRES_EMAILSENDER_USER", "POSTGRES_EMAILSENDER_PASS");
    }

    /** The dashboard operator API's role: writes silences and acknowledgements only (postgres/roles.sql). */
    public Credentials operatorDatabase() {
        return credentials("POSTGRES_OPERATOR_USER", "POSTGRES_OPERATOR_PASS");
    }

    /** The operator credential of {@code .env} ({@code OPERATOR_TOKEN}) the dashboard's operator API requires. */
    public String operatorToken() {
        return credentials.required("OPERATOR_TOKEN");
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
        return host();
    }

    public int smtpPort() {
        return infra.port(Infra.Front.SMTP);
    }

    // ---------------------------------------------------------------- credentials

    public Credentials admin() {
        return credentials("RABBITMQ_ADMIN_USER", "RABBITMQ_ADMIN_PASS");
    }

    /**
     * The fleet test publisher: may publish for any sensor id (tests with many ids, local tools). Devices use
     * their own identity ({@link #sensorIdentity}, {@link #gateway()}).
     */
    public Credentials sensor() {
        return credentials("MQTT_SENSOR_USER", "MQTT_SENSOR_PASS");
    }

    /** Compose's sensor N (1..3): user name = sensor id, may publish only that id's topics. */
    public Credentials sensorIdentity(int n) {
        if (n < 1 || n > 3) {
            throw new IllegalArgumentException("sensor identity " + n + ": .env defines 1 to 3");
        }
        return credentials("MQTT_SENSOR" + n + "_USER", "MQTT_SENSOR" + n + "_PASS");
    }

    /** The demo gateway: may publish only for sensor ids starting with {@code <its user name>-}. */
    public Credentials gateway() {
        return credentials("MQTT_GATEWAY_USER", "MQTT_GATEWAY_PASS");
    }

    public Credentials page() {
        return credentials("MQTT_PAGE_USER", "MQTT_PAGE_PASS");
    }

    /** The dashboard's live feed publisher: may publish {@code dashboard/live} and nothing else. */
    public Credentials live() {
        return credentials("MQTT_LIVE_USER", "MQTT_LIVE_PASS");
    }

    /** The browser's identity: a passwordless internal user (for its connection limit) that logs in with a JWT. */
    public String pageTokenUser() {
        return credentials.required("MQTT_PAGE_TOKEN_USER");
    }

    /** The HS256 key (base64url) the dashboard signs the page's tokens with; the nodes hold the same. */
    public String pageTokenKey() {
        return credentials.required("MQTT_PAGE_TOKEN_KEY");
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

    /** The mail the stack's SMTP server received (GreenMail natively, Mailpit with Docker). */
    public Mailbox mailbox() {
        return new Mailbox(mailApiUri(), infra.mailApi());
    }

    /** The mail server's REST API: GreenMail's ({@code GREENMAIL_API_PORT}) or Mailpit's. */
    public URI mailApiUri() {
        return URI.create("http://" + host() + ":" + infra.port(Infra.Front.MAIL_API));
    }

    /**
     * GreenMail's IMAP port; login and password are both the recipient address.
     *
     * @throws UnsupportedOperationException with the docker provider (Mailpit has no IMAP)
     */
    public int imapPort() {
        return infra.imapPort();
    }

    // ---------------------------------------------------------------- control

    /** Stops node N gracefully ({@code scripts/stack stop-node N}) and waits until the cluster sees it down. */
    public void stopNode(int node) {
        infra.stopNode(checkNode(node));
        awaitNodeDown(node);
    }

    /** SIGKILLs node N ({@code scripts/stack kill-node N}) and waits until the cluster sees it down. */
    public void killNode(int node) {
        infra.killNode(checkNode(node));
        awaitNodeDown(node);
    }

    /**
     * Starts node N ({@code scripts/stack start-node N}); returns when the cluster is complete again
     * (see {@link #awaitClusterComplete}).
     */
    public void startNode(int node) {
        infra.startNode(checkNode(node));
        awaitClusterComplete(NODE_TIMEOUT);
    }

    /** Restarts HAProxy ({@code scripts/stack restart-haproxy}); returns when every backend sees every node UP. */
    public void restartHaproxy() {
        infra.restartHaproxy();
        awaitClusterComplete(NODE_TIMEOUT);
    }

    /**
     * Waits until every node runs and serves AMQP and MQTT, HAProxy reports every node UP in every backend, and
     * the cluster reports {@value #NODES} running nodes.
     */
    public void awaitClusterComplete(Duration timeout) {
        Waits.until(
                "cluster complete",
                timeout,
                Duration.ofMillis(500),
                this::clusterProblems,
                List::isEmpty,
                problems -> String.valueOf(problems));
    }

    public void stopPostgres() {
        infra.stopPostgres();
    }

    /** Starts PostgreSQL and waits until {@code metrics} answers a query. */
    public void startPostgres() {
        infra.startPostgres();
        awaitNoProblem(this::postgresProblem, NODE_TIMEOUT);
    }

    public void stopSmtp() {
        infra.stopSmtp();
    }

    /** Starts the SMTP server and waits until it greets. */
    public void startSmtp() {
        infra.startSmtp();
        awaitNoProblem(this::smtpProblem, NODE_TIMEOUT);
    }

    /**
     * Quorum queue {@code queue}'s replicas and leader as Raft reports them, asked on the first node that answers.
     * Use it rather than the management API's figures, which lag and can be stale (see {@link QuorumMembership}).
     */
    public QuorumMembership quorumMembership(String queue) {
        String query = QuorumMembership.query(queue);
        AssertionError last = null;
        for (int node = 1; node <= NODES; node++) {
            try {
                return QuorumMembership.parse(infra.evalOnNode(node, query));
            } catch (AssertionError unreachable) {
                last = unreachable;
            }
        }
        throw new AssertionError("no node answered the membership of " + queue + ": " + last.getMessage(), last);
    }

    /** The number (1..3) of the node called {@code nodeName}, e.g. a {@link QuorumMembership#leader()}. */
    public int nodeNumber(String nodeName) {
        return IntStream.rangeClosed(1, NODES)
                .filter(node -> nodeName(node).equals(nodeName))
                .findFirst()
                .orElseThrow(() -> new AssertionError(nodeName + " is none of this stack's nodes"));
    }

    /**
     * The {@code rabbit} application's runtime value of {@code key} on node N ({@code application:get_env}), as
     * Erlang prints it (e.g. {@code "1800000"}), or empty when unset.
     */
    public Optional<String> rabbitSetting(int node, String key) {
        String printed = infra.evalOnNode(checkNode(node), "application:get_env(rabbit, " + checkKey(key) + ").");
        if (printed.equals("undefined")) {
            return Optional.empty();
        }
        if (!printed.startsWith("{ok,") || !printed.endsWith("}")) {
            throw new AssertionError(
                    "unexpected answer to application:get_env(rabbit, " + key + ") on node " + node + ": " + printed);
        }
        return Optional.of(printed.substring(4, printed.length() - 1));
    }

    /**
     * Sets (or, with an empty value, unsets) the {@code rabbit} application's runtime value of {@code key} on
     * every node ({@code application:set_env}). Not persisted: a node restart goes back to its configuration
     * file. RabbitMQ reads each key where it reads it: e.g. 3.10 copies {@code consumer_timeout} into each
     * channel when the channel opens, so only channels opened afterwards see a change.
     *
     * @param erlangTerm the value as an Erlang term, e.g. {@code "60000"}
     */
    public void setRabbitSetting(String key, Optional<String> erlangTerm) {
        checkKey(key);
        erlangTerm.ifPresent(term -> {
            if (!term.matches("[0-9]{1,12}|true|false")) {
                throw new IllegalArgumentException("setRabbitSetting: an integer or a boolean, not " + term);
            }
        });
        for (int node = 1; node <= NODES; node++) {
            String printed = infra.evalOnNode(
                    node,
                    erlangTerm
                            .map(term -> "application:set_env(rabbit, " + key + ", " + term + ").")
                            .orElse("application:unset_env(rabbit, " + key + ")."));
            if (!printed.equals("ok")) {
                throw new AssertionError("setting rabbit " + key + " on node " + node + " answered " + printed);
            }
        }
        log.info("stack - rabbit {} = {} on every node", key, erlangTerm.orElse("(unset)"));
    }

    private static String checkKey(String key) {
        if (!key.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("not a rabbit application key: " + key);
        }
        return key;
    }

    // ---------------------------------------------------------------- workings

    private void ensureRunning() {
        List<String> problems = infra.mayAlreadyRun() ? problems() : List.of("not started yet");
        if (problems.isEmpty()) {
            log.info("stack - running ({})", root);
            return;
        }
        Instant start = Instant.now();
        infra.start(problems);
        Waits.until(
                "the " + infra.name() + " infrastructure, started, ready",
                READY_TIMEOUT,
                Duration.ofSeconds(1),
                this::problems,
                List::isEmpty,
                left -> left + ". " + infra.startLogHint() + " " + infra.howToProvide());
        log.info(
                "stack - started in {} s",
                Duration.between(start, Instant.now()).toSeconds());
    }

    /** Everything that is not ready, one phrase each; empty when the stack is usable. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (Infra.Front front :
                List.of(Infra.Front.MQTT, Infra.Front.AMQP, Infra.Front.MANAGEMENT, Infra.Front.WEB_MQTT)) {
            int port = infra.port(front);
            if (!isListening(port)) {
                problems.add("HAProxy " + front + " port " + port + " closed");
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
            int mqtt = nodePort(Infra.NodePort.MQTT, node);
            int amqp = nodePort(Infra.NodePort.AMQP, node);
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
        URI csv = URI.create("http://" + host() + ":" + haproxyStatsPort() + "/stats;csv");
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(csv).timeout(Duration.ofSeconds(3)).build(),
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
        try (Connection c = openDatabase();
                Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return null;
        } catch (SQLException e) {
            return "PostgreSQL " + jdbcUrl() + ": " + e.getMessage();
        }
    }

    private String smtpProblem() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), smtpPort()), 1000);
            socket.setSoTimeout(3000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            String greeting = in.readLine();
            if (greeting == null || !greeting.startsWith("220")) {
                return "SMTP " + smtpPort() + " greeted with " + greeting;
            }
            return mailbox().isReady() ? null : "mail API " + mailApiUri() + " not ready";
        } catch (IOException e) {
            return "SMTP " + smtpPort() + ": " + e.getMessage();
        }
    }

    private void awaitNodeDown(int node) {
        ManagementClient survivor = management(node == 1 ? 2 : 1);
        String name = nodeName(node);
        Waits.untilNoProblem("node " + node + " reported down", NODE_TIMEOUT, Duration.ofMillis(200), () -> {
            try {
                return survivor.runningNodes().stream().noneMatch(name::equals) ? null : "still reported running";
            } catch (RuntimeException e) {
                log.debug("stack - management not answering while node {} goes down: {}", node, e.toString());
                return "management not answering: " + e;
            }
        });
    }

    private void awaitNoProblem(java.util.function.Supplier<String> probe, Duration timeout) {
        Waits.untilNoProblem("ready", timeout, Duration.ofMillis(300), probe::get);
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

    private String host() {
        return infra.host();
    }

    private boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int nodePort(Infra.NodePort port, int node) {
        return infra.nodePort(port, checkNode(node));
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
