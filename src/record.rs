//! Changes to a family's record, each with its event in the same transaction. The web handlers and the
//! demo data both go through here, so no change can skip its event. Call inside `db::write`.

use chrono::NaiveDate;
use diesel::QueryResult;
use serde_json::json;

use crate::db::DbConn;
use crate::domain::directorship;
use crate::domain::family::{self, Family, FamilyDetails, FamilyStatus, Person, PersonDetails};
use crate::domain::involvement::{self, Involvement};
use crate::domain::plan::{self, LifeDomain, Saved, Section};
use crate::events::{self, Actor, EventKind, NewEvent};

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

/// The event of an action finishing with `status` (for `Open`: created).
fn action_event(status: ActionStatus) -> EventKind {
    match status {
        ActionStatus::Open => EventKind::ActionCreated,
        ActionStatus::Done => EventKind::ActionDone,
        ActionStatus::Cancelled => EventKind::ActionCancelled,
    }
}

/// The event of a phase plan saved.
fn phase_plan_event(kind: PlanKind) -> EventKind {
    match kind {
        PlanKind::Safety => EventKind::SafetyPlanSaved,
        PlanKind::Care => EventKind::CarePlanSaved,
        PlanKind::Recovery => EventKind::RecoveryPlanSaved,
    }
}

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
) -> QueryResult<()> {
    events::append(
        conn,
        by.actor(),
        NewEvent {
            family_id: Some(family_id),
            kind,
            subject_type: subject.0,
            subject_id: Some(subject.1),
            data,
            meeting_id: None,
        },
    )?;
    Ok(())
}

/// Opens a family record; `by` becomes its director and is involved with `role` from `today`.
pub fn start_family(
    conn: &mut DbConn,
    by: &Who,
    details: &FamilyDetails,
    role: &str,
    today: NaiveDate,
) -> QueryResult<Family> {
    let organisation_id = by.organisation_id.ok_or(diesel::result::Error::NotFound)?;
    let created = family::create(conn, details)?;
    event(
        conn,
        by,
        created.id,
        EventKind::FamilyCreated,
        ("family", created.id),
        json!({"case_number": created.case_number, "name": created.display_name}),
    )?;
    add_involvement(conn, by, created.id, by, role, today)?;
    directorship::appoint(conn, created.id, by.user_id, organisation_id, None)?;
    event(
        conn,
        by,
        created.id,
        EventKind::DirectorAppointed,
        ("family", created.id),
        json!({"name": by.name, "organisation": by.organisation_name, "co_worker": ""}),
    )?;
    Ok(created)
}

pub fn update_details(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    details: &FamilyDetails,
) -> QueryResult<()> {
    family::update_details(conn, family_id, details)?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyUpdated,
        ("family", family_id),
        json!({}),
    )
}

pub fn close(conn: &mut DbConn, by: &Who, family_id: i64, reason: &str) -> QueryResult<()> {
    family::set_status(conn, family_id, FamilyStatus::Closed, Some(reason))?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyClosed,
        ("family", family_id),
        json!({"reason": reason}),
    )
}

pub fn reopen(conn: &mut DbConn, by: &Who, family_id: i64) -> QueryResult<()> {
    family::set_status(conn, family_id, FamilyStatus::Open, None)?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyReopened,
        ("family", family_id),
        json!({}),
    )
}

/// Adds a member, or changes one when `person_id` is given.
pub fn save_person(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    person_id: Option<i64>,
    details: &PersonDetails,
) -> QueryResult<i64> {
    let data = json!({"name": details.name, "role": details.role.code()});
    match person_id {
        Some(id) => {
            family::update_person(conn, id, details)?;
            event(
                conn,
                by,
                family_id,
                EventKind::PersonUpdated,
                ("person", id),
                data,
            )?;
            Ok(id)
        }
        None => {
            let person: Person = family::add_person(conn, family_id, details)?;
            event(
                conn,
                by,
                family_id,
                EventKind::PersonAdded,
                ("person", person.id),
                data,
            )?;
            Ok(person.id)
        }
    }
}

pub fn add_involvement(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    professional: &Who,
    role: &str,
    started_on: NaiveDate,
) -> QueryResult<Involvement> {
    let organisation_id = professional
        .organisation_id
        .ok_or(diesel::result::Error::NotFound)?;
    let added = involvement::add(
        conn,
        family_id,
        professional.user_id,
        organisation_id,
        role,
        started_on,
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::InvolvementAdded,
        ("involvement", added.id),
        json!({"name": professional.name, "organisation": professional.organisation_name, "role": role}),
    )?;
    Ok(added)
}

