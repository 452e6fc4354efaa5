DROP TABLE review_digests;
ALTER TABLE table_kinds DROP COLUMN phase_criteria_back;
ALTER TABLE table_kinds DROP COLUMN phase_criteria_up_3;
ALTER TABLE table_kinds DROP COLUMN phase_criteria_up_2;
DROP TABLE safety_scores;
DROP TABLE phase_plans;
DROP TABLE safety_phases;
