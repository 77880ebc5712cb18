package io.thermowatch.testkit;

import static io.thermowatch.testkit.HttpAnswers.check;
import static io.thermowatch.testkit.HttpAnswers.encode;
import static io.thermowatch.testkit.HttpAnswers.parse;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The mail the stack's SMTP server received, read through its REST API: GreenMail standalone (native stack,
 * authentication disabled, {@code GREENMAIL_API_PORT} in {@code scripts/native.env}), where every recipient
 * address gets its own mailbox, or Mailpit (docker provider), whose one message list is filtered by recipient
 * (To, Cc and Bcc) here. Thread safe.
 */
public final class Mailbox {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Mailpit's list is read in one page of this size: more than any test sends. */
    private static final int MAILPIT_PAGE = 5000;

    /** The server behind the API. */
    enum Api {
        GREENMAIL,
        MAILPIT
    }

    private final URI api;
    private final Api kind;

    Mailbox(URI api, Api kind) {
        this.api = api;
        this.kind = kind;
    }

    /** One received message: the recipient mailbox, its subject and the raw RFC 822 text (headers and body). */
    public record Mail(String recipient, String subject, String messageId, String mime) {

        /** The raw body: everything after the header block (still transfer-encoded, e.g. quoted-printable). */
        public String body() {
            String text = mime.replace("\r\n", "\n");
            int split = text.indexOf("\n\n");
            return split < 0 ? "" : text.substring(split + 2);
        }

        @Override
        public String toString() {
            return recipient + " '" + subject + "'";
        }
    }

    /** Messages in {@code address}'s inbox, oldest first (empty if nothing was ever sent there). */
    public List<Mail> messages(String address) {
        if (kind == Api.MAILPIT) {
            return mailpitMessages(address);
        }
        HttpResponse<String> response = send("GET", "/api/user/" + encode(address) + "/messages/INBOX");
        if (response.statusCode() == 400 || response.statusCode() == 404) {
            return List.of();
        }
        List<Mail> mails = new ArrayList<>();
        for (JsonNode m : parse(check(response))) {
            mails.add(new Mail(
                    address,
                    m.path("subject").asText(null),
                    m.path("Message-ID").asText(m.path("messageId").asText(null)),
                    m.path("mimeMessage").asText("")));
        }
        return mails;
    }

    /** Every message of every mailbox. */
    public List<Mail> all() {
        if (kind == Api.MAILPIT) {
            return mailpitMessages(null);
        }
        List<Mail> mails = new ArrayList<>();
        for (JsonNode user : parse(check(send("GET", "/api/user")))) {
            String address = user.path("email").asText(user.path("login").asText());
            mails.addAll(messages(address));
        }
        return mails;
    }

    /**
     * Waits until {@code address} holds {@code count} messages matching {@code filter}; returns them.
     *
     * @throws AssertionError on timeout, listing what the mailbox holds
     */
    public List<Mail> awaitMessages(String address, Predicate<Mail> filter, int count, Duration timeout) {
        List<Mail> all = Waits.until(
                "mailbox " + address + ": " + count + " matching message(s)",
                timeout,
                Duration.ofMillis(200),
                () -> messages(address),
                mails -> mails.stream().filter(filter).count() >= count,
                mails -> "it holds " + mails);
        return all.stream().filter(filter).toList();
    }

    /** Deletes every message of every mailbox. */
    public void purge() {
        check(kind == Api.MAILPIT ? send("DELETE", "/api/v1/messages") : send("POST", "/api/mail/purge"));
    }

    /** True if the mail server reports itself ready. */
    public boolean isReady() {
        try {
            return send("GET", kind == Api.MAILPIT ? "/readyz" : "/api/service/readiness")
                            .statusCode()
                    == 200;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /**
     * Mailpit: one {@link Mail} per recipient (To, Cc, Bcc) equal to {@code address}, or per recipient of every
     * message if {@code address} is null; oldest first (the list comes newest first). The raw text is fetched per
     * message ({@code /api/v1/message/<ID>/raw}).
     */
    private List<Mail> mailpitMessages(String address) {
        JsonNode list = parse(check(send("GET", "/api/v1/messages?limit=" + MAILPIT_PAGE)))
                .path("messages");
        List<Mail> mails = new ArrayList<>();
        for (int i = list.size() - 1; i >= 0; i--) {
            JsonNode m = list.get(i);
            for (String field : List.of("To", "Cc", "Bcc")) {
                for (JsonNode recipient : m.path(field)) {
                    String to = recipient.path("Address").asText("");
                    if (address == null || to.equalsIgnoreCase(address)) {
                        String raw = check(send(
                                        "GET",
                                        "/api/v1/message/" + encode(m.path("ID").asText()) + "/raw"))
                                .body();
                        mails.add(new Mail(
                                to,
                                m.path("Subject").asText(null),
                                m.path("MessageID").asText(null),
                                raw));
                    }
                }
            }
        }
        return mails;
    }

    private HttpResponse<String> send(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(api.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + request.uri(), e);
        }
    }
}