pub fn end_involvement(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    involvement_id: i64,
    who: &Who,
    today: NaiveDate,
) -> QueryResult<()> {
    involvement::end(conn, involvement_id, today)?;
    event(
        conn,
        by,
        family_id,
        EventKind::InvolvementEnded,
        ("involvement", involvement_id),
        json!({"name": who.name, "organisation": who.organisation_name}),
    )
}

/// Makes `director` the director (with `co_worker`); the previous directorship ends in this transaction.
pub fn appoint_director(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    director: &Who,
    co_worker: Option<&Who>,
) -> QueryResult<()> {
    let organisation_id = director
        .organisation_id
        .ok_or(diesel::result::Error::NotFound)?;
    directorship::appoint(
        conn,
        family_id,
        director.user_id,
        organisation_id,
        co_worker.map(|c| c.user_id),
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::DirectorAppointed,
        ("family", family_id),
        json!({
            "name": director.name,
            "organisation": director.organisation_name,
            "co_worker": co_worker.map(|c| c.name.clone()).unwrap_or_default(),
        }),
    )
}

/// Saves a plan version on top of `base_version` (see `plan::save` for conflicts).
pub fn save_plan(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    base_version: i32,
    sections: &[(LifeDomain, Section)],
) -> QueryResult<Saved> {
    let saved = plan::save(conn, family_id, base_version, by.user_id, sections)?;
    if let Saved::Version(v) = saved {
        event(
            conn,
            by,
            family_id,
            EventKind::PlanSaved,
            ("plan", family_id),
            json!({"version": v.to_string()}),
        )?;
    }
    Ok(saved)
}

pub fn comment_on_plan(conn: &mut DbConn, by: &Who, family_id: i64, body: &str) -> QueryResult<()> {
    let version = plan::current_version_number(conn, family_id)?;
    let id = plan::add_comment(
        conn,
        family_id,
        version,
        by.user_id,
        by.organisation_id,
        body,
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::PlanCommented,
        ("plan_comment", id),
        json!({"version": version.to_string()}),
    )
}

/// Who a user is, by id, for the record.
pub fn who(conn: &mut DbConn, user_id: i64) -> QueryResult<Who> {
    let user = crate::domain::user::find(conn, user_id)?.ok_or(diesel::result::Error::NotFound)?;
    let with_org = crate::domain::user::with_organisation(conn, user)?;
    Ok(Who {
        user_id,
        organisation_id: with_org.user.organisation_id,
        name: with_org.user.name,
        organisation_name: with_org.organisation_name.unwrap_or_default(),
    })
}

// ---------------------------------------------------------------------------------------------------
// Tables, referrals and meetings

use crate::domain::decision::{
    self, Action, ActionDetails, ActionStatus, Decision, DecisionDetails,
};
use crate::domain::meeting::{self, AgendaItem, ItemKind, Meeting, MeetingPlan, MeetingStatus};
use crate::domain::referral::{self, Referral, ReferralDetails, ReferralStatus};
use crate::domain::table::{self, Table, TableKind};

