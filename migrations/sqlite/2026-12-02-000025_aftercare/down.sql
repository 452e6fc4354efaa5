DROP TABLE retention_runs;
DROP TABLE data_requests;
DROP TRIGGER minutes_closed;
CREATE TRIGGER minutes_closed BEFORE UPDATE OF minutes ON agenda_items
WHEN (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'closed'
BEGIN SELECT RAISE(ABORT, 'the meeting is closed'); END;
ALTER TABLE agenda_items DROP COLUMN erased_at;
DROP TRIGGER decisions_no_update;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions are not changed; record a correction'); END;
ALTER TABLE decisions DROP COLUMN erased_at;
ALTER TABLE families DROP COLUMN erased_at;
ALTER TABLE families DROP COLUMN keep_until;
DROP TABLE aftercare;
ALTER TABLE consultation_tables DROP COLUMN aftercare_outcomes;
ALTER TABLE table_kinds DROP COLUMN aftercare_outcomes;
ALTER TABLE partnerships DROP COLUMN retention_years;
ALTER TABLE partnerships RENAME COLUMN closed_readable_days TO retention_days;
