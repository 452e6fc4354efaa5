//! The family's own room in a meeting (`/portaal/punten/{item}/overleg`), and the same room behind a
//! one-time link for someone invited without a portal account (`/gast/{item}/{token}`): when it is
//! their turn, the decisions recorded on their item, and a form for their view, which reaches the
//! chair's decision form at once. Everything here is read from the invitation's own item: the room
//! never loads another item of the meeting.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::{actor, who};
use super::forms::{FieldErrors, NoticeQuery, TEXT_LIMIT, clean};
use super::views::family_room::{decisions_html, seat_for, turn_text, views_html};
use super::{AppError, AppState, FamilyUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::family_invite::{self, Invite};
use crate::domain::meeting::{self, Meeting};
use crate::policy::family_room::{link_opens, sees_decisions};
use crate::record;

#[derive(Template)]
#[template(path = "portal/room.html")]
struct RoomPage {
    ctx: PageCtx,
    meeting: Meeting,
    invite: Invite,
    turn: String,
    decisions: String,
    views: String,
    /// The socket of the room.
    live: Option<String>,
    last_event: i64,
    /// Where the view is sent.
    action: String,
    body: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl RoomPage {
    fn sees_decisions(&self) -> bool {
        sees_decisions(self.invite.part())
    }
}

/// What the room shows of the invitation's item, now.
struct Room {
    meeting: Meeting,
    invite: Invite,
    turn: String,
    decisions: String,
    views: String,
    last_event: i64,
}

fn room_of(conn: &mut DbConn, ctx: &PageCtx, invite: Invite) -> Result<Room, AppError> {
    let found = meeting::find(conn, invite.meeting_id)?.ok_or(AppError::NotFound)?;
    let seat = seat_for(&invite);
    Ok(Room {
        turn: turn_text(conn, &ctx.i18n, found.id, invite.agenda_item_id)?,
        decisions: decisions_html(conn, &ctx.i18n, found.id, seat)?,
        views: views_html(conn, &ctx.i18n, invite.agenda_item_id)?,
        last_event: crate::events::last_for_meeting(conn, found.id)?,
        meeting: found,
        invite,
    })
}

/// Coming into the room while the meeting runs counts as being there.
fn come_in(conn: &mut DbConn, invite: &Invite) -> Result<record::Announced, AppError> {
    let running = meeting::find(conn, invite.meeting_id)?.is_some_and(|m| m.is_running());
    if !running {
        return Ok(record::Announced::nothing());
    }
    Ok(db::write(conn, |conn| {
        record::join_family_room(conn, invite)
    })?)
}

fn page(ctx: PageCtx, room: Room, base: &str) -> RoomPage {
    RoomPage {
        ctx,
        meeting: room.meeting,
        invite: room.invite,
        turn: room.turn,
        decisions: room.decisions,
        views: room.views,
        live: Some(format!("{base}/live")),
        last_event: room.last_event,
        action: format!("{base}/inbreng"),
        body: String::new(),
        errors: FieldErrors::default(),
        notice: None,
    }
}

/// The room's page as opened, with "opgeslagen" after a view was sent.
fn shown(
    ctx: PageCtx,
    room: Room,
    base: &str,
    melding: Option<&str>,
) -> Result<HttpResponse, AppError> {
    let mut page = page(ctx, room, base);
    page.notice = melding
        .filter(|m| *m == "opgeslagen")
        .map(|_| "family_room.view_saved");
    html(StatusCode::OK, page)
}

/// After a view was sent: back to the room when it was taken, else the room again with the message
/// and what was typed.
fn view_answer(
    state: &AppState,
    ctx: PageCtx,
    base: &str,
    (room, announced): (Option<Room>, Option<record::Announced>),
    (typed, errors): (String, FieldErrors),
) -> Result<HttpResponse, AppError> {
    if let Some(announced) = announced {
        state.wake(announced);
        return Ok(see_other(&format!("{base}?melding=opgeslagen")));
    }
    let mut page = page(ctx, room.ok_or(AppError::NotFound)?, base);
    page.body = typed;
    page.errors = errors;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// The invitation of a family account for an item of its own family; 404 for anything else.
fn own_invite(conn: &mut DbConn, user: &SignedIn, item_id: i64) -> Result<Invite, AppError> {
    let access = crate::domain::portal::access(conn, user.id())?;
    let Some(access) = access.filter(|_| crate::policy::may_use_portal(actor(user), true)) else {
        return Err(AppError::NotFound);
    };
    family_invite::of_account(conn, user.id(), item_id)?
        .filter(|i| i.family_id == access.family_id)
        .ok_or(AppError::NotFound)
}

/// The invitation a one-time link opens: its own item, on the meeting's day only.
fn link_invite(conn: &mut DbConn, item_id: i64, token: &str) -> Result<Invite, AppError> {
    family_invite::by_token(conn, token)?
        .filter(|i| link_opens(i.valid_on, crate::time::today(), i.agenda_item_id, item_id))
        .ok_or(AppError::NotFound)
}

/// The typed view, or the field's error.
fn typed_view(form: &HashMap<String, String>) -> (String, FieldErrors) {
    let body = clean(form.get("body"));
    let mut errors = FieldErrors::default();
    if body.is_empty() {
        errors.add("body", "family_room.view_required");
    } else if body.chars().count() > TEXT_LIMIT {
        errors.add("body", "form.too_long");
    }
    (body, errors)
}

fn room_path(item_id: i64) -> String {
    format!("/portaal/punten/{item_id}/overleg")
}

fn guest_path(item_id: i64, token: &str) -> String {
    format!("/gast/{item_id}/{token}")
}

/// `GET /portaal/punten/{item}/overleg`: the member's own room.
pub async fn show_room(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id) = (user.0, path.into_inner());
    let ctx2 = ctx.clone();
    let (room, announced) = state
        .db(move |conn| {
            let invite = own_invite(conn, &user, item_id)?;
            let announced = come_in(conn, &invite)?;
            Ok((room_of(conn, &ctx2, invite)?, announced))
        })
        .await?;
    state.wake(announced);
    shown(ctx, room, &room_path(item_id), query.melding.as_deref())
}

/// `POST /portaal/punten/{item}/overleg/inbreng`: the member's view, to the chair's form at once.
pub async fn give_view(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id) = (user.0, path.into_inner());
    let (body, errors) = typed_view(&form);
    let valid = errors.is_empty();
    let typed = body.clone();
    let ctx2 = ctx.clone();
    let (room, announced) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let invite = own_invite(conn, &user, item_id)?;
                if !valid {
                    return Ok::<_, AppError>((Some(room_of(conn, &ctx2, invite)?), None));
                }
                let access =
                    crate::domain::portal::access(conn, user.id())?.ok_or(AppError::NotFound)?;
                let item = meeting::find_item(conn, invite.meeting_id, item_id)?
                    .ok_or(AppError::NotFound)?;
                let announced = record::family_view(conn, &who(&user), &access, &item, &body)?;
                Ok((None, Some(announced)))
            })
        })
        .await?;
    view_answer(
        &state,
        ctx,
        &room_path(item_id),
        (room, announced),
        (typed, errors),
    )
}

