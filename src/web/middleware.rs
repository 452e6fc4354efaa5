//! Middleware: request ids and logs, security headers, error pages, and the session with its CSRF check.

use std::time::Instant;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{self, BytesMut};
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use askama::Template;
use futures_util::StreamExt;
use tracing::Instrument;

use super::error::ErrorPage;
use super::{
    AppError, AppState, BODY_LIMIT, CSRF_COOKIE, LANG_COOKIE, PageCtx, SESSION_COOKIE, SignedIn,
    Visitor,
};
use crate::auth::{random_token, same_secret, session};
use crate::i18n::Locale;

/// The id of one request: in the logs, in the `X-Request-Id` header and on the 500 page.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = random_token()[..12].to_string();
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "request",
        id = %id,
        method = %req.method(),
        path = %loggable_path(req.path())
    );
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    match result {
        Ok(mut res) => {
            tracing::info!(status = res.status().as_u16(), elapsed_ms, "answered");
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut()
                    .insert(HeaderName::from_static("x-request-id"), value);
            }
            Ok(res)
        }
        Err(err) => {
            tracing::error!(error = %err, elapsed_ms, "failed");
            Err(err)
        }
    }
}

/// Counts every answer for `/metrics`: by the route's pattern (never the path, which may hold ids or a
/// secret), method and status, with the time it took.
pub async fn metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let method = req.method().to_string();
    let started = Instant::now();
    let result = next.call(req).await;
    if let Some(state) = state {
        let (route, status) = match &result {
            Ok(res) => (res.request().match_pattern(), res.status()),
            Err(e) => (None, e.as_response_error().status_code()),
        };
        state.metrics.request(
            route.as_deref().unwrap_or("unmatched"),
            &method,
            status.as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    result
}

/// A strict Content-Security-Policy: our own scripts and styles only, no inline script, no framing.
/// Forms post to this site only; the portal's quick exit form (without script) is redirected on to
/// the neutral site of `QUICK_EXIT_TO`, which form-action must name for the browser to follow.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                   form-action 'self' https://www.google.nl; frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let secure = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.config.secure_cookies);
    let is_static = req.path().starts_with("/static/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    let set = |headers: &mut header::HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on form posts, and
    // the origin check below needs the real one. Other sites still get no referrer at all.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=()",
    );
    set(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if secure {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    if !is_static && !headers.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data: never keep them in a shared or back-button cache.
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    ctx: PageCtx,
    status: u16,
    title: String,
    message: String,
    request_id: Option<String>,
}

/// Renders responses marked with `ErrorPage` as a full page in the visitor's language and layout.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    let Some(ErrorPage(status)) = res.response().extensions().get::<ErrorPage>().copied() else {
        return Ok(res.map_body(|_, b| EitherBody::left(b.boxed())));
    };
    let (req, res) = res.into_parts();
    let ctx = PageCtx::from_request(&req);
    let key = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "internal",
    };
    let csrf = req.extensions().get::<CsrfRejected>().is_some();
    let page = ErrorTemplate {
        status: status.as_u16(),
        title: ctx.t(&format!("error.{key}.title")),
        message: ctx.t(&if csrf {
            "error.csrf.message".to_string()
        } else {
            format!("error.{key}.message")
        }),
        request_id: (status.is_server_error()).then(|| {
            req.extensions()
                .get::<RequestId>()
                .map(|r| r.0.clone())
                .unwrap_or_default()
        }),
        ctx,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| format!("{} {}", status.as_u16(), page.title));
    let mut new = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let new = new.content_type("text/html; charset=utf-8").body(body);
    Ok(ServiceResponse::new(req, new).map_into_right_body())
}

/// Marks a request refused for its CSRF token, so the 403 page can say why.
#[derive(Clone, Copy)]
struct CsrfRejected;

/// Paths that need no session: health checks and static files.
/// The API authenticates with tokens and answers in problem+json: no session, no CSRF cookie.
fn is_sessionless(path: &str) -> bool {
    path.starts_with("/static/")
        || path.starts_with("/api/")
        || path == "/healthz"
        || path == "/readyz"
}

/// The path as it may be logged: the secrets in single-use links and feed addresses are cut off.
pub fn loggable_path(path: &str) -> String {
    for prefix in [
        "/inloggen/link/",
        "/wachtwoord-instellen/",
        "/agenda/",
        "/controle/",
    ] {
        if let Some(rest) = path.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return format!("{prefix}…");
        }
    }
    path.to_string()
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

pub fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    same_site: SameSite,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(same_site)
        .finish()
}

