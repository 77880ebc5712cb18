-- Minute and hour averages for the dashboard's longer ranges. Real-time aggregation is switched on
-- (materialized_only = false: new continuous aggregates are materialized-only by default), so the latest
-- buckets, not yet refreshed, are computed from the raw rows at query time.
-- WITH NO DATA: creating WITH DATA cannot run inside Flyway's migration transaction.
CREATE MATERIALIZED VIEW IF NOT EXISTS temperature_1m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 minute', time) AS bucket,
       sensor,
       avg(value)  AS avg_value,
       min(value)  AS min_value,
       max(value)  AS max_value,
       count(*)    AS samples
FROM temperature
GROUP BY bucket, sensor
WITH NO DATA;

CREATE MATERIALIZED VIEW IF NOT EXISTS temperature_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket,
       sensor,
       avg(value)  AS avg_value,
       min(value)  AS min_value,
       max(value)  AS max_value,
       count(*)    AS samples
FROM temperature
GROUP BY bucket, sensor
WITH NO DATA;

SELECT add_continuous_aggregate_policy('temperature_1m',
    start_offset => INTERVAL '2 hours', end_offset => INTERVAL '1 minute',
    schedule_interval => INTERVAL '1 minute', if_not_exists => TRUE);

SELECT add_continuous_aggregate_policy('temperature_1h',
    start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '30 minutes', if_not_exists => TRUE);
