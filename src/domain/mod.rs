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

pub use crate::time::now;

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
