//! Phased work on safety ("Gefaseerd werken aan veiligheid"): the phase of a family and its
//! transitions with their checklists, the plan of each phase (veiligheidsplan, hulpverleningsplan,
//! herstelplan per member; each versioned), the safety scale, and the reviews that are overdue.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::coded_enum;
use super::plan::Saved;
use super::table::{TableKind, lines};
use crate::db::DbConn;
use crate::schema::{
    consultation_tables, directorships, families, meetings, organisations, persons, phase_plans,
    review_digests, safety_phases, safety_scores, users,
};

// ---------------------------------------------------------------------------------------------------
// Phases and transitions

/// The three phases. Stored as their number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    DirectSafety = 1,
    StableSafety = 2,
    Recovery = 3,
}

impl Phase {
    pub const ALL: [Phase; 3] = [Phase::DirectSafety, Phase::StableSafety, Phase::Recovery];

    pub fn number(self) -> i32 {
        self as i32
    }

    pub fn from_number(n: i32) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.number() == n)
    }

    /// "phase.1": "Fase 1: directe veiligheid".
    pub fn label_key(self) -> String {
        format!("phase.{}", self.number())
    }

    /// One sentence on what this phase is about.
    pub fn explain_key(self) -> String {
        format!("phase.{}.explain", self.number())
    }

    /// The plan that belongs to this phase.
    pub fn plan_kind(self) -> PlanKind {
        match self {
            Phase::DirectSafety => PlanKind::Safety,
            Phase::StableSafety => PlanKind::Care,
            Phase::Recovery => PlanKind::Recovery,
        }
    }
}

/// What kind of step a transition is; each has its own checklist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// The first phase a family gets: no checklist.
    Start,
    /// One phase forward: every criterion must be ticked.
    Forward,
    /// Back to an earlier phase when safety breaks down: at least one reason must be ticked.
    Back,
}

/// The step from `from` to `to`, if it is one that can be taken: forward one phase at a time, back to
/// any earlier phase, or any phase as the first.
pub fn step(from: Option<Phase>, to: Phase) -> Option<Step> {
    match from {
        None => Some(Step::Start),
        Some(f) if to.number() == f.number() + 1 => Some(Step::Forward),
        Some(f) if to < f => Some(Step::Back),
        Some(_) => None,
    }
}

/// The phases a family in `from` can go to next, in order.
pub fn targets(from: Option<Phase>) -> Vec<Phase> {
    Phase::ALL
        .into_iter()
        .filter(|to| step(from, *to).is_some())
        .collect()
}

/// Used when a table kind has no checklist of its own for a step, and for the director's decisions.
pub const DEFAULT_TO_STABLE: &str = "\
Het geweld is gestopt: er zijn geen nieuwe incidenten gemeld.
De veiligheidsafspraken zijn de afgesproken periode nagekomen.
Het netwerk let op en weet wat het moet doen bij signalen.
Professionals en gezin geven de veiligheid een voldoende op de veiligheidsschaal.";
pub const DEFAULT_TO_RECOVERY: &str = "\
De stabiele veiligheid houdt al langere tijd stand.
De risicofactoren zijn aangepakt of worden goed beheerst.
Het gezin bewaakt de veiligheid zelf, met hulp van het netwerk.";
pub const DEFAULT_BACK: &str = "\
Er is opnieuw geweld of een ernstig incident geweest.
Veiligheidsafspraken zijn niet nagekomen.
Er zijn nieuwe zorgen van het netwerk, het gezin of een professional.";

/// The checklist for going to `to` by `step`: the table kind's own list, or the defaults.
pub fn criteria(kind: Option<&TableKind>, step: Step, to: Phase) -> Vec<String> {
    let (own, default) = match (step, to) {
        (Step::Start, _) => return Vec::new(),
        (Step::Back, _) => (kind.map(|k| k.phase_criteria_back.as_str()), DEFAULT_BACK),
        (Step::Forward, Phase::Recovery) => (
            kind.map(|k| k.phase_criteria_up_3.as_str()),
            DEFAULT_TO_RECOVERY,
        ),
        (Step::Forward, _) => (
            kind.map(|k| k.phase_criteria_up_2.as_str()),
            DEFAULT_TO_STABLE,
        ),
    };
    let own = lines(own.unwrap_or_default());
    if own.is_empty() { lines(default) } else { own }
}

/// One line of a checklist as the decider saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub text: String,
    pub ticked: bool,
}

