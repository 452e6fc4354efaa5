//! Documents brought to a family's record, and measures per child.

use chrono::NaiveDate;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::document::{self, NewDocument};
use crate::domain::family;
use crate::domain::measure::{self, NewMeasure};
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;

use super::{Who, event};

/// Attaches a document (checked: its type recognised from the content) to the family, or to one of its
/// agenda items. The event names the file, not its content. Returns the document's id.
pub fn attach_document(conn: &mut DbConn, by: &Who, new: &NewDocument<'_>) -> DomainResult<i64> {
    if document::recognise(new.content).map(|t| t.0) != Some(new.content_type) {
        return Err(DomainError::Rule(
            "a document's type is read from its content",
        ));
    }
    if let Some(item) = new.agenda_item_id
        && document::family_of_item(conn, item)? != Some(new.family_id)
    {
        return Err(DomainError::Missing("agenda item"));
    }
    let id = document::insert(conn, new)?;
    event(
        conn,
        by,
        new.family_id,
        EventKind::DocumentAdded,
        ("document", id),
        json!({
            "name": new.name,
            "agenda_item_id": new.agenda_item_id.map(|i| i.to_string()),
            "withheld": new.withheld_reason.is_some(),
        }),
    )?;
    Ok(id)
}

/// Records a measure for a member of the family.
pub fn record_measure(conn: &mut DbConn, by: &Who, new: &NewMeasure) -> DomainResult<i64> {
    let person = family::find_person(conn, new.family_id, new.person_id)?
        .ok_or(DomainError::Missing("person"))?;
    if new.planned_end_on.is_some_and(|end| end < new.starts_on) {
        return Err(DomainError::Rule("a measure ends after it starts"));
    }
    let id = measure::insert(conn, new)?;
    event(
        conn,
        by,
        new.family_id,
        EventKind::MeasureRecorded,
        ("measure", id),
        json!({
            "kind": new.kind.code(),
            "person": person.name,
            "decided_by": new.decided_by.code(),
            "starts_on": new.starts_on.to_string(),
        }),
    )?;
    Ok(id)
}

/// Ends a running measure on `on`, with the reason; the measure stays in the history.
pub fn end_measure(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    measure_id: i64,
    on: NaiveDate,
    reason: &str,
) -> DomainResult<()> {
    let found =
        measure::find(conn, family_id, measure_id)?.ok_or(DomainError::Missing("measure"))?;
    if on < found.starts_on {
        return Err(DomainError::Rule("a measure ends after it starts"));
    }
    if !measure::end(conn, measure_id, on, reason, by.user_id)? {
        return Err(DomainError::Rule("the measure has ended already"));
    }
    event(
        conn,
        by,
        family_id,
        EventKind::MeasureEnded,
        ("measure", measure_id),
        json!({
            "kind": found.kind().code(),
            "ended_on": on.to_string(),
            "reason": reason,
        }),
    )
}
