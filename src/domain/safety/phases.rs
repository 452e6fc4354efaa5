//! The phase of a family and its transitions: which steps are open, the checklist of each step (the
//! table kind's own, or the defaults), and the history of phase changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::PlanKind;
use crate::db::DbConn;
use crate::domain::table::{TableKind, lines};
use crate::schema::{consultation_tables, meetings, organisations, safety_phases, users};

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
            safety_phases::started_at.eq(crate::domain::now()),
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
}
