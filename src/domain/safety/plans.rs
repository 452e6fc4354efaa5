//! The plan of each phase (veiligheidsplan, hulpverleningsplan, herstelplan per member): what each
//! holds, its versions, and what changed between two versions.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::DbConn;
use crate::domain::coded_enum;
use crate::domain::versioned::{self, Part, Saved};
use crate::schema::{phase_plans, users};

coded_enum!(
    /// Veiligheidsplan (phase 1), hulpverleningsplan voor risicogestuurde zorg (phase 2), herstelplan
    /// per member (phase 3).
    PlanKind, "phase_plan", [Safety => "safety", Care => "care", Recovery => "recovery"]
);

coded_enum!(
    /// Where an intervention of the care plan stands.
    InterventionStatus, "intervention_status", [
        Planned => "planned",
        Running => "running",
        Done => "done",
        Stopped => "stopped",
    ]
);

/// What a field of a plan row holds, for checking and for the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Date,
    LifeDomain,
    Status,
}

#[derive(Clone, Copy, Debug)]
pub struct RowField {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
}

/// The parts of a plan: free texts, and a list of rows (agreements, interventions).
#[derive(Debug)]
pub struct Schema {
    pub texts: &'static [&'static str],
    pub rows: &'static [RowField],
}

const fn field(name: &'static str, ty: FieldType, required: bool) -> RowField {
    RowField { name, ty, required }
}

static SAFETY: Schema = Schema {
    texts: &["danger", "goals", "signals", "contingency", "network"],
    rows: &[
        field("who", FieldType::Text, true),
        field("what", FieldType::Text, true),
        field("when", FieldType::Text, false),
        field("check", FieldType::Text, false),
        field("review_on", FieldType::Date, false),
    ],
};
static CARE: Schema = Schema {
    texts: &["risk_factors", "protective_factors"],
    rows: &[
        field("domain", FieldType::LifeDomain, true),
        field("what", FieldType::Text, true),
        field("organisation", FieldType::Text, true),
        field("start_on", FieldType::Date, false),
        field("status", FieldType::Status, true),
    ],
};
static RECOVERY: Schema = Schema {
    texts: &["goals", "interventions", "trauma_informed", "supporters"],
    rows: &[],
};

impl PlanKind {
    pub fn schema(self) -> &'static Schema {
        match self {
            PlanKind::Safety => &SAFETY,
            PlanKind::Care => &CARE,
            PlanKind::Recovery => &RECOVERY,
        }
    }
}

/// A plan's content: texts by name and rows of named fields (dates as 2026-11-23).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    pub texts: BTreeMap<String, String>,
    pub rows: Vec<BTreeMap<String, String>>,
}

impl PlanContent {
    pub fn text(&self, name: &str) -> &str {
        self.texts.get(name).map_or("", String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty() && self.texts.values().all(|t| t.trim().is_empty())
    }
}

/// The value of `name` in a row ("" when absent).
pub fn cell<'a>(row: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    row.get(name).map_or("", String::as_str)
}

/// A row's review date, if it has a valid one.
pub fn row_review_on(row: &BTreeMap<String, String>) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(cell(row, "review_on"), "%Y-%m-%d").ok()
}

/// Whether a row's own review date has passed on `today`.
pub fn row_overdue(
    row: &BTreeMap<String, String>,
    today: impl std::borrow::Borrow<NaiveDate>,
) -> bool {
    row_review_on(row).is_some_and(|d| d < *today.borrow())
}

/// One version of one plan.
#[derive(Clone, Debug)]
pub struct PhasePlan {
    pub kind: PlanKind,
    pub person_id: Option<i64>,
    pub version: i32,
    pub author_name: String,
    pub created_at: NaiveDateTime,
    pub review_on: Option<NaiveDate>,
    pub content: PlanContent,
}

impl PhasePlan {
    /// Rows whose own review date has passed on `today` (their index and the row).
    pub fn overdue_rows(&self, today: NaiveDate) -> Vec<(usize, &BTreeMap<String, String>)> {
        self.content
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| row_overdue(r, today))
            .collect()
    }

    pub fn review_overdue(&self, today: impl std::borrow::Borrow<NaiveDate>) -> bool {
        self.review_on.is_some_and(|d| d < *today.borrow())
    }
}

type PlanRow = (
    String,
    Option<i64>,
    i32,
    String,
    NaiveDateTime,
    Option<NaiveDate>,
    String,
);

fn plan_from_row(row: PlanRow) -> PhasePlan {
    let (kind, person_id, version, author_name, created_at, review_on, content) = row;
    PhasePlan {
        kind: PlanKind::from_code(&kind).unwrap_or(PlanKind::Safety),
        person_id,
        version,
        author_name,
        created_at,
        review_on,
        content: serde_json::from_str(&content).unwrap_or_default(),
    }
}

macro_rules! plan_columns {
    () => {
        (
            phase_plans::kind,
            phase_plans::person_id,
            phase_plans::version,
            users::name,
            phase_plans::created_at,
            phase_plans::review_on,
            phase_plans::content,
        )
    };
}

/// Which plan: its kind, and the member for a recovery plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanRef {
    pub family_id: i64,
    pub kind: PlanKind,
    pub person_id: Option<i64>,
}

