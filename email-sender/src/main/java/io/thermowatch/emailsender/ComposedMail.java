package io.thermowatch.emailsender;

/** A mail ready to send: subject, plain text part and HTML part. */
record ComposedMail(String subject, String text, String html) {}
