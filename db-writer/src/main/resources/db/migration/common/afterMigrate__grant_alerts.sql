-- Runs after every migrate, like afterMigrate__grant_read.sql: who may do what with the alert tables, through the
-- group roles of postgres/roles.sql. Each grant is skipped where its role does not exist (a database set up
-- without the least-privilege roles).
--   thermowatch_read          (dashboard)         SELECT: the active alerts panel and a sensor's alert history
--   thermowatch_alert_writer  (email-sender)      INSERT alert_events; SELECT silences and acknowledgements
--   thermowatch_operate       (dashboard operator API only) INSERT silences and acknowledgements, end a silence
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_read') THEN
        GRANT SELECT ON alert_events, alert_silences, alert_acknowledgements TO thermowatch_read;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_alert_writer') THEN
        GRANT USAGE ON SCHEMA public TO thermowatch_alert_writer;
        GRANT INSERT ON alert_events TO thermowatch_alert_writer;
        GRANT SELECT ON alert_silences, alert_acknowledgements TO thermowatch_alert_writer;
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_operate') THEN
        GRANT USAGE ON SCHEMA public TO thermowatch_operate;
        GRANT SELECT ON alert_events, alert_silences, alert_acknowledgements TO thermowatch_operate;
        GRANT INSERT ON alert_silences, alert_acknowledgements TO thermowatch_operate;
        -- Ending a silence early: only its end and who ended it, never its matcher or its author.
        GRANT UPDATE (ends_at, ended_by) ON alert_silences TO thermowatch_operate;
    END IF;
END
$$;
