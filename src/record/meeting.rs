//! Changes at the tables: a table set up, referrals and the chair's answer, a meeting planned and run,
//! its agenda, minutes, decisions, actions and attendance.

use crate::db::DbConn;
use crate::domain::decision::{
    self, Action, ActionDetails, ActionStatus, Decision, DecisionDetails,
};
use crate::domain::family::{self};
use crate::domain::involvement::{self};
use crate::domain::meeting::{self, AgendaItem, ItemKind, Meeting, MeetingPlan, MeetingStatus};
use crate::domain::referral::{self, ReferralDetails};
use crate::domain::table::{self, Table, TableKind};
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;
use serde_json::json;

use super::{Announced, Who, announce, announce_together, event, meeting_event};
use super::{add_involvement, appoint_director, refer, who};

/// The event of an action finishing with `status` (for `Open`: created).
fn action_event(status: ActionStatus) -> EventKind {
    match status {
        ActionStatus::Open => EventKind::ActionCreated,
        ActionStatus::Done => EventKind::ActionDone,
        ActionStatus::Cancelled => EventKind::ActionCancelled,
    }
}

pub fn create_table(
    conn: &mut DbConn,
    by: &Who,
    kind: &TableKind,
    name: &str,
    region: &str,
) -> DomainResult<Table> {
    let created = table::create(conn, kind, name, region)?;
    meeting_event(
        conn,
        by,
        (None, None),
        EventKind::TableCreated,
        ("table", created.id),
        json!({"table": created.name, "kind": kind.name}),
    )?;
    Ok(created)
}

pub fn plan_meeting(
    conn: &mut DbConn,
    by: &Who,
    at: &Table,
    plan: &MeetingPlan,
) -> DomainResult<(Meeting, Announced)> {
    let created = meeting::create(conn, at.id, plan, by.user_id)?;
    let announced = announce(
        conn,
        by,
        (Some(created.id), None),
        EventKind::MeetingPlanned,
        ("meeting", created.id),
        json!({"table": at.name}),
    )?;
    Ok((created, announced))
}

pub fn add_topic(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    title: &str,
    time_box: i32,
) -> DomainResult<(AgendaItem, Announced)> {
    let item = meeting::add_item(
        conn,
        at.id,
        ItemKind::Topic,
        None,
        None,
        title,
        time_box,
        by.user_id,
    )?;
    let announced = announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaItemAdded,
        ("agenda_item", item.id),
        json!({"title": title}),
    )?;
    Ok((item, announced))
}

/// Invites a guest for one item; someone from outside the table's partnership only with the written
/// reason, which is kept with the invitation and in the event.
pub fn invite_for_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
    guest: &Who,
    outside_reason: Option<&str>,
) -> DomainResult<Announced> {
    meeting::invite_for_item(conn, at.id, item.id, guest.user_id, outside_reason)?;
    let mut data = json!({"name": guest.name, "organisation": guest.organisation_name});
    if let Some(reason) = outside_reason {
        data["outside_reason"] = reason.into();
    }
    announce(
        conn,
        by,
        (Some(at.id), item.family_id),
        EventKind::AgendaInvited,
        ("agenda_item", item.id),
        data,
    )
}

/// Withdraws a guest's invitation for one item (see `meeting::withdraw_from_item`); nothing happens,
/// and nothing is announced, when there was none.
pub fn withdraw_item_invitation(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
    guest: &Who,
) -> DomainResult<Announced> {
    if !meeting::withdraw_from_item(conn, at.id, item.id, guest.user_id)? {
        return Ok(Announced::nothing());
    }
    announce(
        conn,
        by,
        (Some(at.id), item.family_id),
        EventKind::AgendaInvitationWithdrawn,
        ("agenda_item", item.id),
        json!({"name": guest.name, "organisation": guest.organisation_name}),
    )
}

pub fn publish_agenda(conn: &mut DbConn, by: &Who, at: &Meeting) -> DomainResult<Announced> {
    meeting::publish_agenda(conn, at.id)?;
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaPublished,
        ("meeting", at.id),
        json!({}),
    )
}

