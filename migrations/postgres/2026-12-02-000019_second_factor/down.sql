DROP TABLE login_challenges;
DROP TABLE recovery_codes;
DROP TABLE second_factors;
ALTER TABLE sessions DROP COLUMN user_agent;
ALTER TABLE sessions DROP COLUMN confirmed_at;
ALTER TABLE partnerships DROP COLUMN second_factor_required;
ALTER TABLE organisations DROP COLUMN second_factor_required;
