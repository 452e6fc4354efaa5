DROP INDEX events_kind_time;