/// An event about a meeting (`meeting_id`, so its participants get it live); `family_id` when it
/// concerns one family (it then shows on its timeline).
fn meeting_event(
    conn: &mut DbConn,
    by: &Who,
    (meeting_id, family_id): (Option<i64>, Option<i64>),
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> QueryResult<crate::events::Event> {
    let appended = events::append(
        conn,
        by.actor(),
        NewEvent {
            family_id,
            kind,
            subject_type: subject.0,
            subject_id: Some(subject.1),
            data,
            meeting_id,
        },
    )?;
    crate::live::announce(conn, &appended)?;
    Ok(appended)
}

pub fn create_table(
    conn: &mut DbConn,
    by: &Who,
    kind: &TableKind,
    name: &str,
    region: &str,
) -> QueryResult<Table> {
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

/// Refers a family to a table.
pub fn refer(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    to: &Table,
    details: &ReferralDetails,
) -> QueryResult<Referral> {
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
        json!({"table": to.name}),
    )?;
    Ok(created)
}

/// The chair's answer to a referral. Scheduling puts the family on the meeting's agenda and invites the
/// professionals involved (and the referrer) for that item only.
pub fn answer_referral(
    conn: &mut DbConn,
    by: &Who,
    found: &Referral,
    to: &Table,
    status: ReferralStatus,
    note: Option<&str>,
    schedule_on: Option<&Meeting>,
) -> QueryResult<()> {
    let status = if schedule_on.is_some() {
        ReferralStatus::Scheduled
    } else {
        status
    };
    referral::set_status(conn, found.id, status, note, schedule_on.map(|m| m.id))?;
    let kind = referral_event(status);
    event(
        conn,
        by,
        found.family_id,
        kind,
        ("referral", found.id),
        json!({"table": to.name, "reason": note.unwrap_or_default()}),
    )?;
    if let Some(meeting) = schedule_on {
        let family = family::find(conn, found.family_id)?.ok_or(diesel::result::Error::NotFound)?;
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
        meeting_event(
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
        invitees.sort_unstable();
        invitees.dedup();
        for user_id in invitees {
            meeting::invite_for_item(conn, meeting.id, item.id, user_id)?;
        }
    }
    Ok(())
}

pub fn plan_meeting(
    conn: &mut DbConn,
    by: &Who,
    at: &Table,
    plan: &MeetingPlan,
) -> QueryResult<Meeting> {
    let created = meeting::create(conn, at.id, plan, by.user_id)?;
    meeting_event(
        conn,
        by,
        (Some(created.id), None),
        EventKind::MeetingPlanned,
        ("meeting", created.id),
        json!({"table": at.name}),
    )?;
    Ok(created)
}

pub fn add_topic(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    title: &str,
    time_box: i32,
) -> QueryResult<AgendaItem> {
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
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaItemAdded,
        ("agenda_item", item.id),
        json!({"title": title}),
    )?;
    Ok(item)
}

pub fn invite_for_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
    guest: &Who,
) -> QueryResult<()> {
    meeting::invite_for_item(conn, at.id, item.id, guest.user_id)?;
    meeting_event(
        conn,
        by,
        (Some(at.id), item.family_id),
        EventKind::AgendaInvited,
        ("agenda_item", item.id),
        json!({"name": guest.name, "organisation": guest.organisation_name}),
    )?;
    Ok(())
}

pub fn publish_agenda(conn: &mut DbConn, by: &Who, at: &Meeting) -> QueryResult<()> {
    meeting::publish_agenda(conn, at.id)?;
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaPublished,
        ("meeting", at.id),
        json!({}),
    )?;
    Ok(())
}

pub fn start_meeting(conn: &mut DbConn, by: &Who, at: &Meeting) -> QueryResult<()> {
    meeting::set_status(conn, at.id, MeetingStatus::Running)?;
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingStarted,
        ("meeting", at.id),
        json!({}),
    )?;
    Ok(())
}

/// Makes an item current; taking up an item of a planned meeting starts the meeting.
pub fn set_current_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
) -> QueryResult<()> {
    if at.status() == MeetingStatus::Planned {
        start_meeting(conn, by, at)?;
    }
    meeting::set_current_item(conn, at.id, Some(item.id))?;
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingItemCurrent,
        ("agenda_item", item.id),
        json!({}),
    )?;
    Ok(())
}

pub fn close_item(conn: &mut DbConn, by: &Who, at: &Meeting, item: &AgendaItem) -> QueryResult<()> {
    meeting::close_item(conn, item.id)?;
    if at.current_item_id == Some(item.id) {
        meeting::set_current_item(conn, at.id, None)?;
    }
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingItemClosed,
        ("agenda_item", item.id),
        json!({}),
    )?;
    Ok(())
}

