//! Phased work on safety: what the family page and an item show of it, and the three plans of the
//! phases (show, edit with conflicts refused, versions with what changed). The phase page and the
//! safety scale are in phase.rs.
//!
//! Like the family plan: everyone who may see the family reads, only the director and co-worker
//! change; everyone else gets 404. Every page writes the access log, every change an event.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};

use super::access::{authorize, read_family, who};
use super::chart::{ChartPoint, ChartText, scale_chart};
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, see_other};
use crate::db::{self, DbConn};
use crate::domain::family::{self, Family, Person};
use crate::domain::plan::{LifeDomain, Saved};
use crate::domain::safety::{
    self, FieldType, InterventionStatus, PhaseChange, PhasePlan, PlanChange, PlanContent, PlanKind,
    PlanRef, Score,
};
use crate::policy::FamilyAction;
use crate::record;

pub(super) const TEXT_LIMIT: usize = 10_000;
const CELL_LIMIT: usize = 1_000;
/// The edit form shows the plan's rows and this many empty ones.
const EMPTY_ROWS: usize = 3;
/// More rows than this in one form is not a plan but an attack.
pub const MAX_ROWS: usize = 200;

use crate::time::today;

use crate::time::parse_date;

// ---------------------------------------------------------------------------------------------------
// What the family page and an agenda item show

/// The safety of a family at a glance: phase, the plan of that phase, what is overdue, the scores.
pub struct SafetyView {
    pub phase: Option<PhaseChange>,
    pub history: Vec<PhaseChange>,
    pub plans: Vec<PhasePlan>,
    pub persons: Vec<Person>,
    pub scores: Vec<Score>,
    pub today: NaiveDate,
}

impl SafetyView {
    pub fn load(conn: &mut DbConn, family_id: i64) -> Result<SafetyView, AppError> {
        let history = safety::history(conn, family_id)?;
        Ok(SafetyView {
            phase: history.first().cloned(),
            history,
            plans: safety::current_plans(conn, family_id)?,
            persons: family::persons(conn, family_id)?,
            scores: safety::scores(conn, family_id)?,
            today: today(),
        })
    }

    /// The current recovery plan of a member, if there is one.
    pub fn recovery_plan(&self, person_id: impl Borrow<i64>) -> Option<&PhasePlan> {
        self.plan(PlanKind::Recovery, Some(*person_id.borrow()))
    }

    pub fn plan(&self, kind: PlanKind, person_id: Option<i64>) -> Option<&PhasePlan> {
        self.plans
            .iter()
            .find(|p| p.kind == kind && p.person_id == person_id)
    }

    /// The plans of the current phase: the safety plan, the care plan, or the recovery plans.
    pub fn phase_plans(&self) -> Vec<&PhasePlan> {
        let kind = self
            .phase
            .as_ref()
            .map_or(PlanKind::Safety, |p| p.phase.plan_kind());
        self.plans.iter().filter(|p| p.kind == kind).collect()
    }

    /// Agreements and plans whose review date has passed, in words, with the date they were due.
    pub fn overdue(&self, ctx: &PageCtx) -> Vec<(String, NaiveDate)> {
        let persons: Vec<(i64, String)> = self
            .persons
            .iter()
            .map(|p| (p.id, p.name.clone()))
            .collect();
        safety::overdue_in((0, "", ""), &self.plans, &persons, self.today)
            .iter()
            .map(|o| {
                (
                    crate::digest::describe_what(&ctx.i18n, o, crate::digest::Names::Shown),
                    o.due,
                )
            })
            .collect()
    }

