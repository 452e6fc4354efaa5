-- Single sign-on (OpenID Connect). An organisation's own identity provider, set by its admin: the
-- client secret is kept as typed, because it is sent to the provider at every login (see the README).
CREATE TABLE organisation_sign_on (
    organisation_id BIGINT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    issuer TEXT NOT NULL CHECK (issuer <> ''),
    client_id TEXT NOT NULL CHECK (client_id <> ''),
    client_secret TEXT NOT NULL CHECK (client_secret <> ''),
    -- An `acr` value that counts as a second factor, besides `amr` values such as "mfa".
    mfa_acr TEXT,
    updated_by BIGINT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

-- The subject an identity provider knows an account by, linked at its first login.
CREATE TABLE sign_on_links (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (issuer, subject),
    UNIQUE (user_id, issuer)
);

-- A login on its way through a provider: found by the hash of its state, bound to the browser by a
-- cookie holding the state. Used once, within ten minutes.
CREATE TABLE sign_on_pending (
    state_hash TEXT PRIMARY KEY NOT NULL,
    -- The organisation whose provider it is; NULL for the families' DigiD broker.
    organisation_id BIGINT REFERENCES organisations (id),
    -- Families: the account the email address named (NULL when it named none).
    user_id BIGINT REFERENCES users (id),
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_on_pending_expiry ON sign_on_pending (expires_at);

-- A session that began at a provider: its ID token, for signing out there too.
CREATE TABLE sign_on_sessions (
    session_id BIGINT PRIMARY KEY NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    organisation_id BIGINT REFERENCES organisations (id),
    id_token TEXT NOT NULL
);

-- The director may require DigiD for a family: the email link no longer logs its members in.
ALTER TABLE families ADD COLUMN digid_required BOOLEAN NOT NULL DEFAULT FALSE;
