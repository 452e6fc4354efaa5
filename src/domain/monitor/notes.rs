//! Reading the notes on the monitor ("the story behind the numbers") from the event log.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Period;
use crate::db::DbConn;
use crate::events::{Event, EventKind};
use crate::schema::events;

/// A note as written: its text, who wrote it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    pub author: String,
    pub organisation: String,
    pub at: NaiveDateTime,
}

/// The notes on the partnership's monitor for exactly this period, newest first.
pub fn for_period(
    conn: &mut DbConn,
    partnership_id: i64,
    period: Period,
) -> QueryResult<Vec<Note>> {
    let found: Vec<Event> = events::table
        .filter(events::kind.eq(EventKind::MonitorNoteWritten.name()))
        .filter(events::subject_type.eq("partnership"))
        .filter(events::subject_id.eq(partnership_id))
        .order(events::id.desc())
        .select(Event::as_select())
        .load(conn)?;
    Ok(found
        .into_iter()
        .filter(|e| {
            e.field("from") == period.from.to_string() && e.field("to") == period.to.to_string()
        })
        .map(|e| Note {
            text: e.field("text"),
            author: e.field("author"),
            organisation: e.field("organisation"),
            at: e.occurred_at,
        })
        .collect())
}
