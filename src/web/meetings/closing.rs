//! Closing a meeting: the chair says, for each family item without a decision, whether it moves to a
//! next meeting, waits for a new date, or ends without discussion (with the reason). Only items with a
//! decision become outcomes for the partners.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::seat_may;
use crate::db::{self, DbConn};
use crate::domain::decision;
use crate::domain::meeting::{self, AgendaItem, Meeting, MeetingAction, state_allows};
use crate::domain::table::Table;
use crate::record::{self, Undiscussed};
use crate::web::access::{meeting_for, who};
use crate::web::forms::TEXT_LIMIT;
use crate::web::html;
use crate::web::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};

/// A family item without a decision and what the chair chose (or is proposed) for it.
struct Open {
    item: AgendaItem,
    /// "verplaatsen", "wachten" or "afsluiten".
    choice: String,
    /// The meeting it moves to (as a string, as the select sends it).
    to: String,
    reason: String,
    /// What is wrong with the choice as sent: (the field's name, message key).
    problem: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "meetings/close.html")]
struct ClosePage {
    ctx: PageCtx,
    meeting: Meeting,
    table: Table,
    open: Vec<Open>,
    /// The table's meetings an item can move to (planned, not this one), soonest first.
    next: Vec<Meeting>,
}

impl ClosePage {
    fn has_problems(&self) -> bool {
        self.open.iter().any(|o| o.problem.is_some())
    }
}

/// The family items of `m` without a decision.
fn undecided(conn: &mut DbConn, m: &Meeting) -> Result<Vec<AgendaItem>, AppError> {
    let decided: Vec<i64> = decision::for_meeting(conn, m.id)?
        .iter()
        .map(|d| d.agenda_item_id)
        .collect();
    Ok(meeting::items(conn, m.id)?
        .into_iter()
        .filter(|i| i.family_id.is_some() && !decided.contains(&i.id))
        .collect())
}

/// The other meetings of the table that are still to come, soonest first.
fn next_meetings(conn: &mut DbConn, m: &Meeting) -> Result<Vec<Meeting>, AppError> {
    let mut next: Vec<Meeting> = meeting::for_table(conn, m.table_id)?
        .into_iter()
        .filter(|o| o.id != m.id && !o.is_closed() && !o.is_running())
        .collect();
    next.sort_by_key(|o| o.starts_at);
    Ok(next)
}

/// The closing page for `user`, who must be allowed to close `meeting_id`; None when the meeting
/// cannot be closed (any more).
fn close_page(
    conn: &mut DbConn,
    user: &SignedIn,
    meeting_id: i64,
    ctx: PageCtx,
) -> Result<Option<ClosePage>, AppError> {
    let (found, table, seat) = meeting_for(conn, user, meeting_id)?;
    seat_may(seat, MeetingAction::Close)?;
    if !state_allows(found.state(), MeetingAction::Close) {
        return Ok(None);
    }
    let next = next_meetings(conn, &found)?;
    // Proposed: the next meeting when there is one, else waiting for a date.
    let open = undecided(conn, &found)?
        .into_iter()
        .map(|item| Open {
            item,
            choice: if next.is_empty() {
                "wachten"
            } else {
                "verplaatsen"
            }
            .into(),
            to: next.first().map(|m| m.id.to_string()).unwrap_or_default(),
            reason: String::new(),
            problem: None,
        })
        .collect();
    Ok(Some(ClosePage {
        ctx,
        meeting: found,
        table,
        open,
        next,
    }))
}

/// `GET /bijeenkomsten/{id}/sluiten`: what closing will do, and the question per undiscussed item.
pub async fn show_close(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    match state
        .db(move |conn| close_page(conn, &user, meeting_id, ctx))
        .await?
    {
        Some(page) => html(StatusCode::OK, page),
        None => Ok(see_other(&format!("/bijeenkomsten/{meeting_id}"))),
    }
}

/// The chair's choices as sent, checked against the page: every undiscussed item needs one.
fn choices(page: &mut ClosePage, form: &HashMap<String, String>) -> HashMap<i64, Undiscussed> {
    let mut chosen = HashMap::new();
    let next: Vec<i64> = page.next.iter().map(|m| m.id).collect();
    for open in &mut page.open {
        let id = open.item.id;
        let field = |name: &str| {
            form.get(&format!("{name}-{id}"))
                .map(|v| v.trim().to_string())
        };
        open.choice = field("keuze").unwrap_or_default();
        open.to = field("naar").unwrap_or_default();
        open.reason = field("reden").unwrap_or_default();
        let choice = match open.choice.as_str() {
            "verplaatsen" => {
                let to = open.to.parse::<i64>().ok();
                match to.filter(|t| next.contains(t)) {
                    Some(to) => Ok(Undiscussed::MoveTo(to)),
                    None => Err(("naar", "closing.meeting_required")),
                }
            }
            "wachten" => Ok(Undiscussed::Wait),
            "afsluiten" if open.reason.is_empty() => Err(("reden", "closing.reason_required")),
            "afsluiten" if open.reason.chars().count() > TEXT_LIMIT => {
                Err(("reden", "form.too_long"))
            }
            "afsluiten" => Ok(Undiscussed::End(open.reason.clone())),
            _ => Err(("keuze", "closing.choice_required")),
        };
        match choice {
            Ok(choice) => {
                chosen.insert(id, choice);
            }
            Err(problem) => open.problem = Some(problem),
        }
    }
    chosen
}

/// `POST /bijeenkomsten/{id}/sluiten`: closes the meeting with the chair's choice for every item
/// without a decision; a missing or wrong choice closes nothing and shows the page again as filled in.
pub async fn close_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id, form) = (user.0, path.into_inner(), form.into_inner());
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                // Closed already (a second click): nothing to do.
                let Some(mut page) = close_page(conn, &user, meeting_id, ctx)? else {
                    return Ok(Ok(record::Announced::nothing()));
                };
                let chosen = choices(&mut page, &form);
                if page.has_problems() {
                    return Ok(Err(page));
                }
                let by = who(&user);
                Ok::<_, AppError>(Ok(record::close_meeting(
                    conn,
                    &by,
                    &page.meeting,
                    &page.table,
                    &chosen,
                )?))
            })
        })
        .await?;
    match outcome {
        Ok(announced) => {
            state.wake(announced);
            Ok(see_other(&format!(
                "/bijeenkomsten/{meeting_id}?melding=gesloten"
            )))
        }
        Err(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}
