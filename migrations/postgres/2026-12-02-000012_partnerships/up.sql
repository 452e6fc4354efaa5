-- Partnerships (samenwerkingsverbanden): a region's organisations agree which tables exist, who directs a
-- family and how long a closed record stays readable. Tables, table kinds and families belong to one.
-- An existing database moves into one default partnership with every organisation in it, so it keeps
-- working; its system admin names the partnership and appoints its coordinators.
CREATE TABLE partnerships (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    -- The organisation kinds (codes, one per line) whose professionals may direct a family.
    director_kinds TEXT NOT NULL,
    -- How many days a closed family's record stays readable to its last director and the coordinators.
    retention_days INTEGER NOT NULL CHECK (retention_days BETWEEN 0 AND 3650),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO partnerships (id, name, director_kinds, retention_days, created_at) VALUES
(1, 'Samenwerkingsverband', E'local_team\nveilig_thuis\ncertified_institution', 365, CURRENT_TIMESTAMP);
SELECT setval(pg_get_serial_sequence('partnerships', 'id'), 1);

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
ALTER TABLE table_kinds ADD COLUMN partnership_id BIGINT NOT NULL DEFAULT 1 REFERENCES partnerships (id);
ALTER TABLE table_kinds ALTER COLUMN partnership_id DROP DEFAULT;
ALTER TABLE table_kinds DROP CONSTRAINT table_kinds_code_key;
ALTER TABLE table_kinds ADD CONSTRAINT table_kinds_partnership_code UNIQUE (partnership_id, code);

ALTER TABLE consultation_tables ADD COLUMN partnership_id BIGINT NOT NULL DEFAULT 1 REFERENCES partnerships (id);
CREATE INDEX consultation_tables_partnership ON consultation_tables (partnership_id);
ALTER TABLE families ADD COLUMN partnership_id BIGINT NOT NULL DEFAULT 1 REFERENCES partnerships (id);
CREATE INDEX families_partnership ON families (partnership_id);
-- When the family was closed: the retention period runs from here.
ALTER TABLE families ADD COLUMN closed_at TIMESTAMP;
UPDATE families SET closed_at = updated_at WHERE status = 'closed';
