-- The monitor's families in aftercare (and any list of a partnership's families by status) are found
-- by an index, not by reading every family.
CREATE INDEX IF NOT EXISTS families_status ON families (status, partnership_id);
