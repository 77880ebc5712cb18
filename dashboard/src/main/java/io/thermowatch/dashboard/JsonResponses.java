package io.thermowatch.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes JSON bodies and JSON errors. */
final class JsonResponses {

    static final String JSON_TYPE = "application/json; charset=utf-8";

    private final ObjectMapper json;

    JsonResponses(ObjectMapper json) {
        this.json = json;
    }

    void send(Response response, Callback callback, int status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "cannot serialize " + body.getClass().getSimpleName(), e);
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    void error(Response response, Callback callback, int status, String message) {
        send(response, callback, status, Map.of("error", message, "status", status));
    }

    /**
     * A refused request's body is never read (a stranger's upload is not worth reading). Jetty then cannot always
     * tell whether the body has ended, and closes the connection without saying so when it has not all arrived: a
     * client that reuses the connection gets no answer to its next request. Saying {@code Connection: close} up front
     * makes every client open a new one.
     */
    static void closeIfBodyUnread(Request request, Response response) {
        if (request.getLength() != 0) {
            response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
    }
}
