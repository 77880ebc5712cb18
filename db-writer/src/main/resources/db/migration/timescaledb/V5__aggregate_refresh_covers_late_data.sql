-- Late data reaches the aggregates. Real-time aggregation computes from raw rows only the buckets after the last
-- materialization; a reading stored hours after its timestamp lands in a bucket already materialized, and only a
-- refresh whose window covers that bucket brings it in. The V3 windows (2 hours, 3 days) left readings held back by
-- a longer outage out of temperature_1m (and of temperature_1h beyond 3 days) for good.
--
-- Both windows now cover 31 days, the late-data horizon db-writer supports: more than the sensors' offline buffer
-- (10,000 readings, ~7 days at one per minute) and the dashboard's longest range. A refresh materializes only the
-- buckets invalidated since the last one (TimescaleDB logs every insert below the invalidation threshold), so a wide
-- window costs nothing while no late data arrives. temperature_1h is refreshed every 5 minutes instead of 30, so
-- back-filled readings reach the 7-day view within minutes. With RETENTION_DAYS below 31 a refresh also removes the
-- aggregates of dropped chunks, which keeps the aggregates equal to the raw rows the dashboard would otherwise read.
SELECT remove_continuous_aggregate_policy('temperature_1m', if_exists => TRUE);
SELECT add_continuous_aggregate_policy('temperature_1m',
    start_offset => INTERVAL '31 days', end_offset => INTERVAL '1 minute',
    schedule_interval => INTERVAL '1 minute');

SELECT remove_continuous_aggregate_policy('temperature_1h', if_exists => TRUE);
SELECT add_continuous_aggregate_policy('temperature_1h',
    start_offset => INTERVAL '31 days', end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '5 minutes');