/// Why a transition cannot be recorded (a text key), if it cannot.
pub fn check_transition(
    step: Step,
    checklist: &[Criterion],
    rationale: &str,
) -> Option<&'static str> {
    if rationale.trim().is_empty() {
        return Some("phase.rationale_required");
    }
    match step {
        Step::Start => None,
        Step::Forward if checklist.iter().any(|c| !c.ticked) => Some("phase.criteria_required"),
        Step::Back if !checklist.is_empty() && checklist.iter().all(|c| !c.ticked) => {
            Some("phase.reason_required")
        }
        _ => None,
    }
}

/// A phase as it was entered.
#[derive(Clone, Debug)]
pub struct PhaseChange {
    pub id: i64,
    pub phase: Phase,
    pub previous: Option<Phase>,
    pub started_at: NaiveDateTime,
    pub decided_by: String,
    pub organisation: Option<String>,
    /// The table whose meeting decided it; None when the director decided.
    pub table_name: Option<String>,
    pub meeting_id: Option<i64>,
    pub decision_id: Option<i64>,
    pub rationale: String,
    pub criteria: Vec<Criterion>,
}

type PhaseRow = (
    i64,
    i32,
    Option<i32>,
    NaiveDateTime,
    String,
    Option<String>,
    Option<i64>,
    Option<i64>,
    String,
    String,
);

fn load_phases(conn: &mut DbConn, family_id: i64, limit: i64) -> QueryResult<Vec<PhaseChange>> {
    let rows: Vec<PhaseRow> = safety_phases::table
        .inner_join(users::table.on(users::id.eq(safety_phases::decided_by_user_id)))
        .left_join(
            organisations::table.on(organisations::id
                .nullable()
                .eq(safety_phases::decided_by_organisation_id)),
        )
        .filter(safety_phases::family_id.eq(family_id))
        .order(safety_phases::id.desc())
        .limit(limit)
        .select((
            safety_phases::id,
            safety_phases::phase,
            safety_phases::previous_phase,
            safety_phases::started_at,
            users::name,
            organisations::name.nullable(),
            safety_phases::meeting_id,
            safety_phases::decision_id,
            safety_phases::rationale,
            safety_phases::criteria,
        ))
        .load(conn)?;
    let mut changes = Vec::with_capacity(rows.len());
    for (
        id,
        phase,
        previous,
        started_at,
        decided_by,
        organisation,
        meeting_id,
        decision_id,
        rationale,
        criteria,
    ) in rows
    {
        let table_name = match meeting_id {
            Some(m) => meetings::table
                .inner_join(
                    consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)),
                )
                .filter(meetings::id.eq(m))
                .select(consultation_tables::name)
                .first::<String>(conn)
                .optional()?,
            None => None,
        };
        changes.push(PhaseChange {
            id,
            phase: Phase::from_number(phase).unwrap_or(Phase::DirectSafety),
            previous: previous.and_then(Phase::from_number),
            started_at,
            decided_by,
            organisation,
            table_name,
            meeting_id,
            decision_id,
            rationale,
            criteria: serde_json::from_str(&criteria).unwrap_or_default(),
        });
    }
    Ok(changes)
}

/// Every transition of the family, newest first.
pub fn history(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<PhaseChange>> {
    load_phases(conn, family_id, i64::MAX)
}

/// The phase the family is in now, with when and how it began.
pub fn current(conn: &mut DbConn, family_id: i64) -> QueryResult<Option<PhaseChange>> {
    Ok(load_phases(conn, family_id, 1)?.into_iter().next())
}

/// A transition to record.
pub struct NewPhase<'a> {
    pub family_id: i64,
    pub phase: Phase,
    pub previous: Option<Phase>,
    pub decided_by_user_id: i64,
    pub decided_by_organisation_id: Option<i64>,
    pub decision_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub rationale: &'a str,
    pub criteria: &'a [Criterion],
}

pub fn insert_phase(conn: &mut DbConn, new: &NewPhase<'_>) -> QueryResult<i64> {
    diesel::insert_into(safety_phases::table)
        .values((
            safety_phases::family_id.eq(new.family_id),
            safety_phases::phase.eq(new.phase.number()),
            safety_phases::previous_phase.eq(new.previous.map(Phase::number)),
            safety_phases::started_at.eq(super::now()),
            safety_phases::decided_by_user_id.eq(new.decided_by_user_id),
            safety_phases::decided_by_organisation_id.eq(new.decided_by_organisation_id),
            safety_phases::decision_id.eq(new.decision_id),
            safety_phases::meeting_id.eq(new.meeting_id),
            safety_phases::rationale.eq(new.rationale),
            safety_phases::criteria.eq(serde_json::to_string(new.criteria).unwrap_or_default()),
        ))
        .returning(safety_phases::id)
        .get_result(conn)
}

