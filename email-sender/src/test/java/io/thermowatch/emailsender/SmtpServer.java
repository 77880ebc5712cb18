package io.thermowatch.emailsender;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.thermowatch.testkit.ServiceEnv;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A real SMTP server (GreenMail) inside the test, on a fixed free port, that the test can stop and start again.
 * Mails received by every incarnation are kept.
 */
final class SmtpServer implements AutoCloseable {

    /** One received mail, per recipient, flattened for assertions. */
    record Mail(String to, String subject, String contentType, String text, String html) {}

    private final int port = ServiceEnv.freePort();
    private final List<Mail> earlier = new ArrayList<>();
    private GreenMail server;

    int port() {
        return port;
    }

    synchronized void start() {
        server = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        server.start();
    }

    synchronized void stop() {
        if (server != null) {
            earlier.addAll(current());
            server.stop();
            server = null;
        }
    }

    synchronized List<Mail> mails() {
        List<Mail> all = new ArrayList<>(earlier);
        all.addAll(current());
        return all;
    }

    List<Mail> mailsTo(String recipient) {
        return mails().stream().filter(m -> m.to().equals(recipient)).toList();
    }

    private List<Mail> current() {
        // GreenMail's inbox lists are not safe to read while its SMTP thread stores a message: a read that races a
        // delivery throws ConcurrentModificationException, and simply reading again sees a consistent list.
        for (int attempt = 1; ; attempt++) {
            try {
                return readInboxes();
            } catch (java.util.ConcurrentModificationException e) {
                if (attempt == 20) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    private List<Mail> readInboxes() {
        List<Mail> out = new ArrayList<>();
        if (server == null) {
            return out;
        }
        // GreenMail keeps one copy per recipient, in that user's inbox.
        for (GreenMailUser user : server.getUserManager().listUser()) {
            server.findReceivedMessages(u -> u.getEmail().equals(user.getEmail()), m -> true)
                    .forEach(m -> out.add(flatten(user.getEmail(), m)));
        }
        return out;
    }

    private static Mail flatten(String to, MimeMessage m) {
        try {
            String text = "";
            String html = "";
            Object content = m.getContent();
            if (content instanceof Multipart multipart) {
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart part = multipart.getBodyPart(i);
                    if (part.isMimeType("text/plain")) {
                        text = (String) part.getContent();
                    } else if (part.isMimeType("text/html")) {
                        html = (String) part.getContent();
                    }
                }
            } else {
                text = String.valueOf(content);
            }
            return new Mail(to, m.getSubject(), m.getContentType(), text, html);
        } catch (MessagingException | IOException e) {
            throw new AssertionError("cannot read a received mail", e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