/// `GET /gast/{item}/{token}`: the room behind a one-time link.
pub async fn show_guest_room(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (item_id, token) = path.into_inner();
    let ctx2 = ctx.clone();
    let secret = token.clone();
    let (room, announced) = state
        .db(move |conn| {
            let invite = link_invite(conn, item_id, &secret)?;
            let announced = come_in(conn, &invite)?;
            Ok((room_of(conn, &ctx2, invite)?, announced))
        })
        .await?;
    state.wake(announced);
    shown(
        ctx,
        room,
        &guest_path(item_id, &token),
        query.melding.as_deref(),
    )
}

/// `POST /gast/{item}/{token}/inbreng`: the guest's view, to the chair's form at once.
pub async fn give_guest_view(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (item_id, token) = path.into_inner();
    let (body, errors) = typed_view(&form);
    let valid = errors.is_empty();
    let typed = body.clone();
    let ctx2 = ctx.clone();
    let secret = token.clone();
    let (room, announced) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let invite = link_invite(conn, item_id, &secret)?;
                if !valid {
                    return Ok::<_, AppError>((Some(room_of(conn, &ctx2, invite)?), None));
                }
                Ok((None, Some(record::give_room_view(conn, &invite, &body)?)))
            })
        })
        .await?;
    view_answer(
        &state,
        ctx,
        &guest_path(item_id, &token),
        (room, announced),
        (typed, errors),
    )
}
