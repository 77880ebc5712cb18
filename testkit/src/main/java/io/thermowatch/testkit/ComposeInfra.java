package io.thermowatch.testkit;

import com.github.dockerjava.api.DockerClient;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The infrastructure services of the project's own {@code docker-compose.yaml} (RabbitMQ x3, HAProxy, TimescaleDB,
 * Mailpit: same images, same configuration, nothing defined twice), brought up by Testcontainers'
 * {@link ComposeContainer} through the local {@code docker compose} CLI and waited on by their compose
 * healthchecks. Every port a test needs is reached through Testcontainers' ambassador on a mapped port (nodes
 * included, which compose does not publish). Node, database and SMTP control stop, kill (SIGKILL) and start
 * the compose containers through Testcontainers' Docker client. Mail is read through Mailpit's API; Mailpit has
 * no IMAP.
 *
 * <p>Compose also publishes its fixed host ports (1883, 5672, 15672, 15675, 8404, 5432, 1025, 8025): nothing else
 * (the native stack, a {@code docker compose up} of the system) may hold them. The project is taken down with
 * its volumes when the JVM exits, so each test JVM starts from fresh data.
 */
final class ComposeInfra implements Infra {

    private static final Logger log = LoggerFactory.getLogger(ComposeInfra.class);
    private static final Duration HEALTHY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final int NODES = Stack.NODES;
    private static final String HAPROXY = "haproxy";
    private static final String DATABASE = "timescaledb";
    private static final String MAIL = "mailpit";
    /** Where docker-compose.yaml mounts the tls volume in the haproxy service. */
    private static final String TLS_CA_IN_HAPROXY = "/usr/local/etc/haproxy/tls/ca.pem";

    private final Path root;
    private final ComposeContainer compose;

    ComposeInfra(Path root) {
        this.root = root;
        File file = root.resolve("docker-compose.yaml").toFile();
        List<String> services = new java.util.ArrayList<>();
        IntStream.rangeClosed(1, NODES).forEach(n -> services.add(node(n)));
        services.addAll(List.of(HAPROXY, DATABASE, MAIL));
        ComposeContainer c = new ComposeContainer(List.of(file))
                .withServices(services.toArray(String[]::new))
                .withBuild(true)
                .withPull(false);
        for (int n = 1; n <= NODES; n++) {
            for (NodePort port : NodePort.values()) {
                c = c.withExposedService(instance(node(n)), containerPort(port));
            }
            c = c.waitingFor(instance(node(n)), Wait.forHealthcheck().withStartupTimeout(HEALTHY_TIMEOUT));
        }
        for (Front front : List.of(
                Front.MQTT, Front.AMQP, Front.MQTTS, Front.AMQPS, Front.MANAGEMENT, Front.WEB_MQTT, Front.STATS)) {
            c = c.withExposedService(instance(HAPROXY), containerPort(front));
        }
        c = c.waitingFor(instance(HAPROXY), Wait.forHealthcheck().withStartupTimeout(HEALTHY_TIMEOUT))
                .withExposedService(instance(DATABASE), containerPort(Front.POSTGRES))
                .waitingFor(instance(DATABASE), Wait.forHealthcheck().withStartupTimeout(HEALTHY_TIMEOUT))
                .withExposedService(instance(MAIL), containerPort(Front.SMTP))
                .withExposedService(instance(MAIL), containerPort(Front.MAIL_API))
                .waitingFor(instance(MAIL), Wait.forHealthcheck().withStartupTimeout(HEALTHY_TIMEOUT));
        this.compose = c;
    }

    private static String node(int n) {
        return "rabbitmq" + n;
    }

    /** Compose v2 names a service's first container {@code <service>-1}; Testcontainers addresses it so. */
    private static String instance(String service) {
        return service + "-1";
    }

    private static int containerPort(Front front) {
        return switch (front) {
            case MQTT -> 1883;
            case AMQP -> 5672;
            case MQTTS -> 8883;
            case AMQPS -> 5671;
            case MANAGEMENT -> 15672;
            case WEB_MQTT -> 15675;
            case STATS -> 8404;
            case POSTGRES -> 5432;
            case SMTP -> 1025;
            case MAIL_API -> 8025;
        };
    }

    private static int containerPort(NodePort port) {
        return switch (port) {
            case MQTT -> 1883;
            case AMQP -> 5672;
            case MANAGEMENT -> 15672;
            case WEB_MQTT -> 15675;
        };
    }