pub fn start_meeting(conn: &mut DbConn, by: &Who, at: &Meeting) -> DomainResult<Announced> {
    meeting::start(conn, at.id, None)?;
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingStarted,
        ("meeting", at.id),
        json!({}),
    )
}

/// Makes an item current; taking up an item of a planned meeting starts the meeting (one update of
/// the meeting, then its two events in order, appended together: started, then the item current).
pub fn set_current_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
) -> DomainResult<Announced> {
    let current = (
        (Some(at.id), None),
        EventKind::MeetingItemCurrent,
        ("agenda_item", item.id),
        json!({}),
    );
    if at.status() == MeetingStatus::Planned {
        meeting::start(conn, at.id, Some(item.id))?;
        let started = (
            (Some(at.id), None),
            EventKind::MeetingStarted,
            ("meeting", at.id),
            json!({}),
        );
        return announce_together(conn, by, vec![started, current]);
    }
    meeting::set_current_item(conn, at.id, Some(item.id))?;
    let (meeting_family, kind, subject, data) = current;
    announce(conn, by, meeting_family, kind, subject, data)
}

pub fn close_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
) -> DomainResult<Announced> {
    meeting::close_item(conn, item.id)?;
    if at.current_item_id == Some(item.id) {
        meeting::set_current_item(conn, at.id, None)?;
    }
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingItemClosed,
        ("agenda_item", item.id),
        json!({}),
    )
}

/// Takes back the closing of an item (the chair, while the meeting runs); it does not become current.
pub fn reopen_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
) -> DomainResult<Announced> {
    meeting::reopen_item(conn, item.id)?;
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingItemReopened,
        ("agenda_item", item.id),
        json!({}),
    )
}

/// Saves an item's minutes over `item.minutes` as read; None (nothing written) when someone else's
/// save came in between.
pub fn save_minutes(
    conn: &mut DbConn,
    by: &Who,
    item: &AgendaItem,
    text: &str,
) -> DomainResult<Option<Announced>> {
    if !meeting::set_minutes(conn, item.id, &item.minutes, text)? {
        return Ok(None);
    }
    announce(
        conn,
        by,
        (Some(item.meeting_id), item.family_id),
        EventKind::MinutesSaved,
        ("agenda_item", item.id),
        json!({}),
    )
    .map(Some)
}

/// Records a decision (or a correction of `supersedes`). A referral to another table and a new director
/// that the decision names take effect in the same transaction.
pub fn record_decision(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    at_table: &Table,
    item: &AgendaItem,
    details: &DecisionDetails,
    supersedes: Option<&Decision>,
) -> DomainResult<(Decision, Announced)> {
    let created = decision::create(
        conn,
        at.id,
        item.id,
        item.family_id,
        details,
        supersedes.map(|d| d.id),
        by.user_id,
    )?;
    let kind = if supersedes.is_some() {
        EventKind::DecisionCorrected
    } else {
        EventKind::DecisionRecorded
    };
    let announced = announce(
        conn,
        by,
        (Some(at.id), item.family_id),
        kind,
        ("decision", created.id),
        json!({"table": at_table.name, "outcome": created.outcome}),
    )?;
    if let Some(family_id) = item.family_id {
        if let Some(target) = details
            .refer_to_table_id
            .and_then(|id| table::find(conn, id).transpose())
        {
            let target = target?;
            let family = family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
            let referral_details = ReferralDetails {
                reason: format!("{} — {}", at_table.name, created.text),
                tried: created.rationale.clone(),
                question: created.outcome.clone(),
                urgency: family.urgency(),
                family_informed: family.family_informed,
                not_informed_reason: family.not_informed_reason.clone(),
                outside_reason: None,
            };
            refer(conn, by, family_id, &target, &referral_details)?;
        }
        if let Some(director_id) = details.new_director_user_id {
            let director = who(conn, director_id)?;
            if !involvement::is_active(conn, family_id, director_id)? {
                add_involvement(
                    conn,
                    by,
                    family_id,
                    &director,
                    "Regisseur",
                    crate::time::today(),
                )?;
            }
            appoint_director(conn, by, family_id, &director, None)?;
        }
        if supersedes.is_none() && at_table.starts_aftercare(&created.outcome) {
            super::start_aftercare(conn, by, family_id, Some(created.id))?;
        }
    }
    Ok((created, announced))
}

