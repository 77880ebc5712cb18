package io.thermowatch.emailsender;

import java.util.List;

/**
 * A mail ready to send: subject, plain text part and HTML part.
 *
 * @param to its recipients; empty means {@code EMAIL_TO}
 */
record ComposedMail(String subject, String text, String html, List<String> to) {

    ComposedMail {
        to = List.copyOf(to);
    }

    /** To {@code EMAIL_TO}. */
    ComposedMail(String subject, String text, String html) {
        this(subject, text, html, List.of());
    }
}
