-- Phased work on safety ("Gefaseerd werken aan veiligheid"): the phase of each family with every
-- transition, the plan of each phase (versioned), the safety scale, and which daily digests were sent.

-- Each row is one transition; the newest row of a family is its current phase. Append-only.
CREATE TABLE safety_phases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    phase INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 3),
    previous_phase INTEGER CHECK (previous_phase BETWEEN 1 AND 3),
    started_at TIMESTAMP NOT NULL,
    decided_by_user_id BIGINT NOT NULL REFERENCES users (id),
    decided_by_organisation_id BIGINT REFERENCES organisations (id),
    decision_id BIGINT REFERENCES decisions (id),
    meeting_id BIGINT REFERENCES meetings (id),
    rationale TEXT NOT NULL CHECK (rationale <> ''),
    -- The checklist as shown to the decider, with what they ticked: [{"text": ..., "ticked": true}].
    criteria TEXT NOT NULL
);
CREATE INDEX safety_phases_family ON safety_phases (family_id, id);

-- Veiligheidsplan (kind 'safety'), hulpverleningsplan ('care') and herstelplan per member ('recovery').
-- Every save is a new version; the content is JSON, checked by the application per kind.
CREATE TABLE phase_plans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    kind TEXT NOT NULL CHECK (kind IN ('safety', 'care', 'recovery')),
    person_id BIGINT REFERENCES persons (id),
    version INTEGER NOT NULL CHECK (version > 0),
    author_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    review_on DATE,
    content TEXT NOT NULL,
    CHECK ((kind = 'recovery') = (person_id IS NOT NULL))
);
CREATE UNIQUE INDEX phase_plans_version ON phase_plans (family_id, kind, COALESCE(person_id, 0), version);

CREATE TABLE safety_scores (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    scored_on DATE NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('professional', 'family')),
    given_by TEXT NOT NULL CHECK (given_by <> ''),
    explanation TEXT NOT NULL,
    recorded_by_user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX safety_scores_family ON safety_scores (family_id, scored_on);

-- Criteria per table kind for each step; empty means the defaults of the application.
ALTER TABLE table_kinds ADD COLUMN phase_criteria_up_2 TEXT NOT NULL DEFAULT '';
ALTER TABLE table_kinds ADD COLUMN phase_criteria_up_3 TEXT NOT NULL DEFAULT '';
ALTER TABLE table_kinds ADD COLUMN phase_criteria_back TEXT NOT NULL DEFAULT '';

-- One review digest per person per day, whichever instance sends it.
CREATE TABLE review_digests (
    user_id BIGINT NOT NULL REFERENCES users (id),
    day DATE NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, day)
);
