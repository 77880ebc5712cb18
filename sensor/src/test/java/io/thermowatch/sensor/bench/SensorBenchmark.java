package io.thermowatch.sensor.bench;

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Figures for {@code sensor/BENCHMARKS.md}, measured on the real sensor jar against the native cluster:
 * <ol>
 *   <li>sustained QoS 1 publish rate of one process (acknowledged readings per second);</li>
 *   <li>the largest number of concurrent sensors held with one MQTT connection each;</li>
 *   <li>the same number multiplexed ({@code SENSORS_PER_CONNECTION});</li>
 * </ol>
 * with the RSS and thread count of the emulator and the RSS of each broker node at that size.
 *
 * <p>Run it alone (it loads the cluster and purges the two service queues at the end, which hold only test
 * leftovers while no service runs):
 * {@code flock /tmp/thermowatch-it.lock ./mvnw -B -pl sensor -am -Pbench -DskipTests verify}.
 * System properties: {@code bench.sensors} (10000), {@code bench.rateSeconds} (20),
 * {@code bench.rateSensors} (90, each publishing every 10 ms), {@code bench.perConnection} (100),
 * {@code bench.connectConcurrency} (128).
 */
public final class SensorBenchmark {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration CONNECT_BUDGET = Duration.ofSeconds(90);
    private static final Duration STALL = Duration.ofSeconds(15);

    private final Stack stack = Stack.get();

    private SensorBenchmark() {}

    public static void main(String[] args) throws Exception {
        int sensors = Integer.getInteger("bench.sensors", 10_000);
        int rateSeconds = Integer.getInteger("bench.rateSeconds", 20);
        int rateSensors = Integer.getInteger("bench.rateSensors", 90);
        int perConnection = Integer.getInteger("bench.perConnection", 100);
        SensorBenchmark bench = new SensorBenchmark();
        bench.stack.awaitClusterComplete(Duration.ofSeconds(90));
        System.out.println("machine: " + machine());
        System.out.println("broker RSS at rest: " + bench.brokerRss());
        try {
            bench.rate(rateSensors, rateSeconds);
            bench.concurrency(sensors, 1);
            bench.concurrency(sensors, perConnection);
        } finally {
            try (QueueProbe probe = bench.stack.queueProbe()) {
                for (String queue : List.of(Stack.DB_WRITER_QUEUE, Stack.EMAIL_SENDER_QUEUE)) {
                    long ready = probe.readyCount(queue);
                    probe.purge(queue);
                    System.out.println("purged " + ready + " messages from " + queue);
                }
            } catch (RuntimeException e) {
                System.out.println("could not purge the service queues: " + e);
            }
        }
    }

    private void rate(int sensorCount, int seconds) throws Exception {
        int connections = 3;
        Map<String, String> env = fleetEnv(sensorCount, (sensorCount + connections - 1) / connections)
                .with("PUBLISH_INTERVAL", "10ms")
                .with("OFFLINE_BUFFER_SIZE", "100000")
                .build();
        try (ServiceProcess sensor = ServiceProcess.start("sensor", env)) {
            sensor.awaitReady(Duration.ofSeconds(60));
            sleep(Duration.ofSeconds(5));
            Map<String, Double> before = metrics(sensor);
            long start = System.nanoTime();
            sleep(Duration.ofSeconds(seconds));
            Map<String, Double> after = metrics(sensor);
            double elapsed = (System.nanoTime() - start) / 1e9;
            double acked =
                    after.get("sensor_readings_acknowledged_total") - before.get("sensor_readings_acknowledged_total");
            double published =
                    after.get("sensor_readings_published_total") - before.get("sensor_readings_published_total");
            double dropped = after.get("sensor_readings_dropped_total") - before.get("sensor_readings_dropped_total");
            System.out.printf(
                    Locale.ROOT,
                    "rate: %d sensors every 10 ms over %d connections (offered %.0f/s): acknowledged %.0f/s, "
                            + "handed to Paho %.0f/s, refused (in-flight window full) %.0f/s over %.1f s; "
                            + "sensor RSS %s, threads %d; broker RSS %s%n",
                    sensorCount,
                    connections,
                    sensorCount * 100.0,
                    acked / elapsed,
                    published / elapsed,
                    dropped / elapsed,
                    elapsed,
                    mib(rssKib(sensor.pid())),
                    threads(sensor.pid()),
                    brokerRss());
            sensor.sigterm();
            sensor.awaitExit(Duration.ofSeconds(30));
        }
    }

