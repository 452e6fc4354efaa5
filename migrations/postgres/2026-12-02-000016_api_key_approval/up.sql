-- A new API key reads nothing until a coordinator of a partnership its organisation takes part in
-- approves it. Keys made before this rule keep working: the migration approves them (no approver).
-- Times are stored in UTC, as the application writes them.
ALTER TABLE api_tokens ADD COLUMN approved_at TIMESTAMP;
ALTER TABLE api_tokens ADD COLUMN approved_by BIGINT REFERENCES users (id);
UPDATE api_tokens SET approved_at = (CURRENT_TIMESTAMP AT TIME ZONE 'UTC');
