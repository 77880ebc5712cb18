package io.thermowatch.testkit;

import static io.thermowatch.testkit.HttpAnswers.check;
import static io.thermowatch.testkit.HttpAnswers.encode;
import static io.thermowatch.testkit.HttpAnswers.parse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * RabbitMQ management HTTP API (java.net.http + Jackson), vhost {@code /}. Transient failures (connection
 * refused or reset, HAProxy's 502/503/504 while a node goes away) are retried a few times.
 * Thread safe.
 */
public final class ManagementClient {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int ATTEMPTS = 5;

    private final URI base;
    private final String authorization;

    public ManagementClient(URI base, Credentials credentials) {
        this.base = base;
        this.authorization = "Basic "
                + Base64.getEncoder()
                        .encodeToString((credentials.username() + ":" + credentials.password())
                                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * One queue as the management API reports it (message counts lag by a few seconds). A quorum queue's replicas
     * and leader come from {@link Stack#quorumMembership}: the management API's figures for them can be stale.
     */
    public record QueueInfo(
            String name,
            String type,
            String node,
            long messages,
            long messagesReady,
            long messagesUnacknowledged,
            int consumers) {

        static QueueInfo of(JsonNode q) {
            return new QueueInfo(
                    q.path("name").asText(),
                    q.path("type").asText(),
                    q.path("node").asText(),
                    q.path("messages").asLong(),
                    q.path("messages_ready").asLong(),
                    q.path("messages_unacknowledged").asLong(),
                    q.path("consumers").asInt());
        }
    }

    /** Names of the cluster nodes reporting {@code running: true}, e.g. {@code rabbit1@localhost}. */
    public List<String> runningNodes() {
        List<String> running = new ArrayList<>();
        for (JsonNode node : getJson("/api/nodes")) {
            if (node.path("running").asBoolean(false)) {
                running.add(node.path("name").asText());
            }
        }
        return running;
    }

    /** The queue's numbers; throws if it does not exist. */
    public QueueInfo queue(String name) {
        return queueIfExists(name).orElseThrow(() -> new IllegalStateException("queue " + name + " does not exist"));
    }

    public Optional<QueueInfo> queueIfExists(String name) {
        HttpResponse<String> response = send("GET", "/api/queues/%2F/" + encode(name));
        if (response.statusCode() == 404) {
            return Optional.empty();
        }
        return Optional.of(QueueInfo.of(parse(check(response))));
    }

    public List<QueueInfo> queues() {
        List<QueueInfo> queues = new ArrayList<>();
        for (JsonNode q : getJson("/api/queues/%2F?columns=name,type,node,messages,messages_ready,"
                + "messages_unacknowledged,consumers")) {
            queues.add(QueueInfo.of(q));
        }
        return queues;
    }

    /** Queues whose whole name matches {@code regex}, e.g. {@code mqtt-subscription-.*} to find orphans. */
    public List<QueueInfo> queuesMatching(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return queues().stream()
                .filter(q -> pattern.matcher(q.name()).matches())
                .toList();
    }

    /** Removes every ready message of the queue. */
    public void purge(String queue) {
        check(send("DELETE", "/api/queues/%2F/" + encode(queue) + "/contents"));
    }

    /** Deletes the queue (e.g. a test's MQTT subscription queue). No error if it does not exist. */
    public void deleteQueue(String queue) {
        HttpResponse<String> response = send("DELETE", "/api/queues/%2F/" + encode(queue));
        if (response.statusCode() != 404) {
            check(response);
        }
    }

    /**
     * PUT {@code json} to {@code path} (e.g. {@code /api/permissions/%2F/<user>} or {@code /api/policies/%2F/<name>}):
     * lets a test bring a long-running broker up to the current definitions. Throws on a non-2xx answer.
     */
    public void put(String path, String json) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            check(HTTP.send(request, HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new IllegalStateException("PUT " + base.resolve(path) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: PUT " + path, e);
        }
    }

    /** Open connections, e.g. to find which node a client landed on ({@code node}, {@code user}, {@code name}). */
    public JsonNode connections() {
        return getJson("/api/connections");
    }

    /** POST a JSON body to {@code path} (e.g. {@code /api/definitions}); throws on a non-2xx answer. */
    public void postJson(String path, String body) {
        check(send("POST", path, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    /** GET {@code path} (starting with {@code /api/}) and parse it; throws on a non-2xx answer. */
    public JsonNode getJson(String path) {
        return parse(check(send("GET", path)));
    }

    /** The HTTP status of GET {@code path}, e.g. 200/503 for {@code /api/health/checks/...}. */
    public int status(String path) {
        return send("GET", path).statusCode();
    }

    private HttpResponse<String> send(String method, String path) {
        return send(method, path, HttpRequest.BodyPublishers.noBody());
    }

    private HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
        if ("POST".equals(method)) {
            builder.header("Content-Type", "application/json");
        }
        HttpRequest request = builder.timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                // A DELETE answers 204 with no body; insisting on JSON there gets 406 from the management API.
                .header("Accept", "GET".equals(method) ? "application/json" : "*/*")
                .method(method, body)
                .build();
        IOException lastError = null;
        HttpResponse<String> response = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status != 502 && status != 503 && status != 504 || path.startsWith("/api/health/")) {
                    return response;
                }
            } catch (IOException e) {
                lastError = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: " + method + " " + path, e);
            }
            Stack.pause(Duration.ofMillis(200L * attempt));
        }
        if (response != null) {
            return response;
        }
        throw new IllegalStateException(
                method + " " + base.resolve(path) + " failed after " + ATTEMPTS + " attempts: " + lastError, lastError);
    }

    @Override
    public String toString() {
        return "ManagementClient[" + base + "]";
    }
}
