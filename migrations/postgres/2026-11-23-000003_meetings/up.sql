-- Consultation tables, referrals, meetings with their agenda, attendance, decisions and actions.

-- Kinds of table with their defaults; data an admin changes, not code.
CREATE TABLE table_kinds (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    referral_criteria TEXT NOT NULL,
    outcome_options TEXT NOT NULL,
    access_days INTEGER NOT NULL CHECK (access_days BETWEEN 0 AND 365),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO table_kinds (code, name, referral_criteria, outcome_options, access_days, created_at) VALUES
('actieoverleg', 'Actieoverleg',
 'Er is nu actie nodig van meer partners tegelijk en het lokaal team of Veilig Thuis kan dit niet alleen.',
 'Afspraken wie nu wat doet
Terug naar het lokaal team
Opschalen naar een ander overleg', 14, CURRENT_TIMESTAMP),
('mda', 'MDA++',
 'Huiselijk geweld of kindermishandeling houdt aan, ondanks hulp in de keten. Meerdere problemen in het gezin. Veilig Thuis is betrokken.',
 'Fase 1: directe veiligheid
Fase 2: stabiele veiligheid
Fase 3: herstel
Afschalen naar het lokaal team', 28, CURRENT_TIMESTAMP),
('beschermingsoverleg', 'Beschermingsoverleg',
 'De hulp in het vrijwillig kader heeft de zorgen niet weggenomen. Aangemeld door het lokaal team, een GI of Veilig Thuis.',
 'Vrijwillig kader blijft
RvdK-onderzoek naar een kinderbeschermingsmaatregel
Signaal of advies voor beleid', 28, CURRENT_TIMESTAMP),
('zvh_casusoverleg', 'ZVH-casusoverleg',
 'Zorg, strafrecht en bestuursrecht zijn samen nodig. Er is een strafrechtelijke ingreep nodig of in beeld.',
 'Gezamenlijk plan van aanpak
Strafrechtelijke interventie
Bestuursrechtelijke maatregel
Terug naar de zorgketen', 14, CURRENT_TIMESTAMP),
('mdo', 'Multidisciplinair overleg (MDO)',
 'Meerdere disciplines zijn betrokken en moeten samen afstemmen.',
 'Afspraken gemaakt
Nieuw overleg nodig
Opschalen naar een ander overleg', 14, CURRENT_TIMESTAMP),
('trajectberaad', 'Trajectberaad',
 'Er is een passend traject nodig dat niet vanzelf beschikbaar is.',
 'Traject ingezet
Andere hulp zoeken
Opschalen naar een ander overleg', 14, CURRENT_TIMESTAMP),
('nazorgoverleg', 'Nazorgoverleg',
 'Het gezin is afgeschaald en de nazorg wordt gevolgd.',
 'Nazorg loopt goed
Opnieuw opschalen
Dossier sluiten', 14, CURRENT_TIMESTAMP);

CREATE TABLE consultation_tables (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind_id BIGINT NOT NULL REFERENCES table_kinds (id),
    name TEXT NOT NULL UNIQUE,
    region TEXT NOT NULL,
    referral_criteria TEXT NOT NULL,
    outcome_options TEXT NOT NULL,
    access_days INTEGER NOT NULL CHECK (access_days BETWEEN 0 AND 365),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE table_members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id BIGINT NOT NULL REFERENCES consultation_tables (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('chair', 'minute_taker', 'member')),
    UNIQUE (table_id, user_id, role)
);
CREATE INDEX table_members_user ON table_members (user_id);

CREATE TABLE meetings (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_id BIGINT NOT NULL REFERENCES consultation_tables (id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    place TEXT NOT NULL,
    online_link TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'running', 'closed')),
    agenda_published_at TIMESTAMP,
    current_item_id BIGINT,
    started_at TIMESTAMP,
    closed_at TIMESTAMP,
    closing_hash TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_table ON meetings (table_id, starts_at);

CREATE TABLE referrals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    family_id BIGINT NOT NULL REFERENCES families (id),
    table_id BIGINT NOT NULL REFERENCES consultation_tables (id),
    referred_by_user_id BIGINT NOT NULL REFERENCES users (id),
    referred_by_organisation_id BIGINT REFERENCES organisations (id),
    reason TEXT NOT NULL,
    tried TEXT NOT NULL,
    question TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('regular', 'urgent', 'crisis')),
    family_informed BOOLEAN NOT NULL,
    not_informed_reason TEXT,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'more_info', 'accepted', 'rejected', 'scheduled', 'discussed')),
    chair_note TEXT,
    meeting_id BIGINT REFERENCES meetings (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (family_informed OR not_informed_reason IS NOT NULL)
);
CREATE INDEX referrals_table ON referrals (table_id, status);
CREATE INDEX referrals_family ON referrals (family_id);

CREATE TABLE agenda_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('family', 'topic', 'action_review')),
    family_id BIGINT REFERENCES families (id),
    referral_id BIGINT REFERENCES referrals (id),
    title TEXT NOT NULL,
    time_box_minutes INTEGER NOT NULL CHECK (time_box_minutes BETWEEN 1 AND 480),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    minutes TEXT NOT NULL,
    proposed_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    CHECK (kind <> 'family' OR family_id IS NOT NULL)
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);
CREATE INDEX agenda_items_family ON agenda_items (family_id);

-- People invited for one item only ("alleen voor dit punt").
CREATE TABLE item_invitees (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    UNIQUE (agenda_item_id, user_id)
);
CREATE INDEX item_invitees_user ON item_invitees (user_id);

CREATE TABLE attendance (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('invited', 'present', 'absent_notice', 'absent')),
    mode TEXT CHECK (mode IN ('in_person', 'online')),
    UNIQUE (meeting_id, user_id)
);

-- Decisions are never changed: a correction is a new decision that supersedes the old one.
CREATE TABLE decisions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    family_id BIGINT REFERENCES families (id),
    outcome TEXT NOT NULL,
    text TEXT NOT NULL,
    rationale TEXT NOT NULL,
    family_view TEXT NOT NULL CHECK (family_view IN ('agrees', 'disagrees', 'not_heard')),
    family_words TEXT NOT NULL,
    supersedes_id BIGINT REFERENCES decisions (id),
    refer_to_table_id BIGINT REFERENCES consultation_tables (id),
    new_director_user_id BIGINT REFERENCES users (id),
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX decisions_item ON decisions (agenda_item_id);
CREATE UNIQUE INDEX decisions_superseded_once ON decisions (supersedes_id) WHERE supersedes_id IS NOT NULL;
CREATE FUNCTION decisions_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions are not changed; record a correction';
END;
$$;
CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions FOR EACH ROW EXECUTE FUNCTION decisions_unchanged();

-- Minutes of a closed meeting are read-only.
CREATE FUNCTION minutes_of_open_meetings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.minutes IS DISTINCT FROM OLD.minutes
       AND (SELECT status FROM meetings WHERE id = NEW.meeting_id) = 'closed' THEN
        RAISE EXCEPTION 'the meeting is closed';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER minutes_closed BEFORE UPDATE ON agenda_items FOR EACH ROW EXECUTE FUNCTION minutes_of_open_meetings();

CREATE TABLE actions (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id),
    agenda_item_id BIGINT NOT NULL REFERENCES agenda_items (id),
    decision_id BIGINT REFERENCES decisions (id),
    family_id BIGINT REFERENCES families (id),
    description TEXT NOT NULL,
    owner_user_id BIGINT NOT NULL REFERENCES users (id),
    owner_organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    due_on DATE NOT NULL,
    condition TEXT NOT NULL,
    family_informed_how TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    result TEXT,
    created_by_user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    CHECK (status = 'open' OR result IS NOT NULL)
);
CREATE INDEX actions_owner ON actions (owner_user_id, status);
CREATE INDEX actions_meeting ON actions (meeting_id);
CREATE INDEX actions_family ON actions (family_id);
