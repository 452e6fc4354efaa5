-- Finer sharing in the family portal (issue 21). A "thing" is one decision, action, plan section (a
-- life domain of the family plan) or the minutes of one agenda item: thing_kind and thing_key (the id,
-- or the life domain's code).
-- The director keeps one thing from a named member (mode 'keep', with a reason), or shares it with a
-- member who would not see it otherwise (mode 'share').
CREATE TABLE portal_item_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    thing_kind TEXT NOT NULL CHECK (thing_kind IN ('decision', 'action', 'plan_section', 'minutes')),
    thing_key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    mode TEXT NOT NULL CHECK (mode IN ('keep', 'share')),
    reason TEXT NOT NULL,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (mode <> 'keep' OR reason <> ''),
    UNIQUE (thing_kind, thing_key, family_id, person_id)
);
CREATE INDEX portal_item_rules_family ON portal_item_rules (family_id);
-- A thing about one member's health or treatment: shared with that member only, unless shared further.
CREATE TABLE portal_item_concerns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    thing_kind TEXT NOT NULL CHECK (thing_kind IN ('decision', 'action', 'plan_section', 'minutes')),
    thing_key TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES persons (id),
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (thing_kind, thing_key, family_id)
);
CREATE INDEX portal_item_concerns_family ON portal_item_concerns (family_id);
-- A member marked "deelt niet standaard mee": nothing that came after `since` is shown to them unless
-- the director shares it item by item.
CREATE TABLE portal_not_by_default (
    person_id BIGINT PRIMARY KEY REFERENCES persons (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    reason TEXT NOT NULL CHECK (reason <> ''),
    since TIMESTAMP NOT NULL,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id)
);
CREATE INDEX portal_not_by_default_family ON portal_not_by_default (family_id);
