-- Plain views with the names and columns of TimescaleDB mode's continuous aggregates, so the dashboard has one
-- query shape. Buckets are computed in UTC, like time_bucket. Computed at query time: filter on bucket.
CREATE OR REPLACE VIEW temperature_1m AS
SELECT date_trunc('minute', time, 'UTC') AS bucket,
       sensor,
       avg(value)  AS avg_value,
       min(value)  AS min_value,
       max(value)  AS max_value,
       count(*)    AS samples
FROM temperature
GROUP BY 1, 2;

CREATE OR REPLACE VIEW temperature_1h AS
SELECT date_trunc('hour', time, 'UTC') AS bucket,
       sensor,
       avg(value)  AS avg_value,
       min(value)  AS min_value,
       max(value)  AS max_value,
       count(*)    AS samples
FROM temperature
GROUP BY 1, 2;
