package io.thermowatch.dashboard;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises before a handler runs (a URI it refuses, such as an encoded {@code /} in a path) answer with
 * the same JSON shape as the API's own errors, instead of Jetty's HTML page that would echo parts of the request.
 *
 * <p>Every such answer says {@code Connection: close}. Jetty closes the connection after some of them (a path it
 * cannot normalise, such as {@code /api/../../etc}) without saying so; a client that reuses the kept-alive
 * connection for its next request then gets no answer at all (the JDK client retries a GET silently, never a POST).
 */
final class JsonErrorHandler extends ErrorHandler {

    private final JsonResponses responses;

    JsonErrorHandler(JsonResponses responses) {
        this.responses = responses;
    }

    @Override
    protected void generateResponse(
            Request request, Response response, int code, String message, Throwable cause, Callback callback) {
        String reason = HttpStatus.getMessage(code);
        response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        responses.error(response, callback, code, reason == null ? "error" : reason);
    }
}
