//! The three plans of the safety phases: show, edit (a versioned document: conflicts refused with the
//! typed text kept), versions with what changed. What the family page and an item show of phased work
//! is in views/safety.rs; the phase page and the safety scale are in phase.rs.
//!
//! Like the family plan: everyone who may see the family reads, only the director and co-worker
//! change; everyone else gets 404. Every page writes the access log, every change an event.

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};

use super::access::{authorize, read_family, who};
use super::html;
use super::views::safety::{MAX_ROWS, TEXT_LIMIT, plan_person, plan_ref, plan_slug};
use super::views::versioned::{Outcome, base_after, outcome, respond};
use super::{AppError, AppState, CurrentUser, PageCtx};
use crate::db;
use crate::domain::family::{Family, Person};
use crate::domain::plan::LifeDomain;
use crate::domain::safety::{
    self, FieldType, InterventionStatus, PhasePlan, PlanContent, PlanKind, PlanRef,
};
use crate::domain::versioned::{self, Change, Conflict};
use crate::policy::FamilyAction;
use crate::record;
use crate::time::parse_date;

const CELL_LIMIT: usize = 1_000;
/// The edit form shows the plan's rows and this many empty ones.
const EMPTY_ROWS: usize = 3;

// ---------------------------------------------------------------------------------------------------
// A plan: show, versions, edit

/// The parts of a plan page shared by show, version and edit.
struct PlanHead {
    family: Family,
    plan: PlanRef,
    person: Option<Person>,
}

impl PlanHead {
    fn title(&self, ctx: &PageCtx) -> String {
        let kind = ctx.t(&self.plan.kind.label_key());
        match &self.person {
            Some(p) => ctx
                .i18n
                .t_with("phase_plan.recovery_of", &[("name", p.name.as_str())]),
            None => kind,
        }
    }
    fn base(&self) -> String {
        format!(
            "/gezinnen/{}/plannen/{}",
            self.family.id,
            plan_slug(self.plan.kind, self.plan.person_id)
        )
    }
    fn texts(&self) -> &'static [&'static str] {
        self.plan.kind.schema().texts
    }
    fn row_fields(&self) -> &'static [safety::RowField] {
        self.plan.kind.schema().rows
    }
    fn text_key(&self, name: &str) -> String {
        format!("phase_plan.{}.{name}", self.plan.kind.code())
    }
    fn hint_key(&self, name: &str) -> String {
        format!("phase_plan.{}.{name}.hint", self.plan.kind.code())
    }
    fn cell_text(&self, ctx: &PageCtx, field: &safety::RowField, value: &str) -> String {
        super::views::safety::cell_text(&ctx.i18n, field, value)
    }
}

#[derive(Template)]
#[template(path = "safety/plan.html")]
struct PlanPage {
    ctx: PageCtx,
    head: PlanHead,
    current: Option<PhasePlan>,
    versions: Vec<(i32, String, NaiveDateTime)>,
    may_edit: bool,
}

pub async fn show_plan(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, slug)) = (user.0, path.into_inner());
    let plan = plan_ref(family_id, &slug)?;
    let actor = super::access::actor(&user);
    let (family, relation, (person, current, versions)) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.phase_plan",
        move |conn| {
            Ok((
                plan_person(conn, plan)?,
                safety::plan_version(conn, plan, None)?,
                safety::plan_versions(conn, plan)?,
            ))
        },
    )
    .await?;
    html(
        StatusCode::OK,
        PlanPage {
            ctx,
            head: PlanHead {
                family,
                plan,
                person,
            },
            current,
            versions,
            may_edit: crate::policy::allows_family(actor, relation, FamilyAction::EditPlan),
        },
    )
}

#[derive(Template)]
#[template(path = "safety/version.html")]
struct PlanVersionPage {
    ctx: PageCtx,
    head: PlanHead,
    shown: PhasePlan,
    changes: Vec<Change>,
    latest: i32,
}

pub async fn show_plan_version(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String, i32)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, slug, number)) = (user.0, path.into_inner());
    let plan = plan_ref(family_id, &slug)?;
    let (family, _, (person, shown, changes, latest)) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.phase_plan_version",
        move |conn| {
            let person = plan_person(conn, plan)?;
            let (shown, changes, latest) =
                versioned::with_changes(conn, &plan, number)?.ok_or(AppError::NotFound)?;
            Ok((person, shown, changes, latest))
        },
    )
    .await?;
    html(
        StatusCode::OK,
        PlanVersionPage {
            ctx,
            head: PlanHead {
                family,
                plan,
                person,
            },
            shown,
            changes,
            latest,
        },
    )
}

