//! Logging in and out, and setting a password from an invitation or reset link.

use actix_web::cookie::SameSite;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::FieldErrors;
use super::middleware::cookie;
use super::signin::{client_address, finish_login};
use super::{
    AppError, AppState, CurrentUser, PageCtx, SESSION_COOKIE, html, is_download, notice_key,
    safe_return_path, see_other,
};
use crate::auth::token::{self, Purpose};
use crate::auth::{password, session, throttle};
use crate::db;
use crate::domain::user::{self, User};
use crate::mail::Mail;

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: PageCtx,
    email: String,
    next: String,
    errors: FieldErrors,
    /// A message about the whole form (wrong credentials, throttled), already translated.
    problem: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    melding: Option<String>,
}

pub async fn show_login(
    ctx: PageCtx,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    if ctx.user.is_some() {
        return Ok(see_other(&safe_return_path(query.next.as_deref())));
    }
    html(
        StatusCode::OK,
        LoginPage {
            ctx,
            email: String::new(),
            next: safe_return_path(query.next.as_deref()),
            errors: FieldErrors::default(),
            problem: None,
            notice: notice_key(query.melding.as_deref()),
        },
    )
}

#[derive(Template)]
#[template(path = "auth/download.html")]
struct DownloadPage {
    ctx: PageCtx,
    /// The file's address on this site.
    path: String,
    /// Its name as the reader knows it ("besluitenlijst.pdf").
    name: String,
}

#[derive(Deserialize)]
pub struct DownloadQuery {
    bestand: Option<String>,
}

/// After logging in from a link to a file: the page that offers it, so the file does not download
/// silently behind the login form. The file itself checks who may have it; anything that is not a
/// file of this site goes to the start page.
pub async fn show_download(
    _user: CurrentUser,
    ctx: PageCtx,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, AppError> {
    let path = safe_return_path(query.bestand.as_deref());
    if !is_download(&path) {
        return Ok(see_other("/"));
    }
    html(
        StatusCode::OK,
        DownloadPage {
            ctx,
            name: file_name(&path),
            path,
        },
    )
}

/// The name a file at `path` is known by: its last part, or the part before with ".pdf" added for
/// `/gezinnen/1/plan/pdf`.
fn file_name(path: &str) -> String {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or_default();
    match (last, parts.next()) {
        ("pdf", Some(before)) if !before.is_empty() => format!("{before}.pdf"),
        _ => last.to_string(),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn login(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let next = safe_return_path(form.next.as_deref());
    let mut page = LoginPage {
        email: form.email.trim().to_string(),
        next: next.clone(),
        errors: login_form_errors(&form),
        problem: None,
        notice: None,
        ctx,
    };
    if !page.errors.is_empty() {
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }

    let account_key = user::normalize_email(&form.email);
    let address = client_address(&req, &state);
    let (reserved, candidate) = match reserve_attempt(&state, &account_key, &address).await? {
        Ok(reserved) => reserved,
        Err(until) => {
            state.metrics.login_failed();
            let time = crate::time::clock(until);
            page.problem = Some(page.ctx.i18n.t_with("login.throttled", &[("time", &time)]));
            return html(StatusCode::TOO_MANY_REQUESTS, page);
        }
    };
    let stored = candidate.as_ref().and_then(|u| u.password_hash.clone());
    state
        .password_checks
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let verified = match password::verify_queued(form.password, stored).await {
        Ok(verified) => verified,
        Err(busy) => return Err(unchecked(&state, reserved, busy).await),
    };
    let user = candidate.filter(|_| verified);

    let attempt = LoginAttempt {
        account_key,
        address,
        reserved,
        user_id: user.as_ref().map(|u| u.id),
    };
    state
        .db(move |conn| db::write(conn, |conn| attempt.record(conn)))
        .await?;

    match user {
        Some(user) => {
            tracing::info!(user_id = user.id, "password right");
            // A session now, or first the second factor (see `signin::finish_login`).
            finish_login(&state, &req, user, false, &next).await
        }
        None => {
            state.metrics.login_failed();
            tracing::info!("login failed");
            page.problem = Some(page.ctx.t("login.failed"));
            html(StatusCode::UNAUTHORIZED, page)
        }
    }
}

/// Reserves the attempt before its password is checked (see `throttle::reserve`), and finds the
/// account it names when that is active. `Err` holds when the lock lifts.
async fn reserve_attempt(
    state: &AppState,
    account_key: &str,
    address: &str,
) -> Result<Result<(throttle::Reserved, Option<User>), chrono::NaiveDateTime>, AppError> {
    let (key, addr) = (account_key.to_string(), address.to_string());
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let reserved = match throttle::reserve(conn, &key, &addr)? {
                    Ok(reserved) => reserved,
                    Err(until) => return Ok(Err(until)),
                };
                let found = user::find_by_email(conn, &key)?.filter(|u| u.active);
                // A family that must log in through DigiD has no password login.
                let found = match found {
                    Some(u) if crate::domain::sign_on::digid_required_for(conn, u.id)? => None,
                    other => other,
                };
                Ok(Ok((reserved, found)))
            })
        })
        .await
}