pub fn save_minutes(conn: &mut DbConn, by: &Who, item: &AgendaItem, text: &str) -> QueryResult<()> {
    meeting::set_minutes(conn, item.id, text)?;
    meeting_event(
        conn,
        by,
        (Some(item.meeting_id), item.family_id),
        EventKind::MinutesSaved,
        ("agenda_item", item.id),
        json!({}),
    )?;
    Ok(())
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
) -> QueryResult<Decision> {
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
    meeting_event(
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
            let family = family::find(conn, family_id)?.ok_or(diesel::result::Error::NotFound)?;
            let referral_details = ReferralDetails {
                reason: format!("{} — {}", at_table.name, created.text),
                tried: created.rationale.clone(),
                question: created.outcome.clone(),
                urgency: family.urgency(),
                family_informed: family.family_informed,
                not_informed_reason: family.not_informed_reason.clone(),
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
    }
    Ok(created)
}

pub fn add_action(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item: &AgendaItem,
    decision_id: Option<i64>,
    details: &ActionDetails,
    owner: &Who,
) -> QueryResult<Action> {
    let created = decision::create_action(
        conn,
        at.id,
        item.id,
        decision_id,
        item.family_id,
        details,
        by.user_id,
    )?;
    meeting_event(
        conn,
        by,
        (Some(at.id), item.family_id),
        EventKind::ActionCreated,
        ("action", created.id),
        json!({"name": owner.name, "organisation": owner.organisation_name, "due": details.due_on.format("%d-%m-%Y").to_string()}),
    )?;
    Ok(created)
}

/// Marks an open action done or cancelled; false when it was not open any more.
pub fn finish_action(
    conn: &mut DbConn,
    by: &Who,
    action: &Action,
    status: ActionStatus,
    result: &str,
) -> QueryResult<bool> {
    if decision::finish_action(conn, action.id, status, result)? == 0 {
        return Ok(false);
    }
    let kind = action_event(status);
    meeting_event(
        conn,
        by,
        (Some(action.meeting_id), action.family_id),
        kind,
        ("action", action.id),
        json!({"reason": result}),
    )?;
    Ok(true)
}

/// Closes the meeting: from now on its decisions and minutes are read-only. Referrals discussed at it
/// are marked so. The closing event's hash is kept on the meeting as its seal.
pub fn close_meeting(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    at_table: &Table,
) -> QueryResult<()> {
    meeting::set_status(conn, at.id, MeetingStatus::Closed)?;
    for item in meeting::items(conn, at.id)? {
        if let Some(referral_id) = item.referral_id {
            referral::set_status(
                conn,
                referral_id,
                ReferralStatus::Discussed,
                None,
                Some(at.id),
            )?;
        }
        if let Some(family_id) = item.family_id {
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
    }
    let closing = meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingClosed,
        ("meeting", at.id),
        json!({"table": at_table.name}),
    )?;
    meeting::set_closing_hash(conn, at.id, &closing.hash)
}

/// Records who is present, absent with notice or absent, and how.
pub fn set_attendance(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    person: &Who,
    status: meeting::AttendanceStatus,
    mode: Option<meeting::AttendanceMode>,
) -> QueryResult<bool> {
    if meeting::set_attendance(conn, at.id, person.user_id, status, mode)? == 0 {
        return Ok(false);
    }
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::MeetingAttendance,
        ("meeting", at.id),
        json!({"name": person.name, "status": status.code()}),
    )?;
    Ok(true)
}

/// Moves an agenda item up or down; false when it could not move (first, last, or the review).
pub fn move_item(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item_id: i64,
    up: bool,
) -> QueryResult<bool> {
    if !meeting::move_item(conn, at.id, item_id, up)? {
        return Ok(false);
    }
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaChanged,
        ("agenda_item", item_id),
        json!({}),
    )?;
    Ok(true)
}

