//! The event log and what reads it or is sent from it: the access log, outcomes for partners, webhooks,
//! digests, sent exports and calendar feeds.

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
