-- Erasable payloads. From here on an event's hash covers a digest of its payload (data_digest), not the
-- payload itself, so the payload (names, reasons) can be erased at the end of a retention period while
-- the chain still verifies. Events written before keep their hash over the payload and stay as they are.
ALTER TABLE events ADD COLUMN data_digest TEXT, ADD COLUMN erased_at TIMESTAMP;

-- Still append-only, with one exception: erasing the payload of a family's event whose hash covers
-- only its digest (data becomes '{}', erased_at is set once, not before the event); every other column
-- stays as it was. One-way: events written from here on carry a digest, which the down migration would
-- lose.
CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.data_digest IS NOT NULL AND OLD.family_id IS NOT NULL AND OLD.erased_at IS NULL
       AND NEW.erased_at IS NOT NULL AND NEW.erased_at >= OLD.occurred_at
       AND NEW.data = '{}'
       AND (NEW.id, NEW.occurred_at, NEW.actor_user_id, NEW.actor_organisation_id, NEW.family_id,
            NEW.kind, NEW.subject_type, NEW.subject_id, NEW.prev_hash, NEW.hash, NEW.meeting_id,
            NEW.data_digest)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.occurred_at, OLD.actor_user_id, OLD.actor_organisation_id, OLD.family_id,
            OLD.kind, OLD.subject_type, OLD.subject_id, OLD.prev_hash, OLD.hash, OLD.meeting_id,
            OLD.data_digest)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'events are append-only';
END;
$$;