    private static String serviceOf(Front front) {
        return switch (front) {
            case POSTGRES -> DATABASE;
            case SMTP, MAIL_API -> MAIL;
            default -> HAPROXY;
        };
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public String host() {
        return compose.getServiceHost(instance(HAPROXY), containerPort(Front.MQTT));
    }

    @Override
    public int port(Front front) {
        return compose.getServicePort(instance(serviceOf(front)), containerPort(front));
    }

    @Override
    public int nodePort(NodePort port, int node) {
        return compose.getServicePort(instance(node(node)), containerPort(port));
    }

    @Override
    public String nodeName(int node) {
        return "rabbit@" + node(node);
    }

    /** Copied out of the haproxy container (compose's tls-init wrote it into the volume HAProxy mounts). */
    @Override
    public Path tlsCaFile() {
        try {
            Path copy = java.nio.file.Files.createTempFile("thermowatch-ca-", ".pem");
            copy.toFile().deleteOnExit();
            compose.getContainerByServiceName(instance(HAPROXY))
                    .orElseThrow(() -> new AssertionError("no container for compose service " + HAPROXY))
                    .copyFileFromContainer(TLS_CA_IN_HAPROXY, copy.toString());
            return copy;
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot copy " + TLS_CA_IN_HAPROXY + " out of the haproxy container: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public Mailbox.Api mailApi() {
        return Mailbox.Api.MAILPIT;
    }

    @Override
    public int imapPort() {
        throw new UnsupportedOperationException("the docker provider's SMTP server is Mailpit, which has no IMAP; "
                + "read mail with Stack.mailbox() or run this test on the native stack (-Dthermowatch.infra=native)");
    }

    @Override
    public boolean mayAlreadyRun() {
        return false;
    }

    @Override
    public void start(List<String> problems) {
        log.info(
                "stack - starting {}'s infrastructure services with Testcontainers (docker compose up --build)",
                root.resolve("docker-compose.yaml"));
        try {
            compose.start();
        } catch (RuntimeException e) {
            throw new AssertionError(
                    "docker compose could not bring up the infrastructure: " + e.getMessage() + ". " + howToProvide(),
                    e);
        }
        // Taken down (with its volumes) before the JVM ends, so the next module's JVM finds compose's host ports free.
        Runtime.getRuntime().addShutdownHook(new Thread(compose::stop, "compose-down"));
    }

    @Override
    public String startLogHint() {
        return "See `docker compose ls` and the containers' logs.";
    }

    @Override
    public String howToProvide() {
        return "The docker provider needs a Docker engine with the `docker compose` CLI plugin and compose's host "
                + "ports (1883, 5672, 15672, 15675, 8404, 5432, 1025, 8025) free; force the native stack with "
                + "-Dthermowatch.infra=native.";
    }

    @Override
    public void stopNode(int node) {
        docker().stopContainerCmd(containerId(node(node)))
                .withTimeout((int) STOP_GRACE.toSeconds())
                .exec();
    }

    @Override
    public void killNode(int node) {
        docker().killContainerCmd(containerId(node(node))).withSignal("KILL").exec();
    }

    @Override
    public void startNode(int node) {
        docker().startContainerCmd(containerId(node(node))).exec();
    }

    @Override
    public void stopPostgres() {
        docker().stopContainerCmd(containerId(DATABASE))
                .withTimeout((int) STOP_GRACE.toSeconds())
                .exec();
    }

    @Override
    public void startPostgres() {
        docker().startContainerCmd(containerId(DATABASE)).exec();
    }

    @Override
    public void stopSmtp() {
        docker().stopContainerCmd(containerId(MAIL))
                .withTimeout((int) STOP_GRACE.toSeconds())
                .exec();
    }

    @Override
    public void startSmtp() {
        docker().startContainerCmd(containerId(MAIL)).exec();
    }

    @Override
    public void restartHaproxy() {
        docker().restartContainerCmd(containerId(HAPROXY)).withTimeout(10).exec();
    }

    @Override
    public String evalOnNode(int node, String erlangExpression) {
        ContainerState container = compose.getContainerByServiceName(instance(node(node)))
                .orElseThrow(() -> new AssertionError("no container for compose service " + node(node)));
        try {
            org.testcontainers.containers.Container.ExecResult result =
                    container.execInContainer("rabbitmqctl", "-q", "eval", erlangExpression);
            if (result.getExitCode() != 0) {
                throw new AssertionError("rabbitmqctl eval '" + erlangExpression + "' in " + node(node)
                        + " failed with exit code " + result.getExitCode() + ":\n" + result.getStdout()
                        + result.getStderr());
            }
            return result.getStdout().trim();
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot exec rabbitmqctl in " + node(node) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running rabbitmqctl eval", e);
        }
    }

    private String containerId(String service) {
        return compose.getContainerByServiceName(instance(service))
                .map(ContainerState::getContainerId)
                .orElseThrow(() -> new AssertionError("no container for compose service " + service));
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }
}
