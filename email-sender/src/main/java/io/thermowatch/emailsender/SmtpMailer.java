package io.thermowatch.emailsender;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mails over SMTP with Jakarta Mail (Eclipse Angus): multipart/alternative, plain text then HTML.
 * Connect, read and write timeouts are {@code SMTP_TIMEOUT}, so a slow or dead server fails the attempt
 * instead of hanging. One connection per mail: alerts are rare and grouped. Thread safe.
 *
 * <p>Failures are classified by their SMTP reply code ({@code mail.smtp.sendpartial}: the mail goes to every
 * recipient the server accepts). A refused recipient is dropped from a mail the others received, with an ERROR
 * line and {@code thermowatch_mail_recipients_refused_total}. Every recipient refused with a 5xx, or a 552 / 5.3.4
 * (too large), is a {@link PermanentSmtpFailure}. Everything else (4xx, connection, timeout) is thrown as is and
 * the whole mail is retried with back-off.
 */
final class SmtpMailer implements MailSink {

    private static final Logger log = LoggerFactory.getLogger(SmtpMailer.class);

    private final SmtpSettings settings;
    private final Counter refusedPermanently;
    private final Counter refusedTransiently;
    private final Session session;
    private final InternetAddress from;
    private final InternetAddress[] to;

    SmtpMailer(SmtpSettings settings) {
        this(settings, new SimpleMeterRegistry());
    }

    SmtpMailer(SmtpSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.refusedPermanently = Counter.builder("thermowatch.mail.recipients.refused")
                .tag("reply", "permanent")
                .description("Recipients dropped from a mail that the others received")
                .register(registry);
        this.refusedTransiently = Counter.builder("thermowatch.mail.recipients.refused")
                .tag("reply", "transient")
                .description("Recipients dropped from a mail that the others received")
                .register(registry);
        String timeout = Long.toString(settings.timeout().toMillis());
        Properties props = new Properties();
        props.put("mail.smtp.host", settings.host());
        props.put("mail.smtp.port", Integer.toString(settings.port()));
        props.put("mail.smtp.connectiontimeout", timeout);
        props.put("mail.smtp.timeout", timeout);
        props.put("mail.smtp.writetimeout", timeout);
        props.put("mail.smtp.auth", Boolean.toString(settings.authenticates()));
        props.put("mail.smtp.sendpartial", "true"); // one refused recipient must not stop the others
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

    /** A rule's own recipients, validated when the rules file was loaded. */
    private static InternetAddress[] addresses(List<String> recipients) throws AddressException {
        InternetAddress[] out = new InternetAddress[recipients.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new InternetAddress(recipients.get(i), true);
        }
        return out;
    }

    /** To {@link ComposedMail#to()}, or {@code EMAIL_TO} when it is empty. */
    @Override
    public void send(ComposedMail mail) throws MessagingException, PermanentSmtpFailure {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(from);
        message.setRecipients(Message.RecipientType.TO, mail.to().isEmpty() ? to : addresses(mail.to()));
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

        try {
            if (settings.authenticates()) {
                Transport.send(message, settings.username(), settings.password());
            } else {
                Transport.send(message);
            }
        } catch (SendFailedException e) {
            classify(mail, e);
        }
    }

    /**
     * Returns if the mail reached at least one recipient (the refused ones are logged and counted); throws a
     * {@link PermanentSmtpFailure} if it never can, and {@code e} itself (retried) otherwise.
     */
    private void classify(ComposedMail mail, SendFailedException e) throws MessagingException, PermanentSmtpFailure {
        if (e instanceof SMTPSendFailedException send && isTooLarge(send.getReturnCode(), send.getMessage())) {
            throw new PermanentSmtpFailure("too large for the SMTP server: " + oneLine(send), true, e);
        }
        Address[] sentTo = e.getValidSentAddresses();
        boolean delivered = sentTo != null && sentTo.length > 0;
        List<SMTPAddressFailedException> refusals = new ArrayList<>();
        for (Exception next = e.getNextException();
                next != null;
                next = next instanceof MessagingException m ? m.getNextException() : null) {
            if (next instanceof SMTPAddressFailedException failed) {
                refusals.add(failed);
            }
        }
        boolean allPermanent = !refusals.isEmpty() && refusals.stream().allMatch(f -> f.getReturnCode() / 100 == 5);
        if (!delivered && !allPermanent) {
            throw e; // nobody has it and a retry may help: the whole mail is retried with back-off
        }
        for (SMTPAddressFailedException failed : refusals) {
            boolean permanent = failed.getReturnCode() / 100 == 5;
            (permanent ? refusedPermanently : refusedTransiently).increment();
            // A 4xx recipient next to delivered ones is not retried: a retry would mail the others again.
            log.error(
                    "mail - SMTP refused recipient {} ({}): dropped from '{}'{}",
                    failed.getAddress(),
                    oneLine(failed),
                    mail.subject(),
                    permanent ? "" : " (the other recipients have it)");
        }
        if (!delivered) {
            // What each server said, so the alert history shows why (alert_events.mail_error)
            String said = refusals.stream()
                    .map(f -> f.getAddress() + ": " + oneLine(f))
                    .collect(Collectors.joining("; "));
            throw new PermanentSmtpFailure("every recipient refused for good: " + said, false, e);
        }
    }

    /** 552 (RFC 5321: exceeded storage allocation, used for size) or the enhanced code 5.3.4 (message too big). */
    private static boolean isTooLarge(int code, String message) {
        return code == 552 || (code / 100 == 5 && message != null && message.contains("5.3.4"));
    }

    private static String oneLine(Exception e) {
        return String.valueOf(e.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
