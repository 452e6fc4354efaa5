-- Erasable payloads. From here on an event's hash covers a digest of its payload (data_digest), not the
-- payload itself, so the payload (names, reasons) can be erased at the end of a retention period while
-- the chain still verifies. Events written before keep their hash over the payload and stay as they are.
ALTER TABLE events ADD COLUMN data_digest TEXT;
ALTER TABLE events ADD COLUMN erased_at TIMESTAMP;

-- Still append-only, with one exception: erasing the payload of a family's event whose hash covers
-- only its digest (data becomes '{}', erased_at is set once to a real time); every other column stays
-- as it was. One-way: events written from here on carry a digest, which the down migration would lose.
DROP TRIGGER events_no_update;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN NOT (
    OLD.data_digest IS NOT NULL AND OLD.family_id IS NOT NULL AND OLD.erased_at IS NULL
    AND datetime(NEW.erased_at) IS NOT NULL AND NEW.erased_at >= OLD.occurred_at
    AND NEW.data = '{}'
    AND NEW.id = OLD.id
    AND NEW.occurred_at IS OLD.occurred_at
    AND NEW.actor_user_id IS OLD.actor_user_id
    AND NEW.actor_organisation_id IS OLD.actor_organisation_id
    AND NEW.family_id IS OLD.family_id
    AND NEW.kind IS OLD.kind
    AND NEW.subject_type IS OLD.subject_type
    AND NEW.subject_id IS OLD.subject_id
    AND NEW.prev_hash IS OLD.prev_hash
    AND NEW.hash IS OLD.hash
    AND NEW.meeting_id IS OLD.meeting_id
    AND NEW.data_digest IS OLD.data_digest
)
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