// ---------------------------------------------------------------------------------------------------
// The plans of the phases

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
    let rows: Vec<PlanRow> = phase_plans::table
        .inner_join(users::table.on(users::id.eq(phase_plans::author_user_id)))
        .filter(phase_plans::family_id.eq(family_id))
        .order(phase_plans::version.desc())
        .select(plan_columns!())
        .load(conn)?;
    let mut seen = Vec::new();
    let mut plans = Vec::new();
    for plan in rows.into_iter().map(plan_from_row) {
        let key = (plan.kind, plan.person_id);
        if !seen.contains(&key) {
            seen.push(key);
            plans.push(plan);
        }
    }
    Ok(plans)
}

/// Saves a new version on top of `base_version`; a save based on an older version is a conflict.
pub fn save_plan(
    conn: &mut DbConn,
    plan: PlanRef,
    base_version: i32,
    author_user_id: i64,
    review_on: Option<NaiveDate>,
    content: &PlanContent,
) -> QueryResult<Saved> {
    let current = plan_version(conn, plan, None)?.map_or(0, |p| p.version);
    if current != base_version {
        return Ok(Saved::Conflict { current });
    }
    diesel::insert_into(phase_plans::table)
        .values((
            phase_plans::family_id.eq(plan.family_id),
            phase_plans::kind.eq(plan.kind.code()),
            phase_plans::person_id.eq(plan.person_id),
            phase_plans::version.eq(current + 1),
            phase_plans::author_user_id.eq(author_user_id),
            phase_plans::created_at.eq(super::now()),
            phase_plans::review_on.eq(review_on),
            phase_plans::content.eq(serde_json::to_string(content).unwrap_or_default()),
        ))
        .execute(conn)?;
    Ok(Saved::Version(current + 1))
}