    private void concurrency(int sensorCount, int perConnection) throws Exception {
        Map<String, String> env = fleetEnv(sensorCount, perConnection)
                .with("PUBLISH_INTERVAL", "60")
                .with("MQTT_CONNECT_CONCURRENCY", System.getProperty("bench.connectConcurrency", "128"))
                .build();
        int connections = (sensorCount + perConnection - 1) / perConnection;
        try (ServiceProcess sensor = ServiceProcess.start("sensor", env)) {
            long start = System.nanoTime();
            long deadline = start + CONNECT_BUDGET.toNanos();
            int best = 0;
            long bestAt = start;
            long lastProgress = start;
            while (System.nanoTime() < deadline && sensor.isAlive()) {
                sleep(Duration.ofSeconds(1));
                int connected = (int) metrics(sensor)
                        .getOrDefault("sensor_connections_connected", 0.0)
                        .doubleValue();
                if (connected > best) {
                    best = connected;
                    bestAt = System.nanoTime();
                    lastProgress = bestAt;
                }
                if (best == connections || System.nanoTime() - lastProgress > STALL.toNanos()) {
                    break;
                }
            }
            sleep(Duration.ofSeconds(3));
            Map<String, Double> m = metrics(sensor);
            int held = (int) m.getOrDefault("sensor_connections_connected", 0.0).doubleValue();
            System.out.printf(
                    Locale.ROOT,
                    "concurrency: %d sensors, %d per connection -> %d connections; connected %d of %d after %.1f s "
                            + "(still up 3 s later: %d); sensor RSS %s, threads %d; broker RSS %s; %s%n",
                    sensorCount,
                    perConnection,
                    connections,
                    best,
                    connections,
                    (bestAt - start) / 1e9,
                    held,
                    mib(rssKib(sensor.pid())),
                    threads(sensor.pid()),
                    brokerRss(),
                    best == connections ? "all held" : "stalled: " + lastLines(sensor));
            long stopAt = System.nanoTime();
            sensor.sigterm();
            try {
                int exit = sensor.awaitExit(Duration.ofSeconds(60));
                System.out.printf(
                        Locale.ROOT,
                        "  graceful stop of %d connections: exit %d after %.1f s%n",
                        connections,
                        exit,
                        (System.nanoTime() - stopAt) / 1e9);
            } catch (AssertionError e) {
                System.out.printf(
                        Locale.ROOT, "  graceful stop of %d connections: still running after 60 s%n", connections);
            }
        }
    }

    /** N sensors with homes spread over the three nodes, HAProxy behind each, excursions off, a free health port. */
    private ServiceEnv fleetEnv(int sensorCount, int perConnection) {
        return ServiceEnv.forSensor(stack)
                .with("SENSOR_COUNT", Integer.toString(sensorCount))
                .with("SENSOR_ID_PREFIX", "bench_" + perConnection + "_")
                .with("SENSORS_PER_CONNECTION", Integer.toString(perConnection))
                .with("MQTT_HOME_URIS", String.join(",", stack.nodeMqttUris()))
                .with("MQTT_URIS", stack.mqttUri())
                .with("EXCURSION_PROBABILITY", "0")
                .with("SHUTDOWN_DRAIN", "10s");
    }

    private static Map<String, Double> metrics(ServiceProcess sensor) {
        try {
            HttpResponse<String> response = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sensor.healthPort() + "/metrics"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Map<String, Double> values = new HashMap<>();
            response.body().lines().filter(l -> l.startsWith("sensor_")).forEach(l -> {
                String name = l.substring(0, l.indexOf('{'));
                values.put(name, Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)));
            });
            return values;
        } catch (IOException e) {
            return Map.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String brokerRss() {
        Path dir = stack.root().resolve(".stack/rabbitmq");
        return IntStream.rangeClosed(1, Stack.NODES)
                .mapToObj(n -> {
                    try {
                        long pid = Long.parseLong(Files.readString(dir.resolve("rabbit" + n + ".pid"))
                                .trim());
                        return "rabbit" + n + " " + mib(rssKib(pid));
                    } catch (IOException | NumberFormatException e) {
                        return "rabbit" + n + " ?";
                    }
                })
                .collect(Collectors.joining(", "));
    }

    private static long rssKib(long pid) {
        return statusField(pid, "VmRSS:");
    }

    private static int threads(long pid) {
        return (int) statusField(pid, "Threads:");
    }

    private static long statusField(long pid, String field) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
                    .filter(l -> l.startsWith(field))
                    .map(l -> l.substring(field.length()).trim().split("\\s+")[0])
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(-1);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String mib(long kib) {
        return kib < 0 ? "?" : (kib / 1024) + " MiB";
    }

    private static String lastLines(ServiceProcess sensor) {
        List<String> lines = sensor.output().lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }

    private static String machine() {
        String cpu = "?";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("?");
        } catch (IOException e) {
            // keep "?"
        }
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), "
                + (statusFieldMeminfo() / 1024 / 1024) + " GiB RAM, Java " + System.getProperty("java.version")
                + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    private static long statusFieldMeminfo() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                    .filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> l.replaceAll("\\D", ""))
                    .mapToLong(Long::parseLong)
                    .findFirst()
                    .orElse(0);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
