package io.thermowatch.emailsender;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.MessagingException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpMailerTest {

    private static SmtpSettings settings(int port, Duration timeout) {
        return new SmtpSettings("127.0.0.1", port, "", "", false, timeout, Duration.ofSeconds(1),
                "thermowatch@example.com", List.of("ops@example.com"));
    }

    private static final ComposedMail MAIL = new ComposedMail("s", "t", "<p>h</p>");

    @Test
    void a_server_that_accepts_the_connection_but_never_answers_fails_the_attempt_after_the_timeout()
            throws Exception {
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
}
