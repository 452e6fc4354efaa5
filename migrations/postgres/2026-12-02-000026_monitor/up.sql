-- The monitor reads the events of a period by kind: one index on kind and time, so a year's referrals,
-- decisions and phase changes are found without reading the whole log.
CREATE INDEX events_kind_time ON events (kind, occurred_at);