/// Resolves the visitor (session, language, CSRF token) and refuses state-changing requests whose
/// CSRF token does not match. Handlers never see a request that failed the check.
pub async fn session(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_sessionless(req.path()) {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(req
            .into_response(AppError::Internal(anyhow::anyhow!("no state")).error_response())
            .map_into_right_body());
    };
    let secure = state.config.secure_cookies;

    let (signed_in, stale_session) = match resume_session(&req, &state).await {
        Ok(found) => found,
        Err(e) => return Ok(req.into_response(e.error_response()).map_into_right_body()),
    };
    let locale = locale_of(&req, signed_in.as_ref().map(|(u, _)| u));
    let (signed_in, csrf_token, new_csrf_cookie) = csrf_token_of(&req, signed_in);

    let needs_check = is_state_changing(req.method()) && !req.path().starts_with("/api/");
    req.extensions_mut().insert(Visitor {
        signed_in,
        locale,
        csrf_token: csrf_token.clone(),
    });

    if needs_check {
        let accepted =
            match csrf_accepted(&mut req, &state, new_csrf_cookie.is_some(), &csrf_token).await {
                Ok(accepted) => accepted,
                Err(e) => return Ok(req.into_response(e.error_response()).map_into_right_body()),
            };
        if !accepted {
            return Ok(refuse_csrf(req, new_csrf_cookie, secure).map_into_right_body());
        }
    }

    let mut res = next.call(req).await?;
    if let Some(token) = new_csrf_cookie {
        let _ =
            res.response_mut()
                .add_cookie(&cookie(CSRF_COOKIE, token, secure, SameSite::Strict));
    }
    if stale_session
        && !res
            .headers()
            .get_all(header::SET_COOKIE)
            .any(|c| c.as_bytes().starts_with(SESSION_COOKIE.as_bytes()))
    {
        let mut removal = cookie(SESSION_COOKIE, String::new(), secure, SameSite::Lax);
        removal.make_removal();
        let _ = res.response_mut().add_cookie(&removal);
    }
    Ok(res.map_into_left_body())
}

/// Who is this? The signed-in user with their session's CSRF token, and whether a session cookie was
/// sent that no longer resumes (it is cleared on the way out).
async fn resume_session(
    req: &ServiceRequest,
    state: &AppState,
) -> Result<(Option<(SignedIn, String)>, bool), AppError> {
    let session_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let Some(token) = session_token.filter(|t| !t.is_empty()) else {
        return Ok((None, false));
    };
    let idle = state.config.session_idle;
    let found = state
        .db(move |conn| Ok(session::resume(conn, &token, idle)?))
        .await?;
    Ok(match found {
        Some((session, account)) => (
            Some((
                SignedIn {
                    session_id: session.id,
                    account,
                },
                session.csrf_token,
            )),
            false,
        ),
        None => (None, true),
    })
}

/// Language: the user's choice, else the cookie, else the browser's wish, else Dutch.
fn locale_of(req: &ServiceRequest, signed_in: Option<&SignedIn>) -> Locale {
    signed_in
        .and_then(|u| u.account.user.locale.as_deref().and_then(Locale::from_code))
        .or_else(|| {
            req.cookie(LANG_COOKIE)
                .and_then(|c| Locale::from_code(c.value()))
        })
        .or_else(|| {
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Locale::from_accept_language)
        })
        .unwrap_or_default()
}

/// The CSRF token: bound to the session when signed in, else to a cookie of its own. Returns the
/// user, the token, and the token again when it is new and must be set as a cookie.
fn csrf_token_of(
    req: &ServiceRequest,
    signed_in: Option<(SignedIn, String)>,
) -> (Option<SignedIn>, String, Option<String>) {
    match signed_in {
        Some((user, token)) => (Some(user), token, None),
        None => match req.cookie(CSRF_COOKIE).map(|c| c.value().to_string()) {
            Some(token) if token.len() >= 32 => (None, token, None),
            _ => {
                let token = random_token();
                (None, token.clone(), Some(token))
            }
        },
    }
}

/// Whether a state-changing request carries the right token from an allowed origin.
async fn csrf_accepted(
    req: &mut ServiceRequest,
    state: &AppState,
    new_cookie: bool,
    csrf_token: &str,
) -> Result<bool, AppError> {
    // A new cookie means the browser had none: no token it sent can be right.
    Ok(match (new_cookie, same_origin(req.request(), state)) {
        (false, true) => match submitted_csrf_token(req).await? {
            Some(sent) => same_secret(&sent, csrf_token),
            None => false,
        },
        _ => false,
    })
}

