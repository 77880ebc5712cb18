package io.thermowatch.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** What the testkit's HTTP clients (management API, mailbox) do with an answer: insist on 2xx, read JSON. */
final class HttpAnswers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpAnswers() {}

    /** {@code response}, or an exception naming the request, the status and the body when it is not 2xx. */
    static HttpResponse<String> check(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered " + status
                    + ": " + response.body());
        }
        return response;
    }

    static JsonNode parse(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON from " + response.uri() + ": " + response.body(), e);
        }
    }

    /** One path segment, percent-encoded (a space as %20, not '+'). */
    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
