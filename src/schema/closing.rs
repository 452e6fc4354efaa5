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
