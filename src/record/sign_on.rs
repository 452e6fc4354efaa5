//! Single sign-on, each change with its event: an organisation's identity provider set or removed by
//! its admin (no family; the secret never goes into the event), an account linked to its subject at its
//! first login, a family's DigiD requirement (on its timeline), and a DigiD login refused because the
//! BSN did not match (on its timeline, for the director to see).

use serde_json::json;

use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::sign_on::{self, Settings};
use crate::events::EventKind;

use super::{Who, event};

fn organisation_event(
    conn: &mut DbConn,
    by: &Who,
    organisation_id: i64,
    kind: EventKind,
    data: serde_json::Value,
) -> DomainResult<()> {
    super::event_of_no_family(conn, by, kind, ("organisation", organisation_id), data)
}

/// Sets an organisation's identity provider (or replaces it). The event names the issuer, the client
/// id and the MFA value, never the secret.
pub fn set_sign_on(
    conn: &mut DbConn,
    by: &Who,
    organisation_id: i64,
    settings: &Settings<'_>,
) -> DomainResult<()> {
    sign_on::set(conn, organisation_id, settings, by.user_id)?;
    organisation_event(
        conn,
        by,
        organisation_id,
        EventKind::SignOnSet,
        json!({
            "issuer": settings.issuer,
            "client_id": settings.client_id,
            "mfa_acr": settings.mfa_acr,
        }),
    )
}

/// Removes an organisation's identity provider. False when it had none (nothing written).
pub fn remove_sign_on(conn: &mut DbConn, by: &Who, organisation_id: i64) -> DomainResult<bool> {
    if !sign_on::remove(conn, organisation_id)? {
        return Ok(false);
    }
    organisation_event(
        conn,
        by,
        organisation_id,
        EventKind::SignOnRemoved,
        json!({}),
    )?;
    Ok(true)
}

/// Links an account to the subject its provider knows it by, at its first login there.
pub fn link_sign_on(
    conn: &mut DbConn,
    user_id: i64,
    issuer: &str,
    subject: &str,
) -> DomainResult<()> {
    sign_on::link(conn, user_id, issuer, subject)?;
    let by = super::who(conn, user_id)?;
    super::event_of_no_family(
        conn,
        &by,
        EventKind::SignOnLinked,
        ("user", user_id),
        json!({"name": by.name, "issuer": issuer}),
    )
}

/// The director requires DigiD for the family's members, or no longer does. False when it was so
/// already (nothing written).
pub fn require_digid(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    required: bool,
) -> DomainResult<bool> {
    if !sign_on::set_digid_required(conn, family_id, required)? {
        return Ok(false);
    }
    let kind = if required {
        EventKind::DigidRequired
    } else {
        EventKind::DigidOptional
    };
    event(conn, by, family_id, kind, ("family", family_id), json!({}))?;
    Ok(true)
}

/// A DigiD login for a family account was refused: the BSN the broker asserted is not the member's.
/// On the family's timeline, by the account that was named.
pub fn digid_refused(
    conn: &mut DbConn,
    account_user_id: i64,
    family_id: i64,
    (person_id, name): (i64, &str),
) -> DomainResult<()> {
    let by = super::who(conn, account_user_id)?;
    event(
        conn,
        &by,
        family_id,
        EventKind::DigidRefused,
        ("person", person_id),
        json!({"name": name}),
    )
}
