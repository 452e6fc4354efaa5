//! Partner organisations: a reading of a meeting outcome through the inzage API.

use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::events::{self, Actor, EventKind, NewEvent};
use serde_json::json;

/// Records that an organisation read an outcome (or part of it): an `outcome.read` event naming the
/// organisation, in the reading's transaction.
pub fn record_reading(
    conn: &mut DbConn,
    organisation_id: i64,
    outcome: &crate::domain::outcome::Outcome,
    resource: &str,
) -> DomainResult<events::Event> {
    use crate::schema::organisations;
    use diesel::prelude::*;
    let (name, oin): (String, Option<String>) = organisations::table
        .find(organisation_id)
        .select((organisations::name, organisations::oin))
        .first(conn)?;
    Ok(events::append(
        conn,
        Actor {
            user_id: None,
            organisation_id: Some(organisation_id),
        },
        NewEvent {
            family_id: Some(outcome.family_id),
            kind: EventKind::OutcomeRead,
            subject_type: "agenda_item",
            subject_id: Some(outcome.agenda_item_id),
            data: json!({
                "organisation": name,
                "organisation_id": organisation_id.to_string(),
                "organisation_oin": oin.unwrap_or_default(),
                "resource": resource,
                "meeting": outcome.meeting_id.to_string(),
            }),
            meeting_id: None,
        },
    )?)
}
