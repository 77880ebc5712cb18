package io.thermowatch.dashboard;

import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty raises before a handler runs (a URI it refuses, such as an encoded {@code /} in a path) answer with
 * the same JSON shape as the API's own errors, instead of Jetty's HTML page that would echo parts of the request.
 */
final class JsonErrorHandler extends ErrorHandler {

    private final JsonResponses responses;

    JsonErrorHandler(JsonResponses responses) {
        this.responses = responses;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        String reason = HttpStatus.getMessage(code);
        responses.error(response, callback, code, reason == null ? "error" : reason);
    }
}
