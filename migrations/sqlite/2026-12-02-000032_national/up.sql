-- A national-size database (1,000,000 families, 10,000,000 events): what the start page and the family
-- page look up by professional or by family is found by an index, not by reading every row. The
-- existing indexes on a family's directorships and involvements cover the current ones only.
CREATE INDEX IF NOT EXISTS referrals_referred_by ON referrals (referred_by_user_id, id);
CREATE INDEX IF NOT EXISTS involvements_family ON involvements (family_id);
CREATE INDEX IF NOT EXISTS directorships_family ON directorships (family_id);
