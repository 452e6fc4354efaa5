//! The family record: members, involvements, the director, plans, safety, the portal, documents and
//! measures.

diesel::table! {
    families (id) {
        id -> BigInt,
        case_year -> Integer,
        case_seq -> Integer,
        case_number -> Text,
        display_name -> Text,
        municipality -> Text,
        urgency -> Text,
        status -> Text,
        closed_reason -> Nullable<Text>,
        legal_basis -> Text,
        family_informed -> Bool,
        not_informed_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        portal_shows_names -> Bool,
        partnership_id -> BigInt,
        closed_at -> Nullable<Timestamp>,
        digid_required -> Bool,
        keep_until -> Nullable<Date>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    persons (id) {
        id -> BigInt,
        family_id -> BigInt,
        name -> Text,
        date_of_birth -> Nullable<Date>,
        role -> Text,
        parental_authority -> Bool,
        created_at -> Timestamp,
        bsn -> Nullable<Text>,
        street -> Nullable<Text>,
        house_number -> Nullable<Integer>,
        postcode -> Nullable<Text>,
        city -> Nullable<Text>,
    }
}

diesel::table! {
    involvements (id) {
        id -> BigInt,
        family_id -> BigInt,
        user_id -> BigInt,
        organisation_id -> BigInt,
        role -> Text,
        started_on -> Date,
        ended_on -> Nullable<Date>,
        created_at -> Timestamp,
        outside_reason -> Nullable<Text>,
    }
}

diesel::table! {
    involvement_requests (id) {
        id -> BigInt,
        family_id -> BigInt,
        user_id -> BigInt,
        organisation_id -> Nullable<BigInt>,
        status -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        decided_by_user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    directorships (id) {
        id -> BigInt,
        family_id -> BigInt,
        director_user_id -> BigInt,
        director_organisation_id -> BigInt,
        co_worker_user_id -> Nullable<BigInt>,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    plan_versions (id) {
        id -> BigInt,
        family_id -> BigInt,
        version -> Integer,
        author_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    plan_sections (id) {
        id -> BigInt,
        plan_version_id -> BigInt,
        domain -> Text,
        strengths -> Text,
        concerns -> Text,
        wishes -> Text,
        goals -> Text,
        agreements -> Text,
    }
}

diesel::table! {
    plan_comments (id) {
        id -> BigInt,
        family_id -> BigInt,
        plan_version -> Integer,
        author_user_id -> BigInt,
        author_organisation_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    safety_phases (id) {
        id -> BigInt,
        family_id -> BigInt,
        phase -> Integer,
        previous_phase -> Nullable<Integer>,
        started_at -> Timestamp,
        decided_by_user_id -> BigInt,
        decided_by_organisation_id -> Nullable<BigInt>,
        decision_id -> Nullable<BigInt>,
        meeting_id -> Nullable<BigInt>,
        rationale -> Text,
        criteria -> Text,
    }
}

diesel::table! {
    phase_plans (id) {
        id -> BigInt,
        family_id -> BigInt,
        kind -> Text,
        person_id -> Nullable<BigInt>,
        version -> Integer,
        author_user_id -> BigInt,
        created_at -> Timestamp,
        review_on -> Nullable<Date>,
        content -> Text,
    }
}

diesel::table! {
    safety_scores (id) {
        id -> BigInt,
        family_id -> BigInt,
        score -> Integer,
        scored_on -> Date,
        source -> Text,
        given_by -> Text,
        explanation -> Text,
        recorded_by_user_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_access (user_id) {
        user_id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        invited_by_user_id -> BigInt,
        judgement -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_withheld (id) {
        id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        category -> Text,
        reason -> Text,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    recovery_consents (person_id) {
        person_id -> BigInt,
        given_by_user_id -> BigInt,
        given_at -> Timestamp,
    }
}

diesel::table! {
    family_views (id) {
        id -> BigInt,
        agenda_item_id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        user_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    correction_requests (id) {
        id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        user_id -> BigInt,
        about -> Text,
        body -> Text,
        created_at -> Timestamp,
        answer -> Nullable<Text>,
        answered_by_user_id -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        family_id -> BigInt,
        agenda_item_id -> Nullable<BigInt>,
        name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        description -> Text,
        withheld_reason -> Nullable<Text>,
        uploaded_by_user_id -> BigInt,
        uploaded_by_organisation_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    document_contents (document_id) {
        document_id -> BigInt,
        content -> Binary,
    }
}

diesel::table! {
    measures (id) {
        id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        kind -> Text,
        decided_by -> Text,
        starts_on -> Date,
        planned_end_on -> Nullable<Date>,
        note -> Text,
        ended_on -> Nullable<Date>,
        end_reason -> Text,
        recorded_by_user_id -> BigInt,
        created_at -> Timestamp,
        ended_by_user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    portal_item_rules (id) {
        id -> BigInt,
        family_id -> BigInt,
        thing_kind -> Text,
        thing_key -> Text,
        person_id -> BigInt,
        mode -> Text,
        reason -> Text,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_item_concerns (id) {
        id -> BigInt,
        family_id -> BigInt,
        thing_kind -> Text,
        thing_key -> Text,
        person_id -> BigInt,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    portal_not_by_default (person_id) {
        person_id -> BigInt,
        family_id -> BigInt,
        reason -> Text,
        since -> Timestamp,
        created_by_user_id -> BigInt,
    }
}
