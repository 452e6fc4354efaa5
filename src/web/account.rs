//! The signed-in user's own account: details, language and password.

use actix_web::cookie::SameSite;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::{FieldErrors, NoticeQuery};
use super::middleware::cookie;
use super::{AppError, AppState, CurrentUser, LANG_COOKIE, PageCtx, safe_return_path, see_other};
use super::{html, notice_key};
use crate::auth::{password, session};
use crate::db;
use crate::domain::user;
use crate::i18n::Locale;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ctx: PageCtx,
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// Whether the user's calendar feed works, and its address right after it was made (shown once).
    feed_active: bool,
    feed_url: Option<String>,
}

pub async fn show_account(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let user_id = user.0.id();
    let feed_active = state
        .db(move |conn| Ok(crate::domain::calendar_feed::is_active(conn, user_id)?))
        .await?;
    html(
        StatusCode::OK,
        AccountPage {
            ctx,
            errors: FieldErrors::default(),
            notice: notice_key(query.melding.as_deref()),
            feed_active,
            feed_url: None,
        },
    )
}

/// Makes a new calendar feed (the old address stops working) and shows its address once.
pub async fn create_calendar_feed(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = user.0.id();
    let token = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(crate::domain::calendar_feed::create(conn, user_id)?)
            })
        })
        .await?;
    let feed_url = format!("{}/agenda/{token}.ics", state.config.base_url);
    html(
        StatusCode::OK,
        AccountPage {
            ctx,
            errors: FieldErrors::default(),
            notice: Some("calendar.created"),
            feed_active: true,
            feed_url: Some(feed_url),
        },
    )
}

/// Revokes the calendar feed: its address answers 404 from now on.
pub async fn revoke_calendar_feed(
    user: CurrentUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user_id = user.0.id();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(crate::domain::calendar_feed::revoke(conn, user_id)?)
            })
        })
        .await?;
    Ok(see_other("/account?melding=agenda-ingetrokken#agenda"))
}

#[derive(Deserialize)]
pub struct ChangePasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

/// Changes the password after checking the current one; every other session of the user ends.
pub async fn change_password(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<ChangePasswordForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
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
    }
    let user_id = user.0.id();
    let session_id = user.0.session_id;
    let stored = state
        .db(move |conn| Ok(user::find(conn, user_id)?.and_then(|u| u.password_hash)))
        .await?;
    let current = form.current_password;
    if !password::verify_queued(current, stored)
        .await
        .map_err(|e| AppError::Unavailable(e.to_string()))?
    {
        errors.add("current_password", "account.current_password_wrong");
    }
    if !errors.is_empty() {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            AccountPage {
                ctx,
                errors,
                notice: None,
                feed_active: false,
                feed_url: None,
            },
        );
    }
    let new_password = form.password;
    let hash = password::hash_queued(new_password).await?;
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                user::set_password_hash(conn, user_id, &hash)?;
                session::delete_all_for_user(conn, user_id, Some(session_id))?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(see_other("/account?melding=wachtwoord-gewijzigd"))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    return_to: Option<String>,
}

/// Switches the language: remembered on the account when signed in, and in a cookie for everyone.
pub async fn choose_language(
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let locale = Locale::from_code(&form.lang)
        .ok_or_else(|| AppError::Unprocessable("unknown language".into()))?;
    if let Some(user) = &ctx.user {
        let user_id = user.id();
        state
            .db(move |conn| Ok(user::set_locale(conn, user_id, locale.code())?))
            .await?;
    }
    let mut res = see_other(&safe_return_path(form.return_to.as_deref()));
    let mut lang = cookie(
        LANG_COOKIE,
        locale.code().to_string(),
        state.config.secure_cookies,
        SameSite::Lax,
    );
    lang.set_max_age(actix_web::cookie::time::Duration::days(365));
    res.add_cookie(&lang)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}
