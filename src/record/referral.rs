//! Referrals: a family referred to a table, the chair's answer (scheduling puts it on a meeting's
//! agenda), the information a referrer adds when asked, and a late answer told.

use serde_json::json;

use super::{Announced, Who, announce, event};
use crate::db::DbConn;
use crate::domain::family;
use crate::domain::involvement;
use crate::domain::meeting::{self, ItemKind, Meeting};
use crate::domain::referral::{self, Referral, ReferralDetails, ReferralStatus};
use crate::domain::table::Table;
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;

/// The event of a referral moving to `status`.
fn referral_event(status: ReferralStatus) -> EventKind {
    match status {
        ReferralStatus::Submitted => EventKind::ReferralSubmitted,
        ReferralStatus::MoreInfo => EventKind::ReferralMoreInfo,
        ReferralStatus::Accepted => EventKind::ReferralAccepted,
        ReferralStatus::Rejected => EventKind::ReferralRejected,
        ReferralStatus::Scheduled => EventKind::ReferralScheduled,
        ReferralStatus::Discussed => EventKind::ReferralDiscussed,
    }
}

/// Refers a family to a table.
pub fn refer(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    to: &Table,
    details: &ReferralDetails,
) -> DomainResult<Referral> {
    let created = referral::create(
        conn,
        family_id,
        to.id,
        by.user_id,
        by.organisation_id,
        details,
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::ReferralSubmitted,
        ("referral", created.id),
        match &details.outside_reason {
            Some(reason) => json!({"table": to.name, "outside_reason": reason}),
            None => json!({"table": to.name}),
        },
    )?;
    Ok(created)
}

/// The chair's answer to a referral. Scheduling puts the family on the meeting's agenda and invites the
/// professionals involved, the director and the referrer for that item only.
pub fn answer_referral(
    conn: &mut DbConn,
    by: &Who,
    found: &Referral,
    to: &Table,
    status: ReferralStatus,
    note: Option<&str>,
    schedule_on: Option<&Meeting>,
) -> DomainResult<Announced> {
    let status = if schedule_on.is_some() {
        ReferralStatus::Scheduled
    } else {
        status
    };
    referral::answer(conn, found, status, note, schedule_on.map(|m| m.id))?;
    let kind = referral_event(status);
    event(
        conn,
        by,
        found.family_id,
        kind,
        ("referral", found.id),
        json!({"table": to.name, "reason": note.unwrap_or_default()}),
    )?;
    let Some(meeting) = schedule_on else {
        return Ok(Announced::nothing());
    };
    let family = family::find(conn, found.family_id)?.ok_or(DomainError::Missing("family"))?;
    let item = meeting::add_item(
        conn,
        meeting.id,
        ItemKind::Family,
        Some(family.id),
        Some(found.id),
        &family.display_name,
        20,
        by.user_id,
    )?;
    let announced = announce(
        conn,
        by,
        (Some(meeting.id), Some(family.id)),
        EventKind::AgendaItemAdded,
        ("agenda_item", item.id),
        json!({"title": family.display_name}),
    )?;
    let mut invitees: Vec<i64> = involvement::list(conn, family.id)?
        .into_iter()
        .filter(|i| i.involvement.ended_on.is_none())
        .map(|i| i.involvement.user_id)
        .collect();
    invitees.push(found.referred_by_user_id);
    invitees.extend(crate::domain::directorship::current_director(
        conn, family.id,
    )?);
    invitees.sort_unstable();
    invitees.dedup();
    for user_id in invitees {
        meeting::invite_for_item(conn, meeting.id, item.id, user_id, None)?;
    }
    Ok(announced)
}

/// The referrer adds the information the chair asked for; the referral is back with the chair.
pub fn add_referral_information(
    conn: &mut DbConn,
    by: &Who,
    found: &Referral,
    to: &Table,
    answer: &str,
) -> DomainResult<()> {
    referral::add_information(conn, found, by.user_id, answer)?;
    event(
        conn,
        by,
        found.family_id,
        EventKind::ReferralInformationAdded,
        ("referral", found.id),
        json!({"table": to.name}),
    )?;
    Ok(())
}

/// Records that a referral's answer is late (the chair and coordinators are told by mail). Nobody
/// did it: the system's watch noticed it.
pub fn referral_late(conn: &mut DbConn, found: &Referral, to: &Table) -> DomainResult<()> {
    crate::events::append(
        conn,
        crate::events::Actor {
            user_id: None,
            organisation_id: None,
        },
        crate::events::NewEvent {
            family_id: Some(found.family_id),
            kind: EventKind::ReferralAnswerLate,
            subject_type: "referral",
            subject_id: Some(found.id),
            data: json!({"table": to.name}),
            meeting_id: None,
        },
    )?;
    Ok(())
}
