//! Aftercare and the end of a record: aftercare periods, the family's requests for their data, and
//! the daily retention run.

diesel::table! {
    aftercare (id) {
        id -> BigInt,
        family_id -> BigInt,
        decision_id -> Nullable<BigInt>,
        started_at -> Timestamp,
        started_by_user_id -> BigInt,
        checkin_on -> Date,
        checker_user_id -> BigInt,
        ended_at -> Nullable<Timestamp>,
        ended_by_user_id -> Nullable<BigInt>,
        next_step -> Nullable<Text>,
        still_safe -> Nullable<Bool>,
        family_view -> Text,
        evaluation -> Text,
    }
}

diesel::table! {
    data_requests (id) {
        id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        user_id -> BigInt,
        requested_at -> Timestamp,
        produced_at -> Nullable<Timestamp>,
        produced_by_user_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    retention_runs (day) {
        day -> Date,
        ran_at -> Timestamp,
        families -> Integer,
    }
}

diesel::table! {
    /// Derived from the log for the monitor (`domain::monitor::facts`); the real key is
    /// (partnership_id, kind, occurred_second, event_id) on SQLite, event_id is unique on both engines.
    monitor_facts (event_id) {
        partnership_id -> BigInt,
        kind -> Text,
        occurred_second -> BigInt,
        event_id -> BigInt,
        family_id -> BigInt,
        table_id -> Nullable<BigInt>,
        referral_id -> Nullable<BigInt>,
        code -> Nullable<Text>,
        detail -> Nullable<Text>,
        phase -> Nullable<Integer>,
        previous_phase -> Nullable<Integer>,
    }
}

diesel::table! {
    monitor_mark (id) {
        id -> Integer,
        last_event_id -> BigInt,
    }
}
