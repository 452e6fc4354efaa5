-- One family, one record: a member's BSN, or name and date of birth, is looked up in the open records
-- of the partnership before it is saved (by index, never a full scan). A match is refused and kept
-- here; the one refused can ask the existing director to be added as involved, with a reason.
CREATE INDEX persons_bsn ON persons (bsn);
CREATE INDEX persons_date_of_birth ON persons (date_of_birth);

CREATE TABLE involvement_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    family_id BIGINT NOT NULL REFERENCES families (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT REFERENCES organisations (id),
    -- refused: the lookup that found the family; requested: the reason was sent to the director;
    -- accepted or declined: the director's answer.
    status TEXT NOT NULL CHECK (status IN ('refused', 'requested', 'accepted', 'declined')),
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by_user_id BIGINT REFERENCES users (id),
    CHECK (status = 'refused' OR reason IS NOT NULL)
);
CREATE INDEX involvement_requests_family ON involvement_requests (family_id, status);
CREATE INDEX involvement_requests_user ON involvement_requests (user_id, created_at);
