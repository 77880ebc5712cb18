package io.thermowatch.emailsender;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal SMTP server on loopback that answers {@code 550 5.1.1} to the RCPT of chosen addresses and can refuse
 * messages over a size (552 5.3.4 after DATA), as real relays do; GreenMail accepts every recipient. Enough of
 * RFC 5321 for Jakarta Mail: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed), RSET, NOOP, QUIT. One session at a time.
 */
final class RefusingSmtpServer implements AutoCloseable {

    /** One accepted message, once per accepted recipient. */
    record Mail(String to, String subject, String data) {}

    private final ServerSocket socket;
    private final Set<String> refused;
    private final int maxBytes;
    private final List<Mail> mails = new CopyOnWriteArrayList<>();
    private final Thread thread;

    /** @param maxBytes messages larger than this are refused with 552 5.3.4 ({@code Integer.MAX_VALUE}: none) */
    RefusingSmtpServer(Set<String> refused, int maxBytes) throws IOException {
        this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.refused = refused;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::serve, "refusing-smtp");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    List<Mail> mailsTo(String recipient) {
        return mails.stream().filter(m -> m.to().equals(recipient)).toList();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                session(client);
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                // a client went away mid-session: wait for the next one
            }
        }
    }

    private void session(Socket client) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
        Writer out = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8);
        reply(out, "220 refusing-smtp ready");
        List<String> recipients = new ArrayList<>();
        String line;
        while ((line = in.readLine()) != null) {
            String upper = line.toUpperCase(Locale.ROOT);
            if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
                reply(out, "250 refusing-smtp");
            } else if (upper.startsWith("MAIL FROM:")) {
                recipients.clear();
                reply(out, "250 2.1.0 ok");
            } else if (upper.startsWith("RCPT TO:")) {
                String address = line.substring(8).trim().replaceAll("^<|>.*$", "");
                if (refused.contains(address)) {
                    reply(out, "550 5.1.1 <" + address + ">: user unknown");
                } else {
                    recipients.add(address);
                    reply(out, "250 2.1.5 ok");
                }
            } else if (upper.equals("DATA")) {
                if (recipients.isEmpty()) {
                    reply(out, "554 5.5.1 no valid recipients");
                    continue;
                }
                reply(out, "354 end with <CRLF>.<CRLF>");
                String data = readData(in);
                if (data.length() > maxBytes) {
                    reply(out, "552 5.3.4 message too big");
                } else {
                    for (String to : recipients) {
                        mails.add(new Mail(to, subjectOf(data), data));
                    }
                    reply(out, "250 2.0.0 queued");
                }
                recipients.clear();
            } else if (upper.equals("RSET") || upper.equals("NOOP")) {
                recipients.clear();
                reply(out, "250 ok");
            } else if (upper.equals("QUIT")) {
                reply(out, "221 bye");
                return;
            } else {
                reply(out, "502 5.5.2 not implemented");
            }
        }
    }

    private static String readData(BufferedReader in) throws IOException {
        StringBuilder data = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null && !line.equals(".")) {
            data.append(line.startsWith("..") ? line.substring(1) : line).append('\n');
        }
        return data.toString();
    }

    private static String subjectOf(String data) {
        try {
            MimeMessage message = new MimeMessage(
                    Session.getInstance(new Properties()),
                    new ByteArrayInputStream(data.getBytes(StandardCharsets.UTF_8)));
            return String.valueOf(message.getSubject()); // decodes RFC 2047 and unfolds
        } catch (MessagingException e) {
            throw new IllegalStateException("unreadable message", e);
        }
    }

    private static void reply(Writer out, String line) throws IOException {
        out.write(line + "\r\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
