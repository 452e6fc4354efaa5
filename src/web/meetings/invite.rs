//! Inviting a guest for one item: someone of the table's partnership, or from outside it with a written
//! reason that stays with the invitation, is in the event and is shown to the family's director and in
//! the family's access log. The same page lists who is invited, and the chair withdraws an invitation
//! there.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::decisions::parse_id;
use super::seat_may;
use crate::db::{self, DbConn};
use crate::domain::family;
use crate::domain::meeting::{self, AgendaItem, Meeting, MeetingAction, state_allows};
use crate::domain::table::Table;
use crate::record;
use crate::web::access::{meeting_for, who};
use crate::web::forms::{FieldErrors, NoticeQuery, TEXT_LIMIT};
use crate::web::html;
use crate::web::views::choices::{Candidates, candidates};
use crate::web::{AppError, AppState, CurrentUser, PageCtx, SignedIn, notice_key, see_other};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct GuestForm {
    #[serde(default)]
    pub(super) user_id: String,
    /// Why someone from outside the table's partnership (required for them only).
    #[serde(default)]
    pub(super) reason: String,
}

#[derive(Template)]
#[template(path = "meetings/invite.html")]
struct InvitePage {
    ctx: PageCtx,
    meeting: Meeting,
    table: Table,
    item: AgendaItem,
    candidates: Candidates,
    /// Who is invited for the item now.
    invited: Vec<Invited>,
    form: GuestForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

/// Someone invited for the item. The family's director (and co-worker) stay invited: they are at the
/// table for their family whatever else happens.
struct Invited {
    user_id: i64,
    name: String,
    directs: bool,
}

/// The meeting, table and item, who may still be invited, and who is invited.
type Invitation = (Meeting, Table, AgendaItem, Candidates, Vec<Invited>);

impl InvitePage {
    fn new(ctx: PageCtx, invitation: Invitation, form: GuestForm, errors: FieldErrors) -> Self {
        let (meeting, table, item, candidates, invited) = invitation;
        InvitePage {
            ctx,
            meeting,
            table,
            item,
            candidates,
            invited,
            form,
            errors,
            notice: None,
        }
    }
}

/// The meeting, table and item the chair invites for, with who can still be invited for it.
fn invitation(
    conn: &mut DbConn,
    user: &SignedIn,
    meeting_id: i64,
    item_id: i64,
) -> Result<Invitation, AppError> {
    let (found, at, seat) = meeting_for(conn, user, meeting_id)?;
    seat_may(seat, MeetingAction::ArrangeAgenda)?;
    let item = meeting::find_item(conn, found.id, item_id)?.ok_or(AppError::NotFound)?;
    if !state_allows(found.state(), MeetingAction::ArrangeAgenda) {
        return Err(AppError::Unprocessable("meeting closed".into()));
    }
    let mut invited = Vec::new();
    for (_, user_id, name) in meeting::item_invitees(conn, found.id)?
        .into_iter()
        .filter(|(item, _, _)| *item == item_id)
    {
        let relation = match item.family_id {
            Some(family_id) => family::relation(conn, family_id, user_id)?,
            None => family::Relation::default(),
        };
        invited.push(Invited {
            user_id,
            name,
            directs: relation.director || relation.co_worker,
        });
    }
    let ids: Vec<i64> = invited.iter().map(|i| i.user_id).collect();
    let choices = candidates(conn, at.partnership_id, &ids)?;
    Ok((found, at, item, choices, invited))
}

pub async fn show_invite(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let found = state
        .db(move |conn| invitation(conn, &user, meeting_id, item_id))
        .await?;
    let mut page = InvitePage::new(ctx, found, GuestForm::default(), FieldErrors::default());
    page.notice = notice_key(query.melding.as_deref());
    html(StatusCode::OK, page)
}

/// The guest and the reason as sent, checked against who can be invited.
fn check_guest(
    form: &GuestForm,
    choices: &Candidates,
) -> Result<(i64, Option<String>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let guest = parse_id(&form.user_id).filter(|id| choices.knows(*id));
    if guest.is_none() {
        errors.add("user_id", "invite_guest.user_required");
    }
    let reason = form.reason.trim().to_string();
    if reason.chars().count() > TEXT_LIMIT {
        errors.add("reason", "form.too_long");
    }
    let outside = guest.is_some_and(|g| choices.is_outside(g));
    if outside && reason.is_empty() {
        errors.add("reason", "invite_guest.reason_required");
    }
    match guest {
        Some(g) if errors.is_empty() => Ok((g, outside.then_some(reason))),
        _ => Err(errors),
    }
}

pub async fn invite_for_item(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<GuestForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id), form) = (user.0, path.into_inner(), form.into_inner());
    let sent = form.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, at, item, choices, invited) =
                    invitation(conn, &user, meeting_id, item_id)?;
                match check_guest(&sent, &choices) {
                    Ok((guest, reason)) => {
                        let guest = record::who(conn, guest)?;
                        let by = who(&user);
                        let announced = record::invite_for_item(
                            conn,
                            &by,
                            &found,
                            &item,
                            &guest,
                            reason.as_deref(),
                        )?;
                        Ok::<_, AppError>(Ok(announced))
                    }
                    Err(errors) => Ok(Err(((found, at, item, choices, invited), errors))),
                }
            })
        })
        .await?;
    match outcome {
        Ok(announced) => {
            state.wake(announced);
            Ok(see_other(&format!(
                "/bijeenkomsten/{meeting_id}/punten/{item_id}#uitgenodigd"
            )))
        }
        Err((invitation, errors)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            InvitePage::new(ctx, invitation, form, errors),
        ),
    }
}

/// `POST /bijeenkomsten/{id}/punten/{item}/uitnodigen/{user}/intrekken`: the chair withdraws an
/// invitation. The guest's open live page narrows or closes at once; one who was not invited (any more)
/// changes nothing, and the family's director stays invited.
pub async fn withdraw_invitation(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id, guest_id)) = (user.0, path.into_inner());
    let announced = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, _, item, _, invited) = invitation(conn, &user, meeting_id, item_id)?;
                match invited.iter().find(|i| i.user_id == guest_id) {
                    None => return Ok::<_, AppError>(Ok(record::Announced::nothing())),
                    Some(i) if i.directs => return Ok(Err(())),
                    Some(_) => {}
                }
                let guest = record::who(conn, guest_id)?;
                Ok(Ok(record::withdraw_item_invitation(
                    conn,
                    &who(&user),
                    &found,
                    &item,
                    &guest,
                )?))
            })
        })
        .await?;
    let notice = match announced {
        Ok(announced) => {
            state.wake(announced);
            "uitnodiging-ingetrokken"
        }
        Err(()) => "regisseur-blijft-uitgenodigd",
    };
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}/punten/{item_id}/uitnodigen?melding={notice}"
    )))
}
