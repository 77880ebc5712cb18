-- TimescaleDB mode (chosen by db-writer when the extension is available and preloaded).
CREATE EXTENSION IF NOT EXISTS timescaledb;

-- One-day chunks: a few sensors at one reading per second make small chunks that compress well.
SELECT create_hypertable('temperature', by_range('time', INTERVAL '1 day'), if_not_exists => TRUE);

ALTER TABLE temperature SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'sensor',
    timescaledb.compress_orderby = 'time DESC'
);

SELECT add_compression_policy('temperature', compress_after => INTERVAL '7 days', if_not_exists => TRUE);
