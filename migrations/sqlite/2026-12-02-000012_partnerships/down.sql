-- SQLite's way to rebuild a table others refer to: foreign keys off, one transaction, on again.
PRAGMA foreign_keys = OFF;
BEGIN;
DROP INDEX families_partnership;
ALTER TABLE families DROP COLUMN closed_at;
ALTER TABLE families DROP COLUMN partnership_id;
DROP INDEX consultation_tables_partnership;
ALTER TABLE consultation_tables DROP COLUMN partnership_id;
CREATE TABLE table_kinds_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    referral_criteria TEXT NOT NULL,
    outcome_options TEXT NOT NULL,
    access_days INTEGER NOT NULL CHECK (access_days BETWEEN 0 AND 365),
    created_at TIMESTAMP NOT NULL,
    phase_criteria_up_2 TEXT NOT NULL DEFAULT '',
    phase_criteria_up_3 TEXT NOT NULL DEFAULT '',
    phase_criteria_back TEXT NOT NULL DEFAULT ''
);
INSERT INTO table_kinds_old (id, code, name, referral_criteria, outcome_options, access_days, created_at,
    phase_criteria_up_2, phase_criteria_up_3, phase_criteria_back)
SELECT id, code, name, referral_criteria, outcome_options, access_days, created_at, phase_criteria_up_2,
    phase_criteria_up_3, phase_criteria_back FROM table_kinds WHERE partnership_id = 1;
DROP TABLE table_kinds;
ALTER TABLE table_kinds_old RENAME TO table_kinds;
DROP TABLE partnership_coordinators;
DROP TABLE partnership_organisations;
DROP TABLE partnerships;
COMMIT;
PRAGMA foreign_keys = ON;
