package io.thermowatch.common.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicBoolean databaseUp = new AtomicBoolean(true);
    private HealthServer server;

    @BeforeEach
    void start() throws Exception {
        PrometheusMeterRegistry registry = Metrics.newRegistry("test");
        registry.counter("thermowatch_test_events").increment(3);
        server = HealthServer.start(0, registry, new HealthServer.Check("database", databaseUp::get));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthz_answers_ok() throws Exception {
        HttpResponse<String> response = get("/healthz");

        assertEquals(200, response.statusCode());
        assertEquals("ok\n", response.body());
    }

    @Test
    void readyz_is_200_when_every_check_passes() throws Exception {
        HttpResponse<String> response = get("/readyz");

        assertEquals(200, response.statusCode());
        assertEquals("{\"ready\":true,\"failing\":[]}\n", response.body());
    }

    @Test
    void readyz_is_503_and_names_the_failing_check() throws Exception {
        // Given
        databaseUp.set(false);

        // When
        HttpResponse<String> response = get("/readyz");

        // Then
        assertEquals(503, response.statusCode());
        assertEquals("{\"ready\":false,\"failing\":[\"database\"]}\n", response.body());
    }

    @Test
    void metrics_are_served_in_prometheus_format_with_the_service_tag() throws Exception {
        HttpResponse<String> response = get("/metrics");

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
        assertTrue(response.body().contains("thermowatch_test_events_total{service=\"test\"} 3.0"), response.body());
        assertTrue(response.body().contains("jvm_memory_used_bytes"));
    }

    @Test
    void unknown_paths_are_404() throws Exception {
        assertEquals(404, get("/nope").statusCode());
    }
}
