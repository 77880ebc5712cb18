-- Least-privilege roles of the `metrics` database, run as the superuser by postgres/setup-roles (docker compose's
-- first start, scripts/stack) and by the testkit. Idempotent: it also brings an existing database up to date.
-- Reads its input from session settings (psql cannot expand its variables inside a DO block):
--   thermowatch.db_writer_user / _pass   db-writer: owns the schema, migrates and writes
--   thermowatch.dashboard_user / _pass   the dashboard: member of thermowatch_read, SELECT only
--   thermowatch.email_sender_user / _pass email-sender: member of thermowatch_alert_writer (records alert events,
--                                        reads silences and acknowledgements)
--   thermowatch.operator_user / _pass    the dashboard's operator API only: member of thermowatch_operate (writes
--                                        silences and acknowledgements, nothing else)
-- The groups are what db-writer's migrations grant to (afterMigrate__grant_read.sql, afterMigrate__grant_alerts.sql).
DO $roles$
DECLARE
    writer      text := current_setting('thermowatch.db_writer_user', true);
    writer_pass text := current_setting('thermowatch.db_writer_pass', true);
    reader      text := current_setting('thermowatch.dashboard_user', true);
    reader_pass text := current_setting('thermowatch.dashboard_pass', true);
    alerter     text := current_setting('thermowatch.email_sender_user', true);
    alerter_pass text := current_setting('thermowatch.email_sender_pass', true);
    operator    text := current_setting('thermowatch.operator_user', true);
    operator_pass text := current_setting('thermowatch.operator_pass', true);
    member      record;
    obj         record;
    is_cagg     boolean;
BEGIN
    IF coalesce(writer, '') = '' OR coalesce(writer_pass, '') = '' OR coalesce(reader, '') = ''
            OR coalesce(reader_pass, '') = '' OR coalesce(alerter, '') = '' OR coalesce(alerter_pass, '') = ''
            OR coalesce(operator, '') = '' OR coalesce(operator_pass, '') = '' THEN
        RAISE EXCEPTION 'roles.sql: set thermowatch.db_writer_user/_pass, thermowatch.dashboard_user/_pass,'
                        ' thermowatch.email_sender_user/_pass and thermowatch.operator_user/_pass';
    END IF;

    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_read') THEN
        CREATE ROLE thermowatch_read NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_alert_writer') THEN
        CREATE ROLE thermowatch_alert_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'thermowatch_operate') THEN
        CREATE ROLE thermowatch_operate NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = writer) THEN
        EXECUTE format('CREATE ROLE %I', writer);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = reader) THEN
        EXECUTE format('CREATE ROLE %I', reader);
    END IF;
    -- Every run resets the attributes and passwords: a rotated password in .env takes effect at the next setup.
    EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                   writer, writer_pass);
    EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD %L',
                   reader, reader_pass);
    EXECUTE format('GRANT thermowatch_read TO %I', reader);
    FOR member IN SELECT * FROM (VALUES (alerter, alerter_pass, 'thermowatch_alert_writer'),
                                        (operator, operator_pass, 'thermowatch_operate')) AS m(name, pass, grp)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = member.name) THEN
            EXECUTE format('CREATE ROLE %I', member.name);
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS'
                       ' PASSWORD %L', member.name, member.pass);
        EXECUTE format('GRANT %I TO %I', member.grp, member.name);
    END LOOP;

    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I, %I, %I', current_database(), writer, reader, alerter,
                   operator);
    -- Nobody else creates objects in the database or its schema.
    EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    EXECUTE format('ALTER SCHEMA public OWNER TO %I', writer);
    GRANT USAGE ON SCHEMA public TO thermowatch_read;

    -- TimescaleDB is not a trusted extension: only a superuser creates it. Done here for a database db-writer has
    -- not migrated yet (its migration keeps CREATE EXTENSION IF NOT EXISTS, a no-op then); a database migrated in
    -- plain mode stays plain, as db-writer decides (SchemaMigrator).
    IF EXISTS (SELECT FROM pg_available_extensions WHERE name = 'timescaledb')
            AND current_setting('shared_preload_libraries') ~ '(^|[ ,])timescaledb([ ,]|$)'
            AND NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'timescaledb')
            AND to_regclass('public.flyway_schema_history') IS NULL THEN
        CREATE EXTENSION timescaledb;
    END IF;

    -- A database migrated by the superuser (before these roles existed): hand its objects to db-writer so that it
    -- can keep migrating. Extension members (TimescaleDB's functions live in public) stay with the extension.
    FOR obj IN
        SELECT c.oid::regclass AS name, c.relname, c.relkind FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
           AND c.relowner <> writer::regrole
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                     AND d.deptype = 'e')
    LOOP
        is_cagg := false;
        IF obj.relkind = 'v' AND EXISTS (SELECT FROM pg_extension WHERE extname = 'timescaledb') THEN
            -- Dynamic: the catalog view exists only with the extension. A continuous aggregate changes owner (with
            -- its materialization) through ALTER MATERIALIZED VIEW.
            EXECUTE 'SELECT EXISTS (SELECT FROM timescaledb_information.continuous_aggregates'
                    ' WHERE view_schema = ''public'' AND view_name = $1)' INTO is_cagg USING obj.relname;
        END IF;
        EXECUTE format('ALTER %s %s OWNER TO %I',
                       CASE WHEN is_cagg OR obj.relkind = 'm' THEN 'MATERIALIZED VIEW'
                            WHEN obj.relkind = 'v' THEN 'VIEW' ELSE 'TABLE' END,
                       obj.name, writer);
    END LOOP;
    -- Sequences a table owns moved with it; the others move here.
    FOR obj IN
        SELECT c.oid::regclass AS name FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'S' AND c.relowner <> writer::regrole
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                     AND d.deptype IN ('a', 'i', 'e'))
    LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', obj.name, writer);
    END LOOP;
    FOR obj IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> writer::regrole
           AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                     AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO %I', obj.name, writer);
    END LOOP;

    -- What the dashboard reads, where it exists already (db-writer grants it after each migration as well).
    FOR obj IN
        SELECT r AS name FROM unnest(ARRAY['temperature', 'temperature_1m', 'temperature_1h']) AS r
         WHERE to_regclass('public.' || r) IS NOT NULL
    LOOP
        EXECUTE format('GRANT SELECT ON public.%I TO thermowatch_read', obj.name);
    END LOOP;
    -- The alert tables, where they exist already (afterMigrate__grant_alerts.sql grants the same after each migration).
    IF to_regclass('public.alert_events') IS NOT NULL THEN
        GRANT USAGE ON SCHEMA public TO thermowatch_alert_writer, thermowatch_operate;
        GRANT SELECT ON alert_events, alert_silences, alert_acknowledgements TO thermowatch_read, thermowatch_operate;
        GRANT INSERT ON alert_events TO thermowatch_alert_writer;
        GRANT SELECT ON alert_silences, alert_acknowledgements TO thermowatch_alert_writer;
        GRANT INSERT ON alert_silences, alert_acknowledgements TO thermowatch_operate;
        GRANT UPDATE (ends_at, ended_by) ON alert_silences TO thermowatch_operate;
    END IF;
END
$roles$;
