//! Changes to a family's record (and to the staff accounts that work on it), each with its event in the
//! same transaction. The web handlers and the demo data both go through here, so no change can skip its
//! event. Call inside `db::write`.
//! One file per area; callers use everything as `record::…`.

mod account;
mod aftercare;
mod board;
mod complaint;
mod data_request;
mod export;
mod family;
mod family_invite;
mod meeting;
mod monitor;
mod partner;
mod partnership;
mod portal;
mod protection;
mod referral;
mod request;
mod retention;
mod safety;
mod second_factor;
mod sharing;
mod sign_on;
mod top3;

pub use account::{activate_account, deactivate_account, update_account};
pub use aftercare::{AfterEvaluation, evaluate_aftercare, move_checkin, start_aftercare};
pub use board::{answer_board_request, record_board_reading, submit_board_request};
pub use complaint::{answer_complaint, file_complaint, forward_complaint, set_complaint_term};
pub use data_request::{data_request_produced, request_data};
pub use export::{ExportKind, export_made};
pub use family::{
    add_involvement, add_involvement_from_outside, appoint_director, close, comment_on_plan,
    end_involvement, erase_family_payloads, may_direct, reopen, save_person, save_plan,
    start_family, start_family_directed_by, update_details,
};
pub use family_invite::{approve_family_invite, give_room_view, invite_family, join_family_room};
pub use meeting::{
    Undiscussed, add_action, add_topic, close_item, close_meeting, create_table, finish_action,
    invite_for_item, mark_all_present, move_item, plan_meeting, publish_agenda, reassign_action,
    record_decision, reopen_item, save_minutes, set_attendance, set_current_item, set_time_box,
    start_meeting, withdraw_item_invitation,
};
pub use monitor::write_monitor_note;
pub use partner::{approve_api_key, record_reading};
pub use partnership::{
    add_organisation, add_table_member, appoint_coordinator, change_settings, create_partnership,
    remove_coordinator, remove_table_member,
};
pub use portal::{
    answer_correction, family_score, family_view, invite_to_portal, recovery_consent,
    request_correction, set_portal_access, set_withheld, share_minutes, show_names_in_portal,
};
pub use protection::{attach_document, end_measure, record_measure};
pub use referral::{add_referral_information, answer_referral, refer, referral_late};
pub use request::{
    Registered, answer_involvement_request, refuse_duplicate, register_person, request_involvement,
};
pub use retention::{Removed, erase_family};
pub use safety::{change_phase, record_score, save_phase_plan};
pub use second_factor::{
    enrol_second_factor, remove_second_factor, renew_recovery_codes, reset_second_factor,
    set_organisation_second_factor_rule, set_partnership_second_factor_rule,
};
pub use sharing::{set_item_concerns, set_item_rule, set_not_by_default};
pub use sign_on::{digid_refused, link_sign_on, remove_sign_on, require_digid, set_sign_on};
pub use top3::{give_top3, merge_top3};

use crate::domain::{DomainError, DomainResult};

use crate::db::DbConn;
use crate::events::{self, Actor, EventKind, NewEvent};

/// A person acting or acted upon: a user with their organisation, by id and by name (names go into
/// the event, so the timeline reads as it was at the time).
#[derive(Clone, Debug)]
pub struct Who {
    pub user_id: i64,
    pub organisation_id: Option<i64>,
    pub name: String,
    pub organisation_name: String,
}

impl Who {
    fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.user_id),
            organisation_id: self.organisation_id,
        }
    }
}

fn event(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> DomainResult<()> {
    append(conn, by, Some(family_id), kind, subject, data)
}

/// An event that belongs to no family (accounts, organisations): on no timeline.
fn event_of_no_family(
    conn: &mut DbConn,
    by: &Who,
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> DomainResult<()> {
    append(conn, by, None, kind, subject, data)
}

fn append(
    conn: &mut DbConn,
    by: &Who,
    family_id: Option<i64>,
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> DomainResult<()> {
    events::append(
        conn,
        by.actor(),
        new_event(((None, family_id), kind, subject, data)),
    )?;
    Ok(())
}

/// Who a user is, by id, for the record.
pub fn who(conn: &mut DbConn, user_id: i64) -> DomainResult<Who> {
    let user = crate::domain::user::find(conn, user_id)?.ok_or(DomainError::Missing("user"))?;
    let with_org = crate::domain::user::with_organisation(conn, user)?;
    Ok(Who {
        user_id,
        organisation_id: with_org.user.organisation_id,
        name: with_org.user.name,
        organisation_name: with_org.organisation_name.unwrap_or_default(),
    })
}

/// The meeting events a change wrote. The meeting's live room shows them once the transaction has
/// committed: whoever ran the change hands this to the live hub after the commit (`AppState::wake`).
/// It travels as a return value, never on the side, and dropping it unused is a compile warning.
#[must_use = "wake the live room with it after the commit"]
#[derive(Debug, Default)]
pub struct Announced(Vec<i64>);

impl Announced {
    /// Nothing for the live room.
    pub fn nothing() -> Announced {
        Announced::default()
    }

    pub(super) fn of(event: &crate::events::Event) -> Announced {
        Announced(event.meeting_id.map(|_| event.id).into_iter().collect())
    }

    /// These and `more`, for a change made of several.
    pub fn and(mut self, more: Announced) -> Announced {
        self.0.extend(more.0);
        self
    }

    /// Whether there is anything for a live room.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An event about a meeting (`meeting_id`, so its participants get it live); `family_id` when it
/// concerns one family (it then shows on its timeline).
fn meeting_event(
    conn: &mut DbConn,
    by: &Who,
    meeting_family: (Option<i64>, Option<i64>),
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> DomainResult<crate::events::Event> {
    let new = new_event((meeting_family, kind, subject, data));
    Ok(events::append(conn, by.actor(), new)?)
}

/// The event to append for an event's parts (a meeting's, or with no meeting one about a family or
/// none).
pub(super) fn new_event<'a>(
    ((meeting_id, family_id), kind, subject, data): MeetingEvent<'a>,
) -> NewEvent<'a> {
    NewEvent {
        family_id,
        kind,
        subject_type: subject.0,
        subject_id: Some(subject.1),
        data,
        meeting_id,
    }
}

/// Meeting events of one change, appended together in order (one statement on PostgreSQL), handed
/// back for the live room: each (meeting, family, kind, subject, data) as for `announce`.
fn announce_together(
    conn: &mut DbConn,
    by: &Who,
    each: Vec<MeetingEvent<'static>>,
) -> DomainResult<Announced> {
    let news = each.into_iter().map(new_event).collect();
    Ok(events::append_all(conn, by.actor(), news)?
        .iter()
        .map(Announced::of)
        .fold(Announced::nothing(), Announced::and))
}

/// An event's parts: (meeting, family), kind, subject (type, id) and data.
pub(super) type MeetingEvent<'a> = (
    (Option<i64>, Option<i64>),
    EventKind,
    (&'a str, i64),
    serde_json::Value,
);

/// A meeting event, handed back for the live room.
fn announce(
    conn: &mut DbConn,
    by: &Who,
    meeting_family: (Option<i64>, Option<i64>),
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> DomainResult<Announced> {
    meeting_event(conn, by, meeting_family, kind, subject, data).map(|e| Announced::of(&e))
}
