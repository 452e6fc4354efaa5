//! Logging in with a one-time link by email, for family members: no password to remember (or for
//! someone else to find). The link works once, for 15 minutes; opening it shows a button, so a mail
//! program that follows links to check them does not use it up. Asking for a link says the same
//! whether or not the address is known.

use actix_web::cookie::SameSite;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::FieldErrors;
use super::html;
use super::middleware::cookie;
use super::{AppError, AppState, PageCtx, SESSION_COOKIE, see_other};
use crate::auth::session;
use crate::auth::token::{self, Purpose};
use crate::db;
use crate::domain::sign_on;
use crate::domain::user::{self, Role};

#[derive(Template)]
#[template(path = "auth/login_link.html")]
struct RequestPage {
    ctx: PageCtx,
    email: String,
    errors: FieldErrors,
    sent: bool,
}

pub async fn show_request(ctx: PageCtx) -> Result<HttpResponse, AppError> {
    html(
        StatusCode::OK,
        RequestPage {
            ctx,
            email: String::new(),
            errors: FieldErrors::default(),
            sent: false,
        },
    )
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    email: String,
}

pub async fn request_link(
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.into_inner().email.trim().to_string();
    let mut errors = FieldErrors::default();
    if !user::is_valid_email(&email) {
        errors.add("email", "forgot.email_invalid");
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            RequestPage {
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
            db::write(conn, |conn| match user::find_by_email(conn, &lookup)? {
                // Only family accounts log in this way; staff keep their password (and its throttling).
                // One link per two minutes: asking again neither floods the mailbox nor spends the link
                // just sent.
                Some(u) if u.active && u.role() == Role::Family => {
                    // A family that must log in through DigiD gets no link (the answer is the same).
                    if sign_on::digid_required_for(conn, u.id)? {
                        return Ok(None);
                    }
                    let recent = crate::domain::now() - chrono::Duration::minutes(2);
                    if token::issued_since(conn, u.id, Purpose::LoginLink, recent)? {
                        return Ok(None);
                    }
                    Ok::<_, AppError>(Some((token::issue(conn, u.id, Purpose::LoginLink)?, u)))
                }
                _ => Ok(None),
            })
        })
        .await?;
    // The mail goes out after the answer, so the answer takes as long for a known address as for an
    // unknown one.
    if let Some((secret, account)) = issued {
        let link = state.link(&format!("/inloggen/link/{secret}"));
        let state = state.clone();
        actix_web::rt::spawn(async move {
            let mail = super::notify::plain_mail(
                &account,
                "mail.login_link.subject",
                "mail.login_link.body",
                &link,
            );
            if let Err(e) = state.send_mail(mail).await {
                tracing::warn!(user_id = account.id, error = ?e, "login link not sent");
            }
        });
    }
    html(
        StatusCode::OK,
        RequestPage {
            ctx,
            email,
            errors: FieldErrors::default(),
            sent: true,
        },
    )
}

#[derive(Template)]
#[template(path = "auth/login_link_use.html")]
struct UsePage {
    ctx: PageCtx,
    token: String,
    valid: bool,
}

pub async fn show_use(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = path.into_inner();
    let lookup = secret.clone();
    let valid = state
        .db(move |conn| Ok(token::peek(conn, &lookup, &[Purpose::LoginLink])?.is_some()))
        .await?;
    html(
        if valid {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
        UsePage {
            ctx,
            token: secret,
            valid,
        },
    )
}

/// Uses the link: a new session (family length), the link spent in the same transaction.
pub async fn use_link(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let secret = path.into_inner();
    let previous = ctx.user.as_ref().map(|u| u.session_id);
    let max_age = state.config.session_max.min(session::FAMILY_MAX);
    let lookup = secret.clone();
    let started = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let Some(account) = token::consume(conn, &lookup, &[Purpose::LoginLink])? else {
                    return Ok::<_, AppError>(None);
                };
                // Asked for before the director required DigiD: spent, and no session.
                if sign_on::digid_required_for(conn, account.id)? {
                    return Ok(Some(None));
                }
                if let Some(old) = previous {
                    session::delete(conn, old)?;
                }
                Ok(Some(Some((
                    account.id,
                    session::create(conn, account.id, max_age)?,
                ))))
            })
        })
        .await?;
    let Some(started) = started else {
        return html(
            StatusCode::GONE,
            UsePage {
                ctx,
                token: secret,
                valid: false,
            },
        );
    };
    let Some((user_id, session_token)) = started else {
        return Ok(see_other("/inloggen/digid?melding=digid-verplicht"));
    };
    tracing::info!(user_id, "logged in with a link");
    let mut res = see_other("/portaal");
    res.add_cookie(&cookie(
        SESSION_COOKIE,
        session_token,
        state.config.secure_cookies,
        SameSite::Lax,
    ))
    .map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}