pub fn add_action(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
    decision_id: Option<i64>,
    details: &ActionDetails,
    owner: &Who,
) -> DomainResult<(Action, Announced)> {
    let created = decision::create_action(
        conn,
        at.id,
        item.id,
        decision_id,
        item.family_id,
        details,
        by.user_id,
    )?;
    let announced = announce(
        conn,
        by,
        (Some(at.id), item.family_id),
        EventKind::ActionCreated,
        ("action", created.id),
        json!({"name": owner.name, "organisation": owner.organisation_name, "due": details.due_on.format("%d-%m-%Y").to_string()}),
    )?;
    Ok((created, announced))
}

/// Marks an open action done or cancelled; false when it was not open any more.
pub fn finish_action(
    conn: &mut DbConn,
    by: &Who,
    action: &Action,
    status: ActionStatus,
    result: &str,
) -> DomainResult<Option<Announced>> {
    if decision::finish_action(conn, action.id, status, result)? == 0 {
        return Ok(None);
    }
    let kind = action_event(status);
    announce(
        conn,
        by,
        (Some(action.meeting_id), action.family_id),
        kind,
        ("action", action.id),
        json!({"reason": result}),
    )
    .map(Some)
}

/// Gives an open action to `to` (with their organisation), from its owner `from`; None when it was
/// not open any more. The timeline says "Actie overgedragen van X aan Y".
pub fn reassign_action(
    conn: &mut DbConn,
    by: &Who,
    action: &Action,
    from: &Who,
    to: &Who,
) -> DomainResult<Option<Announced>> {
    let organisation_id = to
        .organisation_id
        .ok_or(DomainError::Missing("organisation"))?;
    if decision::reassign_action(conn, action.id, to.user_id, organisation_id)? == 0 {
        return Ok(None);
    }
    announce(
        conn,
        by,
        (Some(action.meeting_id), action.family_id),
        EventKind::ActionReassigned,
        ("action", action.id),
        json!({
            "from": from.name,
            "from_organisation": from.organisation_name,
            "name": to.name,
            "organisation": to.organisation_name,
        }),
    )
    .map(Some)
}

/// Closes the meeting: from now on its decisions and minutes are read-only. Referrals discussed at it
/// are marked so. The closing event's hash is kept on the meeting as its seal.
/// What happens to a family item that has no decision when its meeting closes (the chair's choice).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undiscussed {
    /// On the agenda of this next meeting of the table; its referral stays scheduled (now there).
    MoveTo(i64),
    /// Off the agenda; its referral waits for a new date (accepted, on no meeting).
    Wait,
    /// Closed without discussion, for this reason.
    End(String),
}

/// Closes the meeting. Items with a decision are discussed: their referral too, and their outcome goes
/// to the partners. A family item without one becomes no outcome: it goes where `undiscussed` says
/// (waiting for a date when the chair was not asked).
pub fn close_meeting(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    at_table: &Table,
    undiscussed: &std::collections::HashMap<i64, Undiscussed>,
) -> DomainResult<Announced> {
    meeting::set_status(conn, at.id, MeetingStatus::Closed)?;
    let decided: Vec<i64> = decision::for_meeting(conn, at.id)?
        .iter()
        .map(|d| d.agenda_item_id)
        .collect();
    let mut announced = Announced::nothing();
    for item in meeting::items(conn, at.id)? {
        let Some(family_id) = item.family_id else {
            continue;
        };
        if !decided.contains(&item.id) {
            let choice = undiscussed
                .get(&item.id)
                .cloned()
                .unwrap_or(Undiscussed::Wait);
            announced = announced.and(leave_undiscussed(conn, by, at_table, &item, choice)?);
            continue;
        }
        if let Some(referral_id) = item.referral_id {
            referral::mark_discussed(conn, referral_id, at.id)?;
        }
        event(
            conn,
            by,
            family_id,
            EventKind::MeetingDiscussed,
            ("meeting", at.id),
            json!({"table": at_table.name}),
        )?;
        // The item's outcome becomes available to the organisations that took part.
        crate::domain::outcome::publish(conn, at_table.id, at.id, item.id, family_id)?;
        event(
            conn,
            by,
            family_id,
            EventKind::OutcomePublished,
            ("agenda_item", item.id),
            json!({"table": at_table.name, "meeting": at.id.to_string()}),
        )?;
    }
    let closing = meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingClosed,
        ("meeting", at.id),
        json!({"table": at_table.name}),
    )?;
    meeting::set_closing_hash(conn, at.id, &closing.hash)?;
    Ok(Announced::of(&closing).and(announced))
}

