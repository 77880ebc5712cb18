package io.thermowatch.emailsender;

/**
 * SMTP refused a mail for good (a 5xx reply): retrying the same mail can never succeed, so it must not block the
 * alerts behind it. {@link #tooLarge()}: the relay's size limit (552 / 5.3.4), which a smaller mail can pass.
 */
final class PermanentSmtpFailure extends Exception {

    private final boolean tooLarge;

    PermanentSmtpFailure(String message, boolean tooLarge, Throwable cause) {
        super(message, cause);
        this.tooLarge = tooLarge;
    }

    boolean tooLarge() {
        return tooLarge;
    }
}
