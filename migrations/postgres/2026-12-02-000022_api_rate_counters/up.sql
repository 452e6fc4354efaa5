-- The partner API's rate limit per organisation, counted in the database so that every instance
-- agrees: N instances behind a balancer allow the limit in total, not N times it. `window_start` is
-- when the organisation's current minute began (UTC); a counter whose minute has passed starts again
-- at one, in the same statement that counts.
CREATE TABLE api_rate_counters (
    organisation_id BIGINT PRIMARY KEY NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    window_start TIMESTAMP NOT NULL,
    requests BIGINT NOT NULL
);
