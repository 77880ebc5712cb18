-- Runs after every migrate: RETENTION_DAYS may change between starts, a versioned migration cannot follow it.
-- The advisory lock serializes instances starting at once; the policy is replaced only when it differs.
DO $$
DECLARE
    wanted  interval := INTERVAL '${retention_days} days';
    current interval;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('thermowatch.db-writer.retention'));
    SELECT (config ->> 'drop_after')::interval INTO current
      FROM timescaledb_information.jobs
     WHERE proc_name = 'policy_retention' AND hypertable_schema = current_schema() AND hypertable_name = 'temperature';
    IF current IS DISTINCT FROM wanted THEN
        PERFORM remove_retention_policy('temperature', if_exists => TRUE);
        PERFORM add_retention_policy('temperature', drop_after => wanted, if_not_exists => TRUE);
    END IF;
END
$$;
