ALTER TABLE families DROP COLUMN digid_required;
DROP TABLE sign_on_sessions;
DROP TABLE sign_on_pending;
DROP TABLE sign_on_links;
DROP TABLE organisation_sign_on;
