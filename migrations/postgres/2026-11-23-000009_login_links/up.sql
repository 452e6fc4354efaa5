-- One-time login links for family members: a new purpose of single-use tokens.
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_purpose_check;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check CHECK (purpose IN ('invitation', 'password_reset', 'login_link'));
