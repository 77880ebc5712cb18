package io.thermowatch.emailsender;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/**
 * Sends mails over SMTP with Jakarta Mail (Eclipse Angus): multipart/alternative, plain text then HTML.
 * Connect, read and write timeouts are {@code SMTP_TIMEOUT}, so a slow or dead server fails the attempt
 * instead of hanging. One connection per mail: alerts are rare and grouped. Thread safe.
 */
final class SmtpMailer implements MailSink {

    private final SmtpSettings settings;
    private final Session session;
    private final InternetAddress from;
    private final InternetAddress[] to;

    SmtpMailer(SmtpSettings settings) {
        this.settings = settings;
        String timeout = Long.toString(settings.timeout().toMillis());
        Properties props = new Properties();
        props.put("mail.smtp.host", settings.host());
        props.put("mail.smtp.port", Integer.toString(settings.port()));
        props.put("mail.smtp.connectiontimeout", timeout);
        props.put("mail.smtp.timeout", timeout);
        props.put("mail.smtp.writetimeout", timeout);
        props.put("mail.smtp.auth", Boolean.toString(settings.authenticates()));
        if (settings.startTls()) {
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
        }
        this.session = Session.getInstance(props);
        try {
            this.from = new InternetAddress(settings.from(), true);
            this.to = new InternetAddress[settings.to().size()];
            for (int i = 0; i < to.length; i++) {
                to[i] = new InternetAddress(settings.to().get(i), true);
            }
        } catch (MessagingException e) {
            throw new IllegalArgumentException("invalid address: " + e.getMessage(), e);
        }
    }

    @Override
    public void send(ComposedMail mail) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(from);
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(mail.subject(), StandardCharsets.UTF_8.name());
        message.setSentDate(new Date());
        message.setHeader("X-Mailer", "thermowatch-email-sender");

        MimeBodyPart text = new MimeBodyPart();
        text.setText(mail.text(), StandardCharsets.UTF_8.name());
        MimeBodyPart html = new MimeBodyPart();
        html.setText(mail.html(), StandardCharsets.UTF_8.name(), "html");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        message.setContent(alternative);
        message.saveChanges();

        if (settings.authenticates()) {
            Transport.send(message, settings.username(), settings.password());
        } else {
            Transport.send(message);
        }
    }
}
