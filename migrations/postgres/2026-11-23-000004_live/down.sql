DROP INDEX events_meeting;
ALTER TABLE meetings DROP COLUMN current_item_started_at;
ALTER TABLE events DROP COLUMN meeting_id;
