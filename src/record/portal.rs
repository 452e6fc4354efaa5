//! The family portal: accounts, what is withheld, shared minutes, consent, the family's view and
//! correction requests.

use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::family::Person;
use crate::domain::meeting::AgendaItem;
use crate::domain::portal::{self, Access, Category};
use crate::domain::safety::{self, NewScore};
use crate::events::EventKind;
use serde_json::json;

use super::record_score;
use super::{Announced, Who, announce, event};

/// Makes a family account for a member and gives it access to the family's portal. Returns the account.
pub fn invite_to_portal(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    member: &Person,
    email: &str,
    judgement: &str,
) -> DomainResult<crate::domain::user::User> {
    let account = crate::domain::user::create(
        conn,
        crate::domain::user::NewUser {
            organisation_id: None,
            email,
            name: &member.name,
            role: crate::domain::user::Role::Family,
            password_hash: None,
        },
    )?;
    portal::grant(
        conn, account.id, family_id, member.id, by.user_id, judgement,
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::PortalInvited,
        ("person", member.id),
        json!({"name": member.name}),
    )?;
    Ok(account)
}

/// Keeps a category from a named member, or gives it back (`reason` None).
pub fn set_withheld(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    member: &Person,
    category: Category,
    reason: Option<&str>,
) -> DomainResult<()> {
    match reason {
        Some(reason) => portal::withhold(conn, family_id, member.id, category, reason, by.user_id)?,
        None => {
            portal::release(conn, member.id, category)?;
        }
    }
    event(
        conn,
        by,
        family_id,
        if reason.is_some() {
            EventKind::PortalWithheld
        } else {
            EventKind::PortalReleased
        },
        ("person", member.id),
        json!({"name": member.name, "category": category.code()}),
    )
}

/// The minutes of an item are shared with the family.
pub fn share_minutes(conn: &mut DbConn, by: &Who, item: &AgendaItem) -> DomainResult<()> {
    portal::share_minutes(conn, item.id, by.user_id)?;
    if let Some(family_id) = item.family_id {
        event(
            conn,
            by,
            family_id,
            EventKind::MinutesShared,
            ("agenda_item", item.id),
            json!({}),
        )?;
    }
    Ok(())
}

/// A member gives or takes back consent to show their recovery plan to the rest of the family.
pub fn recovery_consent(
    conn: &mut DbConn,
    by: &Who,
    access: &Access,
    consent: bool,
) -> DomainResult<()> {
    portal::set_consent(conn, access.person_id, by.user_id, consent)?;
    event(
        conn,
        by,
        access.family_id,
        if consent {
            EventKind::RecoveryConsentGiven
        } else {
            EventKind::RecoveryConsentWithdrawn
        },
        ("person", access.person_id),
        json!({}),
    )
}

/// The family's view on an agenda item, announced to the meeting room.
pub fn family_view(
    conn: &mut DbConn,
    by: &Who,
    access: &Access,
    item: &AgendaItem,
    body: &str,
) -> DomainResult<Announced> {
    portal::save_view(conn, item.id, access, body)?;
    announce(
        conn,
        by,
        (Some(item.meeting_id), Some(access.family_id)),
        EventKind::FamilyViewSaved,
        ("agenda_item", item.id),
        json!({}),
    )
}

pub fn request_correction(
    conn: &mut DbConn,
    by: &Who,
    access: &Access,
    about: &str,
    body: &str,
) -> DomainResult<()> {
    let id = portal::request_correction(conn, access, about, body)?;
    event(
        conn,
        by,
        access.family_id,
        EventKind::CorrectionRequested,
        ("correction_request", id),
        json!({"about": about}),
    )
}

pub fn answer_correction(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    id: i64,
    answer: &str,
) -> DomainResult<bool> {
    let done = portal::answer_correction(conn, family_id, id, answer, by.user_id)? > 0;
    if done {
        event(
            conn,
            by,
            family_id,
            EventKind::CorrectionAnswered,
            ("correction_request", id),
            json!({}),
        )?;
    }
    Ok(done)
}

/// A member records their own score on the safety scale.
pub fn family_score(
    conn: &mut DbConn,
    by: &Who,
    access: &Access,
    score: i32,
    explanation: &str,
) -> DomainResult<()> {
    record_score(
        conn,
        by,
        &NewScore {
            family_id: access.family_id,
            score,
            scored_on: crate::time::today(),
            source: safety::ScoreSource::Family,
            given_by: &by.name,
            explanation,
            recorded_by_user_id: Some(by.user_id),
        },
    )
}

/// A family account's access is turned off or on again by the director.
/// Whether the family's view of the access log names the professionals who read the file. Nothing is
/// written when it stays as it was.
pub fn show_names_in_portal(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    show: bool,
) -> DomainResult<()> {
    if !crate::domain::family::set_portal_shows_names(conn, family_id, show)? {
        return Ok(());
    }
    let kind = if show {
        EventKind::PortalNamesShown
    } else {
        EventKind::PortalNamesHidden
    };
    event(conn, by, family_id, kind, ("family", family_id), json!({}))
}

/// Stops a family member's portal access (their sessions end with it) or gives it back.
pub fn set_portal_access(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    member: &Person,
    account_user_id: i64,
    active: bool,
) -> DomainResult<()> {
    portal::set_active(conn, account_user_id, active)?;
    event(
        conn,
        by,
        family_id,
        if active {
            EventKind::PortalRestored
        } else {
            EventKind::PortalRevoked
        },
        ("person", member.id),
        json!({"name": member.name}),
    )
}
