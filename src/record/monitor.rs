//! The monitor's "story behind the numbers": a note per period that a partnership's coordinators
//! write, kept as an event of the partnership (never a family's, so on no timeline).

use serde_json::json;

use super::{Who, event_of_no_family};
use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::monitor::Period;
use crate::events::EventKind;

/// Writes the note for `period` of the partnership; the latest note of a period is the one shown, the
/// earlier ones stay in the log.
pub fn write_monitor_note(
    conn: &mut DbConn,
    by: &Who,
    partnership_id: i64,
    period: Period,
    text: &str,
) -> DomainResult<()> {
    event_of_no_family(
        conn,
        by,
        EventKind::MonitorNoteWritten,
        ("partnership", partnership_id),
        json!({
            "from": period.from.to_string(),
            "to": period.to.to_string(),
            "text": text,
            "author": by.name,
            "organisation": by.organisation_name,
        }),
    )
}
