//! The family plan: edit (a new version per save, conflicts refused with the typed text kept), the list
//! of versions, and one version with what changed since the one before.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::{authorize, read_family, who};
use super::html;
use super::views::versioned::{Outcome, base_after, outcome, respond};
use super::{AppError, AppState, CurrentUser, PageCtx};
use crate::db;
use crate::domain::family::Family;
use crate::domain::plan::{self, FamilyPlan, LifeDomain, PARTS, PlanVersion, Section};
use crate::domain::versioned::{self, Change, Conflict};
use crate::policy::FamilyAction;
use crate::record;

/// Longest text of one part of a life domain.
const PART_LIMIT: usize = 10_000;

#[derive(Template)]
#[template(path = "plan/edit.html")]
struct PlanEditPage {
    ctx: PageCtx,
    family: Family,
    base_version: i32,
    sections: Vec<(LifeDomain, Section)>,
    /// Set when someone else saved in the meantime: their version, and what they changed.
    conflict: Option<Conflict>,
    /// Parts that are too long: "domain__part".
    too_long: Vec<String>,
}

impl PlanEditPage {
    fn field_name(&self, domain: &LifeDomain, part: &str) -> String {
        format!("{}__{part}", domain.code())
    }
    fn is_too_long(&self, domain: &LifeDomain, part: &str) -> bool {
        self.too_long.contains(&self.field_name(domain, part))
    }
    fn parts(&self) -> [&'static str; 5] {
        PARTS
    }
}

pub async fn show_edit_plan(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (family, _, current) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::EditPlan,
        "access.what.plan",
        move |conn| Ok(plan::version(conn, family_id, None)?),
    )
    .await?;
    let base_version = current.as_ref().map_or(0, |p| p.version);
    let sections = LifeDomain::ALL
        .iter()
        .map(|d| {
            (
                *d,
                current.as_ref().map(|p| p.section(*d)).unwrap_or_default(),
            )
        })
        .collect();
    html(
        StatusCode::OK,
        PlanEditPage {
            ctx,
            family,
            base_version,
            sections,
            conflict: None,
            too_long: Vec::new(),
        },
    )
}

/// The plan as typed: one section per life domain.
type TypedPlan = Vec<(LifeDomain, Section)>;

/// Reads the plan form: "base_version" and one field per life domain and part ("safety__goals").
fn read_form(fields: &HashMap<String, String>) -> Result<(i32, TypedPlan, Vec<String>), AppError> {
    let base_version = fields
        .get("base_version")
        .and_then(|v| v.trim().parse::<i32>().ok())
        .filter(|v| *v >= 0)
        .ok_or_else(|| AppError::Unprocessable("plan form without base_version".into()))?;
    let mut too_long = Vec::new();
    let sections = LifeDomain::ALL
        .iter()
        .map(|domain| {
            let mut section = Section::default();
            for part in PARTS {
                let name = format!("{}__{part}", domain.code());
                // Line endings as typed in a browser (CRLF) are stored as LF, so versions compare cleanly.
                let value = fields
                    .get(&name)
                    .map(|v| v.replace("\r\n", "\n"))
                    .unwrap_or_default();
                if value.chars().count() > PART_LIMIT {
                    too_long.push(name);
                }
                section.set_part(part, value.trim_end().to_string());
            }
            (*domain, section)
        })
        .collect();
    Ok((base_version, sections, too_long))
}

pub async fn save_plan(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    super::access::require(&state, &user, family_id, FamilyAction::EditPlan).await?;
    let (base_version, sections, too_long) = read_form(&form.into_inner())?;
    let typed = sections.clone();
    let valid = too_long.is_empty();
    let (family, outcome) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditPlan)?;
                if !valid {
                    return Ok::<_, AppError>((family, Outcome::Invalid));
                }
                let saved = record::save_plan(conn, &who(&user), family_id, base_version, &typed)?;
                let store = FamilyPlan { family_id };
                Ok((family, outcome(conn, &store, base_version, saved)?))
            })
        })
        .await?;
    let done = format!("/gezinnen/{family_id}#plan");
    respond(outcome, &done, |status, conflict| {
        html(
            status,
            PlanEditPage {
                ctx,
                family,
                base_version: base_after(conflict.as_ref(), base_version),
                sections,
                conflict,
                too_long,
            },
        )
    })
}

#[derive(Template)]
#[template(path = "plan/versions.html")]
struct PlanVersionsPage {
    ctx: PageCtx,
    family: Family,
    versions: Vec<(i32, String, chrono::NaiveDateTime)>,
}

pub async fn list_plan_versions(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (family, _, versions) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.plan_versions",
        move |conn| Ok(plan::versions(conn, family_id)?),
    )
    .await?;
    html(
        StatusCode::OK,
        PlanVersionsPage {
            ctx,
            family,
            versions,
        },
    )
}

#[derive(Template)]
#[template(path = "plan/version.html")]
struct PlanVersionPage {
    ctx: PageCtx,
    family: Family,
    plan: PlanVersion,
    changes: Vec<Change>,
    latest: i32,
}

pub async fn show_plan_version(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i32)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, number)) = (user.0, path.into_inner());
    let (family, _, (plan, changes, latest)) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.plan_version",
        move |conn| {
            versioned::with_changes(conn, &FamilyPlan { family_id }, number)?
                .ok_or(AppError::NotFound)
        },
    )
    .await?;
    html(
        StatusCode::OK,
        PlanVersionPage {
            ctx,
            family,
            plan,
            changes,
            latest,
        },
    )
}
