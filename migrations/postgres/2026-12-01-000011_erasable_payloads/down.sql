-- Only for a database that has written no event since the up migration: events written since carry
-- a digest, and without it their hashes no longer verify.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
ALTER TABLE events DROP COLUMN erased_at, DROP COLUMN data_digest;
