-- The live meeting room: events know their meeting (so a reconnecting participant replays only its
-- meeting), and the meeting knows when its current item started (for the countdown).
ALTER TABLE events ADD COLUMN meeting_id BIGINT REFERENCES meetings (id);
CREATE INDEX events_meeting ON events (meeting_id, id);
ALTER TABLE meetings ADD COLUMN current_item_started_at TIMESTAMP;
