//! A family member's request for their data (GDPR art. 15): asked in the portal, produced by the
//! director.

use serde_json::json;

use super::{Who, event};
use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::data_request::{self, DataRequest};
use crate::domain::portal::Access;
use crate::events::EventKind;

/// Records the member's request; the director sees it on the family page.
pub fn request_data(conn: &mut DbConn, by: &Who, access: &Access) -> DomainResult<DataRequest> {
    let made = data_request::create(conn, access)?;
    event(
        conn,
        by,
        access.family_id,
        EventKind::DataRequested,
        ("data_request", made.id),
        json!({"name": by.name}),
    )?;
    Ok(made)
}

/// Records that the director produced the copy (`format`: "pdf" or "json"); the request counts as
/// answered from the first time.
pub fn data_request_produced(
    conn: &mut DbConn,
    by: &Who,
    request: &DataRequest,
    format: &str,
    left_out: usize,
) -> DomainResult<()> {
    data_request::mark_produced(conn, request.id, by.user_id)?;
    event(
        conn,
        by,
        request.family_id,
        EventKind::DataRequestProduced,
        ("data_request", request.id),
        json!({"format": format, "left_out": left_out}),
    )
}