    pub fn person_name(&self, id: impl Borrow<Option<i64>>) -> String {
        let id = *id.borrow();
        self.persons
            .iter()
            .find(|p| Some(p.id) == id)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    /// The most recent scores, newest first.
    pub fn latest_scores(&self, n: usize) -> Vec<&Score> {
        self.scores.iter().rev().take(n).collect()
    }
}

/// The chart of the family's scores, in the reader's language (empty without scores).
pub fn chart_html(ctx: &PageCtx, scores: &[Score], id: &str) -> String {
    let points: Vec<ChartPoint> = scores
        .iter()
        .map(|s| ChartPoint {
            date: s.scored_on,
            score: s.score,
            source: s.source(),
            given_by: s.given_by.clone(),
        })
        .collect();
    let description = match (scores.first(), scores.last()) {
        (Some(first), Some(last)) => ctx.i18n.t_with(
            "scale.chart_desc",
            &[
                ("count", scores.len().to_string().as_str()),
                ("from", ctx.date(first.scored_on).as_str()),
                ("to", ctx.date(last.scored_on).as_str()),
                ("last", last.score.to_string().as_str()),
            ],
        ),
        _ => String::new(),
    };
    scale_chart(
        &points,
        &ChartText {
            title: ctx.t("scale.title"),
            description,
            professionals: ctx.t("score_source.professional"),
            family: ctx.t("score_source.family"),
        },
        id,
    )
}

/// Which plan a URL segment names: "veiligheidsplan", "hulpverleningsplan" or "herstelplan-<member>".
fn plan_ref(family_id: i64, slug: &str) -> Result<PlanRef, AppError> {
    let (kind, person_id) = match slug {
        "veiligheidsplan" => (PlanKind::Safety, None),
        "hulpverleningsplan" => (PlanKind::Care, None),
        other => {
            let person = other
                .strip_prefix("herstelplan-")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or(AppError::NotFound)?;
            (PlanKind::Recovery, Some(person))
        }
    };
    Ok(PlanRef {
        family_id,
        kind,
        person_id,
    })
}

pub fn plan_slug(kind: impl Borrow<PlanKind>, person_id: impl Borrow<Option<i64>>) -> String {
    match (*kind.borrow(), *person_id.borrow()) {
        (PlanKind::Safety, _) => "veiligheidsplan".into(),
        (PlanKind::Care, _) => "hulpverleningsplan".into(),
        (PlanKind::Recovery, p) => format!("herstelplan-{}", p.unwrap_or_default()),
    }
}

/// The member a recovery plan belongs to; 404 for a member of another family.
fn plan_person(conn: &mut DbConn, plan: PlanRef) -> Result<Option<Person>, AppError> {
    match plan.person_id {
        Some(p) => Ok(Some(
            family::find_person(conn, plan.family_id, p)?.ok_or(AppError::NotFound)?,
        )),
        None => Ok(None),
    }
}

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
        match field.ty {
            FieldType::Date => parse_date(value).map(|d| ctx.date(d)).unwrap_or_default(),
            FieldType::LifeDomain => LifeDomain::from_code(value)
                .map(|d| ctx.t(&d.label_key()))
                .unwrap_or_default(),
            FieldType::Status => InterventionStatus::from_code(value)
                .map(|s| ctx.t(&s.label_key()))
                .unwrap_or_default(),
            FieldType::Text => value.to_string(),
        }
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
    changes: Vec<PlanChange>,
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
            let shown =
                safety::plan_version(conn, plan, Some(number))?.ok_or(AppError::NotFound)?;
            let before = safety::plan_version(conn, plan, Some(number - 1))?;
            let changes = safety::diff(plan.kind, before.as_ref(), &shown);
            let latest = safety::plan_version(conn, plan, None)?.map_or(0, |p| p.version);
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
    conflict: Option<(PhasePlan, Vec<PlanChange>)>,
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
                    return Ok::<_, AppError>((family, person, None));
                }
                let saved = record::save_phase_plan(
                    conn,
                    &who(&user),
                    plan,
                    base_version,
                    review_on,
                    &content,
                )?;
                let conflict = match saved {
                    Saved::Conflict { current } => {
                        let theirs = safety::plan_version(conn, plan, Some(current))?
                            .ok_or(AppError::NotFound)?;
                        let base = safety::plan_version(conn, plan, Some(base_version))?;
                        let changes = safety::diff(plan.kind, base.as_ref(), &theirs);
                        Some((theirs, changes))
                    }
                    Saved::Version(_) => None,
                };
                Ok((family, person, Some(conflict)))
            })
        })
        .await?;
    let head = PlanHead {
        family,
        plan,
        person,
    };
    match outcome {
        Some(None) => Ok(see_other(&head.base())),
        Some(Some(conflict)) => html(
            StatusCode::CONFLICT,
            PlanEditPage {
                ctx,
                head,
                // Saving again is a deliberate choice to put this text over theirs.
                typed: TypedPlan {
                    base_version: conflict.0.version,
                    ..typed
                },
                errors,
                conflict: Some(conflict),
            },
        ),
        None => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            PlanEditPage {
                ctx,
                head,
                typed,
                errors,
                conflict: None,
            },
        ),
    }
}

// ---------------------------------------------------------------------------------------------------
// For the PDF of a plan

/// The plan a URL segment names, checked against the family, with its member for a recovery plan.
pub fn plan_and_person(
    conn: &mut DbConn,
    family_id: i64,
    slug: &str,
) -> Result<(PlanRef, Option<Person>), AppError> {
    let plan = plan_ref(family_id, slug)?;
    let person = plan_person(conn, plan)?;
    Ok((plan, person))
}

/// A plan as headed parts in plain language, for the PDF: every text, the rows one per paragraph, and
/// the review date.
pub fn plain_parts(
    i18n: &crate::i18n::I18n,
    kind: PlanKind,
    plan: Option<&PhasePlan>,
) -> Vec<(String, String)> {
    let Some(plan) = plan else {
        return Vec::new();
    };
    let schema = kind.schema();
    let label = |name: &str| i18n.t(&format!("phase_plan.{}.{name}", kind.code()));
    let mut parts: Vec<(String, String)> = schema
        .texts
        .iter()
        .map(|name| (label(name), plan.content.text(name).to_string()))
        .collect();
    if !schema.rows.is_empty() {
        let rows = plan
            .content
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let fields = schema
                    .rows
                    .iter()
                    .filter(|f| !safety::cell(row, f.name).is_empty())
                    .map(|f| {
                        let value = safety::cell(row, f.name);
                        let shown = match f.ty {
                            FieldType::Date => parse_date(value)
                                .map(|d| d.format("%d-%m-%Y").to_string())
                                .unwrap_or_default(),
                            FieldType::LifeDomain => LifeDomain::from_code(value)
                                .map(|d| i18n.t(&d.label_key()))
                                .unwrap_or_default(),
                            FieldType::Status => InterventionStatus::from_code(value)
                                .map(|s| i18n.t(&s.label_key()))
                                .unwrap_or_default(),
                            FieldType::Text => value.to_string(),
                        };
                        format!("{}: {shown}", label(f.name))
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                format!("{}. {fields}", i + 1)
            })
            .collect::<Vec<_>>()
            .join("\n\n");
        parts.push((
            i18n.t(&format!("phase_plan.{}.rows.title", kind.code())),
            rows,
        ));
    }
    if let Some(d) = plan.review_on {
        parts.push((
            i18n.t("phase_plan.review_on"),
            d.format("%d-%m-%Y").to_string(),
        ));
    }
    parts
}
