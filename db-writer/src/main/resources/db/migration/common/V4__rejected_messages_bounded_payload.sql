-- Rejects cannot fill the disk: db-writer keeps only the first 4 KiB of a rejected payload, with the full length and
-- a SHA-256 digest of the whole payload (to tell equal payloads apart and to match one kept elsewhere).
-- Rows stored whole before this migration are brought to the same shape, so every row obeys the same rule.
ALTER TABLE rejected_messages
    ADD COLUMN IF NOT EXISTS payload_length integer,
    ADD COLUMN IF NOT EXISTS payload_sha256 bytea;

UPDATE rejected_messages
   SET payload_length = octet_length(payload),
       payload_sha256 = sha256(payload),
       payload        = substring(payload FROM 1 FOR 4096)
 WHERE payload_length IS NULL;

ALTER TABLE rejected_messages
    ALTER COLUMN payload_length SET NOT NULL,
    ALTER COLUMN payload_sha256 SET NOT NULL,
    ADD CONSTRAINT rejected_messages_payload_bounded
        CHECK (octet_length(payload) <= 4096 AND payload_length >= octet_length(payload)
               AND octet_length(payload_sha256) = 32);
