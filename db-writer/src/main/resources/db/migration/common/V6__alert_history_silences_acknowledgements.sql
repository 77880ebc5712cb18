-- Alert history, silences and acknowledgements (issue #17, items 3 and 4). Plain tables in both modes: a few rows per
-- alert transition, nothing a hypertable would help with. db-writer owns them like every table; who may do what is
-- granted to group roles after each migration (afterMigrate__grant_alerts.sql, postgres/roles.sql).

-- Every transition email-sender decided (FIRING, escalation, step down, REMINDER, RESOLVED, OFFLINE, BACK ONLINE,
-- PIPELINE), whether it was mailed, silenced or acknowledged. Written by email-sender, asynchronously.
CREATE TABLE IF NOT EXISTS alert_events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    time            timestamptz      NOT NULL, -- detected by email-sender (its wall clock)
    sensor          text             NOT NULL, -- the sensor id; for PIPELINE kinds the condition's name
    rule            text,                      -- null for OFFLINE / BACK_ONLINE / PIPELINE / RESTARTED
    kind            text             NOT NULL CHECK (kind IN ('FIRING', 'REMINDER', 'RESOLVED', 'OFFLINE',
                                                     'BACK_ONLINE', 'PIPELINE_FIRING', 'PIPELINE_RESOLVED',
                                                     'RESTARTED')),
    from_level      text             CHECK (from_level IN ('NORMAL', 'WARNING', 'CRITICAL')),
    to_level        text             CHECK (to_level IN ('NORMAL', 'WARNING', 'CRITICAL')),
    value           double precision,
    reading_time    timestamptz,               -- the sensor's stamp of the reading behind it
    mailed_at       timestamptz,               -- when SMTP accepted its mail; null if muted
    silence_id      bigint,                    -- the silence that muted it (alert_silences.id)
    silenced_by     text,                      -- who created that silence
    acknowledged_by text                       -- who acknowledged the alert (a muted reminder)
);
CREATE INDEX IF NOT EXISTS alert_events_sensor_time_idx ON alert_events (sensor, time DESC);
CREATE INDEX IF NOT EXISTS alert_events_time_idx ON alert_events (time DESC);

-- Time-boxed silences: every notification about a matching sensor between starts_at and ends_at is recorded but not
-- mailed. A sensor matches by a glob on its id (sensors) or by one label of the inventory (label_name = label_value).
-- Ending one early sets ends_at (the row stays: who silenced what, and when, is history too).
CREATE TABLE IF NOT EXISTS alert_silences (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sensors     text        CHECK (length(sensors) BETWEEN 1 AND 256),
    label_name  text        CHECK (length(label_name) BETWEEN 1 AND 64),
    label_value text        CHECK (length(label_value) BETWEEN 1 AND 256),
    starts_at   timestamptz NOT NULL DEFAULT now(),
    ends_at     timestamptz NOT NULL,
    created_by  text        NOT NULL CHECK (length(created_by) BETWEEN 1 AND 64),
    created_at  timestamptz NOT NULL DEFAULT now(),
    comment     text        NOT NULL DEFAULT '' CHECK (length(comment) <= 1000),
    ended_by    text        CHECK (length(ended_by) BETWEEN 1 AND 64),
    CONSTRAINT alert_silences_one_matcher CHECK ((sensors IS NOT NULL) <> (label_name IS NOT NULL)),
    CONSTRAINT alert_silences_label_pair CHECK ((label_name IS NULL) = (label_value IS NULL)),
    CONSTRAINT alert_silences_time_box CHECK (ends_at >= starts_at)
);
CREATE INDEX IF NOT EXISTS alert_silences_ends_at_idx ON alert_silences (ends_at);

-- An acknowledgement of a firing alert (sensor and rule): its reminders stop until it resolves. The latest one per
-- (sensor, rule) counts, if given after the alert began firing.
CREATE TABLE IF NOT EXISTS alert_acknowledgements (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sensor          text        NOT NULL CHECK (length(sensor) BETWEEN 1 AND 64),
    rule            text        NOT NULL CHECK (length(rule) BETWEEN 1 AND 64),
    acknowledged_at timestamptz NOT NULL DEFAULT now(),
    acknowledged_by text        NOT NULL CHECK (length(acknowledged_by) BETWEEN 1 AND 64),
    comment         text        NOT NULL DEFAULT '' CHECK (length(comment) <= 1000)
);
CREATE INDEX IF NOT EXISTS alert_acknowledgements_sensor_rule_idx
    ON alert_acknowledgements (sensor, rule, acknowledged_at DESC);
