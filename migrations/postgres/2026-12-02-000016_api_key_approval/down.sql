ALTER TABLE api_tokens DROP COLUMN approved_by;
ALTER TABLE api_tokens DROP COLUMN approved_at;
