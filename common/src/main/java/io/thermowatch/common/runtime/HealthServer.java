package io.thermowatch.common.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The small HTTP endpoint every service embeds.
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 while the process runs (liveness);</li>
 *   <li>{@code GET /readyz}: 200 when every {@link Check} passes, else 503 with a JSON body naming the failing
 *       ones (readiness: docker healthchecks and HAProxy use it);</li>
 *   <li>{@code GET /metrics}: the registry in Prometheus text format.</li>
 * </ul>
 * Every service starts it on its own {@code HEALTH_PORT}, never on a public port (metrics describe the internals).
 * The dashboard also mounts {@link #probesHandler} into its public server: {@code /healthz} and {@code /readyz}
 * only, for a load balancer in front of it.
 */
public final class HealthServer implements AutoCloseable {

    /** A named readiness condition; the supplier must be cheap and must not block (read a flag, not a socket). */
    public record Check(String name, BooleanSupplier ready) {}

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final int MAX_THREADS = 6;
    private static final int MIN_THREADS = 2;

    private final Server server;
    private final int port;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HealthServer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    /**
     * Starts the endpoint on {@code port} (0 picks a free one) on all interfaces.
     *
     * @throws Exception if Jetty cannot bind the port
     */
    public static HealthServer start(int port, PrometheusMeterRegistry registry, Check... checks) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
        threads.setName("health-http");
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(handler(registry, List.of(checks)));
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw new IllegalStateException(
                    "Cannot serve /healthz on port " + port + " (is it in use? set HEALTH_PORT to a free port)", e);
        }
        return new HealthServer(server, connector.getLocalPort());
    }

    /** A handler serving the three paths and declining every other one, to chain into another server. */
    public static Handler handler(PrometheusMeterRegistry registry, List<Check> checks) {
        return new HealthHandler(registry, List.copyOf(checks));
    }

    /** A handler serving {@code /healthz} and {@code /readyz} only (no {@code /metrics}), for a public server. */
    public static Handler probesHandler(List<Check> checks) {
        return new HealthHandler(null, List.copyOf(checks));
    }

    /** The port actually bound. */
    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        if (closed.compareAndSet(false, true)) {
            server.stop();
        }
    }

    private static final class HealthHandler extends Handler.Abstract {
        private final PrometheusMeterRegistry registry; // null: /metrics is not served
        private final List<Check> checks;

        HealthHandler(PrometheusMeterRegistry registry, List<Check> checks) {
            this.registry = registry;
            this.checks = checks;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            switch (Request.getPathInContext(request)) {
                case "/healthz" -> respond(response, callback, 200, "text/plain; charset=utf-8", "ok\n");
                case "/readyz" -> respondReadiness(response, callback);
                case "/metrics" -> {
                    if (registry == null) {
                        return false;
                    }
                    respond(response, callback, 200, PROMETHEUS_TEXT, registry.scrape());
                }
                default -> {
                    return false;
                }
            }
            return true;
        }

        private void respondReadiness(Response response, Callback callback) {
            StringJoiner failing = new StringJoiner("\",\"", "[\"", "\"]").setEmptyValue("[]");
            for (Check check : checks) {
                boolean ready;
                try {
                    ready = check.ready().getAsBoolean();
                } catch (RuntimeException e) {
                    ready = false;
                }
                if (!ready) {
                    failing.add(check.name());
                }
            }
            boolean allReady = failing.length() == 2;
            String body = "{\"ready\":" + allReady + ",\"failing\":" + failing + "}\n";
            respond(response, callback, allReady ? 200 : 503, "application/json", body);
        }

        private static void respond(Response response, Callback callback, int status, String type, String body) {
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Content.Sink.write(response, true, body, callback);
        }
    }
}
