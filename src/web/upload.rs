//! Forms that send a file (`multipart/form-data`): the CSRF token read from the first part of the body
//! for the middleware (without holding the file), and the fields and the file for the handler, with
//! the size limit of documents. The parts themselves are parsed by `actix-multipart`.

use std::collections::HashMap;

use actix_multipart::Multipart;
use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use futures_util::StreamExt;

use super::AppError;

/// How much of a multipart body the CSRF check reads at most: the token is the form's first field,
/// before the file.
const CSRF_PREFIX_LIMIT: usize = 64 * 1024;

/// The longest text field of an upload form, in bytes.
const FIELD_LIMIT: usize = 64 * 1024;

/// Whether the request sends a multipart form.
pub fn is_multipart(req: &ServiceRequest) -> bool {
    content_type(req).starts_with("multipart/form-data")
}

fn content_type(req: &ServiceRequest) -> String {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start()
        .to_ascii_lowercase()
}

/// The `csrf_token` field of a multipart form, read from the start of the body only; what was read is
/// put back in front of the rest for the handler, so the file streams on.
pub async fn csrf_token_of_multipart(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    let Some(boundary) = boundary(req) else {
        return Ok(None);
    };
    // Fused: once the body has ended it stays ended for the handler too.
    let mut payload = req.take_payload().fuse();
    let mut prefix = BytesMut::new();
    let mut found = None;
    while prefix.len() < CSRF_PREFIX_LIMIT {
        match payload.next().await {
            Some(chunk) => prefix.extend_from_slice(&chunk.map_err(|e| {
                match e.to_string().contains(super::deadline::TOO_SLOW) {
                    true => AppError::TooSlow,
                    false => AppError::Unprocessable(e.to_string()),
                }
            })?),
            None => {
                found = token_in(&prefix, &boundary);
                break;
            }
        }
        if let Some(token) = token_in(&prefix, &boundary) {
            found = Some(token);
            break;
        }
    }
    let first = futures_util::stream::once(std::future::ready(Ok::<Bytes, _>(prefix.freeze())));
    req.set_payload(Payload::Stream {
        payload: Box::pin(first.chain(payload)),
    });
    Ok(found)
}

/// The boundary of the request's multipart body.
fn boundary(req: &ServiceRequest) -> Option<String> {
    let raw = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    raw.split(';').skip(1).find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        (name.trim().eq_ignore_ascii_case("boundary"))
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// The value of the part named `csrf_token` in `body`, once the whole part has arrived.
fn token_in(body: &[u8], boundary: &str) -> Option<String> {
    let delimiter = format!("--{boundary}");
    let mut rest = body;
    while let Some(at) = find(rest, delimiter.as_bytes()) {
        rest = &rest[at + delimiter.len()..];
        let headers_end = find(rest, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&rest[..headers_end]).to_ascii_lowercase();
        let value_start = headers_end + 4;
        let is_token = headers.lines().any(|line| {
            line.starts_with("content-disposition:") && line.contains("name=\"csrf_token\"")
        });
        if is_token {
            let end = find(&rest[value_start..], format!("\r\n{delimiter}").as_bytes())?;
            return String::from_utf8(rest[value_start..value_start + end].to_vec()).ok();
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A file as sent: its name (the last part of the path the browser gave, without control characters)
/// and its bytes, unless it was over the limit.
pub struct UploadedFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub too_large: bool,
}

/// What an upload form sent: its text fields, and the file of the field `file_field` if one was chosen.
pub struct Upload {
    pub fields: HashMap<String, String>,
    pub file: Option<UploadedFile>,
}

impl Upload {
    /// A text field, or "" when it was not sent.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }
}

/// Reads an upload form. A file over `max_file` bytes is read to its end but not kept
/// (`too_large`), so the page can say so; one more than four times that is refused (413). A form that
/// is not multipart, broken, or has text that is not clean UTF-8 is refused (422).
pub async fn read(
    mut multipart: Multipart,
    file_field: &str,
    max_file: usize,
) -> Result<Upload, AppError> {
    let mut upload = Upload {
        fields: HashMap::new(),
        file: None,
    };
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|e| AppError::Unprocessable(e.to_string()))?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(clean_file_name);
        let is_file = name == file_field && file_name.is_some();
        let limit = if is_file { max_file } else { FIELD_LIMIT };
        let mut bytes = Vec::new();
        let mut seen = 0usize;
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::Unprocessable(e.to_string()))?;
            seen += chunk.len();
            if seen > limit.saturating_mul(4) {
                return Err(AppError::TooLarge);
            }
            if seen <= limit {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            let file_name = file_name.unwrap_or_default();
            // A form sent without choosing a file has an empty part without a name.
            if !(file_name.is_empty() && seen == 0) {
                upload.file = Some(UploadedFile {
                    name: file_name,
                    too_large: seen > limit,
                    bytes,
                });
            }
        } else if seen > limit {
            return Err(AppError::TooLarge);
        } else {
            let text = String::from_utf8(bytes)
                .ok()
                .filter(|t| !t.contains('\0'))
                .ok_or_else(|| AppError::Unprocessable("field is not clean UTF-8".into()))?;
            upload.fields.entry(name).or_insert(text);
        }
    }
    Ok(upload)
}

/// The file's own name as people read it: the last part of a path, without control characters, at
/// most 200 characters.
fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
    cleaned.trim().chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_found_in_the_first_part_once_it_has_arrived() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF";
        assert_eq!(token_in(body, "XyZ").as_deref(), Some("abc123"));
        assert_eq!(token_in(&body[..60], "XyZ"), None);
        let other = b"--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nabc\r\n--XyZ--";
        assert_eq!(token_in(other, "XyZ"), None);
    }

    #[test]
    fn a_file_name_keeps_only_its_last_part_without_control_characters() {
        assert_eq!(clean_file_name("C:\\Users\\x\\rapport.pdf"), "rapport.pdf");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b\n.pdf"), "ab.pdf");
    }
}
