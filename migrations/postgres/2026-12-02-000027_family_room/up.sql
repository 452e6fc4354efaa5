-- The family at the table (issue 21): who of the family (or of their network, or a cliëntondersteuner
-- or ervaringsdeskundige) is invited to their own family's item, for which part, how they get in, what
-- they said in the room and whether they were there.
CREATE TABLE family_room_invites (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    -- member | network | client_support | experience_expert
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    person_id BIGINT REFERENCES persons (id),
    -- The member's portal account: they join through the portal, without a link.
    user_id BIGINT REFERENCES users (id),
    -- conversation | decision
    part TEXT NOT NULL,
    -- The one-time link's token, hashed; none for a portal account.
    token_hash TEXT,
    -- The meeting's day (Amsterdam): the link works on that day only.
    valid_on DATE NOT NULL,
    view_body TEXT NOT NULL DEFAULT '',
    joined_at TIMESTAMP,
    invited_by_user_id BIGINT NOT NULL REFERENCES users (id),
    -- The chair who sent the invitation; none while a director's request waits for the chair.
    approved_by_user_id BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX family_room_invites_token ON family_room_invites (token_hash);
CREATE INDEX family_room_invites_meeting ON family_room_invites (meeting_id, agenda_item_id);
