-- The original system's table, unchanged, so `SELECT * FROM temperature ORDER BY time DESC LIMIT 10` keeps working.
-- The unique key makes writes idempotent: a redelivered reading hits ON CONFLICT DO NOTHING.
CREATE TABLE IF NOT EXISTS temperature (
    time   timestamptz      NOT NULL,
    sensor text             NOT NULL,
    value  double precision NOT NULL,
    CONSTRAINT temperature_sensor_time_key UNIQUE (sensor, time)
);

-- Every message db-writer could not store as a reading, with the bytes exactly as received.
CREATE TABLE IF NOT EXISTS rejected_messages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at timestamptz NOT NULL DEFAULT now(),
    routing_key text        NOT NULL,
    payload     bytea       NOT NULL,
    reason      text        NOT NULL
);

CREATE INDEX IF NOT EXISTS rejected_messages_received_at_idx ON rejected_messages (received_at DESC);