/// The password workers could not take the check: the attempt's places are given back (503).
async fn unchecked(
    state: &AppState,
    reserved: throttle::Reserved,
    busy: password::Busy,
) -> AppError {
    let released = state
        .db(move |conn| db::write(conn, |conn| Ok(reserved.release(conn)?)))
        .await;
    released
        .err()
        .unwrap_or_else(|| AppError::Unavailable(busy.to_string()))
}

/// Both fields are required.
fn login_form_errors(form: &LoginForm) -> FieldErrors {
    let mut errors = FieldErrors::default();
    if form.email.trim().is_empty() {
        errors.add("email", "login.email_required");
    }
    if form.password.is_empty() {
        errors.add("password", "login.password_required");
    }
    errors
}

/// A checked login attempt, to be kept on record.
struct LoginAttempt {
    account_key: String,
    address: String,
    /// Its place in the throttling counts, given back when the password was right.
    reserved: throttle::Reserved,
    /// The account, when the password was right.
    user_id: Option<i64>,
}

impl LoginAttempt {
    /// Records the attempt; a right password gives its places in the throttling counts back.
    fn record(self, conn: &mut db::DbConn) -> Result<(), AppError> {
        throttle::record(
            conn,
            &self.account_key,
            &self.address,
            self.user_id.is_some(),
        )?;
        if self.user_id.is_some() {
            self.reserved.succeeded(conn)?;
        }
        Ok(())
    }
}

pub async fn logout(
    user: super::AnySignedIn,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let session_id = user.0.session_id;
    // A session that began at an identity provider signs out there too (through a page: see away_to).
    let answer = match super::provider_sign_out(&state, session_id).await? {
        Some(url) => super::away_to(ctx, &url, "sign_on.away_logout")?,
        None => see_other("/inloggen?melding=uitgelogd"),
    };
    end_session(&state, Some(session_id), answer).await
}

/// The portal's quick exit ("Snel weg"): ends the session, if any, and sends the browser to a neutral
/// site. A POST with the CSRF token, like logging out; the script sends it in the background and
/// replaces the page itself, without the script the form goes here and follows the redirect.
pub async fn quick_exit(
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let session = ctx.user.map(|u| u.session_id);
    end_session(&state, session, see_other(super::QUICK_EXIT_TO)).await
}

