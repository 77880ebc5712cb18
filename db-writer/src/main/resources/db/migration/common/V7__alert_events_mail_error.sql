-- A mail SMTP refused for good (every recipient refused, or too large even alone) is recorded too, with the
-- refusal's reason (issue #17): before, such a notification left no row, so the history read as if nothing had
-- happened. Null when the notification was mailed or muted. Bounded: email-sender cuts longer reasons to fit.
-- The table-level grants of afterMigrate__grant_alerts.sql cover the new column (INSERT and SELECT on the table).
ALTER TABLE alert_events
    ADD COLUMN IF NOT EXISTS mail_error text CHECK (length(mail_error) BETWEEN 1 AND 1000);
