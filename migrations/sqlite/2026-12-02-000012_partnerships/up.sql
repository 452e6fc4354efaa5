-- Partnerships (samenwerkingsverbanden): a region's organisations agree which tables exist, who directs a
-- family and how long a closed record stays readable. Tables, table kinds and families belong to one.
-- An existing database moves into one default partnership with every organisation in it, so it keeps
-- working; its system admin names the partnership and appoints its coordinators.
-- SQLite's way to rebuild a table others refer to: foreign keys off, one transaction, on again.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    -- The organisation kinds (codes, one per line) whose professionals may direct a family.
    director_kinds TEXT NOT NULL,
    -- How many days a closed family's record stays readable to its last director and the coordinators.
    retention_days INTEGER NOT NULL CHECK (retention_days BETWEEN 0 AND 3650),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO partnerships (id, name, director_kinds, retention_days, created_at) VALUES
(1, 'Samenwerkingsverband', 'local_team
veilig_thuis
certified_institution', 365, CURRENT_TIMESTAMP);

CREATE TABLE partnership_organisations (
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (partnership_id, organisation_id)
);
CREATE INDEX partnership_organisations_organisation ON partnership_organisations (organisation_id);
INSERT INTO partnership_organisations (partnership_id, organisation_id) SELECT 1, id FROM organisations;

-- Functioneel beheer of a partnership: its tables, table kinds and table membership.
CREATE TABLE partnership_coordinators (
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (partnership_id, user_id)
);
CREATE INDEX partnership_coordinators_user ON partnership_coordinators (user_id);

-- Table kinds are the partnership's own: the same code once per partnership.
CREATE TABLE table_kinds_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    referral_criteria TEXT NOT NULL,
    outcome_options TEXT NOT NULL,
    access_days INTEGER NOT NULL CHECK (access_days BETWEEN 0 AND 365),
    created_at TIMESTAMP NOT NULL,
    phase_criteria_up_2 TEXT NOT NULL DEFAULT '',
    phase_criteria_up_3 TEXT NOT NULL DEFAULT '',
    phase_criteria_back TEXT NOT NULL DEFAULT '',
    UNIQUE (partnership_id, code)
);
INSERT INTO table_kinds_new (id, partnership_id, code, name, referral_criteria, outcome_options, access_days,
    created_at, phase_criteria_up_2, phase_criteria_up_3, phase_criteria_back)
SELECT id, 1, code, name, referral_criteria, outcome_options, access_days, created_at, phase_criteria_up_2,
    phase_criteria_up_3, phase_criteria_back FROM table_kinds;
DROP TABLE table_kinds;
ALTER TABLE table_kinds_new RENAME TO table_kinds;

-- SQLite adds a NOT NULL column only with a constant default and no REFERENCES clause; the partnership
-- of a table or family is set from its kind or its creator's choice and checked by the application.
ALTER TABLE consultation_tables ADD COLUMN partnership_id BIGINT NOT NULL DEFAULT 1;
CREATE INDEX consultation_tables_partnership ON consultation_tables (partnership_id);
ALTER TABLE families ADD COLUMN partnership_id BIGINT NOT NULL DEFAULT 1;
CREATE INDEX families_partnership ON families (partnership_id);
-- When the family was closed: the retention period runs from here.
ALTER TABLE families ADD COLUMN closed_at TIMESTAMP;
UPDATE families SET closed_at = updated_at WHERE status = 'closed';
COMMIT;
PRAGMA foreign_keys = ON;
