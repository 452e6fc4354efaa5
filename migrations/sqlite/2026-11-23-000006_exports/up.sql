-- Exports: how a table sends the besluitenlijst (the PDF attached, or a link that needs a login), the log
-- of every sending per recipient, and the secret calendar feeds of users.
ALTER TABLE consultation_tables ADD COLUMN send_mode TEXT NOT NULL DEFAULT 'link' CHECK (send_mode IN ('link', 'attachment'));

CREATE TABLE export_sends (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    email TEXT NOT NULL,
    mode TEXT NOT NULL CHECK (mode IN ('link', 'attachment')),
    status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
    error TEXT,
    sent_by_user_id BIGINT NOT NULL REFERENCES users (id),
    sent_at TIMESTAMP NOT NULL
);
CREATE INDEX export_sends_meeting ON export_sends (meeting_id, id);

-- Only the SHA-256 of the secret in the feed's address is kept; revoking makes the old address 404.
CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX calendar_feeds_user ON calendar_feeds (user_id);
