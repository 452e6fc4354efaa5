DROP TABLE login_attempts;
DROP TABLE user_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE organisations;
