//! Account → Tweede factor: set one up, replace it, make new recovery codes or remove it (where no rule
//! requires one). Each of these asks for a recent confirmation of password and code first
//! (`signin::confirm_first`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::who;
use super::forms::NoticeQuery;
use super::signin::{EnrolPage, RecoveryCodesPage, confirm_first};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, notice_key, see_other};
use crate::auth::second_factor;
use crate::db;
use crate::record;

const PAGE: &str = "/account/tweede-factor";

#[derive(Template)]
#[template(path = "account/second_factor.html")]
struct FactorPage {
    ctx: PageCtx,
    /// Since when the second factor is in use, if it is.
    since: Option<chrono::NaiveDateTime>,
    recovery_left: i64,
    /// An organisation or partnership rule requires one: it can be replaced, not removed.
    required: bool,
    notice: Option<&'static str>,
    /// Why a removal was refused, as a text key.
    problem: Option<&'static str>,
}

async fn factor_page(
    state: &AppState,
    ctx: PageCtx,
    user: &SignedIn,
) -> Result<FactorPage, AppError> {
    let account = user.account.user.clone();
    let default = state.config.second_factor_required;
    let (since, recovery_left, required) = state
        .db(move |conn| {
            let active = second_factor::active(conn, account.id)?;
            Ok((
                active.and_then(|f| f.confirmed_at),
                second_factor::recovery_codes_left(conn, account.id)?,
                second_factor::required_for(conn, &account, default)?,
            ))
        })
        .await?;
    Ok(FactorPage {
        ctx,
        since,
        recovery_left,
        required,
        notice: None,
        problem: None,
    })
}

pub async fn show_factor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let mut page = factor_page(&state, ctx, &user.0).await?;
    page.notice = notice_key(query.melding.as_deref());
    html(StatusCode::OK, page)
}

/// Starts setting up a (new) second factor and shows its QR code; the one in use stays until the new
/// one is confirmed.
pub async fn begin_factor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let here = "/account/tweede-factor/instellen";
    if let Some(first) = confirm_first(&state, &ctx, &user, here, Some(Vec::new())).await? {
        return Ok(first);
    }
    let user_id = user.id();
    let factor = state
        .db(move |conn| db::write(conn, |conn| Ok(second_factor::begin(conn, user_id)?)))
        .await?;
    let page = EnrolPage::new(
        ctx,
        "/account/tweede-factor/bevestigen",
        &factor,
        &user.account.user.email,
    );
    html(StatusCode::OK, page)
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// Confirms the new second factor with its first code and shows the new recovery codes once.
pub async fn confirm_factor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let code = form.into_inner().code;
    let here = "/account/tweede-factor/bevestigen";
    let carried = vec![("code".to_string(), code.clone())];
    if let Some(first) = confirm_first(&state, &ctx, &user, here, Some(carried)).await? {
        return Ok(first);
    }
    let (by, user_id) = (who(&user), user.id());
    let typed = code.trim().to_string();
    let (pending, codes) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let codes = match typed.is_empty() {
                    true => None,
                    false => record::enrol_second_factor(conn, &by, &typed)?,
                };
                Ok((second_factor::pending(conn, user_id)?, codes))
            })
        })
        .await?;
    if let Some(codes) = codes {
        tracing::info!(user_id, "second factor set up");
        let page = RecoveryCodesPage {
            ctx,
            codes,
            next: PAGE.into(),
        };
        return html(StatusCode::OK, page);
    }
    let Some(pending) = pending else {
        return Ok(see_other(PAGE));
    };
    let mut page = EnrolPage::new(ctx, here, &pending, &user.account.user.email);
    let key = match code.trim().is_empty() {
        true => "second_step.code_required",
        false => "second_step.wrong",
    };
    page.errors.add("code", key);
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// Ten new recovery codes, shown once; the earlier ones stop working.
pub async fn renew_codes(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let here = "/account/tweede-factor/herstelcodes";
    if let Some(first) = confirm_first(&state, &ctx, &user, here, Some(Vec::new())).await? {
        return Ok(first);
    }
    let (by, user_id) = (who(&user), user.id());
    let codes = state
        .db(move |conn| {
            db::write(conn, |conn| {
                if second_factor::active(conn, user_id)?.is_none() {
                    return Ok(None);
                }
                Ok(Some(record::renew_recovery_codes(conn, &by)?))
            })
        })
        .await?;
    let Some(codes) = codes else {
        return Ok(see_other(PAGE));
    };
    let page = RecoveryCodesPage {
        ctx,
        codes,
        next: PAGE.into(),
    };
    html(StatusCode::OK, page)
}

/// Removes the second factor, unless a rule requires one (then 422 with the reason).
pub async fn remove_factor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let here = "/account/tweede-factor/verwijderen";
    if let Some(first) = confirm_first(&state, &ctx, &user, here, Some(Vec::new())).await? {
        return Ok(first);
    }
    let mut page = factor_page(&state, ctx, &user).await?;
    if page.required {
        page.problem = Some("second_factor.required_no_removal");
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let by = who(&user);
    state
        .db(move |conn| db::write(conn, |conn| Ok(record::remove_second_factor(conn, &by)?)))
        .await?;
    Ok(see_other(
        "/account/tweede-factor?melding=tweede-factor-verwijderd",
    ))
}
