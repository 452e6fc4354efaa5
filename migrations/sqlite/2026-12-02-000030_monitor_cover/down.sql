DROP INDEX events_kind_time;
CREATE INDEX events_kind_time ON events (kind, occurred_at);
