-- The family record: families and members, involvement, directorship, the versioned plan,
-- the hash-chained event log and the access log.
CREATE TABLE families (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_year INTEGER NOT NULL,
    case_seq INTEGER NOT NULL,
    case_number TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    municipality TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('regular', 'urgent', 'crisis')),
    status TEXT NOT NULL CHECK (status IN ('open', 'aftercare', 'closed')),
    closed_reason TEXT,
    legal_basis TEXT NOT NULL CHECK (legal_basis IN ('legal_task', 'consent', 'reporting_code', 'court_order', 'vital_interest')),
    family_informed BOOLEAN NOT NULL,
    not_informed_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (case_year, case_seq),
    CHECK (family_informed OR not_informed_reason IS NOT NULL),
    CHECK (status <> 'closed' OR closed_reason IS NOT NULL)
);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    name TEXT NOT NULL,
    date_of_birth DATE,
    role TEXT NOT NULL CHECK (role IN ('parent', 'child', 'carer', 'other')),
    parental_authority BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX persons_family ON persons (family_id);

CREATE TABLE involvements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    started_on DATE NOT NULL,
    ended_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX involvements_one_active ON involvements (family_id, user_id) WHERE ended_on IS NULL;
CREATE INDEX involvements_user ON involvements (user_id);

-- Exactly one active director per family: the partial unique index refuses a second one, whatever the code.
CREATE TABLE directorships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    director_user_id BIGINT NOT NULL REFERENCES users (id),
    director_organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    co_worker_user_id BIGINT REFERENCES users (id),
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    CHECK (co_worker_user_id IS NULL OR co_worker_user_id <> director_user_id)
);
CREATE UNIQUE INDEX directorships_one_active ON directorships (family_id) WHERE ended_at IS NULL;
CREATE INDEX directorships_director ON directorships (director_user_id);
CREATE INDEX directorships_co_worker ON directorships (co_worker_user_id);

CREATE TABLE plan_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    version INTEGER NOT NULL,
    author_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (family_id, version)
);

CREATE TABLE plan_sections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_version_id BIGINT NOT NULL REFERENCES plan_versions (id),
    domain TEXT NOT NULL CHECK (domain IN ('safety', 'housing', 'school_work', 'income', 'wellbeing_health', 'social_network')),
    strengths TEXT NOT NULL,
    concerns TEXT NOT NULL,
    wishes TEXT NOT NULL,
    goals TEXT NOT NULL,
    agreements TEXT NOT NULL,
    UNIQUE (plan_version_id, domain)
);

CREATE TABLE plan_comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    plan_version INTEGER NOT NULL,
    author_user_id BIGINT NOT NULL REFERENCES users (id),
    author_organisation_id BIGINT REFERENCES organisations (id),
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX plan_comments_family ON plan_comments (family_id);

-- Append-only: every change, chained by hash. The triggers stop the application from editing history;
-- `samenspel verify-events` finds any edit made around them.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users (id),
    actor_organisation_id BIGINT REFERENCES organisations (id),
    family_id BIGINT REFERENCES families (id),
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX events_family ON events (family_id, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE event_chain_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id BIGINT,
    last_hash TEXT NOT NULL
);
INSERT INTO event_chain_head (id, last_event_id, last_hash)
VALUES (1, NULL, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TIMESTAMP NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    what TEXT NOT NULL,
    purpose TEXT NOT NULL
);
CREATE INDEX access_log_family ON access_log (family_id, at);
