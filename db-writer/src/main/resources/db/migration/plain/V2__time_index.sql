-- Plain PostgreSQL mode (no TimescaleDB): the unique key (sensor, time) serves per-sensor ranges,
-- this B-tree serves "latest first" across sensors (ORDER BY time DESC LIMIT n).
CREATE INDEX IF NOT EXISTS temperature_time_idx ON temperature (time DESC);
