DELETE FROM user_tokens WHERE purpose = 'login_link';
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_purpose_check;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check CHECK (purpose IN ('invitation', 'password_reset'));
