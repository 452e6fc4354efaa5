//! The family's room on the wire and on its page: where the meeting stands for their item, the
//! decisions recorded on it and the family's views. Drawn from their own item only: nothing of another
//! item of the meeting is read here, so nothing of it can be sent.

use serde_json::json;

use crate::db::DbConn;
use crate::domain::portal::{Sharing, Thing};
use crate::domain::{decision, family_invite, meeting};
use crate::events::{Event, EventKind};
use crate::i18n::{I18n, Locale};
use crate::live::FamilySeat;
use crate::policy::family_room::Turn;
use crate::web::AppError;

fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// The family's place in a meeting for a portal account: the item they were invited for, while their
/// family's portal is open to them. None for anyone else.
pub fn seat_of(
    conn: &mut DbConn,
    meeting_id: i64,
    user_id: i64,
) -> Result<Option<FamilySeat>, AppError> {
    let Some(access) = crate::domain::portal::access(conn, user_id)? else {
        return Ok(None);
    };
    Ok(
        family_invite::of_account_in_meeting(conn, user_id, meeting_id)?
            .filter(|i| i.family_id == access.family_id)
            .map(|i| seat_for(&i)),
    )
}

/// The place of a guest behind a one-time link (by the invitation's id): their item, on the meeting's
/// day only. None once the day is over.
pub fn guest_seat(
    conn: &mut DbConn,
    meeting_id: i64,
    invite_id: i64,
) -> Result<Option<FamilySeat>, AppError> {
    Ok(family_invite::find(conn, invite_id)?
        .filter(|i| {
            i.meeting_id == meeting_id
                && i.user_id.is_none()
                && !i.waits()
                && crate::policy::family_room::link_opens(
                    i.valid_on,
                    crate::time::today(),
                    i.agenda_item_id,
                    i.agenda_item_id,
                )
        })
        .map(|i| seat_for(&i)))
}

/// The place an invitation gives: its item, whether its decisions are shown, and whose sharing rules
/// apply.
pub fn seat_for(invite: &family_invite::Invite) -> FamilySeat {
    FamilySeat {
        item_id: invite.agenda_item_id,
        decisions: crate::policy::family_room::sees_decisions(invite.part()),
        family_id: invite.family_id,
        person_id: invite.person_id,
    }
}

/// Whether the seat's person may read the decision: the director's sharing rules for a member (a
/// decision kept from them, or about another member's health, is not shown, and nothing says so); for
/// someone who is not a member, only what is kept from no member and concerns no one's health.
fn shows_decision(sharing: &Sharing, seat: FamilySeat, decision_id: i64) -> bool {
    let thing = Thing::decision(decision_id);
    match seat.person_id {
        Some(person_id) => sharing.shows(person_id, &thing),
        None => sharing.open_to_all(&thing),
    }
}

/// Where the meeting stands for the item, in the family's words.
pub fn turn_text(
    conn: &mut DbConn,
    i18n: &I18n,
    meeting_id: i64,
    item_id: i64,
) -> Result<String, AppError> {
    let found = meeting::find(conn, meeting_id)?.ok_or(AppError::NotFound)?;
    let item = meeting::find_item(conn, meeting_id, item_id)?.ok_or(AppError::NotFound)?;
    let turn = Turn::of(
        found.status(),
        found.current_item_id,
        item.id,
        item.is_closed(),
    );
    Ok(i18n.t(turn.text_key()))
}

/// One decision as the family reads it: what was decided, and what was written about their view.
pub fn decision_html(i18n: &I18n, d: &decision::Decision) -> String {
    let mut html = format!(
        "<li class=\"ss-room-decision\"><p class=\"utrecht-paragraph\"><strong>{}</strong></p>",
        escape(&i18n.t_with("family_room.decided", &[("outcome", &d.outcome)]))
    );
    if !d.text.is_empty() {
        html.push_str(&format!(
            "<p class=\"utrecht-paragraph ss-pre\">{}</p>",
            escape(&d.text)
        ));
    }
    html.push_str("</li>");
    html
}