/// A version of a plan; `None` for the number means the current one.
pub fn plan_version(
    conn: &mut DbConn,
    plan: PlanRef,
    number: Option<i32>,
) -> QueryResult<Option<PhasePlan>> {
    let mut query = phase_plans::table
        .inner_join(users::table.on(users::id.eq(phase_plans::author_user_id)))
        .filter(phase_plans::family_id.eq(plan.family_id))
        .filter(phase_plans::kind.eq(plan.kind.code()))
        .into_boxed();
    query = match plan.person_id {
        Some(p) => query.filter(phase_plans::person_id.eq(p)),
        None => query.filter(phase_plans::person_id.is_null()),
    };
    if let Some(n) = number {
        query = query.filter(phase_plans::version.eq(n));
    }
    let row: Option<PlanRow> = query
        .order(phase_plans::version.desc())
        .select(plan_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(plan_from_row))
}

/// Every version of a plan, newest first: (version, author, when).
pub fn plan_versions(
    conn: &mut DbConn,
    plan: PlanRef,
) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    let mut query = phase_plans::table
        .inner_join(users::table.on(users::id.eq(phase_plans::author_user_id)))
        .filter(phase_plans::family_id.eq(plan.family_id))
        .filter(phase_plans::kind.eq(plan.kind.code()))
        .into_boxed();
    query = match plan.person_id {
        Some(p) => query.filter(phase_plans::person_id.eq(p)),
        None => query.filter(phase_plans::person_id.is_null()),
    };
    query
        .order(phase_plans::version.desc())
        .select((phase_plans::version, users::name, phase_plans::created_at))
        .load(conn)
}

/// The current version of every plan of the family: the safety plan, the care plan and each member's
/// recovery plan (those that exist).
pub fn current_plans(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<PhasePlan>> {
    Ok(current_plans_of(conn, &[family_id])?
        .remove(&family_id)
        .unwrap_or_default())
}

/// [`current_plans`] of several families in one statement, by family (a family without plans is
/// left out): the start page lists those of every family its user directs.
pub fn current_plans_of(
    conn: &mut DbConn,
    family_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<PhasePlan>>> {
    let rows: Vec<(i64, PlanRow)> = phase_plans::table
        .inner_join(users::table.on(users::id.eq(phase_plans::author_user_id)))
        .filter(phase_plans::family_id.eq_any(family_ids))
        .order(phase_plans::version.desc())
        .select((phase_plans::family_id, plan_columns!()))
        .load(conn)?;
    let mut plans: HashMap<i64, Vec<PhasePlan>> = HashMap::new();
    for (family_id, row) in rows {
        let plan = plan_from_row(row);
        let of_family = plans.entry(family_id).or_default();
        // The newest version of each plan comes first.
        if !of_family
            .iter()
            .any(|p| (p.kind, p.person_id) == (plan.kind, plan.person_id))
        {
            of_family.push(plan);
        }
    }
    Ok(plans)
}

impl versioned::Store for PlanRef {
    type Version = PhasePlan;
    fn current_number(&self, conn: &mut DbConn) -> QueryResult<i32> {
        Ok(plan_version(conn, *self, None)?.map_or(0, |p| p.version))
    }
    fn version(&self, conn: &mut DbConn, number: Option<i32>) -> QueryResult<Option<PhasePlan>> {
        plan_version(conn, *self, number)
    }
}

/// Saves a new version on top of `base_version`; a save based on an older version is a conflict and
/// writes nothing (see `versioned::save`).
pub fn save_plan(
    conn: &mut DbConn,
    plan: PlanRef,
    base_version: i32,
    author_user_id: i64,
    review_on: Option<NaiveDate>,
    content: &PlanContent,
) -> QueryResult<Saved> {
    versioned::save(conn, &plan, base_version, |conn, number| {
        diesel::insert_into(phase_plans::table)
            .values((
                phase_plans::family_id.eq(plan.family_id),
                phase_plans::kind.eq(plan.kind.code()),
                phase_plans::person_id.eq(plan.person_id),
                phase_plans::version.eq(number),
                phase_plans::author_user_id.eq(author_user_id),
                phase_plans::created_at.eq(crate::domain::now()),
                phase_plans::review_on.eq(review_on),
                phase_plans::content.eq(serde_json::to_string(content).unwrap_or_default()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A row as one line, for comparing versions: the filled fields joined by " · ".
pub fn row_line(row: &BTreeMap<String, String>, schema: &Schema) -> String {
    schema
        .rows
        .iter()
        .map(|f| cell(row, f.name).trim())
        .filter(|v| !v.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

impl versioned::Version for PhasePlan {
    fn head(&self) -> versioned::Head<'_> {
        versioned::Head::new(self.version, &self.author_name, self.created_at)
    }
    /// The free texts, the rows (one line each) and the review date.
    fn parts(&self) -> Vec<Part> {
        let schema = self.kind.schema();
        let code = self.kind.code();
        let mut parts: Vec<Part> = schema
            .texts
            .iter()
            .map(|name| Part {
                labels: vec![format!("phase_plan.{code}.{name}")],
                text: self.content.text(name).to_string(),
            })
            .collect();
        parts.push(Part {
            labels: vec![format!("phase_plan.{code}.rows")],
            text: self
                .content
                .rows
                .iter()
                .map(|r| row_line(r, schema))
                .collect::<Vec<_>>()
                .join("\n"),
        });
        parts.push(Part {
            labels: vec!["phase_plan.review_on".into()],
            text: self
                .review_on
                .map(|d| d.format("%d-%m-%Y").to_string())
                .unwrap_or_default(),
        });
        parts
    }
}