/// One changed part between two versions: its text key and the lines ("removed", "added", "same").
#[derive(Clone, Debug)]
pub struct PlanChange {
    pub label_key: String,
    pub lines: Vec<(&'static str, String)>,
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

/// What changed from `before` to `after`, part by part.
pub fn diff(kind: PlanKind, before: Option<&PhasePlan>, after: &PhasePlan) -> Vec<PlanChange> {
    let schema = kind.schema();
    let empty = PlanContent::default();
    let old = before.map_or(&empty, |b| &b.content);
    let mut changes = Vec::new();
    for name in schema.texts {
        if let Some(lines) = line_diff(old.text(name), after.content.text(name)) {
            changes.push(PlanChange {
                label_key: format!("phase_plan.{}.{name}", kind.code()),
                lines,
            });
        }
    }
    let rows = |c: &PlanContent| {
        c.rows
            .iter()
            .map(|r| row_line(r, schema))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let Some(lines) = line_diff(&rows(old), &rows(&after.content)) {
        changes.push(PlanChange {
            label_key: format!("phase_plan.{}.rows", kind.code()),
            lines,
        });
    }
    let date = |d: Option<NaiveDate>| {
        d.map(|d| d.format("%d-%m-%Y").to_string())
            .unwrap_or_default()
    };
    if let Some(lines) = line_diff(
        &date(before.and_then(|b| b.review_on)),
        &date(after.review_on),
    ) {
        changes.push(PlanChange {
            label_key: "phase_plan.review_on".into(),
            lines,
        });
    }
    changes
}

fn line_diff(a: &str, b: &str) -> Option<Vec<(&'static str, String)>> {
    if a == b {
        return None;
    }
    let end = |t: &str| {
        if t.is_empty() || t.ends_with('\n') {
            t.to_string()
        } else {
            format!("{t}\n")
        }
    };
    let (a, b) = (end(a), end(b));
    Some(
        similar::TextDiff::from_lines(&a, &b)
            .iter_all_changes()
            .map(|c| {
                let kind = match c.tag() {
                    similar::ChangeTag::Delete => "removed",
                    similar::ChangeTag::Insert => "added",
                    similar::ChangeTag::Equal => "same",
                };
                (kind, c.value().trim_end_matches('\n').to_string())
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------------
// The safety scale

coded_enum!(
    /// Who gave a score: a professional, or the family.
    ScoreSource, "score_source", [Professional => "professional", Family => "family"]
);

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = safety_scores)]
pub struct Score {
    pub id: i64,
    pub family_id: i64,
    pub score: i32,
    pub scored_on: NaiveDate,
    pub source: String,
    pub given_by: String,
    pub explanation: String,
    pub recorded_by_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Score {
    pub fn source(&self) -> ScoreSource {
        ScoreSource::from_code(&self.source).unwrap_or(ScoreSource::Professional)
    }
}

/// Every score of the family, oldest first.
pub fn scores(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Score>> {
    safety_scores::table
        .filter(safety_scores::family_id.eq(family_id))
        .order((safety_scores::scored_on.asc(), safety_scores::id.asc()))
        .select(Score::as_select())
        .load(conn)
}

pub struct NewScore<'a> {
    pub family_id: i64,
    pub score: i32,
    pub scored_on: NaiveDate,
    pub source: ScoreSource,
    pub given_by: &'a str,
    pub explanation: &'a str,
    pub recorded_by_user_id: Option<i64>,
}

pub fn add_score(conn: &mut DbConn, new: &NewScore<'_>) -> QueryResult<i64> {
    diesel::insert_into(safety_scores::table)
        .values((
            safety_scores::family_id.eq(new.family_id),
            safety_scores::score.eq(new.score),
            safety_scores::scored_on.eq(new.scored_on),
            safety_scores::source.eq(new.source.code()),
            safety_scores::given_by.eq(new.given_by),
            safety_scores::explanation.eq(new.explanation),
            safety_scores::recorded_by_user_id.eq(new.recorded_by_user_id),
            safety_scores::created_at.eq(super::now()),
        ))
        .returning(safety_scores::id)
        .get_result(conn)
}

// ---------------------------------------------------------------------------------------------------
// Reviews that are overdue

/// Something in a plan whose review date has passed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Overdue {
    pub family_id: i64,
    pub case_number: String,
    pub pseudonym: String,
    pub kind: PlanKind,
    /// The member of a recovery plan.
    pub person_name: Option<String>,
    /// The agreement (1-based, with who) when it is one row of the plan; None for the whole plan.
    pub agreement: Option<(usize, String)>,
    pub due: NaiveDate,
}

/// What is overdue in `plans` on `today`: whole plans past their review date, and agreements past
/// theirs. `family` is (id, case number, pseudonym); `persons` names the members of recovery plans.
pub fn overdue_in(
    family: (i64, &str, &str),
    plans: &[PhasePlan],
    persons: &[(i64, String)],
    today: NaiveDate,
) -> Vec<Overdue> {
    let mut overdue = Vec::new();
    for plan in plans {
        let base = Overdue {
            family_id: family.0,
            case_number: family.1.to_string(),
            pseudonym: family.2.to_string(),
            kind: plan.kind,
            person_name: plan
                .person_id
                .and_then(|id| persons.iter().find(|(p, _)| *p == id))
                .map(|(_, name)| name.clone()),
            agreement: None,
            due: today,
        };
        if let Some(due) = plan.review_on.filter(|d| *d < today) {
            overdue.push(Overdue {
                due,
                ..base.clone()
            });
        }
        for (index, row) in plan.overdue_rows(today) {
            overdue.push(Overdue {
                agreement: Some((index + 1, cell(row, "who").to_string())),
                due: row_review_on(row).unwrap_or(today),
                ..base.clone()
            });
        }
    }
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then(a.case_number.cmp(&b.case_number)));
    overdue
}

/// The overdue reviews of the plans of the open families `user_id` directs, oldest date first.
pub fn overdue_for_director(
    conn: &mut DbConn,
    user_id: i64,
    today: NaiveDate,
) -> QueryResult<Vec<Overdue>> {
    let families: Vec<(i64, String, String)> = directorships::table
        .inner_join(families::table.on(families::id.eq(directorships::family_id)))
        .filter(directorships::director_user_id.eq(user_id))
        .filter(directorships::ended_at.is_null())
        .filter(families::status.ne("closed"))
        .order(families::case_number.asc())
        .select((families::id, families::case_number, families::display_name))
        .load(conn)?;
    let mut overdue = Vec::new();
    for (family_id, case_number, display_name) in families {
        let pseudonym = super::family::pseudonym_of(&display_name, &case_number);
        let plans = current_plans(conn, family_id)?;
        let persons: Vec<(i64, String)> = persons::table
            .filter(persons::family_id.eq(family_id))
            .select((persons::id, persons::name))
            .load(conn)?;
        overdue.extend(overdue_in(
            (family_id, &case_number, &pseudonym),
            &plans,
            &persons,
            today,
        ));
    }
    overdue.sort_by(|a, b| a.due.cmp(&b.due).then(a.case_number.cmp(&b.case_number)));
    Ok(overdue)
}

/// Everyone who directs an open family now.
pub fn directors(conn: &mut DbConn) -> QueryResult<Vec<i64>> {
    directorships::table
        .inner_join(families::table.on(families::id.eq(directorships::family_id)))
        .filter(directorships::ended_at.is_null())
        .filter(families::status.ne("closed"))
        .select(directorships::director_user_id)
        .distinct()
        .load(conn)
}

/// Claims the digest of `day` for `user_id`; false when it was already sent (by any instance).
pub fn claim_digest(conn: &mut DbConn, user_id: i64, day: NaiveDate) -> QueryResult<bool> {
    let already: i64 = review_digests::table
        .filter(review_digests::user_id.eq(user_id))
        .filter(review_digests::day.eq(day))
        .count()
        .get_result(conn)?;
    if already > 0 {
        return Ok(false);
    }
    // Another instance may claim it between the count and the insert: the primary key refuses the second,
    // in a savepoint, so the surrounding transaction goes on and this instance moves to the next person.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(review_digests::table)
            .values((
                review_digests::user_id.eq(user_id),
                review_digests::day.eq(day),
                review_digests::sent_at.eq(super::now()),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Gives a claim back when the mail could not be sent, so the next run tries again.
pub fn release_digest(conn: &mut DbConn, user_id: i64, day: NaiveDate) -> QueryResult<()> {
    diesel::delete(
        review_digests::table
            .filter(review_digests::user_id.eq(user_id))
            .filter(review_digests::day.eq(day)),
    )
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticked(texts: &[(&str, bool)]) -> Vec<Criterion> {
        texts
            .iter()
            .map(|(t, ticked)| Criterion {
                text: t.to_string(),
                ticked: *ticked,
            })
            .collect()
    }

    #[test]
    fn steps_go_forward_one_phase_or_back_any_number() {
        use Phase::*;
        assert_eq!(step(None, StableSafety), Some(Step::Start));
        assert_eq!(step(Some(DirectSafety), StableSafety), Some(Step::Forward));
        assert_eq!(step(Some(DirectSafety), Recovery), None);
        assert_eq!(step(Some(Recovery), DirectSafety), Some(Step::Back));
        assert_eq!(step(Some(StableSafety), StableSafety), None);
        assert_eq!(targets(Some(StableSafety)), vec![DirectSafety, Recovery]);
    }

    #[test]
    fn forward_needs_every_criterion_and_back_needs_a_reason() {
        let all = ticked(&[("a", true), ("b", true)]);
        let one = ticked(&[("a", true), ("b", false)]);
        let none = ticked(&[("a", false), ("b", false)]);
        assert_eq!(
            check_transition(Step::Forward, &all, "Het houdt stand."),
            None
        );
        assert_eq!(
            check_transition(Step::Forward, &one, "Het houdt stand."),
            Some("phase.criteria_required")
        );
        assert_eq!(check_transition(Step::Back, &one, "Nieuw incident."), None);
        assert_eq!(
            check_transition(Step::Back, &none, "Nieuw incident."),
            Some("phase.reason_required")
        );
        assert_eq!(
            check_transition(Step::Forward, &all, "  "),
            Some("phase.rationale_required")
        );
    }

    #[test]
    fn a_kind_without_its_own_checklist_uses_the_defaults() {
        let defaults = criteria(None, Step::Forward, Phase::StableSafety);
        assert_eq!(defaults.len(), 4);
        assert!(defaults[0].contains("geweld is gestopt"));
        assert!(criteria(None, Step::Start, Phase::DirectSafety).is_empty());
    }

    #[test]
    fn the_diff_shows_a_changed_agreement_as_one_line() {
        let mut row = BTreeMap::new();
        row.insert("who".to_string(), "Sandra".to_string());
        row.insert("what".to_string(), "belt 112".to_string());
        let plan = |rows: Vec<BTreeMap<String, String>>, v| PhasePlan {
            kind: PlanKind::Safety,
            person_id: None,
            version: v,
            author_name: "Ahmed".into(),
            created_at: NaiveDateTime::default(),
            review_on: None,
            content: PlanContent {
                texts: BTreeMap::new(),
                rows,
            },
        };
        let before = plan(vec![row.clone()], 1);
        let mut changed = row.clone();
        changed.insert("what".into(), "belt 112 en daarna Ahmed".into());
        let after = plan(vec![changed], 2);
        let changes = diff(PlanKind::Safety, Some(&before), &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].label_key, "phase_plan.safety.rows");
        assert!(
            changes[0]
                .lines
                .contains(&("removed", "Sandra · belt 112".into()))
        );
        assert!(
            changes[0]
                .lines
                .contains(&("added", "Sandra · belt 112 en daarna Ahmed".into()))
        );
    }
}
