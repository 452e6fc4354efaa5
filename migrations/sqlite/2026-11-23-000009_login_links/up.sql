-- One-time login links for family members: a new purpose of single-use tokens. SQLite cannot change a
-- CHECK constraint, so the table is rebuilt (nothing refers to it).
CREATE TABLE user_tokens_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'login_link')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO user_tokens_new (id, token_hash, user_id, purpose, created_at, expires_at, used_at)
SELECT id, token_hash, user_id, purpose, created_at, expires_at, used_at FROM user_tokens;
DROP TABLE user_tokens;
ALTER TABLE user_tokens_new RENAME TO user_tokens;
CREATE INDEX user_tokens_user ON user_tokens (user_id);
