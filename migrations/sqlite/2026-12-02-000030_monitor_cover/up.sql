-- The monitor reads a year of a region's events by kind: with the columns it needs in the index
-- (the subject, the family and the id), it reads them from the index alone and not from the rows of
-- the log, whose payloads are most of its size.
DROP INDEX events_kind_time;
CREATE INDEX events_kind_time ON events (kind, occurred_at, id, subject_id, family_id);
