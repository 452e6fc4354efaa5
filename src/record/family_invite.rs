//! The family at the table: the chair's invitation to the family's own item, coming into its room, and
//! what someone without a portal account says there. Each with its event, for the meeting's room.

use serde_json::json;

use super::{Announced, Who, announce};
use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::family_invite::{self, Invite, NewInvite};
use crate::events::{self, Actor, EventKind, NewEvent};

/// The chair invites someone for the family's own item; the director asks the chair to (the
/// invitation then waits, unsent, until the chair sends it).
pub fn invite_family(
    conn: &mut DbConn,
    by: &Who,
    new: &NewInvite,
) -> DomainResult<(Invite, Announced)> {
    let invite = family_invite::create(conn, new)?;
    let kind = match invite.waits() {
        true => EventKind::FamilyRoomRequested,
        false => EventKind::FamilyRoomInvited,
    };
    let announced = invited(conn, by, &invite, kind)?;
    Ok((invite, announced))
}

fn invited(
    conn: &mut DbConn,
    by: &Who,
    invite: &Invite,
    kind: EventKind,
) -> DomainResult<Announced> {
    announce(
        conn,
        by,
        (Some(invite.meeting_id), Some(invite.family_id)),
        kind,
        ("family_room_invite", invite.id),
        json!({"kind": invite.kind, "part": invite.part, "item": invite.agenda_item_id}),
    )
}

/// The chair sends the invitation the director asked for. None when it was sent already.
pub fn approve_family_invite(
    conn: &mut DbConn,
    by: &Who,
    id: i64,
    token_hash: Option<String>,
) -> DomainResult<Option<(Invite, Announced)>> {
    let Some(invite) = family_invite::approve(conn, id, by.user_id, token_hash)? else {
        return Ok(None);
    };
    let announced = invited(conn, by, &invite, EventKind::FamilyRoomInvited)?;
    Ok(Some((invite, announced)))
}

/// The event of someone invited: by their portal account, or by no account at all (a one-time link).
fn invitee_event(conn: &mut DbConn, invite: &Invite, kind: EventKind) -> DomainResult<Announced> {
    let event = events::append(
        conn,
        Actor {
            user_id: invite.user_id,
            organisation_id: None,
        },
        NewEvent {
            family_id: Some(invite.family_id),
            kind,
            subject_type: "family_room_invite",
            subject_id: Some(invite.id),
            data: json!({"item": invite.agenda_item_id, "kind": invite.kind}),
            meeting_id: Some(invite.meeting_id),
        },
    )?;
    Ok(Announced::of(&event))
}

/// The invited person came into the room: present, the first time only.
pub fn join_family_room(conn: &mut DbConn, invite: &Invite) -> DomainResult<Announced> {
    if !family_invite::mark_joined(conn, invite.id)? {
        return Ok(Announced::nothing());
    }
    invitee_event(conn, invite, EventKind::FamilyRoomJoined)
}

/// Someone without a portal account typed their view in the room: it goes to the chair's form.
pub fn give_room_view(conn: &mut DbConn, invite: &Invite, body: &str) -> DomainResult<Announced> {
    family_invite::save_view(conn, invite.id, body)?;
    invitee_event(conn, invite, EventKind::FamilyRoomViewGiven)
}
