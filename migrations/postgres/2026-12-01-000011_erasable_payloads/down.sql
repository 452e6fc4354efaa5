CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$;
ALTER TABLE events DROP COLUMN erased_at, DROP COLUMN data_digest;
