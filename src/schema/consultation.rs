//! Tables and their meetings: kinds, members, referrals, agendas, attendance, decisions, actions, minutes,
//! the hand-off to the Raad and the top 3 of an item.

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
        aftercare_outcomes -> Text,
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
        aftercare_outcomes -> Text,
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
        erased_at -> Nullable<Timestamp>,
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
        erased_at -> Nullable<Timestamp>,
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
    shared_minutes (agenda_item_id) {
        agenda_item_id -> BigInt,
        shared_by_user_id -> BigInt,
        shared_at -> Timestamp,
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
    top3_entries (id) {
        id -> BigInt,
        agenda_item_id -> BigInt,
        family_id -> BigInt,
        user_id -> Nullable<BigInt>,
        person_id -> Nullable<BigInt>,
        concerns -> Text,
        strengths -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    top3_analyses (id) {
        id -> BigInt,
        agenda_item_id -> BigInt,
        family_id -> BigInt,
        version -> Integer,
        author_user_id -> BigInt,
        content -> Text,
        created_at -> Timestamp,
    }
}
