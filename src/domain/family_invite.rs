//! The family at the table: who of the family, of their network, or which cliëntondersteuner or
//! ervaringsdeskundige is invited to their own family's item, for which part, and whether they came.
//! A member with a portal account joins through the portal; anyone else through a one-time link, of
//! which only the hash is kept.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::family_room_invites;

coded_enum!(
    /// Who the invited person is to the family. None of them has a professional account.
    GuestKind, "family_room.kind", [
        Member => "member",
        Network => "network",
        ClientSupport => "client_support",
        ExperienceExpert => "experience_expert",
    ]
);

coded_enum!(
    /// The part of the item they join: only the conversation, or also the decision.
    Part, "family_room.part", [
        Conversation => "conversation",
        Decision => "decision",
    ]
);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = family_room_invites)]
pub struct Invite {
    pub id: i64,
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub family_id: i64,
    pub kind: String,
    pub name: String,
    pub email: String,
    pub person_id: Option<i64>,
    pub user_id: Option<i64>,
    pub part: String,
    pub token_hash: Option<String>,
    pub valid_on: NaiveDate,
    pub view_body: String,
    pub joined_at: Option<NaiveDateTime>,
    pub invited_by_user_id: i64,
    pub approved_by_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl Invite {
    pub fn kind(&self) -> GuestKind {
        GuestKind::from_code(&self.kind).unwrap_or(GuestKind::Network)
    }
    pub fn part(&self) -> Part {
        Part::from_code(&self.part).unwrap_or(Part::Conversation)
    }
    /// A director's request the chair has not sent yet.
    pub fn waits(&self) -> bool {
        self.approved_by_user_id.is_none()
    }
}

/// A new invitation, as the chair typed it.
pub struct NewInvite<'a> {
    pub meeting_id: i64,
    pub agenda_item_id: i64,
    pub family_id: i64,
    pub kind: GuestKind,
    pub name: &'a str,
    pub email: &'a str,
    pub person_id: Option<i64>,
    pub user_id: Option<i64>,
    pub part: Part,
    pub token_hash: Option<String>,
    pub valid_on: NaiveDate,
    pub invited_by_user_id: i64,
    /// The chair who sends it; None for a director's request.
    pub approved_by_user_id: Option<i64>,
}

