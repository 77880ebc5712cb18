-- Rejects cannot fill the disk: a row keeps only the first 4 KiB of a rejected payload, with the full length and a
-- SHA-256 digest of the whole payload (to tell equal payloads apart and to match one kept elsewhere).
ALTER TABLE rejected_messages
    ADD COLUMN IF NOT EXISTS payload_length integer,
    ADD COLUMN IF NOT EXISTS payload_sha256 bytea;

-- Rows stored whole before this migration are brought to the same shape, so every row obeys the same rule.
UPDATE rejected_messages
   SET payload_length = octet_length(payload),
       payload_sha256 = sha256(payload),
       payload        = substring(payload FROM 1 FOR 4096)
 WHERE payload_length IS NULL;

-- db-writer sends only the head, its length and digest. A writer that sends the whole payload without them (an
-- instance of the previous version during a rolling upgrade) still stores a bounded row: the trigger computes them.
CREATE OR REPLACE FUNCTION rejected_messages_bound_payload() RETURNS trigger
LANGUAGE plpgsql AS $fn$
BEGIN
    IF NEW.payload_length IS NULL THEN
        NEW.payload_length := octet_length(NEW.payload);
        NEW.payload_sha256 := sha256(NEW.payload);
    END IF;
    IF octet_length(NEW.payload) > 4096 THEN
        NEW.payload := substring(NEW.payload FROM 1 FOR 4096);
    END IF;
    RETURN NEW;
END
$fn$;

DROP TRIGGER IF EXISTS rejected_messages_bound_payload ON rejected_messages;
CREATE TRIGGER rejected_messages_bound_payload
    BEFORE INSERT OR UPDATE OF payload, payload_length, payload_sha256 ON rejected_messages
    FOR EACH ROW EXECUTE FUNCTION rejected_messages_bound_payload();

ALTER TABLE rejected_messages
    ALTER COLUMN payload_length SET NOT NULL,
    ALTER COLUMN payload_sha256 SET NOT NULL,
    ADD CONSTRAINT rejected_messages_payload_bounded
        CHECK (octet_length(payload) <= 4096 AND payload_length >= octet_length(payload)
               AND octet_length(payload_sha256) = 32);
