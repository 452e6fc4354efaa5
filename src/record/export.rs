//! Exports made or sent.

use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::events::{self, EventKind};

use super::Who;

/// An export was made or sent: which document, in which format and version, of which meeting or table.
pub fn export_made(
    conn: &mut DbConn,
    by: &Who,
    kind: ExportKind,
    (family_id, subject): (Option<i64>, (&str, i64)),
    data: serde_json::Value,
) -> DomainResult<()> {
    let kind = match kind {
        ExportKind::Downloaded => EventKind::ExportDownloaded,
        ExportKind::Sent => EventKind::ExportSent,
    };
    events::append(
        conn,
        by.actor(),
        super::new_event(((None, family_id), kind, subject, data)),
    )?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
pub enum ExportKind {
    Downloaded,
    Sent,
}
