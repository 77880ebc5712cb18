-- Runs after every migrate: the dashboard reads through the group role thermowatch_read (postgres/roles.sql), which
-- gets SELECT on what the dashboard reads, and nothing else. Skipped where the role does not exist (a database set
-- up without the least-privilege roles). In TimescaleDB mode the aggregates are continuous aggregates, plain views
-- otherwise: both are granted like tables.
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_read') THEN
        GRANT USAGE ON SCHEMA public TO thermowatch_read;
        GRANT SELECT ON temperature, temperature_1m, temperature_1h TO thermowatch_read;
    END IF;
END
$$;
