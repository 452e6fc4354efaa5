-- Partner exchange (Samen onder Handbereik): who a family member is for partners (BSN, address), the
-- outcomes of closed meetings with the organisations that took part, and webhook subscriptions with
-- their outbox of deliveries and a log per attempt.
ALTER TABLE persons ADD COLUMN bsn TEXT;
ALTER TABLE persons ADD COLUMN street TEXT;
ALTER TABLE persons ADD COLUMN house_number INTEGER;
ALTER TABLE persons ADD COLUMN postcode TEXT;
ALTER TABLE persons ADD COLUMN city TEXT;

-- One outcome per family item of a closed meeting; its id is the agenda item's.
CREATE TABLE outcomes (
    agenda_item_id BIGINT PRIMARY KEY REFERENCES agenda_items (id),
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    published_at TIMESTAMP NOT NULL
);
CREATE INDEX outcomes_family ON outcomes (family_id);
CREATE INDEX outcomes_meeting ON outcomes (meeting_id);

-- The organisations that took part in an outcome's item (invited for it, leading the table, owning an action, or working
-- with the family at closing): they may read it even when they no longer work with the family.
CREATE TABLE outcome_parties (
    agenda_item_id BIGINT NOT NULL REFERENCES outcomes (agenda_item_id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (agenda_item_id, organisation_id)
);
CREATE INDEX outcome_parties_organisation ON outcome_parties (organisation_id);

CREATE TABLE webhook_subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    url TEXT NOT NULL CHECK (url <> ''),
    types TEXT NOT NULL,
    secret TEXT NOT NULL,
    -- The last event considered for this subscription: the outbox is filled from the event log.
    cursor BIGINT NOT NULL,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX webhook_subscriptions_organisation ON webhook_subscriptions (organisation_id);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id BIGINT NOT NULL REFERENCES webhook_subscriptions (id),
    event_id BIGINT NOT NULL REFERENCES events (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id),
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);

-- API tokens are valid for a year; tokens made before get a year from when they were made, and at
-- least thirty days from this migration, so no integration stops without warning.
ALTER TABLE api_tokens ADD COLUMN expires_at TIMESTAMP;
UPDATE api_tokens SET expires_at = max(datetime(created_at, '+365 days'), datetime('now', '+30 days'));
