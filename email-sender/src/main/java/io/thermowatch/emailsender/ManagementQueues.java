package io.thermowatch.emailsender;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.thermowatch.common.runtime.PipelineWatch;
import io.thermowatch.common.wire.Topics;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Reads the queues the watchdog needs from the RabbitMQ management API, as the read-only monitoring user. */
final class ManagementQueues {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final JsonFactory JSON = new JsonFactory();

    /** What the watchdog needs of one queue. */
    record QueueStats(int consumers, long messages) {}

    private final URI base;
    private final String authorization;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    ManagementQueues(PipelineWatchSettings settings) {
        String url = settings.managementUrl().toString();
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.authorization = "Basic "
                + Base64.getEncoder()
                        .encodeToString((settings.user() + ":" + settings.password()).getBytes(StandardCharsets.UTF_8));
    }

    /** @throws IOException if the management API cannot be read (unreachable, refused, not JSON) */
    PipelineWatch.Sample sample() throws IOException, InterruptedException {
        QueueStats dbWriter = queue(Topics.DB_WRITER_QUEUE);
        QueueStats deadLetter = queue(PipelineWatch.DEAD_LETTER_QUEUE);
        QueueStats ownDeadLetter = queue(Topics.EMAIL_SENDER_DEAD_LETTER_QUEUE);
        return new PipelineWatch.Sample(
                dbWriter.consumers(), dbWriter.messages(), deadLetter.messages(), ownDeadLetter.messages());
    }

    /** The queue's consumers and messages; none of either if it does not exist (404). */
    private QueueStats queue(String name) throws IOException, InterruptedException {
        String path = "api/queues/%2F/"
                + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20")
                + "?columns=name,consumers,messages";
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(TIMEOUT)
                        .header("Authorization", authorization)
                        .header("Accept", "application/json")
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return new QueueStats(0, 0);
        }
        if (response.statusCode() != 200) {
            throw new IOException(
                    "management API " + base + " answered HTTP " + response.statusCode() + " for " + name);
        }
        return parse(response.body());
    }

    /** The top-level {@code consumers} and {@code messages} of the queue's JSON object (absent: 0). */
    static QueueStats parse(String body) throws IOException {
        int consumers = 0;
        long messages = 0;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("management API answered no JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if ("consumers".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                    consumers = p.getIntValue();
                } else if ("messages".equals(field) && value == JsonToken.VALUE_NUMBER_INT) {
                    messages = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
        }
        return new QueueStats(consumers, messages);
    }
}