/// Deletes the session (when there is one) and its cookie, and answers with `res`.
async fn end_session(
    state: &AppState,
    session: Option<i64>,
    mut res: HttpResponse,
) -> Result<HttpResponse, AppError> {
    if let Some(session_id) = session {
        state
            .db(move |conn| Ok(session::delete(conn, session_id)?))
            .await?;
    }
    let mut removal = cookie(
        SESSION_COOKIE,
        String::new(),
        state.config.secure_cookies,
        SameSite::Lax,
    );
    removal.make_removal();
    res.add_cookie(&removal)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

#[derive(Template)]
#[template(path = "auth/forgot_password.html")]
struct ForgotPasswordPage {
    ctx: PageCtx,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

pub async fn show_forgot_password(ctx: PageCtx) -> Result<HttpResponse, AppError> {
    html(
        StatusCode::OK,
        ForgotPasswordPage {
            ctx,
            email: String::new(),
            errors: FieldErrors::default(),
            sent: false,
        },
    )
}

#[derive(Deserialize)]
pub struct ForgotPasswordForm {
    #[serde(default)]
    email: String,
}

/// Sends a reset link when the address belongs to an active account, at most one per address per
/// `throttle::reset_interval`, after the answer. The answer is the same either way, so the page does
/// not reveal which addresses have an account.
pub async fn request_password_reset(
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<ForgotPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.into_inner().email.trim().to_string();
    let mut errors = FieldErrors::default();
    if email.is_empty() {
        errors.add("email", "forgot.email_required");
    } else if !user::is_valid_email(&email) {
        errors.add("email", "forgot.email_invalid");
    }
    if !errors.is_empty() {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            ForgotPasswordPage {
                ctx,
                email,
                errors,
                sent: false,
            },
        );
    }
    let lookup = user::normalize_email(&email);
    let issued = state
        .db(move |conn| {
            db::write(conn, |conn| {
                // One mail per address per few minutes, counted for every address alike: asking again
                // neither floods the mailbox nor replaces the link just sent, and says nothing.
                if !throttle::reserve_reset_mail(conn, &lookup)? {
                    return Ok(None);
                }
                match user::find_by_email(conn, &lookup)? {
                    Some(u) if u.active && u.password_hash.is_some() => Ok::<_, AppError>(Some((
                        token::issue(conn, u.id, Purpose::PasswordReset)?,
                        u,
                    ))),
                    _ => Ok(None),
                }
            })
        })
        .await?;
    // The mail goes out after the answer, so the answer takes as long for a known address as for an
    // unknown one.
    if let Some((token, account)) = issued {
        let link = state.link(&format!("/wachtwoord-instellen/{token}"));
        let state = state.clone();
        actix_web::rt::spawn(async move {
            if let Err(e) = state.send_mail(password_reset_mail(&account, &link)).await {
                tracing::warn!(user_id = account.id, error = ?e, "password reset mail not sent");
            }
        });
    }
    html(
        StatusCode::OK,
        ForgotPasswordPage {
            ctx,
            email,
            errors: FieldErrors::default(),
            sent: true,
        },
    )
}

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct PasswordResetText<'a> {
    i18n: crate::i18n::I18n,
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct PasswordResetHtml<'a> {
    i18n: crate::i18n::I18n,
    name: &'a str,
    link: &'a str,
}

fn password_reset_mail(user: &User, link: &str) -> Mail {
    let i18n = crate::mail::i18n_for(user);
    let text = PasswordResetText {
        i18n,
        name: &user.name,
        link,
    };
    let html = PasswordResetHtml {
        i18n,
        name: &user.name,
        link,
    };
    Mail {
        to: user.email.clone(),
        subject: i18n.t("mail.reset.subject"),
        text: text.render().unwrap_or_default(),
        html: html.render().unwrap_or_default(),
        attachments: Vec::new(),
    }
}

#[derive(Template)]
#[template(path = "auth/set_password.html")]
struct SetPasswordPage {
    ctx: PageCtx,
    /// None when the link is unknown, used or expired.
    account: Option<User>,
    token: String,
    errors: FieldErrors,
}

pub async fn show_set_password(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let lookup = token.clone();
    let account = state
        .db(move |conn| Ok(token::peek(conn, &lookup, token::SET_PASSWORD)?))
        .await?;
    let status = if account.is_some() {
        StatusCode::OK
    } else {
        StatusCode::GONE
    };
    html(
        status,
        SetPasswordPage {
            ctx,
            account,
            token,
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

pub async fn set_password(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<SetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    let token = path.into_inner();
    let form = form.into_inner();
    let lookup = token.clone();
    let Some(account) = state
        .db(move |conn| Ok(token::peek(conn, &lookup, token::SET_PASSWORD)?))
        .await?
    else {
        return html(
            StatusCode::GONE,
            SetPasswordPage {
                ctx,
                account: None,
                token,
                errors: FieldErrors::default(),
            },
        );
    };
    let mut errors = FieldErrors::default();
    if let Some(problem) = user::password_problem(&form.password, &form.password_repeat) {
        errors.add(
            if problem == "password.mismatch" {
                "password_repeat"
            } else {
                "password"
            },
            problem,
        );
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            SetPasswordPage {
                ctx,
                account: Some(account),
                token,
                errors,
            },
        );
    }
    let password = form.password;
    let hash = password::hash_queued(password).await?;
    let done = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let Some(user) = token::consume(conn, &token, token::SET_PASSWORD)? else {
                    return Ok::<_, AppError>(false);
                };
                user::set_password_hash(conn, user.id, &hash)?;
                // Whoever held a session under the old password loses it.
                session::delete_all_for_user(conn, user.id, None)?;
                Ok(true)
            })
        })
        .await?;
    if !done {
        return Ok(see_other("/inloggen"));
    }
    Ok(see_other("/inloggen?melding=wachtwoord-ingesteld"))
}
