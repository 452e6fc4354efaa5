//! Partner organisations: a reading of a meeting outcome through the inzage API, and the approval of
//! an API key by a partnership's coordinator.

use super::Who;
use crate::db::DbConn;
use crate::domain::api_token::{self, Token};
use crate::domain::partnership::{self, Partnership};
use crate::domain::{DomainError, DomainResult};
use crate::events::{self, Actor, EventKind, NewEvent};
use crate::policy::{self, KeyFacts};
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

/// A coordinator of `of` approves the key: from now on it reads for its organisation. The rule is
/// `policy::may_approve_api_key` (these are its facts); a key already approved stays as it was
/// (false), a revoked or expired one is refused. The `api_token.approved` event is written in the
/// same transaction.
pub fn approve_api_key(
    conn: &mut DbConn,
    by: &Who,
    role: crate::domain::user::Role,
    of: &Partnership,
    key: &Token,
) -> DomainResult<bool> {
    let facts = KeyFacts {
        organisation_id: key.organisation_id,
        made_by_actor: key.created_by_user_id == by.user_id,
        coordinates_its_partnership: partnership::coordinated_by(conn, by.user_id)?
            .contains(&of.id)
            && partnership::takes_part(conn, of.id, key.organisation_id)?,
    };
    let actor = policy::Actor {
        role,
        organisation_id: by.organisation_id,
    };
    if !policy::may_approve_api_key(actor, facts) {
        return Err(DomainError::Missing("api key of the partnership"));
    }
    if key.approved_at.is_some() {
        return Ok(false);
    }
    if key.ended() || api_token::approve(conn, key.id, by.user_id)? == 0 {
        return Err(DomainError::Rule("api key revoked or expired"));
    }
    let organisation = crate::domain::organisation::find(conn, key.organisation_id)?
        .ok_or(DomainError::Missing("organisation"))?;
    events::append(
        conn,
        by.actor(),
        NewEvent {
            family_id: None,
            kind: EventKind::ApiTokenApproved,
            subject_type: "api_token",
            subject_id: Some(key.id),
            data: json!({
                "name": key.name,
                "organisation": organisation.name,
                "partnership": of.name,
            }),
            meeting_id: None,
        },
    )?;
    Ok(true)
}
