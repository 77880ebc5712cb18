package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Mailbox} reading Mailpit's API (the docker provider's SMTP server), against a stand-in that answers with
 * the shapes of Mailpit's v1 API: the message list (newest first), each message's raw source, purge, readiness.
 */
class MailboxMailpitTest {

    private static final String LIST = """
            {"total":2,"messages":[
              {"ID":"id-2","MessageID":"m2@x","Subject":"second","To":[{"Name":"","Address":"ops@example.com"}],
               "Cc":[],"Bcc":[{"Name":"","Address":"audit@example.com"}]},
              {"ID":"id-1","MessageID":"m1@x","Subject":"first","To":[{"Name":"Ops","Address":"OPS@example.com"}],
               "Cc":null,"Bcc":null}]}
            """;

    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private Mailbox mailbox;

    @BeforeEach
    void startFakeMailpit() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::answer);
        server.start();
        mailbox =
                new Mailbox(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Mailbox.Api.MAILPIT);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange exchange) throws IOException {
        String request = exchange.getRequestMethod() + " " + exchange.getRequestURI();
        requests.add(request);
        String body = switch (request) {
            case "GET /api/v1/messages?limit=5000" -> LIST;
            case "GET /api/v1/message/id-1/raw" -> "Subject: first\r\n\r\nbody one\r\n";
            case "GET /api/v1/message/id-2/raw" -> "Subject: second\r\n\r\nbody two\r\n";
            case "DELETE /api/v1/messages", "GET /readyz" -> "ok";
            default -> null;
        };
        byte[] bytes = (body == null ? "not found" : body).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Test
    void a_recipients_messages_are_those_addressed_to_it_oldest_first_with_their_raw_text() {
        // When
        List<Mailbox.Mail> mails = mailbox.messages("ops@example.com");

        // Then
        assertEquals(
                List.of("first", "second"),
                mails.stream().map(Mailbox.Mail::subject).toList());
        assertEquals("body one\n", mails.get(0).body());
        assertEquals("m2@x", mails.get(1).messageId());
    }

    @Test
    void all_lists_one_mail_per_recipient_including_bcc() {
        // When
        List<Mailbox.Mail> mails = mailbox.all();

        // Then
        assertEquals(
                List.of("OPS@example.com first", "ops@example.com second", "audit@example.com second"),
                mails.stream().map(m -> m.recipient() + " " + m.subject()).toList());
    }

    @Test
    void purge_deletes_every_message_and_readiness_asks_readyz() {
        // When
        mailbox.purge();
        boolean ready = mailbox.isReady();

        // Then
        assertTrue(ready);
        assertEquals(List.of("DELETE /api/v1/messages", "GET /readyz"), requests);
    }
}