/// The answer to a request that failed the CSRF check, setting the new cookie if there is one.
fn refuse_csrf(
    req: ServiceRequest,
    new_csrf_cookie: Option<String>,
    secure: bool,
) -> ServiceResponse {
    tracing::warn!(
        had_cookie = new_csrf_cookie.is_none(),
        origin = ?req.headers().get(header::ORIGIN),
        "refused a state-changing request: CSRF token or origin wrong"
    );
    req.extensions_mut().insert(CsrfRejected);
    let mut res = req.into_response(AppError::Csrf.error_response());
    if let Some(token) = new_csrf_cookie {
        let _ =
            res.response_mut()
                .add_cookie(&cookie(CSRF_COOKIE, token, secure, SameSite::Strict));
    }
    res
}

/// A browser names the page a request comes from; one from another site is refused whatever its token.
/// The same rule for forms (CSRF check) and the live meeting socket. The own site is the configured
/// base address or the host the request was sent to: the `Host` header, or `X-Forwarded-Host` /
/// `Forwarded` only with `SAMENSPEL_TRUST_PROXY=true` (otherwise any client could name its own site).
pub fn same_origin(req: &actix_web::HttpRequest, state: &AppState) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        // Non-browser clients send no Origin; they still need a valid session and token.
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    let own = url::Url::parse(&state.config.base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let host = if state.config.trust_proxy {
        Some(req.connection_info().host().to_string())
    } else {
        req.headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| req.uri().authority().map(|a| a.to_string()))
    };
    origin == own
        || host.is_some_and(|host| {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        })
}

/// The token a request carries: the `X-CSRF-Token` header, or the `csrf_token` field of a urlencoded
/// form or (the first field) of a multipart form. The form body is read here and put back for the handler.
async fn submitted_csrf_token(req: &mut ServiceRequest) -> Result<Option<String>, AppError> {
    if let Some(value) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return Ok(Some(value.to_string()));
    }
    if super::upload::is_multipart(req) {
        return super::upload::csrf_token_of_multipart(req).await;
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Ok(None);
    }
    let mut payload = req.take_payload();
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(
            |e| match e.to_string().contains(super::deadline::TOO_SLOW) {
                true => AppError::TooSlow,
                false => AppError::Unprocessable(e.to_string()),
            },
        )?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(AppError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    let body = body.freeze();
    let token = csrf_field_of_clean_form(&body).ok_or_else(|| {
        AppError::Unprocessable("form with invalid UTF-8 or a NUL character".into())
    })?;
    req.set_payload(actix_web::dev::Payload::from(body));
    Ok(token)
}

/// The `csrf_token` field of a urlencoded form, after checking that every name and value decodes to
/// UTF-8 without NUL characters. Lenient decoding would silently change what was typed, and PostgreSQL
/// refuses NUL in text; both are refused here, once for every form. None when the form is not clean.
fn csrf_field_of_clean_form(body: &[u8]) -> Option<Option<String>> {
    let decode = |raw: &[u8]| -> Option<String> {
        let spaced: Vec<u8> = raw
            .iter()
            .map(|b| if *b == b'+' { b' ' } else { *b })
            .collect();
        let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
        String::from_utf8(bytes).ok().filter(|s| !s.contains('\0'))
    };
    let mut token = None;
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let mut parts = pair.splitn(2, |b| *b == b'=');
        let name = decode(parts.next().unwrap_or_default())?;
        let value = decode(parts.next().unwrap_or_default())?;
        if name == "csrf_token" && token.is_none() {
            token = Some(value);
        }
    }
    Some(token)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_in_paths_stay_out_of_the_log() {
        assert_eq!(
            super::loggable_path("/inloggen/link/abc123"),
            "/inloggen/link/…"
        );
        assert_eq!(
            super::loggable_path("/wachtwoord-instellen/tok"),
            "/wachtwoord-instellen/…"
        );
        assert_eq!(super::loggable_path("/agenda/secret.ics"), "/agenda/…");
        assert_eq!(super::loggable_path("/inloggen/link"), "/inloggen/link");
        assert_eq!(super::loggable_path("/gezinnen/3"), "/gezinnen/3");
    }

    use super::*;

    #[test]
    fn forms_must_decode_cleanly() {
        assert_eq!(
            csrf_field_of_clean_form(b"a=b&csrf_token=t%2Bk+n"),
            Some(Some("t+k n".into()))
        );
        assert_eq!(csrf_field_of_clean_form(b"name=Zo%C3%AB"), Some(None));
        assert_eq!(
            csrf_field_of_clean_form(b"name=%FF%FE"),
            None,
            "invalid UTF-8"
        );
        assert_eq!(csrf_field_of_clean_form(b"name=a%00b"), None, "NUL");
        assert_eq!(
            csrf_field_of_clean_form(b"na%00me=x"),
            None,
            "NUL in a name"
        );
    }
}
