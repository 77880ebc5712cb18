package io.thermowatch.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.common.runtime.MonotonicClock;
import io.thermowatch.common.runtime.PipelineWatch;
import io.thermowatch.common.wire.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads node and queue health from the RabbitMQ management API (through HAProxy) with the monitoring user, server
 * side only: the browser never sees these credentials. Answers are cached for {@link #CACHE_FOR}, failures too, so a
 * page refreshing every few seconds (or many pages) costs at most one pair of calls per interval. Thread-safe.
 *
 * <p>Each fetch is also a sample for common's {@link PipelineWatch} (db-writer without consumer, its backlog
 * growing, dead letters): the same rules as email-sender's PIPELINE mails, shown by the page as a banner. Samples
 * come as often as pages ask (every few seconds while one is open).
 */
final class ClusterClient {

    static final Duration CACHE_FOR = Duration.ofSeconds(2);
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    static final String QUEUE_PREFIX = "thermowatch.";

    /** A node of the cluster. */
    record Node(String name, boolean running) {}

    /** One thermowatch queue. */
    record Queue(String name, long messages, long messagesReady, long messagesUnacknowledged, int consumers) {}

    /** An active condition of the pipeline: {@code condition} is stable (for scripts), {@code description} is for people. */
    record PipelineAlert(String condition, String description) {}

    /** What the cluster panel shows; {@code pipeline} is empty while the pipeline is healthy. */
    record Snapshot(List<Node> nodes, List<Queue> queues, List<PipelineAlert> pipeline, long fetchedAt) {}

    /** The management API could not be read. */
    static final class UnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnavailableException(String message) {
            super(message, null, false, false);
        }
    }

    private final URI baseUrl;
    private final String authorization;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Clock clock;
    private final PipelineWatch pipelineWatch;
    private final MonotonicClock monotonic;
    private Snapshot cached;
    private UnavailableException cachedFailure;
    private Instant cachedAt = Instant.MIN;

    ClusterClient(URI baseUrl, String user, String password, ObjectMapper json, Clock clock) {
        this(
                baseUrl,
                user,
                password,
                json,
                clock,
                new PipelineWatch(PipelineWatch.DEFAULT_GROWTH_FOR),
                MonotonicClock.system());
    }

    ClusterClient(
            URI baseUrl,
            String user,
            String password,
            ObjectMapper json,
            Clock clock,
            PipelineWatch pipelineWatch,
            MonotonicClock monotonic) {
        var base = baseUrl.toString();
        this.baseUrl = URI.create(base.endsWith("/") ? base : base + "/");
        this.authorization =
                "Basic " + Base64.getEncoder().encodeToString((user + ':' + password).getBytes(StandardCharsets.UTF_8));
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        this.json = json;
        this.clock = clock;
        this.pipelineWatch = pipelineWatch;
        this.monotonic = monotonic;
    }

    /** The cached snapshot, refreshed when older than {@link #CACHE_FOR}; throws {@link UnavailableException}. */
    synchronized Snapshot snapshot() {
        var now = clock.instant();
        if (now.isBefore(cachedAt.plus(CACHE_FOR))) {
            if (cachedFailure != null) {
                throw cachedFailure;
            }
            return cached;
        }
        cachedAt = now;
        try {
            cached = fetch(now);
            cachedFailure = null;
            return cached;
        } catch (UnavailableException e) {
            cached = null;
            cachedFailure = e;
            throw e;
        }
    }

    private Snapshot fetch(Instant now) {
        var nodes = new ArrayList<Node>();
        for (var node : get("api/nodes?columns=name,running")) {
            nodes.add(new Node(node.path("name").asText(), node.path("running").asBoolean(false)));
        }
        var queues = new ArrayList<Queue>();
        for (var queue : get("api/queues/%2F?columns=name,messages,messages_ready,messages_unacknowledged,consumers")) {
            var name = queue.path("name").asText();
            if (name.startsWith(QUEUE_PREFIX)) {
                queues.add(new Queue(
                        name,
                        queue.path("messages").asLong(0),
                        queue.path("messages_ready").asLong(0),
                        queue.path("messages_unacknowledged").asLong(0),
                        queue.path("consumers").asInt(0)));
            }
        }
        nodes.sort((a, b) -> a.name().compareTo(b.name()));
        queues.sort((a, b) -> a.name().compareTo(b.name()));
        return new Snapshot(List.copyOf(nodes), List.copyOf(queues), pipeline(queues), now.toEpochMilli());
    }

    private List<PipelineAlert> pipeline(List<Queue> queues) {
        int consumers = 0;
        long backlog = 0;
        long deadLetters = 0;
        long emailSenderDeadLetters = 0;
        for (var queue : queues) {
            if (queue.name().equals(Topics.DB_WRITER_QUEUE)) {
                consumers = queue.consumers();
                backlog = queue.messages();
            } else if (queue.name().equals(PipelineWatch.DEAD_LETTER_QUEUE)) {
                deadLetters = queue.messages();
            } else if (queue.name().equals(Topics.EMAIL_SENDER_DEAD_LETTER_QUEUE)) {
                emailSenderDeadLetters = queue.messages();
            }
        }
        var alerts = new ArrayList<PipelineAlert>();
        var sample = new PipelineWatch.Sample(consumers, backlog, deadLetters, emailSenderDeadLetters);
        for (var condition : pipelineWatch.update(sample, monotonic.nanos())) {
            alerts.add(new PipelineAlert(condition.name(), condition.description()));
        }
        return List.copyOf(alerts);
    }

    private JsonNode get(String path) {
        var request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(TIMEOUT)
                .header("Authorization", authorization)
                .header("Accept", "application/json")
                .GET()
                .build();
        try {
            var response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new UnavailableException("management API " + path.substring(0, path.indexOf('?'))
                        + " answered HTTP " + response.statusCode());
            }
            var body = json.readTree(response.body());
            if (!body.isArray()) {
                throw new UnavailableException("management API " + path + " did not answer a JSON array");
            }
            return body;
        } catch (IOException e) {
            throw new UnavailableException("management API unreachable at " + baseUrl + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        }
    }
}