/// A plan as typed in the form: texts, rows (every field as typed) and the review date.
#[derive(Clone, Debug, Default)]
struct TypedPlan {
    base_version: i32,
    review_on: String,
    texts: BTreeMap<String, String>,
    rows: Vec<BTreeMap<String, String>>,
}

#[derive(Template)]
#[template(path = "safety/edit.html")]
struct PlanEditPage {
    ctx: PageCtx,
    head: PlanHead,
    typed: TypedPlan,
    /// Field name ("danger", "row2_who", "review_on") → message key.
    errors: BTreeMap<String, String>,
    /// Set when someone else saved in the meantime: their version and what they changed.
    conflict: Option<Conflict>,
}

impl PlanEditPage {
    fn text(&self, name: &str) -> &str {
        self.typed.texts.get(name).map_or("", String::as_str)
    }
    /// The rows to show: those typed, then empty ones to add more.
    fn rows(&self) -> Vec<(usize, BTreeMap<String, String>)> {
        let mut rows = self.typed.rows.clone();
        rows.extend(std::iter::repeat_n(BTreeMap::new(), EMPTY_ROWS));
        rows.into_iter().enumerate().collect()
    }
    fn error(&self, name: &str) -> Option<String> {
        self.errors.get(name).map(|k| self.ctx.t(k))
    }
    fn row_id(&self, i: &usize, name: &str) -> String {
        format!("row{i}_{name}")
    }
    fn cell<'a>(&self, row: &'a BTreeMap<String, String>, name: &str) -> &'a str {
        safety::cell(row, name)
    }
    fn domains(&self) -> &'static [LifeDomain] {
        LifeDomain::ALL
    }
    fn statuses(&self) -> &'static [InterventionStatus] {
        InterventionStatus::ALL
    }
    /// The error summary: (field id, message).
    fn summary(&self) -> Vec<(String, String)> {
        self.errors
            .iter()
            .map(|(f, k)| (f.clone(), self.ctx.t(k)))
            .collect()
    }
}

fn typed_from(plan: Option<&PhasePlan>) -> TypedPlan {
    match plan {
        None => TypedPlan::default(),
        Some(p) => TypedPlan {
            base_version: p.version,
            review_on: p.review_on.map(|d| d.to_string()).unwrap_or_default(),
            texts: p.content.texts.clone(),
            rows: p.content.rows.clone(),
        },
    }
}

pub async fn show_edit_plan(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, slug)) = (user.0, path.into_inner());
    let plan = plan_ref(family_id, &slug)?;
    let (family, _, (person, current)) = read_family(
        &state,
        user,
        family_id,
        FamilyAction::EditPlan,
        "access.what.phase_plan",
        move |conn| {
            Ok((
                plan_person(conn, plan)?,
                safety::plan_version(conn, plan, None)?,
            ))
        },
    )
    .await?;
    html(
        StatusCode::OK,
        PlanEditPage {
            ctx,
            head: PlanHead {
                family,
                plan,
                person,
            },
            typed: typed_from(current.as_ref()),
            errors: BTreeMap::new(),
            conflict: None,
        },
    )
}

/// Reads and checks the plan form. Returns what was typed (always) and the content to save (when valid).
fn read_plan_form(
    kind: PlanKind,
    fields: &HashMap<String, String>,
    errors: &mut BTreeMap<String, String>,
) -> Result<(TypedPlan, Option<NaiveDate>, PlanContent), AppError> {
    let base_version = fields
        .get("base_version")
        .and_then(|v| v.trim().parse::<i32>().ok())
        .filter(|v| *v >= 0)
        .ok_or_else(|| AppError::Unprocessable("phase plan form without base_version".into()))?;
    let mut typed = TypedPlan {
        base_version,
        review_on: clean_field(fields.get("review_on")),
        ..TypedPlan::default()
    };
    let review_on = if typed.review_on.trim().is_empty() {
        None
    } else {
        let d = parse_date(&typed.review_on);
        if d.is_none() {
            errors.insert("review_on".into(), "form.date_invalid".into());
        }
        d
    };
    let mut content = PlanContent::default();
    read_plan_texts(kind, fields, errors, &mut typed, &mut content);
    read_plan_rows(kind, fields, errors, &mut typed, &mut content);
    Ok((typed, review_on, content))
}

/// A form field as typed: line ends as in a textarea's value, no trailing white space.
fn clean_field(value: Option<&String>) -> String {
    value
        .map(|v| v.replace("\r\n", "\n").trim_end().to_string())
        .unwrap_or_default()
}

