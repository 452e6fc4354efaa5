//! Diesel table definitions, written by hand to fit both SQLite and PostgreSQL.

diesel::table! {
    organisations (id) {
        id -> BigInt,
        name -> Text,
        kind -> Text,
        oin -> Nullable<Text>,
        created_at -> Timestamp,
        second_factor_required -> Nullable<Bool>,
    }
}

diesel::table! {
    partnerships (id) {
        id -> BigInt,
        name -> Text,
        director_kinds -> Text,
        retention_days -> Integer,
        created_at -> Timestamp,
        second_factor_required -> Bool,
    }
}

diesel::table! {
    partnership_organisations (partnership_id, organisation_id) {
        partnership_id -> BigInt,
        organisation_id -> BigInt,
    }
}

diesel::table! {
    partnership_coordinators (partnership_id, user_id) {
        partnership_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        organisation_id -> Nullable<BigInt>,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        locale -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    second_factors (id) {
        id -> BigInt,
        user_id -> BigInt,
        secret -> Text,
        created_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_challenges (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        step -> Text,
        return_to -> Text,
        attempts -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    user_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_attempts (id) {
        id -> BigInt,
        account_key -> Text,
        address -> Text,
        succeeded -> Bool,
        attempted_at -> Timestamp,
    }
}

diesel::table! {
    api_rate_counters (organisation_id) {
        organisation_id -> BigInt,
        window_start -> Timestamp,
        requests -> BigInt,
    }
}

diesel::table! {
    login_counters (scope, subject) {
        scope -> Text,
        subject -> Text,
        window_start -> Timestamp,
        attempts -> BigInt,
    }
}

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
    events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor_organisation_id -> Nullable<BigInt>,
        family_id -> Nullable<BigInt>,
        kind -> Text,
        subject_type -> Text,
        subject_id -> Nullable<BigInt>,
        data -> Text,
        prev_hash -> Text,
        hash -> Text,
        meeting_id -> Nullable<BigInt>,
        data_digest -> Nullable<Text>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    event_chain_head (id) {
        id -> Integer,
        last_event_id -> Nullable<BigInt>,
        last_hash -> Text,
    }
}

diesel::table! {
    access_log (id) {
        id -> BigInt,
        at -> Timestamp,
        user_id -> BigInt,
        organisation_id -> Nullable<BigInt>,
        family_id -> BigInt,
        what -> Text,
        purpose -> Text,
    }
}

diesel::table! {
    table_kinds (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        referral_criteria -> Text,
        outcome_options -> Text,
        access_days -> Integer,
        created_at -> Timestamp,
        phase_criteria_up_2 -> Text,
        phase_criteria_up_3 -> Text,
        phase_criteria_back -> Text,
        partnership_id -> BigInt,
        answer_hours_crisis -> Integer,
        answer_days_urgent -> Integer,
        answer_days_regular -> Integer,
        board_outcome -> Text,
    }
}

diesel::table! {
    consultation_tables (id) {
        id -> BigInt,
        kind_id -> BigInt,
        name -> Text,
        region -> Text,
        referral_criteria -> Text,
        outcome_options -> Text,
        access_days -> Integer,
        created_at -> Timestamp,
        send_mode -> Text,
        partnership_id -> BigInt,
        board_outcome -> Text,
    }
}

diesel::table! {
    table_members (id) {
        id -> BigInt,
        table_id -> BigInt,
        user_id -> BigInt,
        role -> Text,
    }
}

diesel::table! {
    meetings (id) {
        id -> BigInt,
        table_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        place -> Text,
        online_link -> Text,
        status -> Text,
        agenda_published_at -> Nullable<Timestamp>,
        current_item_id -> Nullable<BigInt>,
        started_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        closing_hash -> Nullable<Text>,
        created_at -> Timestamp,
        current_item_started_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    referrals (id) {
        id -> BigInt,
        family_id -> BigInt,
        table_id -> BigInt,
        referred_by_user_id -> BigInt,
        referred_by_organisation_id -> Nullable<BigInt>,
        reason -> Text,
        tried -> Text,
        question -> Text,
        urgency -> Text,
        family_informed -> Bool,
        not_informed_reason -> Nullable<Text>,
        status -> Text,
        chair_note -> Nullable<Text>,
        meeting_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        outside_reason -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        scheduled_at -> Nullable<Timestamp>,
        discussed_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        late_notified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    referral_additions (id) {
        id -> BigInt,
        referral_id -> BigInt,
        user_id -> BigInt,
        question -> Text,
        answer -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agenda_items (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        position -> Integer,
        kind -> Text,
        family_id -> Nullable<BigInt>,
        referral_id -> Nullable<BigInt>,
        title -> Text,
        time_box_minutes -> Integer,
        status -> Text,
        minutes -> Text,
        proposed_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    item_invitees (id) {
        id -> BigInt,
        agenda_item_id -> BigInt,
        user_id -> BigInt,
        outside_reason -> Nullable<Text>,
    }
}

diesel::table! {
    attendance (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        user_id -> BigInt,
        status -> Text,
        mode -> Nullable<Text>,
    }
}

diesel::table! {
    decisions (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        agenda_item_id -> BigInt,
        family_id -> Nullable<BigInt>,
        outcome -> Text,
        text -> Text,
        rationale -> Text,
        family_view -> Text,
        family_words -> Text,
        supersedes_id -> Nullable<BigInt>,
        refer_to_table_id -> Nullable<BigInt>,
        new_director_user_id -> Nullable<BigInt>,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    actions (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        agenda_item_id -> BigInt,
        decision_id -> Nullable<BigInt>,
        family_id -> Nullable<BigInt>,
        description -> Text,
        owner_user_id -> BigInt,
        owner_organisation_id -> BigInt,
        due_on -> Date,
        condition -> Text,
        family_informed_how -> Text,
        status -> Text,
        result -> Nullable<Text>,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
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
    review_digests (user_id, day) {
        user_id -> BigInt,
        day -> Date,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    export_sends (id) {
        id -> BigInt,
        meeting_id -> BigInt,
        user_id -> BigInt,
        email -> Text,
        mode -> Text,
        status -> Text,
        error -> Nullable<Text>,
        sent_by_user_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
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
    shared_minutes (agenda_item_id) {
        agenda_item_id -> BigInt,
        shared_by_user_id -> BigInt,
        shared_at -> Timestamp,
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
    api_tokens (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        expires_at -> Nullable<Timestamp>,
        approved_at -> Nullable<Timestamp>,
        approved_by -> Nullable<BigInt>,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(second_factors -> users (user_id));
diesel::joinable!(login_challenges -> users (user_id));
diesel::joinable!(organisation_sign_on -> organisations (organisation_id));
diesel::joinable!(persons -> families (family_id));
diesel::joinable!(involvements -> families (family_id));
diesel::joinable!(involvements -> users (user_id));
diesel::joinable!(involvements -> organisations (organisation_id));
diesel::joinable!(plan_sections -> plan_versions (plan_version_id));
diesel::joinable!(plan_versions -> families (family_id));
diesel::joinable!(access_log -> families (family_id));
diesel::joinable!(consultation_tables -> table_kinds (kind_id));
diesel::joinable!(table_members -> consultation_tables (table_id));
diesel::joinable!(meetings -> consultation_tables (table_id));
diesel::joinable!(agenda_items -> meetings (meeting_id));
diesel::joinable!(item_invitees -> agenda_items (agenda_item_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(user_tokens -> users (user_id));

diesel::table! {
    outcomes (agenda_item_id) {
        agenda_item_id -> BigInt,
        meeting_id -> BigInt,
        family_id -> BigInt,
        published_at -> Timestamp,
    }
}

diesel::table! {
    outcome_parties (agenda_item_id, organisation_id) {
        agenda_item_id -> BigInt,
        organisation_id -> BigInt,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        url -> Text,
        types -> Text,
        secret -> Text,
        cursor -> BigInt,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        subscription_id -> BigInt,
        event_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> BigInt,
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
    board_requests (id) {
        id -> BigInt,
        family_id -> BigInt,
        meeting_id -> BigInt,
        agenda_item_id -> BigInt,
        decision_id -> BigInt,
        action_id -> BigInt,
        organisation_id -> BigInt,
        question -> Text,
        grounds -> Text,
        tried -> Text,
        family_view -> Text,
        due_on -> Date,
        family_notice -> Bool,
        no_notice_reason -> Text,
        answer -> Nullable<Text>,
        answer_reason -> Text,
        answered_by_user_id -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
        created_by_user_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    organisation_sign_on (organisation_id) {
        organisation_id -> BigInt,
        issuer -> Text,
        client_id -> Text,
        client_secret -> Text,
        mfa_acr -> Nullable<Text>,
        updated_by -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sign_on_links (id) {
        id -> BigInt,
        user_id -> BigInt,
        issuer -> Text,
        subject -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sign_on_pending (state_hash) {
        state_hash -> Text,
        organisation_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        nonce -> Text,
        pkce_verifier -> Text,
        next -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sign_on_sessions (session_id) {
        session_id -> BigInt,
        organisation_id -> Nullable<BigInt>,
        id_token -> Text,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    partnerships,
    partnership_organisations,
    partnership_coordinators,
    users,
    sessions,
    second_factors,
    recovery_codes,
    login_challenges,
    user_tokens,
    login_attempts,
    login_counters,
    families,
    persons,
    involvements,
    involvement_requests,
    directorships,
    plan_versions,
    plan_sections,
    plan_comments,
    events,
    event_chain_head,
    access_log,
    table_kinds,
    consultation_tables,
    table_members,
    meetings,
    referrals,
    referral_additions,
    agenda_items,
    item_invitees,
    attendance,
    decisions,
    actions,
    safety_phases,
    phase_plans,
    safety_scores,
    review_digests,
    export_sends,
    calendar_feeds,
    portal_access,
    portal_withheld,
    shared_minutes,
    recovery_consents,
    family_views,
    correction_requests,
    api_tokens,
    outcomes,
    outcome_parties,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    documents,
    document_contents,
    measures,
    board_requests,
    organisation_sign_on,
    sign_on_links,
    sign_on_pending,
    sign_on_sessions,
);
