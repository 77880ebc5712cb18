package io.thermowatch.systemtests;

import static org.awaitility.Awaitility.await;

import io.thermowatch.testkit.MqttTestClient;
import io.thermowatch.testkit.QueueProbe;
import io.thermowatch.testkit.ServiceEnv;
import io.thermowatch.testkit.ServiceProcess;
import io.thermowatch.testkit.Stack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole system under test: the four services started from their jars as OS processes on the native stack,
 * with the environment {@code scripts/stack up} gives them (MQTT through HAProxy, sensors with their home nodes
 * first; AMQP through HAProxy then each node) but free ports, a mailbox of its own and per-test settings.
 * One instance per test class ({@code @BeforeAll}); {@link #close()} stops every process it started.
 */
final class SystemUnderTest implements AutoCloseable {

    static final Duration READY = Duration.ofSeconds(90);
    private static final Logger log = LoggerFactory.getLogger(SystemUnderTest.class);
    /** The tests' JVM options: small, quick to start (the testkit adds C1-only compilation). */
    private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");
    /** The full JIT (the testkit starts services with C1 only, for a quick start). */
    private static final String FULL_JIT = "-XX:TieredStopAtLevel=4";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Stack stack;
    /** A short tag unique to this run: every sensor id and the mail recipient carry it. */
    final String run;

    final String mailTo;
    final Duration offlineAfter;
    final int dashboardPort;
    private final Map<String, String> extraDbWriter;
    private final Map<String, String> extraEmailSender;
    private final List<ServiceProcess> sensors = new ArrayList<>();
    private final Map<String, ServiceProcess> services = new LinkedHashMap<>();

    private SystemUnderTest(
            Stack stack,
            Duration offlineAfter,
            Map<String, String> extraDbWriter,
            Map<String, String> extraEmailSender) {
        this.stack = stack;
        this.run = "st" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
        this.mailTo = "ops-" + run + "@thermowatch.test";
        this.offlineAfter = offlineAfter;
        this.dashboardPort = ServiceEnv.freePort();
        this.extraDbWriter = extraDbWriter;
        this.extraEmailSender = extraEmailSender;
    }

    /**
     * Purges both service queues (a previous run's leftovers must not count), then starts db-writer,
     * email-sender and dashboard and waits until each is ready.
     */
    static SystemUnderTest start(
            Duration offlineAfter, Map<String, String> extraDbWriter, Map<String, String> extraEmailSender) {
        Stack stack = Stack.get();
        stack.awaitClusterComplete(Duration.ofMinutes(3));
        awaitEveryNodeAcceptsMqtt(stack, Duration.ofSeconds(60));
        try (QueueProbe probe = stack.queueProbe()) {
            // over AMQP: testkit's ManagementClient.purge gets 406 from the management API (see README)
            probe.purge(Stack.DB_WRITER_QUEUE);
            probe.purge(Stack.EMAIL_SENDER_QUEUE);
        }
        SystemUnderTest system = new SystemUnderTest(stack, offlineAfter, extraDbWriter, extraEmailSender);
        try {
            system.startService("db-writer");
            system.startService("email-sender");
            system.startService("dashboard");
            system.awaitAllReady(READY);
        } catch (RuntimeException | AssertionError e) {
            system.close();
            throw e;
        }
        log.info(
                "system - run {} started: db-writer, email-sender, dashboard on {}, mail to {}",
                system.run,
                system.dashboardPort,
                system.mailTo);
        return system;
    }

    /**
     * Every node accepts an MQTT connection directly. RabbitMQ 3.10 can report a node running, and pass HAProxy's
     * protocol-listener check, while its MQTT client-id tracker has no Raft leader: it then refuses every MQTT
     * connect with "server unavailable" (CONNACK 3).
     */
    static void awaitEveryNodeAcceptsMqtt(Stack stack, Duration timeout) {
        for (int node = 1; node <= Stack.NODES; node++) {
            String uri = stack.nodeMqttUri(node);
            int n = node;
            await("node " + node + " accepts MQTT connections (" + uri + "); if not, its MQTT client-id tracker is "
                            + "stuck: restart it with scripts/stack stop-node " + n + " && scripts/stack start-node "
                            + n)
                    .atMost(timeout)
                    .pollDelay(Duration.ZERO) // Awaitility waits one interval before the first look otherwise
                    .pollInterval(Duration.ofSeconds(1))
                    .ignoreExceptions()
                    .until(() -> {
                        try (MqttTestClient client = MqttTestClient.connect(uri, stack.sensor())) {
                            return client.isConnected();
                        }
                    });
        }
    }

    /**
     * Opt-in, for the {@code extraEmailSender} of {@link #start}: email-sender's pipeline watchdog reads the stack's
     * management API (HAProxy's front) as the read-only monitoring user, every {@code checkInterval}. Without it
     * email-sender keeps its default {@code RABBITMQ_MANAGEMENT_URL} (compose's {@code http://haproxy:15672}), which
     * does not resolve here: the watchdog logs one WARN and mails nothing, so the other classes' mail counts never
     * see a PIPELINE mail.
     */
    static Map<String, String> pipelineWatchdog(Duration checkInterval, Duration backlogGrowthFor) {
        return ServiceEnv.of(Stack.get())
                .managementMonitor()
                .with("PIPELINE_CHECK_INTERVAL", checkInterval.toMillis() + "ms")
                .with("PIPELINE_BACKLOG_GROWTH_FOR", backlogGrowthFor.toMillis() + "ms")
                .build();
    }

    ServiceProcess service(String module) {
        ServiceProcess process = services.get(module);
        if (process == null) {
            throw new IllegalStateException(module + " is not running");
        }
        return process;
    }

    /** Starts (or starts again, after a kill) one of db-writer, email-sender, dashboard; does not wait. */
    ServiceProcess startService(String module) {
        ServiceProcess old = services.get(module);
        if (old != null && old.isAlive()) {
            throw new IllegalStateException(module + " already runs: " + old);
        }
        Map<String, String> env = switch (module) {
            case "db-writer" ->
                common().database(stack.dbWriterDatabase())
                        .with("AMQP_USERNAME", stack.dbWriter().username())
                        .with("AMQP_PASSWORD", stack.dbWriter().password())
                        .build();
            case "email-sender" -> emailSenderEnv();
            case "dashboard" -> dashboardEnv();
            default -> throw new IllegalArgumentException(module);
        };
        Map<String, String> withExtra = new HashMap<>(env);
        if (module.equals("db-writer")) {
            withExtra.putAll(extraDbWriter);
        }
        if (module.equals("email-sender")) {
            withExtra.putAll(extraEmailSender);
        }
        ServiceProcess process = ServiceProcess.start(
                module, withExtra, "production".equals(System.getProperty("services.jvm")) ? productionJvm() : JVM);
        services.put(module, process);
        return process;
    }

    /**
     * The benchmarks' JVM options (system property {@code services.jvm=production}): those of the images, as
     * {@code scripts/stack up} starts the services (the shared jvm.options and compose's memory limit), and the full
     * JIT, so the figures are those of the shipped services, not of a fast test start.
     */
    private List<String> productionJvm() {
        List<String> options = new ArrayList<>(stackJvmOptions(stack.root()));
        options.add(FULL_JIT);
        return options;
    }

    /** {@code scripts/stack jvm-options}: one option a line. */
    static List<String> stackJvmOptions(Path root) {
        try {
            Process process = new ProcessBuilder(
                            "bash", root.resolve("scripts/stack").toString(), "jvm-options")
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String output =
                    new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("scripts/stack jvm-options failed: " + output);
            }
            return output.lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking scripts/stack jvm-options", e);
        }
    }

    /**
     * Starts a sensor process (the real emulator) publishing through HAProxy, with an audit log of every reading
     * it produced ({@code READINGS_LOG}), excursions off so that no alert fires by chance.
     */
    ServiceProcess startSensor(String name, Map<String, String> settings) {
        Path readingsLog = stack.workDir().resolve("readings-" + run + "-" + name + "-" + sensors.size() + ".log");
        ServiceEnv env = ServiceEnv.of(stack)
                .with("MQTT_URIS", stack.mqttUri())
                .with("MQTT_HOST", "127.0.0.1")
                .with("MQTT_PORT", stack.mqttUri().substring(stack.mqttUri().lastIndexOf(':') + 1))
                .with("MQTT_HOME_URIS", String.join(",", stack.nodeMqttUris()))
                .with("MQTT_USERNAME", stack.sensor().username())
                .with("MQTT_PASSWORD", stack.sensor().password())
                .with("EXCURSION_PROBABILITY", "0")
                .with("READINGS_LOG", readingsLog.toString())
                .freeHealthPort();
        settings.forEach(env::with);
        ServiceProcess sensor = ServiceProcess.start("sensor", env.build(), List.of("-Xmx96m", "-XX:+UseSerialGC"));
        sensors.add(sensor);
        return sensor;
    }

    /** Every (sensor id, timestamp) a sensor process logged as produced ({@code READINGS_LOG}). */
    static Map<String, List<Long>> producedBy(ServiceProcess sensor) {
        Path file = Path.of(sensor.env().get("READINGS_LOG"));
        Map<String, List<Long>> produced = new LinkedHashMap<>();
        try {
            if (!Files.exists(file)) {
                return produced;
            }
            for (String line : Files.readAllLines(file)) {
                String[] fields = line.trim().split("\\s+");
                if (fields.length >= 2) {
                    produced.computeIfAbsent(fields[0], k -> new ArrayList<>()).add(Long.parseLong(fields[1]));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file + ": " + e, e);
        }
        return produced;
    }

    URI dashboard(String path) {
        return URI.create("http://127.0.0.1:" + dashboardPort + path);
    }

    /** Health endpoint ({@code /readyz}) of every running service and sensor process. */
    Map<String, URI> readinessEndpoints() {
        Map<String, URI> endpoints = new LinkedHashMap<>();
        services.forEach((name, process) -> endpoints.put(name, readyz(name, process)));
        for (int i = 0; i < sensors.size(); i++) {
            if (sensors.get(i).isAlive()) {
                endpoints.put("sensor#" + i, readyz("sensor", sensors.get(i)));
            }
        }
        return endpoints;
    }

    /** Waits until every service's {@code /readyz} answers 200 (fails naming the ones that do not). */
    void awaitAllReady(Duration timeout) {
        await("every service ready")
                .atMost(timeout)
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .untilAsserted(() -> {
                    List<String> notReady = new ArrayList<>();
                    readinessEndpoints().forEach((name, uri) -> {
                        int status = status(uri);
                        if (status != 200) {
                            notReady.add(name + "=" + status);
                        }
                    });
                    services.forEach((name, process) -> {
                        if (!process.isAlive()) {
                            notReady.add(name + " exited:\n" + process.tail());
                        }
                    });
                    if (!notReady.isEmpty()) {
                        throw new AssertionError("not ready: " + notReady);
                    }
                });
    }

    /** GET status code, or -1 if nothing answers. */
    static int status(URI uri) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(uri)
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void close() {
        for (ServiceProcess sensor : sensors) {
            sensor.close();
        }
        List<ServiceProcess> reverse = new ArrayList<>(services.values());
        java.util.Collections.reverse(reverse);
        for (ServiceProcess process : reverse) {
            process.close();
        }
    }

    private URI readyz(String module, ServiceProcess process) {
        int port = module.equals("dashboard") ? dashboardPort : process.healthPort();
        return URI.create("http://127.0.0.1:" + port + "/readyz");
    }

    /** What every service gets from scripts/stack up: the fronts of HAProxy and SMTP (the database: by role). */
    private ServiceEnv common() {
        String mqttPort = stack.mqttUri().substring(stack.mqttUri().lastIndexOf(':') + 1);
        return ServiceEnv.of(stack)
                .with("MQTT_URIS", stack.mqttUri())
                .with("MQTT_HOST", "127.0.0.1")
                .with("MQTT_PORT", mqttPort)
                .with("AMQP_ADDRESSES", String.join(",", stack.amqpAddresses()))
                .with("AMQP_VHOST", "/")
                .smtp()
                .freeHealthPort();
    }

    /**
     * As compose and {@code scripts/stack up} run it: with its database role, so it records {@code alert_events}
     * and reads silences and acknowledgements. It needs db-writer's migration only for that, in the background:
     * started at once after db-writer, its history writer retries until the tables exist, and no mail waits for it.
     */
    private Map<String, String> emailSenderEnv() {
        return common().database(stack.emailSenderDatabase())
                .with("AMQP_USERNAME", stack.emailSender().username())
                .with("AMQP_PASSWORD", stack.emailSender().password())
                .with("EMAIL_FROM", "thermowatch-" + run + "@thermowatch.test")
                .with("EMAIL_TO", mailTo)
                .with("ALERT_GROUP_WAIT", "0")
                .with("SENSOR_OFFLINE_AFTER", offlineAfter.toMillis() + "ms")
                .with("SMTP_RETRY_MAX_DELAY", "2s")
                .with("DASHBOARD_URL", "http://127.0.0.1:" + dashboardPort + "/")
                .build();
    }

    private Map<String, String> dashboardEnv() {
        return common().database(stack.dashboardDatabase())
                .with("DASHBOARD_PORT", Integer.toString(dashboardPort))
                .with("MQTT_PAGE_USER", stack.page().username())
                .with("MQTT_PAGE_PASS", stack.page().password())
                .with("MQTT_LIVE_USER", stack.live().username())
                .with("MQTT_LIVE_PASS", stack.live().password())
                .with("MQTT_WS_URL", stack.webMqttUri().toString())
                .with("RABBITMQ_MANAGEMENT_URL", stack.managementUri().toString())
                .with("RABBITMQ_MONITOR_USER", stack.monitor().username())
                .with("RABBITMQ_MONITOR_PASS", stack.monitor().password())
                .with("SENSOR_OFFLINE_AFTER", offlineAfter.toMillis() + "ms")
                .build();
    }
}
