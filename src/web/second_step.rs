//! The second step of a login, on the pending login a right password started (`signin::finish_login`):
//! a code from the authenticator app or a recovery code, or — when the organisation requires a second
//! factor the account does not have yet — setting one up. Only then a session. Wrong answers count
//! against the account like wrong passwords (`auth::throttle`) and against the pending login.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::FieldErrors;
use super::signin::{
    CHALLENGE_COOKIE, ENROL_STEP, EnrolPage, RecoveryCodesPage, SECOND_STEP, client_address,
    open_session, with_session,
};
use super::{AppError, AppState, PageCtx, html, see_other};
use crate::auth::challenge::{self, Challenge, Step};
use crate::auth::second_factor::{self, Verdict};
use crate::auth::throttle;
use crate::db;
use crate::domain::user::User;
use crate::record;

#[derive(Template)]
#[template(path = "auth/second_step.html")]
struct SecondStepPage {
    ctx: PageCtx,
    errors: FieldErrors,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// The pending login of this browser, while it lasts.
async fn pending(
    req: &HttpRequest,
    state: &AppState,
) -> Result<Option<(Challenge, User)>, AppError> {
    let Some(token) = req
        .cookie(CHALLENGE_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|t| !t.is_empty())
    else {
        return Ok(None);
    };
    state
        .db(move |conn| Ok(challenge::find(conn, &token)?))
        .await
}

/// Back to the password: the pending login is gone (expired, too many wrong answers, or none).
fn start_again() -> HttpResponse {
    see_other("/inloggen?melding=inloggen-verlopen")
}

pub async fn show_code(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    match pending(&req, &state).await? {
        None => Ok(start_again()),
        Some((p, _)) if p.step() == Step::Enrol => Ok(see_other(ENROL_STEP)),
        Some(_) => html(
            StatusCode::OK,
            SecondStepPage {
                ctx,
                errors: FieldErrors::default(),
                problem: None,
            },
        ),
    }
}

/// How an answer went.
enum Answer<T> {
    Passed(T),
    /// Wrong (or a code used before); the pending login takes more.
    Wrong(Verdict),
    /// The account or the address is locked until then.
    Throttled(chrono::NaiveDateTime),
    /// The pending login is used up or gone.
    Gone,
}

/// Checks an answer in one transaction: a place in the throttling counts first (per account, as for
/// passwords, and per address), then `check`; a right answer ends the pending login, a wrong one counts
/// against it.
async fn answer<T: Send + 'static>(
    req: &HttpRequest,
    state: &AppState,
    pending: Challenge,
    check: impl FnOnce(&mut db::DbConn, i64) -> Result<Result<T, Verdict>, AppError> + Send + 'static,
) -> Result<Answer<T>, AppError> {
    let key = format!("second-factor:{}", pending.user_id);
    let address = client_address(req, state);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let reserved = match throttle::reserve(conn, &key, &address)? {
                    Ok(reserved) => reserved,
                    Err(until) => return Ok(Answer::Throttled(until)),
                };
                let checked = check(conn, pending.user_id)?;
                throttle::record(conn, &key, &address, checked.is_ok())?;
                match checked {
                    Ok(passed) => {
                        reserved.succeeded(conn)?;
                        Ok(if challenge::delete(conn, pending.id)? {
                            Answer::Passed(passed)
                        } else {
                            Answer::Gone
                        })
                    }
                    Err(verdict) if challenge::count_wrong(conn, pending.id)? => {
                        Ok(Answer::Wrong(verdict))
                    }
                    Err(_) => Ok(Answer::Gone),
                }
            })
        })
        .await
}

/// The message for a refused answer, already translated.
fn refusal(ctx: &PageCtx, answer: &Answer<impl Sized>) -> (StatusCode, String) {
    match answer {
        Answer::Throttled(until) => {
            let time = crate::time::clock(*until);
            (
                StatusCode::TOO_MANY_REQUESTS,
                ctx.i18n.t_with("login.throttled", &[("time", &time)]),
            )
        }
        Answer::Wrong(Verdict::Replayed) => {
            (StatusCode::UNAUTHORIZED, ctx.t("second_step.replayed"))
        }
        _ => (StatusCode::UNAUTHORIZED, ctx.t("second_step.wrong")),
    }
}

pub async fn answer_code(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some((pending, _)) = pending(&req, &state).await? else {
        return Ok(start_again());
    };
    if pending.step() == Step::Enrol {
        return Ok(see_other(ENROL_STEP));
    }
    let code = form.into_inner().code;
    let mut page = SecondStepPage {
        ctx,
        errors: FieldErrors::default(),
        problem: None,
    };
    if code.trim().is_empty() {
        page.errors.add("code", "second_step.code_required");
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let return_to = pending.return_to.clone();
    let answered = answer(&req, &state, pending, move |conn, user_id| {
        let verdict = second_factor::verify(conn, user_id, &code)?;
        Ok(if verdict.accepted() {
            Ok(user_id)
        } else {
            Err(verdict)
        })
    })
    .await?;
    match answered {
        Answer::Passed(user_id) => {
            tracing::info!(user_id, "logged in with a second factor");
            let token = open_session(&state, &req, user_id, true).await?;
            with_session(see_other(&return_to), &state, token)
        }
        Answer::Gone => Ok(start_again()),
        refused => {
            let (status, problem) = refusal(&page.ctx, &refused);
            page.problem = Some(problem);
            html(status, page)
        }
    }
}

pub async fn show_enrol(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some((pending, user)) = pending(&req, &state).await? else {
        return Ok(start_again());
    };
    if pending.step() == Step::Code {
        return Ok(see_other(SECOND_STEP));
    }
    let factor = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok(second_factor::pending_or_begin(conn, pending.user_id)?)
            })
        })
        .await?;
    html(
        StatusCode::OK,
        EnrolPage::new(ctx, ENROL_STEP, &factor, &user.email),
    )
}

pub async fn confirm_enrol(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some((pending, user)) = pending(&req, &state).await? else {
        return Ok(start_again());
    };
    if pending.step() == Step::Code {
        return Ok(see_other(SECOND_STEP));
    }
    let code = form.into_inner().code;
    let return_to = pending.return_to.clone();
    let (user_id, email) = (user.id, user.email.clone());
    let answered = if code.trim().is_empty() {
        None
    } else {
        let checked = answer(&req, &state, pending, move |conn, user_id| {
            let by = record::who(conn, user_id)?;
            Ok(record::enrol_second_factor(conn, &by, &code)?.ok_or(Verdict::Wrong))
        })
        .await?;
        Some(checked)
    };
    if let Some(Answer::Passed(codes)) = answered {
        tracing::info!(user_id, "second factor set up at login");
        let token = open_session(&state, &req, user_id, true).await?;
        let page = RecoveryCodesPage {
            ctx,
            codes,
            next: return_to,
        };
        return with_session(html(StatusCode::OK, page)?, &state, token);
    }
    if matches!(answered, Some(Answer::Gone)) {
        return Ok(start_again());
    }
    let factor = state
        .db(move |conn| Ok(second_factor::pending(conn, user_id)?))
        .await?;
    let Some(factor) = factor else {
        return Ok(see_other(ENROL_STEP));
    };
    let mut page = EnrolPage::new(ctx, ENROL_STEP, &factor, &email);
    let status = match answered {
        None => {
            page.errors.add("code", "second_step.code_required");
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Some(refused) => {
            let (status, problem) = refusal(&page.ctx, &refused);
            page.problem = Some(problem);
            status
        }
    };
    html(status, page)
}