/// A family item closed without a decision: moved to the next meeting (its invitees invited there
/// too), taken off to wait for a date, or ended with a reason. Written on the family's timeline.
fn leave_undiscussed(
    conn: &mut DbConn,
    by: &Who,
    at_table: &Table,
    item: &AgendaItem,
    choice: Undiscussed,
) -> DomainResult<Announced> {
    let family_id = item.family_id.ok_or(DomainError::Missing("family"))?;
    let (kind, data, announced) = match choice {
        Undiscussed::MoveTo(next) => {
            let target = meeting::find(conn, next)?
                .filter(|m| m.table_id == at_table.id && !m.is_closed() && m.id != item.meeting_id)
                .ok_or(DomainError::Missing("meeting"))?;
            let moved = meeting::add_item(
                conn,
                target.id,
                ItemKind::Family,
                Some(family_id),
                item.referral_id,
                &item.title,
                item.time_box_minutes,
                by.user_id,
            )?;
            meeting::copy_invitees(conn, item.id, target.id, moved.id)?;
            if let Some(referral_id) = item.referral_id {
                referral::reschedule(conn, referral_id, target.id)?;
            }
            let announced = announce(
                conn,
                by,
                (Some(target.id), Some(family_id)),
                EventKind::AgendaItemAdded,
                ("agenda_item", moved.id),
                json!({"title": item.title}),
            )?;
            (
                EventKind::MeetingItemMoved,
                json!({"table": at_table.name}),
                announced,
            )
        }
        Undiscussed::Wait => {
            if let Some(referral_id) = item.referral_id {
                referral::unschedule(conn, referral_id)?;
            }
            let data = json!({"table": at_table.name});
            (EventKind::MeetingItemPostponed, data, Announced::nothing())
        }
        Undiscussed::End(reason) => {
            if let Some(referral_id) = item.referral_id {
                referral::end_undiscussed(conn, referral_id, &reason)?;
            }
            let data = json!({"table": at_table.name, "reason": reason});
            (EventKind::MeetingItemEnded, data, Announced::nothing())
        }
    };
    event(conn, by, family_id, kind, ("agenda_item", item.id), data)?;
    Ok(announced)
}

/// Records who is present, absent with notice or absent, and how.
pub fn set_attendance(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    person: &Who,
    status: meeting::AttendanceStatus,
    mode: Option<meeting::AttendanceMode>,
) -> DomainResult<Option<Announced>> {
    if meeting::set_attendance(conn, at.id, person.user_id, status, mode)? == 0 {
        return Ok(None);
    }
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingAttendance,
        ("meeting", at.id),
        json!({"name": person.name, "status": status.code()}),
    )
    .map(Some)
}

/// One click at the start: everyone not yet marked is present (nothing is announced when nobody was
/// left to mark).
pub fn mark_all_present(conn: &mut DbConn, by: &Who, at: &Meeting) -> DomainResult<Announced> {
    let count = meeting::mark_invited_present(conn, at.id)?;
    if count == 0 {
        return Ok(Announced::nothing());
    }
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingAllPresent,
        ("meeting", at.id),
        json!({"count": count}),
    )
}

/// Moves an agenda item up or down; false when it could not move (first, last, or the review).
pub fn move_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item_id: i64,
    up: bool,
) -> DomainResult<Option<Announced>> {
    if !meeting::move_item(conn, at.id, item_id, up)? {
        return Ok(None);
    }
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaChanged,
        ("agenda_item", item_id),
        json!({}),
    )
    .map(Some)
}

pub fn set_time_box(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item_id: i64,
    minutes: i32,
) -> DomainResult<Announced> {
    meeting::set_time_box(conn, item_id, minutes)?;
    announce(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaChanged,
        ("agenda_item", item_id),
        json!({}),
    )
}
