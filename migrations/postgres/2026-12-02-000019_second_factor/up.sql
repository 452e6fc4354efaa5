-- A second factor for staff accounts (TOTP), its recovery codes, the pending step between password and
-- session, and what the sessions page and re-authentication need.
-- An organisation's rule: NULL follows SAMENSPEL_SECOND_FACTOR (required unless set otherwise);
-- organisations that exist before this migration keep logging in as they did until their admin
-- switches the rule on.
ALTER TABLE organisations ADD COLUMN second_factor_required BOOLEAN;
UPDATE organisations SET second_factor_required = FALSE;
-- A partnership that requires it requires it of every professional of its organisations.
ALTER TABLE partnerships ADD COLUMN second_factor_required BOOLEAN NOT NULL DEFAULT FALSE;
-- When the session's user last confirmed password and code (at login, or on the confirm page).
ALTER TABLE sessions ADD COLUMN confirmed_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN user_agent TEXT;

CREATE TABLE second_factors (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- NULL while the first code has not been given: not yet in use.
    confirmed_at TIMESTAMP,
    -- The last time step a code was accepted for: a code of that step or an earlier one is refused.
    last_step BIGINT
);
CREATE INDEX second_factors_user ON second_factors (user_id);

CREATE TABLE recovery_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE login_challenges (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- 'code': answer with a code; 'enrol': set up a second factor first.
    step TEXT NOT NULL,
    return_to TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges (user_id);
