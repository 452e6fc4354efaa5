DROP TABLE calendar_feeds;
DROP TABLE export_sends;
ALTER TABLE consultation_tables DROP COLUMN send_mode;
