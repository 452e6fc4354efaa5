//! Complaints and objections: filed (with the automatic acknowledgement), forwarded, answered, and the
//! partnership's term. The events name no family: a complaint is for its handlers only, so it reaches
//! neither the family's timeline nor the partner organisations' feed; its subject is the complaint.

use chrono::Duration;
use diesel::prelude::*;
use serde_json::json;

use super::{Who, event_of_no_family};
use crate::db::DbConn;
use crate::domain::complaint::{self, Complaint, ComplaintKind, NewComplaint};
use crate::domain::partnership::Partnership;
use crate::domain::portal::Access;
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;
use crate::schema::families;

/// A member files a complaint (no decision) or an objection to one decision of their family. It is
/// routed to the decision's table (or the table that last discussed the family) and the partnership's
/// coordinators, and acknowledged at once with the deadline of the partnership's term.
pub fn file_complaint(
    conn: &mut DbConn,
    by: &Who,
    access: &Access,
    decision_id: Option<i64>,
    body: &str,
) -> DomainResult<Complaint> {
    let partnership_id: i64 = families::table
        .find(access.family_id)
        .select(families::partnership_id)
        .first(conn)?;
    let (kind, table_id) = match decision_id {
        Some(d) => (
            ComplaintKind::Objection,
            Some(
                complaint::table_of_decision(conn, access.family_id, d)?
                    .ok_or(DomainError::Missing("decision"))?,
            ),
        ),
        None => (
            ComplaintKind::Complaint,
            complaint::last_table(conn, access.family_id)?,
        ),
    };
    let weeks = complaint::weeks(conn, partnership_id)?;
    let due_on = crate::time::today() + Duration::weeks(i64::from(weeks));
    let filed = complaint::insert(
        conn,
        &NewComplaint {
            family_id: access.family_id,
            person_id: access.person_id,
            user_id: access.user_id,
            partnership_id,
            kind,
            decision_id,
            table_id,
            body,
            due_on,
        },
    )?;
    let subject = ("complaint", filed.id);
    event_of_no_family(
        conn,
        by,
        EventKind::ComplaintFiled,
        subject,
        json!({"kind": kind.code(), "decision": decision_id, "table": table_id,
               "partnership": partnership_id}),
    )?;
    event_of_no_family(
        conn,
        by,
        EventKind::ComplaintAcknowledged,
        subject,
        json!({"due_on": due_on.to_string(), "weeks": weeks}),
    )?;
    Ok(filed)
}

/// The chair or a coordinator answers; false when it was answered already.
pub fn answer_complaint(conn: &mut DbConn, by: &Who, id: i64, answer: &str) -> DomainResult<bool> {
    let done = complaint::answer(conn, id, answer, by.user_id)? > 0;
    if done {
        event_of_no_family(
            conn,
            by,
            EventKind::ComplaintAnswered,
            ("complaint", id),
            json!({}),
        )?;
    }
    Ok(done)
}

/// Sends an open complaint on to the chair of another table of its partnership; false when it was
/// answered already (then it stays where it is).
pub fn forward_complaint(
    conn: &mut DbConn,
    by: &Who,
    of: &Complaint,
    to_table: i64,
) -> DomainResult<bool> {
    let done = complaint::forward(conn, of.id, to_table)? > 0;
    if done {
        event_of_no_family(
            conn,
            by,
            EventKind::ComplaintForwarded,
            ("complaint", of.id),
            json!({"from": of.table_id, "to": to_table}),
        )?;
    }
    Ok(done)
}

/// A coordinator sets the partnership's term for answering; nothing is written when it stays the same.
pub fn set_complaint_term(
    conn: &mut DbConn,
    by: &Who,
    of: &Partnership,
    weeks: i32,
) -> DomainResult<()> {
    if complaint::set_weeks(conn, of.id, weeks)? {
        event_of_no_family(
            conn,
            by,
            EventKind::ComplaintTermChanged,
            ("partnership", of.id),
            json!({"partnership": of.name, "weeks": weeks}),
        )?;
    }
    Ok(())
}
