//! The tables of complaints and objections (issue 21).

diesel::table! {
    complaints (id) {
        id -> BigInt,
        family_id -> BigInt,
        person_id -> BigInt,
        user_id -> BigInt,
        partnership_id -> BigInt,
        kind -> Text,
        decision_id -> Nullable<BigInt>,
        table_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
        due_on -> Date,
        answer -> Nullable<Text>,
        answered_by_user_id -> Nullable<BigInt>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    complaint_terms (partnership_id) {
        partnership_id -> BigInt,
        weeks -> Integer,
    }
}
