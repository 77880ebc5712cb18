package io.thermowatch.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stack's SMTP server keeps what it receives, and {@link Mailbox} reads it back per recipient. */
class MailboxIT {

    private final Stack stack = Stack.get();

    @Test
    void a_mail_sent_over_smtp_is_read_back_from_the_recipients_mailbox() throws IOException {
        // Given
        String recipient = Markers.sensorId("mail") + "@thermowatch.test";

        // When
        sendMail(recipient, "testkit check", "hello from the testkit");

        // Then
        List<Mailbox.Mail> mails = stack.mailbox().awaitMessages(recipient, m -> true, 1, Duration.ofSeconds(10));
        assertEquals(1, mails.size());
        assertEquals("testkit check", mails.get(0).subject());
        assertTrue(
                mails.get(0).body().contains("hello from the testkit"),
                mails.get(0).mime());
    }

    /** A minimal SMTP client: the testkit must not depend on the mail library it helps to test. */
    private void sendMail(String to, String subject, String body) throws IOException {
        try (Socket socket = new Socket(stack.smtpHost(), stack.smtpPort())) {
            socket.setSoTimeout(5_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "HELO testkit", "250");
            command(out, in, "MAIL FROM:<testkit@thermowatch.test>", "250");
            command(out, in, "RCPT TO:<" + to + ">", "250");
            command(out, in, "DATA", "354");
            command(
                    out,
                    in,
                    "From: testkit@thermowatch.test\r\nTo: " + to + "\r\nSubject: " + subject + "\r\n\r\n" + body
                            + "\r\n.",
                    "250");
            command(out, in, "QUIT", "221");
        }
    }

    private static void command(OutputStream out, BufferedReader in, String line, String expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        expect(in, expected);
    }

    private static void expect(BufferedReader in, String code) throws IOException {
        String reply;
        do {
            reply = in.readLine();
        } while (reply != null && reply.length() > 3 && reply.charAt(3) == '-');
        assertTrue(reply != null && reply.startsWith(code), "expected " + code + ", got " + reply);
    }
}
