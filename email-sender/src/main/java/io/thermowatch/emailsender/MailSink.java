package io.thermowatch.emailsender;

/** Where composed mails go; {@link SmtpMailer} in production, a fake in unit tests. */
@FunctionalInterface
interface MailSink {

    /**
     * Hands the mail over; returns only once the server accepted it.
     *
     * @throws Exception if it was not accepted (the caller retries)
     */
    void send(ComposedMail mail) throws Exception;
}
