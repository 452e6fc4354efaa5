//! Bad input in plain words. A partner's developer reads which field is wrong and why ("Het veld
//! burgerservicenummer moet tekst zijn, maar is een getal."), never the parser's own message with our
//! type names in it ("expected struct QueryRequest with 3 elements").

use actix_web::error::{JsonPayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::ApiError;

/// A JSON body as the type `T` wants it: the problem named by its field when it does not fit.
pub fn from_json<T: DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    // Every body of this API is one object; serde would read a list as the fields in order.
    let kind = match &body {
        Value::Object(_) => None,
        Value::Array(_) => Some("sequence"),
        Value::String(_) => Some("string"),
        Value::Number(_) => Some("integer"),
        Value::Bool(_) => Some("boolean"),
        Value::Null => Some("null"),
    };
    if let Some(kind) = kind {
        return Err(ApiError::bad_request(format!(
            "De inhoud moet {} zijn, maar is {}.",
            wanted("struct"),
            given(kind)
        )));
    }
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." { String::new() } else { path };
        ApiError::bad_request(detail(&path, &e.into_inner().to_string()))
    })
}

/// The answer to a body that is not JSON, too big, or of another content type.
pub fn json_payload(e: &JsonPayloadError) -> ApiError {
    let (status, detail) = match e {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "De inhoud is te groot. Stuur ten hoogste {} kB.",
                limit / 1024
            ),
        ),
        JsonPayloadError::ContentType => (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Stuur de inhoud als JSON, met de header Content-Type: application/json.".to_string(),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => (
            StatusCode::BAD_REQUEST,
            detail("", strip_position(&e.to_string())),
        ),
        JsonPayloadError::Deserialize(e) => (
            StatusCode::BAD_REQUEST,
            format!(
                "De inhoud is geen geldige JSON (regel {}, teken {}).",
                e.line(),
                e.column()
            ),
        ),
        _ => (
            StatusCode::BAD_REQUEST,
            "De inhoud kwam niet goed aan. Probeer het opnieuw.".to_string(),
        ),
    };
    ApiError::new(status, "Ongeldige inhoud", detail)
}

/// The answer to a query string with a parameter we do not know, or one twice.
pub fn query_string(e: &QueryPayloadError) -> ApiError {
    let detail = match e {
        QueryPayloadError::Deserialize(e) => detail("", &e.to_string()),
        _ => "De zoekparameters konden niet worden gelezen.".to_string(),
    };
    ApiError::bad_request(detail)
}

/// serde_json ends its messages with " at line 1 column 12"; the words before it are what we use.
fn strip_position(message: &str) -> &str {
    message
        .rfind(" at line ")
        .map_or(message, |at| &message[..at])
}

/// The names between backticks in a serde message, in order.
fn quoted(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

/// Plain words for serde's message `message` about the value at `path` (empty: the whole input).
pub fn detail(path: &str, message: &str) -> String {
    let names = quoted(message);
    let field = |fallback: &str| names.first().copied().unwrap_or(fallback).to_string();
    if message.starts_with("unknown field") {
        let known = names.get(1..).unwrap_or_default();
        let mut text = format!("Het veld {} kennen we niet.", field(path));
        if !known.is_empty() {
            text.push_str(&format!(" Mogelijke velden: {}.", known.join(", ")));
        }
        return text;
    }
    if message.starts_with("missing field") {
        return format!("Het veld {} ontbreekt.", field(path));
    }
    if message.starts_with("duplicate field") {
        return format!("Het veld {} staat er meer dan één keer in.", field(path));
    }
    let subject = if path.is_empty() {
        "De inhoud".to_string()
    } else {
        format!("Het veld {path}")
    };
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((got, want)) = rest.split_once(", expected ")
        {
            return format!(
                "{subject} moet {} zijn, maar is {}.",
                wanted(want),
                given(got)
            );
        }
    }
    if message.starts_with("invalid length") {
        return format!("{subject} heeft niet het goede aantal waarden.");
    }
    format!("{subject} kunnen we niet lezen.")
}

/// What serde says it got ("integer `5`", "sequence"), in words.
fn given(got: &str) -> &'static str {
    let got = got.trim();
    match got.split([' ', '`']).next().unwrap_or_default() {
        "integer" | "floating" => "een getal",
        "string" | "character" => "tekst",
        "boolean" => "waar of onwaar",
        "null" | "unit" => "leeg (null)",
        "sequence" => "een lijst",
        "map" => "een object",
        _ => "een ander soort waarde",
    }
}

/// What serde says it expected ("a string", "struct QueryRequest", "i64"), in words.
fn wanted(want: &str) -> &'static str {
    let want = want.trim();
    if want.contains("struct") || want.contains("map") {
        "een JSON-object (tussen { en })"
    } else if want.contains("string") || want.contains("char") {
        "tekst"
    } else if want.contains("sequence") || want.contains("tuple") {
        "een lijst"
    } else if want.contains("bool") {
        "waar of onwaar"
    } else if [
        "integer", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64",
    ]
    .iter()
    .any(|n| want.contains(n))
    {
        "een getal"
    } else {
        "een andere soort waarde"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_become_plain_words_without_type_names() {
        for (path, message, expected) in [
            (
                "",
                "unknown field `bsn`, expected one of `burgerservicenummer`, `beschikbaarVanaf`",
                "Het veld bsn kennen we niet. Mogelijke velden: burgerservicenummer, beschikbaarVanaf.",
            ),
            (
                "",
                "unknown field `onbekend`, expected `after` or `limit`",
                "Het veld onbekend kennen we niet. Mogelijke velden: after, limit.",
            ),
            (
                "burgerservicenummer",
                "invalid type: integer `123456782`, expected a string",
                "Het veld burgerservicenummer moet tekst zijn, maar is een getal.",
            ),
            (
                "",
                "invalid type: sequence, expected struct QueryRequest",
                "De inhoud moet een JSON-object (tussen { en }) zijn, maar is een lijst.",
            ),
            ("", "missing field `x`", "Het veld x ontbreekt."),
            (
                "",
                "duplicate field `limit`",
                "Het veld limit staat er meer dan één keer in.",
            ),
        ] {
            let text = detail(path, message);
            assert_eq!(text, expected);
            assert!(!text.contains("struct") && !text.contains("expected"));
        }
        assert_eq!(
            strip_position("invalid type: map, expected a string at line 1 column 9"),
            "invalid type: map, expected a string"
        );
    }
}