/// The decisions on the item so far (none for those invited for the conversation only).
pub fn decisions_html(
    conn: &mut DbConn,
    i18n: &I18n,
    meeting_id: i64,
    seat: FamilySeat,
) -> Result<String, AppError> {
    if !seat.decisions {
        return Ok(String::new());
    }
    let sharing = Sharing::load(conn, seat.family_id)?;
    Ok(decision::for_meeting(conn, meeting_id)?
        .iter()
        .filter(|d| d.agenda_item_id == seat.item_id && shows_decision(&sharing, seat, d.id))
        .map(|d| decision_html(i18n, d))
        .collect())
}

/// The views given on the item, by the family and whoever came with them.
pub fn views_html(conn: &mut DbConn, i18n: &I18n, item_id: i64) -> Result<String, AppError> {
    let views = family_invite::all_views(conn, item_id)?;
    if views.is_empty() {
        return Ok(format!(
            "<p class=\"utrecht-paragraph ss-muted\">{}</p>",
            escape(&i18n.t("family_room.no_views"))
        ));
    }
    Ok(views
        .iter()
        .map(|v| {
            format!(
                "<blockquote class=\"ss-family-view\"><p class=\"utrecht-paragraph ss-pre\">{}</p><p class=\"utrecht-paragraph ss-muted\">— {}</p></blockquote>",
                escape(&v.body),
                escape(&v.name)
            )
        })
        .collect())
}

/// The item an event is about, when it is about an item: the decision's, the view's.
fn item_of(conn: &mut DbConn, event: &Event) -> Result<Option<i64>, AppError> {
    Ok(match event.event_kind() {
        Some(EventKind::DecisionRecorded | EventKind::DecisionCorrected) => event
            .subject_id
            .and_then(|id| decision::find(conn, id).transpose())
            .transpose()?
            .map(|d| d.agenda_item_id),
        Some(EventKind::FamilyViewSaved) => event.subject_id,
        Some(EventKind::FamilyRoomViewGiven) => event
            .subject_id
            .map(|id| family_invite::find(conn, id))
            .transpose()?
            .flatten()
            .map(|i| i.agenda_item_id),
        _ => None,
    })
}

/// Renders an event for the family's room: None for anything not about their item, so not even that
/// something happened elsewhere reaches them.
pub fn render(
    conn: &mut DbConn,
    event: &Event,
    locale: Locale,
    seat: FamilySeat,
) -> Result<Option<String>, AppError> {
    let Some(meeting_id) = event.meeting_id else {
        return Ok(None);
    };
    let i18n = I18n::new(locale);
    let what = event.event_kind();
    let mut fragments = Vec::new();
    if what.is_some_and(|k| k.changes_meeting_state()) {
        let text = turn_text(conn, &i18n, meeting_id, seat.item_id)?;
        fragments.push(json!({"target": "#room-turn", "mode": "replace", "html": escape(&text)}));
    }
    if item_of(conn, event)? == Some(seat.item_id) {
        match what {
            Some(EventKind::DecisionRecorded | EventKind::DecisionCorrected) if seat.decisions => {
                if let Some(d) = event
                    .subject_id
                    .and_then(|id| decision::find(conn, id).transpose())
                    .transpose()?
                    .filter(|d| {
                        Sharing::load(conn, seat.family_id)
                            .is_ok_and(|sharing| shows_decision(&sharing, seat, d.id))
                    })
                {
                    fragments.push(json!({"target": "#room-decisions", "mode": "append",
                        "html": decision_html(&i18n, &d)}));
                }
            }
            Some(EventKind::FamilyViewSaved | EventKind::FamilyRoomViewGiven) => {
                let html = views_html(conn, &i18n, seat.item_id)?;
                fragments.push(json!({"target": "#room-views", "mode": "replace", "html": html}));
            }
            _ => {}
        }
    }
    if fragments.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        json!({"event": event.id, "kind": "room", "fragments": fragments}).to_string(),
    ))
}
