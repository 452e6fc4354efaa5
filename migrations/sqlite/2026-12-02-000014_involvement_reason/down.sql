ALTER TABLE involvements DROP COLUMN outside_reason;
