-- Aftercare and closing (issue 20).

-- Two periods of a partnership that are easily confused, named apart: how long a closed record stays
-- readable to its last director and the coordinators (days), and how long its personal data is kept at
-- all (years from closing; 20 is the Jeugdwet's term), after which `samenspel retention` removes it.
ALTER TABLE partnerships RENAME COLUMN retention_days TO closed_readable_days;
ALTER TABLE partnerships ADD COLUMN retention_years INTEGER NOT NULL DEFAULT 20;

-- The outcomes of a table (and of its kind) that put the family in aftercare, one per line; a setting
-- of its own, like the hand-off to the Raad, never matched on how an option is worded.
ALTER TABLE table_kinds ADD COLUMN aftercare_outcomes TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation_tables ADD COLUMN aftercare_outcomes TEXT NOT NULL DEFAULT '';
UPDATE table_kinds SET aftercare_outcomes = 'Afschalen' || chr(10) || 'Nazorg'
WHERE code <> 'beschermingsoverleg';
UPDATE consultation_tables SET aftercare_outcomes = 'Afschalen' || chr(10) || 'Nazorg'
WHERE kind_id IN (SELECT id FROM table_kinds WHERE code <> 'beschermingsoverleg');

-- One period of aftercare: who checks in when, and how it ended (the evaluation).
CREATE TABLE aftercare (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id BIGINT NOT NULL REFERENCES families (id),
    decision_id BIGINT REFERENCES decisions (id),
    started_at TIMESTAMP NOT NULL,
    started_by_user_id BIGINT NOT NULL REFERENCES users (id),
    checkin_on DATE NOT NULL,
    checker_user_id BIGINT NOT NULL REFERENCES users (id),
    ended_at TIMESTAMP,
    ended_by_user_id BIGINT REFERENCES users (id),
    next_step TEXT,
    still_safe BOOLEAN,
    family_view TEXT NOT NULL DEFAULT '',
    evaluation TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX aftercare_one_open ON aftercare (family_id) WHERE ended_at IS NULL;
CREATE INDEX aftercare_checker ON aftercare (checker_user_id, checkin_on) WHERE ended_at IS NULL;

-- The end of the retention period: until when the closed record is kept, and when its personal data
-- was removed (the family row stays as an anonymous tombstone: case number, partnership, dates).
ALTER TABLE families ADD COLUMN keep_until DATE, ADD COLUMN erased_at TIMESTAMP;
UPDATE families SET keep_until = (closed_at + INTERVAL '20 years')::date
WHERE status = 'closed' AND closed_at IS NOT NULL;

-- A decision is never changed, with one exception like the events': at the end of the retention period
-- its texts (text, rationale, the family's words) are erased once; outcome, dates and people stay.
ALTER TABLE decisions ADD COLUMN erased_at TIMESTAMP;
CREATE OR REPLACE FUNCTION decisions_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL
       AND NEW.text = '' AND NEW.rationale = '' AND NEW.family_words = ''
       AND (NEW.id, NEW.meeting_id, NEW.agenda_item_id, NEW.family_id, NEW.outcome, NEW.family_view,
            NEW.supersedes_id, NEW.refer_to_table_id, NEW.new_director_user_id, NEW.created_by_user_id,
            NEW.created_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.meeting_id, OLD.agenda_item_id, OLD.family_id, OLD.outcome, OLD.family_view,
            OLD.supersedes_id, OLD.refer_to_table_id, OLD.new_director_user_id, OLD.created_by_user_id,
            OLD.created_at)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'decisions are not changed; record a correction';
END;
$$;

-- Minutes of a closed meeting are read-only, except that the retention period's end erases them once.
ALTER TABLE agenda_items ADD COLUMN erased_at TIMESTAMP;
CREATE OR REPLACE FUNCTION minutes_of_open_meetings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.minutes IS DISTINCT FROM OLD.minutes
       AND (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'closed'
       AND NOT (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL AND NEW.minutes = '') THEN
        RAISE EXCEPTION 'the meeting is closed';
    END IF;
    RETURN NEW;
END;
$$;

-- A family member's request for their data (GDPR art. 15), answered by the director.
CREATE TABLE data_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    produced_at TIMESTAMP,
    produced_by_user_id BIGINT REFERENCES users (id)
);
CREATE INDEX data_requests_family ON data_requests (family_id);

-- The day's retention run, claimed once by whichever instance gets there first.
CREATE TABLE retention_runs (
    day DATE PRIMARY KEY,
    ran_at TIMESTAMP NOT NULL,
    families INTEGER NOT NULL DEFAULT 0
);
