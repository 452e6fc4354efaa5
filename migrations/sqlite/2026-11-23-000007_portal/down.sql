PRAGMA foreign_keys = OFF;
BEGIN;
ALTER TABLE families DROP COLUMN portal_shows_names;
DROP TABLE correction_requests;
DROP TABLE family_views;
DROP TABLE recovery_consents;
DROP TABLE shared_minutes;
DROP TABLE portal_withheld;
DROP TABLE portal_access;
DELETE FROM users WHERE role = 'family';
CREATE TABLE users_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT REFERENCES organisations (id),
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('professional', 'org_admin', 'system_admin')),
    password_hash TEXT,
    locale TEXT CHECK (locale IN ('nl', 'en')),
    active BOOLEAN NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP,
    CHECK (role = 'system_admin' OR organisation_id IS NOT NULL)
);
INSERT INTO users_old SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_old RENAME TO users;
CREATE INDEX users_organisation ON users (organisation_id);
COMMIT;
PRAGMA foreign_keys = ON;
