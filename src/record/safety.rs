//! Phased work on safety: the phase, the phase plans and the safety scale.

use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::family::{self};
use crate::domain::meeting::Meeting;
use crate::domain::safety::{
    self, Criterion, NewPhase, NewScore, Phase, PlanContent, PlanKind, PlanRef,
};
use crate::domain::table::Table;
use crate::domain::versioned::Saved;
use crate::events::EventKind;
use chrono::NaiveDate;
use serde_json::json;

use super::{Who, event};

/// The event of a phase plan saved.
fn phase_plan_event(kind: PlanKind) -> EventKind {
    match kind {
        PlanKind::Safety => EventKind::SafetyPlanSaved,
        PlanKind::Care => EventKind::CarePlanSaved,
        PlanKind::Recovery => EventKind::RecoveryPlanSaved,
    }
}

/// Moves the family to phase `to`, with the checklist as ticked and the rationale. `decided_at` names
/// the meeting and decision when a table decided it; otherwise the director did.
pub fn change_phase(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    to: Phase,
    checklist: &[Criterion],
    rationale: &str,
    decided_at: Option<(&Meeting, &Table, i64)>,
) -> DomainResult<()> {
    let from = safety::current(conn, family_id)?.map(|c| c.phase);
    let id = safety::insert_phase(
        conn,
        &NewPhase {
            family_id,
            phase: to,
            previous: from,
            decided_by_user_id: by.user_id,
            decided_by_organisation_id: by.organisation_id,
            decision_id: decided_at.map(|(_, _, d)| d),
            meeting_id: decided_at.map(|(m, _, _)| m.id),
            rationale,
            criteria: checklist,
        },
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::PhaseChanged,
        ("safety_phase", id),
        json!({
            "from": from.map(|p| p.number().to_string()).unwrap_or_default(),
            "to": to.number().to_string(),
            "table": decided_at.map(|(_, t, _)| t.name.clone()).unwrap_or_default(),
        }),
    )
}

/// Saves a new version of a phase plan on top of `base_version` (a conflict saves nothing).
pub fn save_phase_plan(
    conn: &mut DbConn,
    by: &Who,
    plan: PlanRef,
    base_version: i32,
    review_on: Option<NaiveDate>,
    content: &PlanContent,
) -> DomainResult<Saved> {
    let saved = safety::save_plan(conn, plan, base_version, by.user_id, review_on, content)?;
    if let Saved::Version(v) = saved {
        let person = match plan.person_id {
            Some(p) => family::find_person(conn, plan.family_id, p)?
                .map(|p| p.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        event(
            conn,
            by,
            plan.family_id,
            phase_plan_event(plan.kind),
            ("phase_plan", plan.family_id),
            json!({"version": v.to_string(), "person": person}),
        )?;
    }
    Ok(saved)
}

/// Records a score on the safety scale, given by a professional or by the family.
pub fn record_score(conn: &mut DbConn, by: &Who, score: &NewScore<'_>) -> DomainResult<()> {
    let id = safety::add_score(conn, score)?;
    event(
        conn,
        by,
        score.family_id,
        EventKind::SafetyScoreRecorded,
        ("safety_score", id),
        json!({
            "score": score.score.to_string(),
            "given_by": score.given_by,
        }),
    )
}
