//! Account → Sessies: one's active sessions with device and last use, and ending all the others (their
//! open live sockets close with them: the live room drops sockets whose session no longer counts). And
//! the confirm page that sensitive actions send to when the last confirmation of password and code is
//! too long ago (`signin::confirm_first`), which goes on to the action afterwards.

use actix_web::http::StatusCode;
use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::{FieldErrors, NoticeQuery};
use super::signin::{ConfirmPage, client_address};
use super::{
    AppError, AppState, CurrentUser, PageCtx, SignedIn, html, notice_key, safe_return_path,
    see_other,
};
use crate::auth::{password, second_factor, session, throttle};
use crate::db;
use crate::domain::user;

/// A session as the list shows it.
pub struct SessionRow {
    /// "Chrome op Linux", already translated.
    pub device: String,
    pub started: chrono::NaiveDateTime,
    pub last_seen: chrono::NaiveDateTime,
    /// The session of this very browser.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "account/sessions.html")]
struct SessionsPage {
    ctx: PageCtx,
    sessions: Vec<SessionRow>,
    notice: Option<&'static str>,
}

/// The browser and the system a user agent names, as people call them; None when it names neither.
pub fn device_of(user_agent: &str) -> Option<(&'static str, &'static str)> {
    let browser = [
        ("Edg/", "Edge"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| user_agent.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (None, None) => None,
        (b, s) => Some((b.unwrap_or("?"), s.unwrap_or("?"))),
    }
}

pub async fn show_sessions(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (account, current) = (user.0.account.user.clone(), user.0.session_id);
    let idle = state.config.session_idle;
    let found = state
        .db(move |conn| Ok(session::list_for_user(conn, &account, idle)?))
        .await?;
    let sessions = found
        .into_iter()
        .map(|s| SessionRow {
            device: match s.user_agent.as_deref().and_then(device_of) {
                Some((browser, system)) => ctx.i18n.t_with(
                    "sessions.device",
                    &[("browser", browser), ("system", system)],
                ),
                None => ctx.t("sessions.unknown_device"),
            },
            started: s.created_at,
            last_seen: s.last_seen_at,
            current: s.id == current,
        })
        .collect();
    let notice = notice_key(query.melding.as_deref());
    html(
        StatusCode::OK,
        SessionsPage {
            ctx,
            sessions,
            notice,
        },
    )
}

/// Ends every session of the user but this one.
pub async fn end_other_sessions(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (user_id, keep) = (user.0.id(), user.0.session_id);
    let ended = state
        .db(move |conn| Ok(session::delete_all_for_user(conn, user_id, Some(keep))?))
        .await?;
    tracing::info!(user_id, ended, "ended the other sessions");
    Ok(see_other("/account/sessies?melding=sessies-beeindigd"))
}

#[derive(Deserialize)]
pub struct ConfirmQuery {
    terug: Option<String>,
}

async fn has_factor(state: &AppState, user: &SignedIn) -> Result<bool, AppError> {
    let user_id = user.id();
    state
        .db(move |conn| Ok(second_factor::active(conn, user_id)?.is_some()))
        .await
}

pub async fn show_confirm(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<ConfirmQuery>,
) -> Result<HttpResponse, AppError> {
    let asks_code = has_factor(&state, &user.0).await?;
    let page = ConfirmPage {
        ctx,
        return_to: safe_return_path(query.terug.as_deref()),
        method: "get".into(),
        carried: Vec::new(),
        asks_code,
        errors: FieldErrors::default(),
        problem: None,
    };
    html(StatusCode::OK, page)
}

/// The confirm form's own fields; every other field (but the CSRF token) belongs to the form that
/// asked, and is carried on.
const OWN_FIELDS: [&str; 5] = [
    "csrf_token",
    "confirm_password",
    "confirm_code",
    "confirm_return",
    "confirm_method",
];

/// Checks password and code; when both are right the session counts as confirmed and the browser goes
/// on: back to the page (GET), or with 307 to the form's address, which sends the form again.
pub async fn confirm(
    user: CurrentUser,
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, fields) = (user.0, form.into_inner());
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut page = ConfirmPage {
        return_to: safe_return_path(Some(&field("confirm_return"))),
        method: if field("confirm_method") == "post" {
            "post"
        } else {
            "get"
        }
        .into(),
        carried: fields
            .iter()
            .filter(|(k, _)| !OWN_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect(),
        asks_code: has_factor(&state, &user).await?,
        errors: FieldErrors::default(),
        problem: None,
        ctx,
    };
    let (password, code) = (field("confirm_password"), field("confirm_code"));
    if password.is_empty() {
        page.errors
            .add("confirm_password", "confirm.password_required");
    }
    if page.asks_code && code.trim().is_empty() {
        page.errors.add("confirm_code", "second_step.code_required");
    }
    if !page.errors.is_empty() {
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    match check(&state, &req, &user, password, code).await? {
        Ok(()) if page.method == "post" => Ok(HttpResponse::TemporaryRedirect()
            .insert_header((LOCATION, page.return_to))
            .finish()),
        Ok(()) => Ok(see_other(&page.return_to)),
        Err(problem) => {
            let status = match problem {
                Some(_) => StatusCode::TOO_MANY_REQUESTS,
                None => StatusCode::UNAUTHORIZED,
            };
            page.problem = Some(match problem {
                Some(time) => page.ctx.i18n.t_with("login.throttled", &[("time", &time)]),
                None => page.ctx.t("confirm.wrong"),
            });
            html(status, page)
        }
    }
}

/// Password and code, counted like login attempts on the account and the address. `Err(Some(time))`
/// when locked until then, `Err(None)` when wrong; right, the session is marked confirmed.
async fn check(
    state: &AppState,
    req: &HttpRequest,
    user: &SignedIn,
    password: String,
    code: String,
) -> Result<Result<(), Option<String>>, AppError> {
    let key = user::normalize_email(&user.account.user.email);
    let address = client_address(req, state);
    let (k, a) = (key.clone(), address.clone());
    let reserved = state
        .db(move |conn| db::write(conn, |conn| Ok(throttle::reserve(conn, &k, &a)?)))
        .await?;
    let reserved = match reserved {
        Ok(reserved) => reserved,
        Err(until) => return Ok(Err(Some(crate::time::clock(until)))),
    };
    let (user_id, session_id) = (user.id(), user.session_id);
    let stored = state
        .db(move |conn| Ok(user::find(conn, user_id)?.and_then(|u| u.password_hash)))
        .await?;
    // An account that logs in only at its organisation's provider has no password here: its code
    // alone confirms (and without a second factor it cannot confirm here; a new login at the
    // provider starts a confirmed session).
    let passwordless = stored.is_none();
    let right = match password::verify_queued(password, stored).await {
        Ok(right) => right,
        Err(busy) => {
            state
                .db(move |conn| db::write(conn, |conn| Ok(reserved.release(conn)?)))
                .await?;
            return Err(AppError::Unavailable(busy.to_string()));
        }
    };
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let has_factor = second_factor::active(conn, user_id)?.is_some();
                let both = if passwordless {
                    has_factor && second_factor::verify(conn, user_id, &code)?.accepted()
                } else {
                    right
                        && (!has_factor || second_factor::verify(conn, user_id, &code)?.accepted())
                };
                throttle::record(conn, &key, &address, both)?;
                if !both {
                    return Ok(Err(None));
                }
                reserved.succeeded(conn)?;
                session::mark_confirmed(conn, session_id)?;
                Ok(Ok(()))
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::device_of;

    #[test]
    fn devices_are_named_as_people_call_them() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(device_of(chrome), Some(("Chrome", "Linux")));
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_of(iphone), Some(("Safari", "iOS")));
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36 Edg/131.0";
        assert_eq!(device_of(edge), Some(("Edge", "Windows")));
        assert_eq!(device_of("reqwest"), None);
    }
}
