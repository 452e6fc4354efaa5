//! One family, one record: a refused second registration, the request to be added as involved, and
//! the director's answer. Each is an event on the existing family's timeline.

use chrono::NaiveDate;
use serde_json::json;

use super::{Who, add_involvement, event, save_person};
use crate::db::DbConn;
use crate::domain::access_log::{self, Purpose};
use crate::domain::family::{Family, PersonDetails};
use crate::domain::involvement_request::{self, InvolvementRequest};
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;

/// What came of registering a member.
#[derive(Debug)]
pub enum Registered {
    /// Saved: the member's id.
    Saved(i64),
    /// Not saved: the member is in another open record of the partnership. The refused lookup, to
    /// ask that record's director from.
    Known { request: i64 },
    /// Not saved: too many refused lookups in the past hour.
    Throttled,
}

/// Adds or changes a member of `family`, one family one record: a member who is in another open
/// record of the partnership (same BSN, or same name and date of birth) is refused and the lookup
/// kept (`refuse_duplicate`). Past `LOOKUPS_PER_HOUR` refused lookups, no member with a BSN or date of
/// birth is saved at all, so the answer tells nothing about whether one is known. The pages register
/// members through here; `save_person` alone is for worlds built in code (demo data, tests).
pub fn register_person(
    conn: &mut DbConn,
    by: &Who,
    family: &Family,
    person_id: Option<i64>,
    details: &PersonDetails,
) -> DomainResult<Registered> {
    let since = crate::domain::now() - chrono::Duration::hours(1);
    if (details.identity.is_some() || details.date_of_birth.is_some())
        && involvement_request::lookups_since(conn, by.user_id, since)?
            >= involvement_request::LOOKUPS_PER_HOUR
    {
        return Ok(Registered::Throttled);
    }
    if let Some(other) = involvement_request::known_elsewhere(conn, family, details)? {
        let request = refuse_duplicate(conn, by, other)?;
        return Ok(Registered::Known { request });
    }
    Ok(Registered::Saved(save_person(
        conn, by, family.id, person_id, details,
    )?))
}

/// Keeps that `by` tried to register a member the family already has: the lookup is refused, and
/// because it was a lookup by BSN or name and date of birth, it is an event the director sees and a
/// row in the family's access log. Returns the refused lookup's id (to send a request from).
pub fn refuse_duplicate(conn: &mut DbConn, by: &Who, family_id: i64) -> DomainResult<i64> {
    let refused = involvement_request::refuse(conn, family_id, by.user_id, by.organisation_id)?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyDuplicateRefused,
        ("involvement_request", refused.id),
        json!({"name": by.name, "organisation": by.organisation_name}),
    )?;
    access_log::record(
        conn,
        by.user_id,
        by.organisation_id,
        family_id,
        "access.what.duplicate_check",
        Purpose::DuplicateCheck,
    )?;
    Ok(refused.id)
}

/// Sends the refused one's request, with its reason, to the family's director.
pub fn request_involvement(
    conn: &mut DbConn,
    by: &Who,
    request: &InvolvementRequest,
    reason: &str,
) -> DomainResult<()> {
    if !involvement_request::send(conn, request.id, reason)? {
        return Err(DomainError::Rule("a request is sent once"));
    }
    event(
        conn,
        by,
        request.family_id,
        EventKind::InvolvementRequested,
        ("involvement_request", request.id),
        json!({"name": by.name, "organisation": by.organisation_name, "reason": reason}),
    )
}

/// The director accepts (the requester becomes involved, in `role`) or declines the request.
pub fn answer_involvement_request(
    conn: &mut DbConn,
    by: &Who,
    request: &InvolvementRequest,
    requester: &Who,
    accept: Option<&str>,
    today: NaiveDate,
) -> DomainResult<()> {
    if !involvement_request::answer(conn, request.id, by.user_id, accept.is_some())? {
        return Err(DomainError::Rule("a request is answered once"));
    }
    if let Some(role) = accept {
        add_involvement(conn, by, request.family_id, requester, role, today)?;
    }
    let kind = if accept.is_some() {
        EventKind::InvolvementRequestAccepted
    } else {
        EventKind::InvolvementRequestDeclined
    };
    event(
        conn,
        by,
        request.family_id,
        kind,
        ("involvement_request", request.id),
        json!({"name": requester.name, "organisation": requester.organisation_name}),
    )
}
