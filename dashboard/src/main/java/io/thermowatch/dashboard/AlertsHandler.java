package io.thermowatch.dashboard;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Alerts and the operator API, apart from {@link ApiHandler}:
 *
 * <pre>
 * GET    /api/alerts/active                  what is firing now (public, like every read of the page)
 * GET    /api/alerts/history?sensor=&amp;limit=  a sensor's alert events, newest first (public)
 * GET    /api/operator/silences              silences not ended yet                       (operator)
 * POST   /api/operator/silences              {sensors | label, minutes, by, comment}      (operator) 201 {id}
 * DELETE /api/operator/silences/{id}?by=     ends a silence now                           (operator)
 * POST   /api/operator/acknowledgements      {sensor, rule, by, comment}                  (operator) 201 {id}
 * </pre>
 *
 * Every {@code /api/operator/} request needs {@code Authorization: Bearer <OPERATOR_TOKEN>} ({@link OperatorToken});
 * without it, or with a wrong one, 401 and a JSON error, before anything else is looked at. Without
 * {@code OPERATOR_TOKEN} the operator API is off (403). Every answer is JSON, errors included, and never carries a
 * driver's or server's text.
 */
final class AlertsHandler extends Handler.Abstract {

    private static final Logger LOG = LoggerFactory.getLogger(AlertsHandler.class);
    static final String ALERTS = "/api/alerts/";
    static final String OPERATOR = "/api/operator/";
    private static final String SILENCES = OPERATOR + "silences";
    private static final Pattern SILENCE_ID = Pattern.compile(Pattern.quote(SILENCES + "/") + "(\\d{1,18})");
    private static final Pattern SENSOR_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    static final int MAX_BODY_BYTES = 4096;
    static final String UNAUTHORIZED = "operator credential missing or wrong: send Authorization: Bearer <token>";
    static final String DISABLED = "operator API disabled: no operator credential is configured on the server";

    private final AlertStore store;
    private final Optional<OperatorToken> token;
    private final OperatorRequests requests;
    private final JsonResponses responses;
    private final MeterRegistry meters;
    private final Clock clock;

    AlertsHandler(
            AlertStore store,
            Optional<OperatorToken> token,
            OperatorRequests requests,
            JsonResponses responses,
            MeterRegistry meters,
            Clock clock) {
        this.store = store;
        this.token = token;
        this.requests = requests;
        this.responses = responses;
        this.meters = meters;
        this.clock = clock;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        var path = Request.getPathInContext(request);
        boolean operator = path.startsWith(OPERATOR);
        if (!operator && !path.startsWith(ALERTS)) {
            return false;
        }
        var route = operator ? "operator" : "alerts";
        var sample = Timer.start(meters);
        var status = 200;
        try {
            var method = request.getMethod();
            if (operator) {
                if (token.isEmpty()) {
                    status = 403;
                    JsonResponses.closeIfBodyUnread(request, response);
                    responses.error(response, callback, status, DISABLED);
                    return true;
                }
                if (!token.get().accepts(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                    status = 401;
                    response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
                    JsonResponses.closeIfBodyUnread(request, response);
                    responses.error(response, callback, status, UNAUTHORIZED);
                    return true;
                }
            }
            var params = Request.extractQueryParameters(request);
            var matcher = SILENCE_ID.matcher(path);
            Object body;
            if (path.equals(ALERTS + "active") && isGet(method)) {
                body = Map.of("generatedAt", clock.millis(), "alerts", store.active());
            } else if (path.equals(ALERTS + "history") && isGet(method)) {
                body = history(params.getValue("sensor"), params.getValue("limit"));
            } else if (path.equals(SILENCES) && isGet(method)) {
                body = Map.of("silences", store.silences());
            } else if (path.equals(SILENCES) && HttpMethod.POST.is(method)) {
                var silence = requests.silence(body(request), clock.instant());
                long id = store.createSilence(silence);
                LOG.info(
                        "operator - {} silenced {} from {} to {} (silence {})",
                        silence.by(),
                        silence.sensors() != null
                                ? "sensors " + silence.sensors()
                                : "label " + silence.labelName() + "=" + silence.labelValue(),
                        silence.startsAt(),
                        silence.endsAt(),
                        id);
                status = 201;
                body = created(id);
            } else if (matcher.matches() && HttpMethod.DELETE.is(method)) {
                String by = params.getValue("by");
                if (by == null || !by.matches("[A-Za-z0-9 _.@-]{1,64}")) {
                    throw new BadRequestException(
                            "by: expected who you are: 1 to 64 characters of A-Z a-z 0-9 space" + " _ . @ -");
                }
                long id = Long.parseLong(matcher.group(1));
                if (!store.endSilence(id, by)) {
                    status = 404;
                    responses.error(response, callback, status, "no silence " + id + " in force");
                    return true;
                }
                LOG.info("operator - {} ended silence {}", by, id);
                body = Map.of("id", id, "ended", true);
            } else if (path.equals(OPERATOR + "acknowledgements") && HttpMethod.POST.is(method)) {
                var ack = requests.acknowledgement(body(request));
                long id = store.acknowledge(ack);
                LOG.info(
                        "operator - {} acknowledged {} of {} (acknowledgement {})",
                        ack.by(),
                        ack.rule(),
                        ack.sensor(),
                        id);
                status = 201;
                body = created(id);
            } else {
                status = 404;
                responses.error(response, callback, status, "no such API resource or method: " + method + " " + path);
                return true;
            }
            responses.send(response, callback, status, body);
        } catch (BadRequestException e) {
            status = 400;
            responses.error(response, callback, status, e.getMessage());
        } catch (AlertStore.AlertsUnavailableException e) {
            status = 503;
            LOG.warn("{} - {}", path, e.getMessage());
            responses.error(response, callback, status, AlertStore.UNAVAILABLE);
        } catch (RuntimeException e) {
            status = 500;
            LOG.error("{} - unexpected failure", path, e);
            responses.error(response, callback, status, "internal error");
        } finally {
            sample.stop(meters.timer("dashboard.api.requests", "route", route, "status", Integer.toString(status)));
        }
        return true;
    }

    private Map<String, Object> history(String sensor, String limitText) {
        if (sensor == null || !SENSOR_ID.matcher(sensor).matches()) {
            throw new BadRequestException("sensor: expected a sensor id of 1 to 64 characters of A-Z a-z 0-9 _ -");
        }
        int limit = 100;
        if (limitText != null) {
            if (!limitText.matches("\\d{1,4}")
                    || Integer.parseInt(limitText) < 1
                    || Integer.parseInt(limitText) > 1000) {
                throw new BadRequestException("limit: expected a whole number from 1 to 1000");
            }
            limit = Integer.parseInt(limitText);
        }
        var body = new LinkedHashMap<String, Object>();
        body.put("sensor", sensor);
        body.put("events", store.history(sensor, limit));
        return body;
    }

    private static Map<String, Object> created(long id) {
        return Map.of("id", id);
    }

    private static boolean isGet(String method) {
        return HttpMethod.GET.is(method) || HttpMethod.HEAD.is(method);
    }

    /** The request body, at most {@value #MAX_BODY_BYTES} bytes (a silence or an acknowledgement is far smaller). */
    private static byte[] body(Request request) {
        try (InputStream in = Request.asInputStream(request)) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new BadRequestException("body: at most " + MAX_BODY_BYTES + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new BadRequestException("body: could not be read");
        }
    }
}
