//! Who must use a second factor: an organisation admin sets the rule for their organisation
//! (Beheer → Tweede factor), a partnership's coordinator for every organisation taking part
//! (`/beheer/samenwerkingsverbanden/{id}/tweede-factor`). A rule applies from the next login.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{actor, coordinated_partnership, who};
use super::forms::{FieldErrors, NoticeQuery};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, notice_key, see_other};
use crate::db::{self, DbConn};
use crate::domain::{organisation, partnership};
use crate::policy::{self, Action, GovernanceAction, Standing};
use crate::record;

#[derive(Template)]
#[template(path = "admin/second_factor_rule.html")]
struct RulePage {
    ctx: PageCtx,
    /// The organisation's or partnership's name.
    name: String,
    action: String,
    /// Whether the rule requires a second factor now.
    required: bool,
    /// For an organisation: it set no rule of its own, and follows the deployment's default.
    follows_default: bool,
    /// For an organisation: the partnerships that require it anyway.
    required_by: Vec<String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct RuleForm {
    verplicht: Option<String>,
}

impl RuleForm {
    /// "ja" or "nee"; None for anything else.
    fn required(&self) -> Option<bool> {
        match self.verplicht.as_deref() {
            Some("ja") => Some(true),
            Some("nee") => Some(false),
            _ => None,
        }
    }
}

/// The admin's own organisation, when they set its rule.
fn own_organisation(user: &SignedIn) -> Result<i64, AppError> {
    match user.organisation_id() {
        Some(organisation_id)
            if policy::allows(
                actor(user),
                Action::SetSecondFactorRuleOf { organisation_id },
            ) =>
        {
            Ok(organisation_id)
        }
        _ => Err(AppError::Forbidden),
    }
}

fn organisation_page(
    conn: &mut DbConn,
    ctx: PageCtx,
    organisation_id: i64,
    default: bool,
) -> Result<RulePage, AppError> {
    let found = organisation::find(conn, organisation_id)?.ok_or(AppError::NotFound)?;
    let required_by = partnership::of_organisation(conn, organisation_id)?
        .into_iter()
        .filter(|p| p.second_factor_required)
        .map(|p| p.name)
        .collect();
    Ok(RulePage {
        ctx,
        name: found.name,
        action: "/beheer/tweede-factor".into(),
        required: found.second_factor_required.unwrap_or(default),
        follows_default: found.second_factor_required.is_none(),
        required_by,
        errors: FieldErrors::default(),
        notice: None,
    })
}

pub async fn show_organisation_rule(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let organisation_id = own_organisation(&user.0)?;
    let default = state.config.second_factor_required;
    let mut page = state
        .db(move |conn| organisation_page(conn, ctx, organisation_id, default))
        .await?;
    page.notice = notice_key(query.melding.as_deref());
    html(StatusCode::OK, page)
}

pub async fn set_organisation_rule(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<RuleForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let organisation_id = own_organisation(&user)?;
    let default = state.config.second_factor_required;
    let Some(required) = form.required() else {
        let mut page = state
            .db(move |conn| organisation_page(conn, ctx, organisation_id, default))
            .await?;
        page.errors.add("verplicht-ja", "second_factor_rule.choose");
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let found = organisation::find(conn, organisation_id)?.ok_or(AppError::NotFound)?;
                let before = found.second_factor_required;
                Ok(record::set_organisation_second_factor_rule(
                    conn,
                    &by,
                    organisation_id,
                    before,
                    required,
                )?)
            })
        })
        .await?;
    Ok(see_other("/beheer/tweede-factor?melding=regel-opgeslagen"))
}

/// The partnership, when the user coordinates it and their role lets them set its rule.
fn ruled_partnership(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
) -> Result<partnership::Partnership, AppError> {
    let of = coordinated_partnership(conn, user, id)?;
    let standing = Standing { coordinator: true };
    if !policy::allows_governance(actor(user), standing, GovernanceAction::RequireSecondFactor) {
        return Err(AppError::Forbidden);
    }
    Ok(of)
}

fn partnership_page(ctx: PageCtx, of: partnership::Partnership) -> RulePage {
    RulePage {
        ctx,
        action: format!("/beheer/samenwerkingsverbanden/{}/tweede-factor", of.id),
        name: of.name,
        required: of.second_factor_required,
        follows_default: false,
        required_by: Vec::new(),
        errors: FieldErrors::default(),
        notice: None,
    }
}

pub async fn show_partnership_rule(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let of = state
        .db(move |conn| ruled_partnership(conn, &user, id))
        .await?;
    let mut page = partnership_page(ctx, of);
    page.notice = notice_key(query.melding.as_deref());
    html(StatusCode::OK, page)
}

pub async fn set_partnership_rule(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<RuleForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let required = form.required();
    let by = who(&user);
    let of = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let of = ruled_partnership(conn, &user, id)?;
                if let Some(required) = required {
                    record::set_partnership_second_factor_rule(conn, &by, &of, required)?;
                }
                Ok(of)
            })
        })
        .await?;
    if required.is_none() {
        let mut page = partnership_page(ctx, of);
        page.errors.add("verplicht-ja", "second_factor_rule.choose");
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    Ok(see_other(&format!(
        "/beheer/samenwerkingsverbanden/{id}/tweede-factor?melding=regel-opgeslagen"
    )))
}
