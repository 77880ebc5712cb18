package io.thermowatch.emailsender;

import java.time.Duration;
import java.util.List;

/**
 * How to reach the SMTP server and whom to mail.
 *
 * @param host          {@code SMTP_HOST} (default {@code mailpit})
 * @param port          {@code SMTP_PORT} (default 1025)
 * @param username      {@code SMTP_USERNAME}; empty for no authentication
 * @param password      {@code SMTP_PASSWORD}
 * @param startTls      {@code SMTP_STARTTLS}: require STARTTLS (default false)
 * @param timeout       {@code SMTP_TIMEOUT}: connect, read and write timeout (default 10 s)
 * @param retryMaxDelay {@code SMTP_RETRY_MAX_DELAY}: cap of the retry back-off (see common Retries; default 1 min)
 * @param from          {@code EMAIL_FROM}
 * @param to            {@code EMAIL_TO}, one or more addresses
 */
record SmtpSettings(
        String host,
        int port,
        String username,
        String password,
        boolean startTls,
        Duration timeout,
        Duration retryMaxDelay,
        String from,
        List<String> to) {

    SmtpSettings {
        to = List.copyOf(to);
    }

    boolean authenticates() {
        return !username.isEmpty();
    }

    @Override
    public String toString() {
        return "SmtpSettings[" + host + ":" + port + ", user=" + (authenticates() ? username : "(none)") + ", starttls="
                + startTls + ", timeout=" + timeout + ", from=" + from + ", to=" + to + "]";
    }
}
