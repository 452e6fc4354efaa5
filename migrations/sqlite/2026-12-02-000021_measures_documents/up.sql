-- Documents professionals bring to a family's record or to an agenda item, measures per child, and the
-- hand-off to the Raad voor de Kinderbescherming.

-- A document's description: the hot row that pages list. Its bytes live apart in `document_contents`,
-- so listing documents never reads them. The type is the one read from the content, not from the name.
-- `withheld_reason`: the family does not see in the portal that the document exists (set: why not).
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    agenda_item_id BIGINT REFERENCES agenda_items (id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256 TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    withheld_reason TEXT,
    uploaded_by_user_id BIGINT NOT NULL REFERENCES users (id),
    uploaded_by_organisation_id BIGINT REFERENCES organisations (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX documents_family ON documents (family_id);
CREATE INDEX documents_item ON documents (agenda_item_id);

CREATE TABLE document_contents (
    document_id BIGINT PRIMARY KEY REFERENCES documents (id),
    content BLOB NOT NULL
);

-- A child protection measure (or a voluntary placement) of one member: what, decided by whom, from
-- when to when. Ending one keeps the row: `ended_on` and its reason.
CREATE TABLE measures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    person_id BIGINT NOT NULL REFERENCES persons (id),
    kind TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    starts_on DATE NOT NULL,
    planned_end_on DATE,
    note TEXT NOT NULL DEFAULT '',
    ended_on DATE,
    end_reason TEXT NOT NULL DEFAULT '',
    recorded_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    ended_by_user_id BIGINT REFERENCES users (id),
    CHECK (planned_end_on IS NULL OR planned_end_on >= starts_on),
    CHECK (ended_on IS NULL OR ended_on >= starts_on)
);
CREATE INDEX measures_family ON measures (family_id);

-- A table's request to the Raad voor de Kinderbescherming to investigate: made with a decision, owned by
-- a Raad's organisation through an action with a due date. `family_notice`: the family sees a notice in
-- the portal; when false, `no_notice_reason` says why not. The Raad's answer: started or not_started.
CREATE TABLE board_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    decision_id BIGINT NOT NULL REFERENCES decisions (id),
    action_id BIGINT NOT NULL REFERENCES actions (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    question TEXT NOT NULL,
    grounds TEXT NOT NULL,
    tried TEXT NOT NULL,
    family_view TEXT NOT NULL,
    due_on DATE NOT NULL,
    family_notice BOOLEAN NOT NULL,
    no_notice_reason TEXT NOT NULL DEFAULT '',
    answer TEXT,
    answer_reason TEXT NOT NULL DEFAULT '',
    answered_by_user_id BIGINT REFERENCES users (id),
    answered_at TIMESTAMP,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX board_requests_family ON board_requests (family_id);
CREATE INDEX board_requests_organisation ON board_requests (organisation_id);