/// The plan's free texts; an empty one is not saved.
fn read_plan_texts(
    kind: PlanKind,
    fields: &HashMap<String, String>,
    errors: &mut BTreeMap<String, String>,
    typed: &mut TypedPlan,
    content: &mut PlanContent,
) {
    for name in kind.schema().texts {
        let value = clean_field(fields.get(*name));
        if value.chars().count() > TEXT_LIMIT {
            errors.insert((*name).into(), "form.too_long".into());
        }
        typed.texts.insert((*name).into(), value.clone());
        if !value.trim().is_empty() {
            content.texts.insert((*name).into(), value);
        }
    }
}

/// The plan's rows (agreements, interventions): the filled-in ones, numbered again from 0.
fn read_plan_rows(
    kind: PlanKind,
    fields: &HashMap<String, String>,
    errors: &mut BTreeMap<String, String>,
    typed: &mut TypedPlan,
    content: &mut PlanContent,
) {
    let schema = kind.schema();
    // Rows beyond the last one read would be lost without a word: refuse them instead.
    let beyond = fields.keys().any(|k| {
        k.strip_prefix("row")
            .and_then(|r| r.split('_').next())
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|n| n >= MAX_ROWS)
    });
    if beyond {
        errors.insert("rows".into(), "phase_plan.too_many_rows".into());
    }
    if schema.rows.is_empty() {
        return;
    }
    for i in 0..MAX_ROWS {
        let typed_row: BTreeMap<String, String> = schema
            .rows
            .iter()
            .map(|f| {
                (
                    f.name.to_string(),
                    clean_field(fields.get(&format!("row{i}_{}", f.name)))
                        .trim()
                        .to_string(),
                )
            })
            .collect();
        // A row counts when something other than a chosen default (status, domain) is filled in.
        let filled = schema.rows.iter().any(|f| {
            matches!(f.ty, FieldType::Text | FieldType::Date) && !typed_row[f.name].is_empty()
        });
        if !filled {
            continue;
        }
        let row = check_plan_row(kind, typed.rows.len(), &typed_row, errors);
        typed.rows.push(typed_row);
        content.rows.push(row);
    }
}

/// Checks one filled-in row, number `n` on the form as it comes back, and returns what to store.
fn check_plan_row(
    kind: PlanKind,
    n: usize,
    typed_row: &BTreeMap<String, String>,
    errors: &mut BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut row = BTreeMap::new();
    for f in kind.schema().rows {
        let value = &typed_row[f.name];
        let id = format!("row{n}_{}", f.name);
        let stored = match f.ty {
            FieldType::Text => {
                if value.chars().count() > CELL_LIMIT {
                    errors.insert(id.clone(), "form.too_long".into());
                }
                Some(value.clone()).filter(|v| !v.is_empty())
            }
            FieldType::Date if value.is_empty() => None,
            FieldType::Date => match parse_date(value) {
                Some(d) => Some(d.to_string()),
                None => {
                    errors.insert(id.clone(), "form.date_invalid".into());
                    None
                }
            },
            FieldType::LifeDomain => LifeDomain::from_code(value).map(|d| d.code().to_string()),
            FieldType::Status => InterventionStatus::from_code(value).map(|s| s.code().to_string()),
        };
        match stored {
            Some(v) => {
                row.insert(f.name.to_string(), v);
            }
            None if f.required => {
                errors.entry(id).or_insert_with(|| {
                    format!("phase_plan.{}.row_{}_required", kind.code(), f.name)
                });
            }
            None => {}
        }
    }
    row
}

pub async fn save_plan(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, slug)) = (user.0, path.into_inner());
    let plan = plan_ref(family_id, &slug)?;
    super::access::require(&state, &user, family_id, FamilyAction::EditPlan).await?;
    let mut errors = BTreeMap::new();
    let (typed, review_on, content) = read_plan_form(plan.kind, &form.into_inner(), &mut errors)?;
    let valid = errors.is_empty();
    let base_version = typed.base_version;
    let (family, person, outcome) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditPlan)?;
                let person = plan_person(conn, plan)?;
                if !valid {
                    return Ok::<_, AppError>((family, person, Outcome::Invalid));
                }
                let saved = record::save_phase_plan(
                    conn,
                    &who(&user),
                    plan,
                    base_version,
                    review_on,
                    &content,
                )?;
                let outcome = outcome(conn, &plan, base_version, saved)?;
                Ok((family, person, outcome))
            })
        })
        .await?;
    let head = PlanHead {
        family,
        plan,
        person,
    };
    respond(outcome, &head.base(), |status, conflict| {
        let base_version = base_after(conflict.as_ref(), base_version);
        html(
            status,
            PlanEditPage {
                ctx,
                head,
                typed: TypedPlan {
                    base_version,
                    ..typed
                },
                errors,
                conflict,
            },
        )
    })
}
