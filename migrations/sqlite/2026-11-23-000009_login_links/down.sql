DELETE FROM user_tokens WHERE purpose = 'login_link';
CREATE TABLE user_tokens_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO user_tokens_old SELECT * FROM user_tokens;
DROP TABLE user_tokens;
ALTER TABLE user_tokens_old RENAME TO user_tokens;
CREATE INDEX user_tokens_user ON user_tokens (user_id);
