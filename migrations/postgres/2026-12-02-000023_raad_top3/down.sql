DROP INDEX board_requests_item;
UPDATE consultation_tables
SET outcome_options = outcome_options || chr(10) || 'RvdK-onderzoek naar een kinderbeschermingsmaatregel'
WHERE board_outcome <> '' AND kind_id IN (SELECT id FROM table_kinds WHERE code = 'beschermingsoverleg');
UPDATE table_kinds
SET outcome_options = outcome_options || chr(10) || 'RvdK-onderzoek naar een kinderbeschermingsmaatregel'
WHERE board_outcome <> '' AND code = 'beschermingsoverleg';
ALTER TABLE consultation_tables DROP COLUMN board_outcome;
ALTER TABLE table_kinds DROP COLUMN board_outcome;
