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
UPDATE table_kinds SET aftercare_outcomes = 'Afschalen
Nazorg' WHERE code <> 'beschermingsoverleg';
UPDATE consultation_tables SET aftercare_outcomes = 'Afschalen
Nazorg' WHERE kind_id IN (SELECT id FROM table_kinds WHERE code <> 'beschermingsoverleg');

-- One period of aftercare: who checks in when, and how it ended (the evaluation).
CREATE TABLE aftercare (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
ALTER TABLE families ADD COLUMN keep_until DATE;
ALTER TABLE families ADD COLUMN erased_at TIMESTAMP;
UPDATE families SET keep_until = date(closed_at, '+20 years') WHERE status = 'closed' AND closed_at IS NOT NULL;

-- A decision is never changed, with one exception like the events': at the end of the retention period
-- its texts (text, rationale, the family's words) are erased once; outcome, dates and people stay.
ALTER TABLE decisions ADD COLUMN erased_at TIMESTAMP;
DROP TRIGGER decisions_no_update;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
WHEN NOT (
    OLD.erased_at IS NULL AND datetime(NEW.erased_at) IS NOT NULL
    AND NEW.text = '' AND NEW.rationale = '' AND NEW.family_words = ''
    AND NEW.id = OLD.id
    AND NEW.meeting_id IS OLD.meeting_id
    AND NEW.agenda_item_id IS OLD.agenda_item_id
    AND NEW.family_id IS OLD.family_id
    AND NEW.outcome IS OLD.outcome
    AND NEW.family_view IS OLD.family_view
    AND NEW.supersedes_id IS OLD.supersedes_id
    AND NEW.refer_to_table_id IS OLD.refer_to_table_id
    AND NEW.new_director_user_id IS OLD.new_director_user_id
    AND NEW.created_by_user_id IS OLD.created_by_user_id
    AND NEW.created_at IS OLD.created_at
)
BEGIN SELECT RAISE(ABORT, 'decisions are not changed; record a correction'); END;

-- Minutes of a closed meeting are read-only, except that the retention period's end erases them once.
ALTER TABLE agenda_items ADD COLUMN erased_at TIMESTAMP;
DROP TRIGGER minutes_closed;
CREATE TRIGGER minutes_closed BEFORE UPDATE OF minutes ON agenda_items
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'closed'
    AND NOT (OLD.erased_at IS NULL AND datetime(NEW.erased_at) IS NOT NULL AND NEW.minutes = '')
BEGIN SELECT RAISE(ABORT, 'the meeting is closed'); END;

-- A family member's request for their data (GDPR art. 15), answered by the director.
CREATE TABLE data_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
