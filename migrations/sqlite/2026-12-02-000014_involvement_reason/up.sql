-- Adding someone from outside the family's partnership as involved needs a written reason, kept with
-- the involvement and shown to the director.
ALTER TABLE involvements ADD COLUMN outside_reason TEXT;
