-- The monitor's facts (issue 20): one narrow row per event the monitor counts, with what it needs from
-- the rows the event is about (the partnership, the family, the table, the urgency, the outcome, the
-- phase), so a region's year is read as one range of one index instead of a join per event. Derived
-- from the log, never typed in: `domain::monitor::facts::catch_up` adds the events after
-- `monitor_mark` (on each monitor page and in the hourly housekeeping), and it can be rebuilt from the
-- log at any time (empty both tables' rows and set the mark to 0). No names, no texts.
CREATE TABLE monitor_facts (
    event_id BIGINT PRIMARY KEY,
    partnership_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    -- When the event happened, in whole seconds since 1970 (UTC): read as a number, not parsed.
    occurred_second BIGINT NOT NULL,
    family_id BIGINT NOT NULL,
    table_id BIGINT,
    referral_id BIGINT,
    code TEXT,
    detail TEXT,
    phase INTEGER,
    previous_phase INTEGER
);
-- Read from the index alone (an index-only scan) for a partnership's kind over a period.
CREATE INDEX monitor_facts_scope ON monitor_facts (partnership_id, kind, occurred_second)
    INCLUDE (event_id, family_id, table_id, referral_id, code, detail, phase, previous_phase);
CREATE INDEX monitor_facts_family ON monitor_facts (family_id, kind);

-- The last event read into the facts.
CREATE TABLE monitor_mark (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id BIGINT NOT NULL
);
INSERT INTO monitor_mark (id, last_event_id) VALUES (1, 0);

-- Overdue reviews: the families with a plan whose review date has passed, without reading every family.
CREATE INDEX phase_plans_review ON phase_plans (review_on, family_id);
