//! Form handling shared by all pages: how unreadable forms are answered, and messages next to fields.

use std::collections::BTreeMap;

use actix_web::error::{QueryPayloadError, UrlencodedError};
use actix_web::web;

use super::{AppError, BODY_LIMIT};

pub fn form_config() -> web::FormConfig {
    web::FormConfig::default()
        .limit(BODY_LIMIT)
        .error_handler(|err, _req| match err {
            UrlencodedError::Overflow { .. } | UrlencodedError::UnknownLength => {
                AppError::TooLarge.into()
            }
            other => AppError::Unprocessable(other.to_string()).into(),
        })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        AppError::Unprocessable(err.to_string()).into()
    })
}

/// An address part that does not parse (`/bijeenkomsten/abc` where a number belongs) names no page: the
/// 404 page, not the parser's text.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _req| AppError::NotFound.into())
}

/// Messages per field, as translation keys; a page shows each next to its field and a summary on top.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(BTreeMap<&'static str, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message_key: &str) {
        self.0
            .entry(field)
            .or_insert_with(|| message_key.to_string());
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message key for `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// (field, message key) in a stable order, for the summary at the top of a form.
    pub fn all(&self) -> Vec<(&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str())).collect()
    }
}

/// A text field as typed, trimmed (line ends made plain): required when `required_key` names the message
/// for an empty field, and no longer than `max` characters.
pub fn text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required_key: &str,
    max: usize,
) -> String {
    let value = value.replace("\r\n", "\n").trim().to_string();
    if value.is_empty() && !required_key.is_empty() {
        errors.add(field, required_key);
    } else if value.chars().count() > max {
        errors.add(field, "form.too_long");
    }
    value
}

/// The longest free text a form takes, in characters (plans and minutes have their own limits).
pub const TEXT_LIMIT: usize = 4000;

/// A typed text as saved: Windows line ends made plain, spaces around it trimmed.
pub fn clean(value: Option<&String>) -> String {
    value
        .map(|v| v.replace("\r\n", "\n").trim().to_string())
        .unwrap_or_default()
}

/// The `?melding=` of a page reached after a redirect: which short message it shows.
#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    pub melding: Option<String>,
}

/// Trims a field of the family forms and checks it: required or not, and no longer than `max` characters.
pub fn text_field(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let value = value.trim().to_string();
    if required && value.is_empty() {
        errors.add(field, &format!("family_form.{field}_required"));
    } else if value.chars().count() > max {
        errors.add(field, "form.too_long");
    }
    value
}
