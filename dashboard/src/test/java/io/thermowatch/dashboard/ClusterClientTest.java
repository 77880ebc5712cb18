package io.thermowatch.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.thermowatch.testkit.MutableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a stub management API on a free port (real HTTP, canned answers). */
class ClusterClientTest {

    private static final String NODES =
            "[{\"name\":\"rabbit2@localhost\",\"running\":false},{\"name\":\"rabbit1@localhost\",\"running\":true}]";
    private static final String QUEUES = "[{\"name\":\"thermowatch.email-sender\",\"messages\":3,\"messages_ready\":2,"
            + "\"messages_unacknowledged\":1,\"consumers\":1},{\"name\":\"mqtt-subscription-x\",\"messages\":9,\"consumers\":1},"
            + "{\"name\":\"thermowatch.db-writer\",\"messages\":0,\"messages_ready\":0,\"messages_unacknowledged\":0,\"consumers\":2}]";

    private final AtomicInteger requests = new AtomicInteger();
    private volatile int status = 200;
    private volatile String queues = QUEUES;
    private volatile String authorization;
    private Server server;
    private URI base;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-27T12:00:00Z"));

    @BeforeEach
    void startStub() throws Exception {
        server = new Server();
        var http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.LEGACY); // the management API's vhost "/" is spelled %2F in the path
        var connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                requests.incrementAndGet();
                authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                var path = request.getHttpURI().getPath();
                response.setStatus(status);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                Content.Sink.write(response, true, path.startsWith("/api/nodes") ? NODES : queues, callback);
                return true;
            }
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    @AfterEach
    void stopStub() throws Exception {
        server.stop();
    }

    private ClusterClient client() {
        return new ClusterClient(base, "monitor", "secret", new ObjectMapper(), clock);
    }

    @Test
    void nodes_and_only_the_thermowatch_queues_are_reported_sorted_by_name() {
        // When
        var snapshot = client().snapshot();

        // Then
        assertEquals(
                List.of(
                        new ClusterClient.Node("rabbit1@localhost", true),
                        new ClusterClient.Node("rabbit2@localhost", false)),
                snapshot.nodes());
        assertEquals(
                List.of(
                        new ClusterClient.Queue("thermowatch.db-writer", 0, 0, 0, 2),
                        new ClusterClient.Queue("thermowatch.email-sender", 3, 2, 1, 1)),
                snapshot.queues());
        assertEquals("Basic bW9uaXRvcjpzZWNyZXQ=", authorization, "monitor:secret");
    }

    @Test
    void a_healthy_pipeline_has_no_alert_and_db_writer_without_consumer_or_dead_letters_are_reported() {
        // Given
        var client = client();
        var healthy = client.snapshot();
        // When: db-writer is gone and messages were dead-lettered from both services' queues
        queues = "[{\"name\":\"thermowatch.db-writer\",\"messages\":40,\"consumers\":0},"
                + "{\"name\":\"thermowatch.dead-letter\",\"messages\":1,\"consumers\":0},"
                + "{\"name\":\"thermowatch.email-sender.dead-letter\",\"messages\":2,\"consumers\":0}]";
        clock.advance(Duration.ofSeconds(3));
        var broken = client.snapshot();
        // Then
        assertEquals(List.of(), healthy.pipeline());
        assertEquals(
                List.of("DB_WRITER_NO_CONSUMER", "DEAD_LETTERS", "EMAIL_SENDER_DEAD_LETTERS"),
                broken.pipeline().stream()
                        .map(ClusterClient.PipelineAlert::condition)
                        .toList());
        assertEquals(
                "thermowatch.db-writer has no consumer: readings are not being stored",
                broken.pipeline().get(0).description());
    }

    @Test
    void answers_are_cached_for_two_seconds() {
        // Given
        var client = client();
        client.snapshot();

        // When
        clock.advance(Duration.ofMillis(1_900));
        client.snapshot();
        var withinCache = requests.get();
        clock.advance(Duration.ofMillis(200));
        client.snapshot();

        // Then
        assertEquals(2, withinCache, "one call per path");
        assertEquals(4, requests.get());
    }

    @Test
    void an_error_answer_is_reported_and_cached_too() {
        // Given
        status = 401;
        var client = client();

        // When
        var first = assertThrows(ClusterClient.UnavailableException.class, client::snapshot);
        assertThrows(ClusterClient.UnavailableException.class, client::snapshot);

        // Then
        assertTrue(first.getMessage().contains("HTTP 401"), first.getMessage());
        assertEquals(1, requests.get());
    }

    @Test
    void an_unreachable_api_is_reported_with_its_address() throws Exception {
        // Given
        server.stop();

        // When
        var e = assertThrows(ClusterClient.UnavailableException.class, () -> client().snapshot());

        // Then
        assertTrue(e.getMessage().startsWith("management API unreachable at " + base), e.getMessage());
    }
}
