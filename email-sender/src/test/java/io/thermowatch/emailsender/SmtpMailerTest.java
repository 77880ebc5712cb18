package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.MessagingException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmtpMailerTest {

    private static SmtpSettings settings(int port, Duration timeout) {
        return new SmtpSettings(
                "127.0.0.1",
                port,
                "",
                "",
                false,
                timeout,
                Duration.ofSeconds(1),
                "thermowatch@example.com",
                List.of("ops@example.com"));
    }

    private static final ComposedMail MAIL = new ComposedMail("s", "t", "<p>h</p>");

    @Test
    void a_server_that_accepts_the_connection_but_never_answers_fails_the_attempt_after_the_timeout() throws Exception {
        // Given: a socket that accepts and stays silent (no SMTP greeting)
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket s = silent.accept()) {
                    Thread.sleep(10_000);
                } catch (Exception ignored) {
                    // closed by the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            SmtpMailer mailer = new SmtpMailer(settings(silent.getLocalPort(), Duration.ofMillis(500)));
            // When
            long start = System.nanoTime();
            assertThrows(MessagingException.class, () -> mailer.send(MAIL));
            // Then
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "took " + millis + " ms");
        }
    }

    @Test
    void a_server_that_is_down_fails_the_attempt_at_once() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SmtpMailer mailer = new SmtpMailer(settings(port, Duration.ofSeconds(2)));
        assertThrows(MessagingException.class, () -> mailer.send(MAIL));
    }

    @Test
    void a_recipient_refused_for_good_is_dropped_and_the_others_get_the_mail() throws Exception {
        try (RefusingSmtpServer server = new RefusingSmtpServer(Set.of("bad@example.com"), Integer.MAX_VALUE)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            SmtpMailer mailer = new SmtpMailer(
                    new SmtpSettings(
                            "127.0.0.1",
                            server.port(),
                            "",
                            "",
                            false,
                            Duration.ofSeconds(2),
                            Duration.ofSeconds(1),
                            "thermowatch@example.com",
                            List.of("good@example.com", "bad@example.com")),
                    registry);
            // When
            mailer.send(MAIL);
            // Then
            assertEquals(1, server.mailsTo("good@example.com").size());
            assertEquals(
                    1.0,
                    registry.counter("thermowatch.mail.recipients.refused", "reply", "permanent")
                            .count());
        }
    }

    @Test
    void every_recipient_refused_for_good_is_a_permanent_failure() throws Exception {
        try (RefusingSmtpServer server = new RefusingSmtpServer(Set.of("ops@example.com"), Integer.MAX_VALUE)) {
            SmtpMailer mailer = new SmtpMailer(settings(server.port(), Duration.ofSeconds(2)));
            PermanentSmtpFailure failure = assertThrows(PermanentSmtpFailure.class, () -> mailer.send(MAIL));
            assertFalse(failure.tooLarge());
        }
    }

    @Test
    void a_mail_over_the_servers_size_limit_is_a_permanent_failure_marked_too_large() throws Exception {
        try (RefusingSmtpServer server = new RefusingSmtpServer(Set.of(), 100)) {
            SmtpMailer mailer = new SmtpMailer(settings(server.port(), Duration.ofSeconds(2)));
            PermanentSmtpFailure failure = assertThrows(PermanentSmtpFailure.class, () -> mailer.send(MAIL));
            assertTrue(failure.tooLarge());
        }
    }

    @Test
    void a_mail_with_recipients_of_its_own_goes_to_them_instead_of_email_to() throws Exception {
        try (RefusingSmtpServer server = new RefusingSmtpServer(Set.of(), Integer.MAX_VALUE)) {
            SmtpMailer mailer = new SmtpMailer(settings(server.port(), Duration.ofSeconds(2)));
            // When
            mailer.send(new ComposedMail("s", "t", "<p>h</p>", List.of("facilities@example.com")));
            // Then
            assertEquals(1, server.mailsTo("facilities@example.com").size());
            assertEquals(0, server.mailsTo("ops@example.com").size());
        }
    }
}
