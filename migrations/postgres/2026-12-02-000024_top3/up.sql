-- The "Top 3"-methodiek: before an agenda item about a family, each invited professional and each family
-- member (through the portal) names up to three concerns (zorgen) and strengths (krachten); the director
-- or the chair merges them into one prioritised list with an explanatory analysis (verklarende analyse).

-- One participant's own top 3 for one item: a professional (`user_id`) or a family member
-- (`person_id`), never both. Concerns and strengths are up to three lines each, in order of priority.
-- Giving it again replaces it.
CREATE TABLE top3_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    user_id BIGINT REFERENCES users (id),
    person_id BIGINT REFERENCES persons (id),
    concerns TEXT NOT NULL,
    strengths TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((user_id IS NULL) <> (person_id IS NULL)),
    UNIQUE (agenda_item_id, user_id),
    UNIQUE (agenda_item_id, person_id)
);
CREATE INDEX top3_entries_family ON top3_entries (family_id);

-- The merged list of an item, versioned like the plans: every save is a new version; `content` holds
-- the prioritised concerns (each with the safety plan's goal it is linked to), the strengths and the
-- analysis, as JSON.
CREATE TABLE top3_analyses (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    family_id BIGINT NOT NULL REFERENCES families (id),
    version INTEGER NOT NULL CHECK (version > 0),
    author_user_id BIGINT NOT NULL REFERENCES users (id),
    content TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (agenda_item_id, version)
);
CREATE INDEX top3_analyses_family ON top3_analyses (family_id);
