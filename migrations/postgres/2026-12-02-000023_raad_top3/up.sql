-- The hand-off to the Raad voor de Kinderbescherming: which outcome of a table (and of its kind) asks
-- the Raad to investigate. It is a setting of its own, not one of the lines of `outcome_options`, so the
-- hand-off never depends on how an option is worded; empty means the table hands nothing off.
ALTER TABLE table_kinds ADD COLUMN board_outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE consultation_tables ADD COLUMN board_outcome TEXT NOT NULL DEFAULT '';

-- The default beschermingsoverleg offered "RvdK-onderzoek naar een kinderbeschermingsmaatregel" as a
-- plain option that started nothing: it becomes the kind's hand-off outcome (and that of its tables).
UPDATE table_kinds
SET board_outcome = 'Verzoek tot onderzoek RvdK',
    outcome_options = REPLACE(outcome_options, 'RvdK-onderzoek naar een kinderbeschermingsmaatregel', '')
WHERE code = 'beschermingsoverleg';
UPDATE consultation_tables
SET board_outcome = 'Verzoek tot onderzoek RvdK',
    outcome_options = REPLACE(outcome_options, 'RvdK-onderzoek naar een kinderbeschermingsmaatregel', '')
WHERE kind_id IN (SELECT id FROM table_kinds WHERE code = 'beschermingsoverleg');

-- A reading by the Raad is found by its request.
CREATE INDEX board_requests_item ON board_requests (agenda_item_id);