pub fn create(conn: &mut DbConn, new: &NewInvite) -> QueryResult<Invite> {
    diesel::insert_into(family_room_invites::table)
        .values((
            family_room_invites::meeting_id.eq(new.meeting_id),
            family_room_invites::agenda_item_id.eq(new.agenda_item_id),
            family_room_invites::family_id.eq(new.family_id),
            family_room_invites::kind.eq(new.kind.code()),
            family_room_invites::name.eq(new.name),
            family_room_invites::email.eq(new.email),
            family_room_invites::person_id.eq(new.person_id),
            family_room_invites::user_id.eq(new.user_id),
            family_room_invites::part.eq(new.part.code()),
            family_room_invites::token_hash.eq(&new.token_hash),
            family_room_invites::valid_on.eq(new.valid_on),
            family_room_invites::invited_by_user_id.eq(new.invited_by_user_id),
            family_room_invites::approved_by_user_id.eq(new.approved_by_user_id),
            family_room_invites::created_at.eq(super::now()),
        ))
        .returning(family_room_invites::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Invite>> {
    family_room_invites::table
        .find(id)
        .select(Invite::as_select())
        .first(conn)
        .optional()
}

/// Everyone of the family invited for an item, in the order they were invited.
pub fn for_item(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<Invite>> {
    family_room_invites::table
        .filter(family_room_invites::agenda_item_id.eq(item_id))
        .order(family_room_invites::id.asc())
        .select(Invite::as_select())
        .load(conn)
}

/// Everyone of a family invited in a meeting (for the attendance and the besluitenlijst).
pub fn for_meeting(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<Invite>> {
    family_room_invites::table
        .filter(family_room_invites::meeting_id.eq(meeting_id))
        .order(family_room_invites::id.asc())
        .select(Invite::as_select())
        .load(conn)
}

/// The invitation of a portal account for an item.
pub fn of_account(conn: &mut DbConn, user_id: i64, item_id: i64) -> QueryResult<Option<Invite>> {
    family_room_invites::table
        .filter(family_room_invites::user_id.eq(user_id))
        .filter(family_room_invites::agenda_item_id.eq(item_id))
        .filter(family_room_invites::approved_by_user_id.is_not_null())
        .select(Invite::as_select())
        .first(conn)
        .optional()
}

/// The invitation of a portal account in a meeting: the one item they may follow there.
pub fn of_account_in_meeting(
    conn: &mut DbConn,
    user_id: i64,
    meeting_id: i64,
) -> QueryResult<Option<Invite>> {
    family_room_invites::table
        .filter(family_room_invites::user_id.eq(user_id))
        .filter(family_room_invites::meeting_id.eq(meeting_id))
        .filter(family_room_invites::approved_by_user_id.is_not_null())
        .order(family_room_invites::id.asc())
        .select(Invite::as_select())
        .first(conn)
        .optional()
}

/// The invitation a one-time link's token belongs to (by its hash).
pub fn by_token(conn: &mut DbConn, token: &str) -> QueryResult<Option<Invite>> {
    let hash = crate::auth::token_hash(token);
    family_room_invites::table
        .filter(family_room_invites::token_hash.eq(hash))
        .filter(family_room_invites::approved_by_user_id.is_not_null())
        .select(Invite::as_select())
        .first(conn)
        .optional()
}

/// The chair sends a director's request: approved, with the one-time link's hash (if any).
pub fn approve(
    conn: &mut DbConn,
    id: i64,
    by: i64,
    token_hash: Option<String>,
) -> QueryResult<Option<Invite>> {
    diesel::update(
        family_room_invites::table
            .find(id)
            .filter(family_room_invites::approved_by_user_id.is_null()),
    )
    .set((
        family_room_invites::approved_by_user_id.eq(by),
        family_room_invites::token_hash.eq(token_hash),
    ))
    .returning(family_room_invites::all_columns)
    .get_result(conn)
    .optional()
}

/// Marks the invited person present (the first time they come into the room).
pub fn mark_joined(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    Ok(diesel::update(
        family_room_invites::table
            .find(id)
            .filter(family_room_invites::joined_at.is_null()),
    )
    .set(family_room_invites::joined_at.eq(super::now()))
    .execute(conn)?
        > 0)
}

/// What someone without a portal account typed in the room.
pub fn save_view(conn: &mut DbConn, id: i64, body: &str) -> QueryResult<()> {
    diesel::update(family_room_invites::table.find(id))
        .set(family_room_invites::view_body.eq(body))
        .execute(conn)?;
    Ok(())
}

/// The views typed in the room by people without a portal account, as (name with who they are, text).
pub fn guest_views(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<Invite>> {
    Ok(for_item(conn, item_id)?
        .into_iter()
        .filter(|i| i.user_id.is_none() && !i.view_body.is_empty())
        .collect())
}

/// Who of the family was present at an item, by name.
pub fn present_at_item(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<Invite>> {
    Ok(for_item(conn, item_id)?
        .into_iter()
        .filter(|i| i.joined_at.is_some())
        .collect())
}

/// Every view on an item: the members' from the portal and the room, then those of people invited
/// without an account (network, cliëntondersteuner, ervaringsdeskundige), as the chair reads them.
pub fn all_views(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<super::portal::View>> {
    let mut views = super::portal::views_for_item(conn, item_id)?;
    views.extend(
        guest_views(conn, item_id)?
            .into_iter()
            .map(|i| super::portal::View {
                person_id: i.person_id.unwrap_or_default(),
                name: i.name,
                body: i.view_body,
                updated_at: i.joined_at.unwrap_or(i.created_at),
            }),
    );
    Ok(views)
}
