//! What pages show of phased work on safety, shared by the handlers of the family page, an agenda
//! item, the phase and the plans, and the PDF: the family's safety at a glance, the chart of the
//! scale, which plan a URL names, the transitions a family can make, and a plan in plain language.

use std::borrow::Borrow;
use std::collections::HashMap;

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::family::{self, Person};
use crate::domain::plan::LifeDomain;
use crate::domain::safety::{
    self, Criterion, FieldType, InterventionStatus, Phase, PhaseChange, PhasePlan, PlanKind,
    PlanRef, Score, Step,
};
use crate::time::{parse_date, today};
use crate::web::chart::{ChartPoint, ChartText, scale_chart};
use crate::web::{AppError, PageCtx};

/// Longest free text of phased work: a text of a plan, the rationale of a transition.
pub const TEXT_LIMIT: usize = 10_000;
/// More rows than this in one form is not a plan but an attack.
pub const MAX_ROWS: usize = 200;

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
pub fn plan_ref(family_id: i64, slug: &str) -> Result<PlanRef, AppError> {
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
pub fn plan_person(conn: &mut DbConn, plan: PlanRef) -> Result<Option<Person>, AppError> {
    match plan.person_id {
        Some(p) => Ok(Some(
            family::find_person(conn, plan.family_id, p)?.ok_or(AppError::NotFound)?,
        )),
        None => Ok(None),
    }
}

// ---------------------------------------------------------------------------------------------------
// Transitions

/// A possible transition as a form: where to, what kind of step, the checklist.
#[derive(Clone, Debug)]
pub struct PhaseChoice {
    pub to: Phase,
    pub step: Step,
    pub criteria: Vec<String>,
}

/// The transitions a family in `from` can make, with the checklists of `kind` (None: the defaults).
pub fn phase_choices(
    from: Option<Phase>,
    kind: Option<&crate::domain::table::TableKind>,
) -> Vec<PhaseChoice> {
    safety::targets(from)
        .into_iter()
        .filter_map(|to| {
            let step = safety::step(from, to)?;
            Some(PhaseChoice {
                to,
                step,
                criteria: safety::criteria(kind, step, to),
            })
        })
        .collect()
}

/// The checklist of `choice` as ticked in a form: criterion i is ticked when `{prefix}{i}` is sent.
pub fn ticked(
    choice: &PhaseChoice,
    fields: &HashMap<String, String>,
    prefix: &str,
) -> Vec<Criterion> {
    choice
        .criteria
        .iter()
        .enumerate()
        .map(|(i, text)| Criterion {
            text: text.clone(),
            ticked: fields.contains_key(&format!("{prefix}{i}")),
        })
        .collect()
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

/// A field of a plan row in words: a date as 23-11-2026, a life domain or a status by its name.
pub fn cell_text(i18n: &crate::i18n::I18n, field: &safety::RowField, value: &str) -> String {
    match field.ty {
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
    }
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
                        let shown = cell_text(i18n, f, value);
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
