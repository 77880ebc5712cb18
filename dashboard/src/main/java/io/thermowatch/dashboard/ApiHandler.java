package io.thermowatch.dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api/}: sensors (with their labels from the sensor inventory), one sensor's readings, cluster health, page configuration, the page's
 * short-lived MQTT token; and one sensor's readings as a CSV download ({@link CsvExport}).
 * Blocking (JDBC, management API) on Jetty's pool threads. Every answer is JSON, errors included (the CSV export's
 * too).
 */
final class ApiHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final String PREFIX = "/api/";
    private static final String SENSORS = "/api/sensors";
    private static final String READINGS_SUFFIX = "/readings";
    private static final String CSV_SUFFIX = "/readings.csv";
    static final String CLUSTER_UNAVAILABLE = "cluster status unavailable: the message broker's monitoring interface"
            + " cannot be reached right now, try again shortly";

    private final DashboardConfig config;
    private final ReadingStore store;
    private final SensorState sensorState;
    private final ClusterClient cluster;
    private final StatusTracker statuses;
    private final PageConfig pageConfig;
    private final PageTokens pageTokens;
    private final Runnable pageTokenMinted;
    private final CsvExport csv;
    private final InventoryReloader inventory;
    private final JsonResponses responses;
    private final MeterRegistry meters;
    private final Clock clock;

    ApiHandler(
            DashboardConfig config,
            ReadingStore store,
            SensorState sensorState,
            ClusterClient cluster,
            StatusTracker statuses,
            InventoryReloader inventory,
            Runnable pageTokenMinted,
            JsonResponses responses,
            MeterRegistry meters,
            Clock clock) {
        this.config = config;
        this.store = store;
        this.sensorState = sensorState;
        this.cluster = cluster;
        this.statuses = statuses;
        this.inventory = inventory;
        this.pageTokenMinted = pageTokenMinted;
        this.pageConfig = new PageConfig(config);
        this.pageTokens =
                new PageTokens(config.pageTokenUser(), config.pageTokenKey(), config.pageTokenLifetime(), clock);
        this.csv = new CsvExport(store, config.csvMaxRows(), clock);
        this.responses = responses;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX)) {
            return false;
        }
        var route = routeName(path);
        var sample = Timer.start(meters);
        var status = 200;
        try {
            if (!HttpMethod.GET.is(request.getMethod()) && !HttpMethod.HEAD.is(request.getMethod())) {
                status = 405;
                response.getHeaders().put("Allow", "GET, HEAD");
                JsonResponses.closeIfBodyUnread(request, response);
                responses.error(response, callback, status, "method not allowed: only GET");
                return true;
            }
            var params = Request.extractQueryParameters(request);
            if (route.equals("readings-csv")) {
                csv.send(
                        sensorIdOf(path, CSV_SUFFIX),
                        params.getValue("from"),
                        params.getValue("to"),
                        HttpMethod.HEAD.is(request.getMethod()),
                        response,
                        callback);
                return true;
            }
            var body = switch (route) {
                case "sensors" -> sensors();
                case "readings" ->
                    readings(
                            sensorIdOf(path, READINGS_SUFFIX),
                            params.getValue("from"),
                            params.getValue("to"),
                            params.getValue("step"),
                            params.getValue("range"));
                case "cluster" -> cluster.snapshot();
                case "config" -> pageConfig.forRequest(Request.getServerName(request), request.isSecure());
                case "mqtt-token" -> mqttToken();
                default -> throw new NotFoundException();
            };
            responses.send(response, callback, status, body);
        } catch (BadRequestException e) {
            status = 400;
            responses.error(response, callback, status, e.getMessage());
        } catch (NotFoundException e) {
            status = 404;
            responses.error(response, callback, status, "no such API resource: " + path);
        } catch (SchemaUnavailableException e) {
            // The detail (driver text, host names) goes to the log only; the body says what failed for the user.
            status = 503;
            if (e.getCause() != null) {
                LOG.warn("{} - {}", path, e.getMessage());
            }
            responses.error(response, callback, status, e.userMessage());
        } catch (CsvExport.BusyException e) {
            status = 429;
            response.getHeaders().put("Retry-After", "5");
            responses.error(response, callback, status, e.getMessage());
        } catch (ClusterClient.UnavailableException e) {
            status = 502;
            LOG.warn("{} - {}", path, e.getMessage());
            responses.error(response, callback, status, CLUSTER_UNAVAILABLE);
        } catch (RuntimeException e) {
            status = 500;
            LOG.error("{} - unexpected failure", path, e);
            responses.error(response, callback, status, "internal error");
        } finally {
            sample.stop(meters.timer("dashboard.api.requests", "route", route, "status", Integer.toString(status)));
        }
        return true;
    }

    private Map<String, Object> sensors() {
        var now = clock.instant();
        var views = new ArrayList<SensorState.View>();
        int retired = 0;
        for (LatestReading latest : store.latest()) {
            boolean listed = inventory.lists(latest.sensor());
            if (sensorState.isRetired(latest, now, listed)) {
                retired++;
                continue;
            }
            views.add(sensorState
                    .judge(latest, now, statuses.status(latest.sensor()))
                    .withInventory(inventory.labelsOf(latest.sensor()), listed));
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("generatedAt", now.toEpochMilli());
        body.put("threshold", config.threshold());
        body.put("offlineAfterSeconds", config.offlineAfter().toSeconds());
        body.put("retireAfterSeconds", config.retireAfter().toSeconds());
        body.put("retired", retired);
        body.put("sensors", views);
        return body;
    }

    /**
     * The page's MQTT login: its identity and a fresh short-lived read-only token as the password (no-store). A mint
     * is also a page's heartbeat: the live feed reads the readings while pages keep minting.
     */
    private Map<String, Object> mqttToken() {
        var minted = pageTokens.mint();
        pageTokenMinted.run();
        var body = new LinkedHashMap<String, Object>();
        body.put("username", pageTokens.subject());
        body.put("password", minted.token());
        body.put("expiresAt", minted.expiresAt().toEpochMilli());
        body.put("lifetimeSeconds", pageTokens.lifetime().toSeconds());
        return body;
    }

    private Map<String, Object> readings(String sensor, String from, String to, String step, String range) {
        var request = HistoryRequest.parse(sensor, from, to, step, range, clock.instant());
        var body = new LinkedHashMap<String, Object>();
        body.put("sensor", request.sensor());
        body.put("from", request.from().toEpochMilli());
        body.put("to", request.to().toEpochMilli());
        body.put("stepMillis", request.step().toMillis());
        body.put("threshold", config.threshold());
        body.put("points", store.history(request));
        return body;
    }

    /** A bounded set of route names, so the metric's tag has few values whatever the paths asked. */
    static String routeName(String path) {
        if (path.equals(SENSORS)) {
            return "sensors";
        }
        if (isSensorPath(path, READINGS_SUFFIX)) {
            return "readings";
        }
        if (isSensorPath(path, CSV_SUFFIX)) {
            return "readings-csv";
        }
        if (path.equals("/api/cluster")) {
            return "cluster";
        }
        if (path.equals("/api/config")) {
            return "config";
        }
        if (path.equals("/api/mqtt-token")) {
            return "mqtt-token";
        }
        return "unknown";
    }

    /** {@code /api/sensors/{id}{suffix}} with a non-empty id (validated later, by the request's parser). */
    private static boolean isSensorPath(String path, String suffix) {
        return path.startsWith(SENSORS + "/")
                && path.endsWith(suffix)
                && path.length() > SENSORS.length() + 1 + suffix.length();
    }

    private static String sensorIdOf(String path, String suffix) {
        return path.substring(SENSORS.length() + 1, path.length() - suffix.length());
    }

    private static final class NotFoundException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotFoundException() {
            super(null, null, false, false);
        }
    }
}
