-- Login throttling reserves an attempt before the password is checked: a counter per account, per
-- client address (and per address asking for a password reset mail), raised and checked against its
-- limit in one statement. `window_start` is when the counting window began (UTC); a counter whose
-- window has passed starts again at one.
CREATE TABLE login_counters (
    scope TEXT NOT NULL CHECK (scope IN ('account', 'address', 'reset')),
    subject TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX login_counters_window ON login_counters (window_start);
