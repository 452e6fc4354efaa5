-- Complaints and objections of a family (issue 21): filed in the portal, routed to a table's chair and
-- the partnership's coordinators, acknowledged at once with a deadline, answered in the portal.

-- A complaint ("Ik wil een klacht indienen") or an objection to one decision ("Ik ben het niet eens").
-- `table_id` is the table whose chair reads it (the decision's table, or for a complaint the table that
-- last discussed the family); `due_on` the deadline given in the acknowledgement.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id),
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'objection')),
    decision_id BIGINT REFERENCES decisions (id),
    table_id BIGINT REFERENCES consultation_tables (id),
    body TEXT NOT NULL CHECK (body <> ''),
    created_at TIMESTAMP NOT NULL,
    due_on DATE NOT NULL,
    answer TEXT,
    answered_by_user_id BIGINT REFERENCES users (id),
    answered_at TIMESTAMP
);
CREATE INDEX complaints_family ON complaints (family_id, id);
CREATE INDEX complaints_open ON complaints (partnership_id, answered_at, due_on);

-- How many weeks a partnership gives itself to answer a complaint; six without a row.
CREATE TABLE complaint_terms (
    partnership_id BIGINT PRIMARY KEY REFERENCES partnerships (id),
    weeks INTEGER NOT NULL CHECK (weeks BETWEEN 1 AND 52)
);
