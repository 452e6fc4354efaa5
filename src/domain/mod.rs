//! The domain: one module per concept, each with its rows, queries and pure rules.

pub mod access_log;
pub mod api_token;
pub mod calendar_feed;
pub mod decision;
pub mod directorship;
pub mod export_send;
pub mod family;
pub mod involvement;
pub mod meeting;
pub mod organisation;
pub mod outcome;
pub mod plan;
pub mod portal;
pub mod referral;
pub mod safety;
pub mod table;
pub mod user;
pub mod webhook;

/// The current moment in UTC, at the precision both databases keep (microseconds).
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{SubsecRound, Utc};
    Utc::now().naive_utc().trunc_subsecs(6)
}
