//! The domain: one module per concept, each with its rows, queries and pure rules.

pub mod access_log;
pub mod aftercare;
pub mod api_rate;
pub mod api_token;
pub mod board_request;
pub mod calendar_feed;
pub mod complaint;
pub mod data_request;
pub mod decision;
pub mod directorship;
pub mod document;
pub mod export_send;
pub mod family;
pub mod family_invite;
pub mod involved;
pub mod involvement;
pub mod involvement_request;
pub mod measure;
pub mod meeting;
pub mod monitor;
pub mod organisation;
pub mod outcome;
pub mod partnership;
pub mod plan;
pub mod portal;
pub mod referral;
pub mod safety;
pub mod sign_on;
pub mod table;
pub mod top3;
pub mod user;
pub mod versioned;
pub mod webhook;

pub use crate::time::now;

/// Why a change cannot be made: something it needs is missing, a rule of the domain it would break, or
/// the database failing. Record functions answer with this, so a broken rule never travels as
/// diesel's `NotFound`.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Something the change needs does not exist.
    #[error("{0} not found")]
    Missing(&'static str),
    /// The change would break this rule (for the log; pages say it in their own words).
    #[error("broken rule: {0}")]
    Rule(&'static str),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

pub type DomainResult<T> = Result<T, DomainError>;

/// Defines a stored choice: its variants, their codes in the database, and their text keys.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, [$($variant:ident => $code:literal),+ $(,)?]) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// The text key of its name, e.g. "urgency.crisis".
            pub fn label_key(self) -> String {
                format!("{}.{}", $prefix, self.code())
            }
        }
    };
}
pub(crate) use coded_enum;