pub fn set_time_box(
    conn: &mut DbConn,
    by: &Who,
    at: &Meeting,
    item_id: i64,
    minutes: i32,
) -> QueryResult<()> {
    meeting::set_time_box(conn, item_id, minutes)?;
    meeting_event(
        conn,
        by,
        (Some(at.id), None),
        EventKind::AgendaChanged,
        ("agenda_item", item_id),
        json!({}),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Phased work on safety

use crate::domain::safety::{
    self, Criterion, NewPhase, NewScore, Phase, PlanContent, PlanKind, PlanRef,
};

/// Moves the family to phase `to`, with the checklist as ticked and the rationale. `decided_at` names
/// the meeting and decision when a table decided it; otherwise the director did.
pub fn change_phase(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    to: Phase,
    checklist: &[Criterion],
    rationale: &str,
    decided_at: Option<(&Meeting, &Table, i64)>,
) -> QueryResult<()> {
    let from = safety::current(conn, family_id)?.map(|c| c.phase);
    let id = safety::insert_phase(
        conn,
        &NewPhase {
            family_id,
            phase: to,
            previous: from,
            decided_by_user_id: by.user_id,
            decided_by_organisation_id: by.organisation_id,
            decision_id: decided_at.map(|(_, _, d)| d),
            meeting_id: decided_at.map(|(m, _, _)| m.id),
            rationale,
            criteria: checklist,
        },
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::PhaseChanged,
        ("safety_phase", id),
        json!({
            "from": from.map(|p| p.number().to_string()).unwrap_or_default(),
            "to": to.number().to_string(),
            "table": decided_at.map(|(_, t, _)| t.name.clone()).unwrap_or_default(),
        }),
    )
}

/// Saves a new version of a phase plan on top of `base_version` (a conflict saves nothing).
pub fn save_phase_plan(
    conn: &mut DbConn,
    by: &Who,
    plan: PlanRef,
    base_version: i32,
    review_on: Option<NaiveDate>,
    content: &PlanContent,
) -> QueryResult<Saved> {
    let saved = safety::save_plan(conn, plan, base_version, by.user_id, review_on, content)?;
    if let Saved::Version(v) = saved {
        let person = match plan.person_id {
            Some(p) => family::find_person(conn, plan.family_id, p)?
                .map(|p| p.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        event(
            conn,
            by,
            plan.family_id,
            phase_plan_event(plan.kind),
            ("phase_plan", plan.family_id),
            json!({"version": v.to_string(), "person": person}),
        )?;
    }
    Ok(saved)
}

/// Records a score on the safety scale, given by a professional or by the family.
pub fn record_score(conn: &mut DbConn, by: &Who, score: &NewScore<'_>) -> QueryResult<()> {
    let id = safety::add_score(conn, score)?;
    event(
        conn,
        by,
        score.family_id,
        EventKind::SafetyScoreRecorded,
        ("safety_score", id),
        json!({
            "score": score.score.to_string(),
            "given_by": score.given_by,
        }),
    )
}

// ---------------------------------------------------------------------------------------------------
// Exports

/// An export was made or sent: which document, in which format and version, of which meeting or table.
pub fn export_made(
    conn: &mut DbConn,
    by: &Who,
    kind: ExportKind,
    (family_id, subject): (Option<i64>, (&str, i64)),
    data: serde_json::Value,
) -> QueryResult<()> {
    let kind = match kind {
        ExportKind::Downloaded => EventKind::ExportDownloaded,
        ExportKind::Sent => EventKind::ExportSent,
    };
    events::append(
        conn,
        by.actor(),
        NewEvent {
            family_id,
            kind,
            subject_type: subject.0,
            subject_id: Some(subject.1),
            data,
            meeting_id: None,
        },
    )?;
    Ok(())
}

#[derive(Clone, Copy, Debug)]
pub enum ExportKind {
    Downloaded,
    Sent,
}

// ---------------------------------------------------------------------------------------------------
// The family portal

use crate::domain::portal::{self, Access, Category};

/// Makes a family account for a member and gives it access to the family's portal. Returns the account.
pub fn invite_to_portal(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    member: &Person,
    email: &str,
    judgement: &str,
) -> QueryResult<crate::domain::user::User> {
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
) -> QueryResult<()> {
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
pub fn share_minutes(conn: &mut DbConn, by: &Who, item: &AgendaItem) -> QueryResult<()> {
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
) -> QueryResult<()> {
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
) -> QueryResult<()> {
    portal::save_view(conn, item.id, access, body)?;
    meeting_event(
        conn,
        by,
        (Some(item.meeting_id), Some(access.family_id)),
        EventKind::FamilyViewSaved,
        ("agenda_item", item.id),
        json!({}),
    )?;
    Ok(())
}

pub fn request_correction(
    conn: &mut DbConn,
    by: &Who,
    access: &Access,
    about: &str,
    body: &str,
) -> QueryResult<()> {
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
) -> QueryResult<bool> {
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
) -> QueryResult<()> {
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
pub fn portal_access_changed(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    member: &Person,
    active: bool,
) -> QueryResult<()> {
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

// ---------------------------------------------------------------------------------------------------
// Partners

/// Records that an organisation read an outcome (or part of it): an `outcome.read` event naming the
/// organisation, in the reading's transaction.
pub fn record_reading(
    conn: &mut DbConn,
    organisation_id: i64,
    outcome: &crate::domain::outcome::Outcome,
    resource: &str,
) -> QueryResult<events::Event> {
    use crate::schema::organisations;
    use diesel::prelude::*;
    let (name, oin): (String, Option<String>) = organisations::table
        .find(organisation_id)
        .select((organisations::name, organisations::oin))
        .first(conn)?;
    events::append(
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
    )
}
