DROP TABLE retention_runs;
DROP TABLE data_requests;
CREATE OR REPLACE FUNCTION minutes_of_open_meetings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.minutes IS DISTINCT FROM OLD.minutes
       AND (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'closed' THEN
        RAISE EXCEPTION 'the meeting is closed';
    END IF;
    RETURN NEW;
END;
$$;
ALTER TABLE agenda_items DROP COLUMN erased_at;
CREATE OR REPLACE FUNCTION decisions_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions are not changed; record a correction';
END;
$$;
ALTER TABLE decisions DROP COLUMN erased_at;
ALTER TABLE families DROP COLUMN erased_at, DROP COLUMN keep_until;
DROP TABLE aftercare;
ALTER TABLE consultation_tables DROP COLUMN aftercare_outcomes;
ALTER TABLE table_kinds DROP COLUMN aftercare_outcomes;
ALTER TABLE partnerships DROP COLUMN retention_years;
ALTER TABLE partnerships RENAME COLUMN closed_readable_days TO retention_days;
