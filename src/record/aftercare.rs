//! Aftercare: started by a decision whose outcome the table counts as aftercare, the check-in moved, and
//! the evaluation that closes the record or sends the family back to a table.

use chrono::NaiveDate;
use serde_json::json;

use super::{DomainError, DomainResult, Who, event, who};
use crate::db::DbConn;
use crate::domain::aftercare::{self, Aftercare, Evaluation, NextStep};
use crate::domain::family::{self, FamilyStatus};
use crate::domain::referral::ReferralDetails;
use crate::domain::table::Table;
use crate::events::EventKind;

/// Puts the family in aftercare after `decision_id`: its director checks in after eight weeks (the
/// director can move both). A family already in aftercare keeps its period; None then.
pub fn start_aftercare(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    decision_id: Option<i64>,
) -> DomainResult<Option<Aftercare>> {
    let found = family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
    if found.status() != FamilyStatus::Open || aftercare::open_for(conn, family_id)?.is_some() {
        return Ok(None);
    }
    let checker_id =
        crate::domain::directorship::current_director(conn, family_id)?.unwrap_or(by.user_id);
    let checker = who(conn, checker_id)?;
    let checkin_on = crate::time::today() + chrono::Duration::weeks(aftercare::DEFAULT_WEEKS);
    let started = aftercare::start(
        conn,
        family_id,
        decision_id,
        (checkin_on, checker_id),
        by.user_id,
    )?;
    family::set_status(conn, family_id, FamilyStatus::Aftercare, None)?;
    event(
        conn,
        by,
        family_id,
        EventKind::AftercareStarted,
        ("aftercare", started.id),
        json!({"checkin_on": checkin_on.format("%d-%m-%Y").to_string(), "checker": checker.name}),
    )?;
    Ok(Some(started))
}

/// Moves the open check-in to `checkin_on`, done by `checker` (someone involved in the family).
pub fn move_checkin(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    checkin_on: NaiveDate,
    checker: &Who,
) -> DomainResult<()> {
    let open = aftercare::open_for(conn, family_id)?.ok_or(DomainError::Missing("aftercare"))?;
    if !crate::domain::involvement::is_active(conn, family_id, checker.user_id)? {
        return Err(DomainError::Rule(
            "the one who checks in is involved in the family",
        ));
    }
    aftercare::set_checkin(conn, open.id, checkin_on, checker.user_id)?;
    event(
        conn,
        by,
        family_id,
        EventKind::AftercareCheckinMoved,
        ("aftercare", open.id),
        json!({"checkin_on": checkin_on.format("%d-%m-%Y").to_string(), "checker": checker.name}),
    )
}

/// Where the family goes after the evaluation.
pub enum AfterEvaluation<'a> {
    /// The record closes, with this reason.
    Close { reason: &'a str },
    /// Back to a table: a referral, with the evaluation as its reason.
    BackToTable { table: &'a Table },
}

/// Ends the open aftercare with its evaluation, then closes the record or refers the family back.
pub fn evaluate_aftercare(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    found: &Evaluation,
    next: AfterEvaluation<'_>,
) -> DomainResult<()> {
    let open = aftercare::open_for(conn, family_id)?.ok_or(DomainError::Missing("aftercare"))?;
    let step = match next {
        AfterEvaluation::Close { .. } => NextStep::Close,
        AfterEvaluation::BackToTable { .. } => NextStep::BackToTable,
    };
    if !aftercare::end(conn, open.id, Some(found), step, by.user_id)? {
        return Err(DomainError::Rule("the aftercare was evaluated already"));
    }
    event(
        conn,
        by,
        family_id,
        EventKind::AftercareEvaluated,
        ("aftercare", open.id),
        json!({
            "still_safe": found.still_safe,
            "next": step.code(),
            "family_view": found.family_view,
            "evaluation": found.evaluation,
        }),
    )?;
    match next {
        AfterEvaluation::Close { reason } => super::close(conn, by, family_id, reason),
        AfterEvaluation::BackToTable { table } => {
            let fam = family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
            family::set_status(conn, family_id, FamilyStatus::Open, None)?;
            let details = ReferralDetails {
                reason: found.evaluation.clone(),
                tried: String::new(),
                question: found.family_view.clone(),
                urgency: fam.urgency(),
                family_informed: fam.family_informed,
                not_informed_reason: fam.not_informed_reason.clone(),
                outside_reason: None,
            };
            super::refer(conn, by, family_id, table, &details).map(|_| ())
        }
    }
}

/// Ends an open aftercare because the record closes without an evaluation (the director closed it).
pub(super) fn end_by_closing(conn: &mut DbConn, by: &Who, family_id: i64) -> DomainResult<()> {
    if let Some(open) = aftercare::open_for(conn, family_id)? {
        aftercare::end(conn, open.id, None, NextStep::Close, by.user_id)?;
    }
    Ok(())
}
