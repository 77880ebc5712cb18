package io.thermowatch.emailsender;

/** What one reading did to one rule of a sensor: a mail of {@code kind} about {@code alert}. */
record RuleOutcome(Notification.Kind kind, Notification.Alert alert) {}
