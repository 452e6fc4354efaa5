//! Organisations, partnerships, people's accounts and how they sign in: sessions, the second factor,
//! single sign-on, throttling, API keys and their rate counters.

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
        closed_readable_days -> Integer,
        created_at -> Timestamp,
        second_factor_required -> Bool,
        retention_years -> Integer,
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
