-- The family portal: family accounts (users with role 'family' and no organisation), what they may see,
-- and their voice. See the metadata: this migration runs its own transaction around a table rebuild.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('professional', 'org_admin', 'system_admin', 'family')),
    password_hash TEXT,
    locale TEXT CHECK (locale IN ('nl', 'en')),
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP,
    CHECK (role IN ('system_admin', 'family') OR organisation_id IS NOT NULL),
    CHECK (role <> 'family' OR organisation_id IS NULL)
);
INSERT INTO users_new (id, organisation_id, email, name, role, password_hash, locale, active, created_at, password_changed_at)
SELECT id, organisation_id, email, name, role, password_hash, locale, active, created_at, password_changed_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_organisation ON users (organisation_id);
-- Which family member a family account is, who invited them, and (for a young person) why the
-- director judged portal access fitting.
CREATE TABLE portal_access (
    user_id BIGINT PRIMARY KEY REFERENCES users (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL UNIQUE REFERENCES persons (id),
    invited_by_user_id BIGINT NOT NULL REFERENCES users (id),
    judgement TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX portal_access_family ON portal_access (family_id);

-- What the director keeps from a named member, for example for safety reasons.
CREATE TABLE portal_withheld (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    category TEXT NOT NULL CHECK (category IN ('plan', 'safety_plan', 'decisions', 'actions', 'meetings', 'access_log')),
    reason TEXT NOT NULL CHECK (reason <> ''),
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (person_id, category)
);

-- Minutes reach the family only when the director shares them, item by item.
CREATE TABLE shared_minutes (
    agenda_item_id BIGINT PRIMARY KEY REFERENCES agenda_items (id),
    shared_by_user_id BIGINT NOT NULL REFERENCES users (id),
    shared_at TIMESTAMP NOT NULL
);

-- A member's recovery plan reaches the rest of the family only with that member's consent.
CREATE TABLE recovery_consents (
    person_id BIGINT PRIMARY KEY REFERENCES persons (id),
    given_by_user_id BIGINT NOT NULL REFERENCES users (id),
    given_at TIMESTAMP NOT NULL
);

-- "Wat wij willen zeggen": the family's view on an agenda item, one per member, written before the meeting.
CREATE TABLE family_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    body TEXT NOT NULL CHECK (body <> ''),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (agenda_item_id, person_id)
);

-- A member asks for something in the plan to be corrected; the director answers.
CREATE TABLE correction_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    about TEXT NOT NULL,
    body TEXT NOT NULL CHECK (body <> ''),
    created_at TIMESTAMP NOT NULL,
    answer TEXT,
    answered_by_user_id BIGINT REFERENCES users (id),
    answered_at TIMESTAMP
);
CREATE INDEX correction_requests_family ON correction_requests (family_id, id);

-- Whether the family's view of the access log shows professionals' names (or only organisation and role).
ALTER TABLE families ADD COLUMN portal_shows_names BOOLEAN NOT NULL DEFAULT FALSE;
COMMIT;
PRAGMA foreign_keys = ON;
