//! One action: who does what by when, and its owner marking it done (with the result) or cancelled.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::seat_of;
use super::access::who;
use super::forms::{NoticeQuery, TEXT_LIMIT};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use super::{html, notice_key};
use crate::db::{self, DbConn};
use crate::domain::decision::{self, ActionRow, ActionStatus};
use crate::domain::family;
use crate::domain::meeting;
use crate::policy::{self, ActionItem, ActionStanding};
use crate::record;

#[derive(Template)]
#[template(path = "actions/show.html")]
struct ActionPage {
    ctx: PageCtx,
    row: ActionRow,
    meeting_id: i64,
    item_id: i64,
    is_owner: bool,
    problem: Option<&'static str>,
    result: String,
    notice: Option<&'static str>,
}

/// The action, for its owner, the table's chair and minute-taker, and those who work with the family.
fn action_for(conn: &mut DbConn, user: &SignedIn, id: i64) -> Result<ActionRow, AppError> {
    let (row, standing) = action_standing(conn, user, id)?;
    if !policy::allows_action_item(standing, ActionItem::Read) {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// The action and how the user stands to it (the rules are the policy's).
fn action_standing(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
) -> Result<(ActionRow, ActionStanding), AppError> {
    let found = decision::find_action(conn, id)?.ok_or(AppError::NotFound)?;
    let row = decision::actions_for_meeting(conn, found.meeting_id)?
        .into_iter()
        .find(|r| r.action.id == id)
        .ok_or(AppError::NotFound)?;
    let m = meeting::find(conn, found.meeting_id)?.ok_or(AppError::NotFound)?;
    let standing = ActionStanding {
        owner: found.owner_user_id == user.id(),
        seat: seat_of(conn, user.id(), m.table_id)?,
        relation: match found.family_id {
            Some(fid) => family::relation(conn, fid, user.id())?,
            None => family::Relation::default(),
        },
    };
    Ok((row, standing))
}

pub async fn show_action(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let user_id = user.id();
    let row = state.db(move |conn| action_for(conn, &user, id)).await?;
    let page = ActionPage {
        meeting_id: row.action.meeting_id,
        item_id: row.action.agenda_item_id,
        is_owner: row.action.owner_user_id == user_id,
        row,
        ctx,
        problem: None,
        result: String::new(),
        notice: notice_key(query.melding.as_deref()),
    };
    html(StatusCode::OK, page)
}

#[derive(Deserialize)]
pub struct FinishForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    result: String,
}

pub async fn finish_action(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<FinishForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let result = form.result.trim().to_string();
    let status = match form.outcome.as_str() {
        "done" => Some(ActionStatus::Done),
        "cancelled" => Some(ActionStatus::Cancelled),
        _ => None,
    };
    let problem = match status {
        None => Some("action.outcome_required"),
        Some(ActionStatus::Done) if result.is_empty() => Some("action.result_required"),
        Some(_) if result.is_empty() => Some("action.reason_required"),
        Some(_) if result.chars().count() > TEXT_LIMIT => Some("form.too_long"),
        _ => None,
    };
    let user_id = user.id();
    let typed = result.clone();
    let (row, problem) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (row, standing) = action_standing(conn, &user, id)?;
                if !policy::allows_action_item(standing, ActionItem::Read) {
                    return Err(AppError::NotFound);
                }
                if !policy::allows_action_item(standing, ActionItem::Finish) {
                    return Err(AppError::Forbidden);
                }
                let (None, Some(status)) = (problem, status) else {
                    return Ok::<_, AppError>((row, Err(problem.unwrap_or_default())));
                };
                match record::finish_action(conn, &who(&user), &row.action, status, &typed)? {
                    Some(announced) => Ok((row, Ok((announced, status)))),
                    None => Ok((row, Err("action.not_open"))),
                }
            })
        })
        .await?;
    let problem = match problem {
        Ok((announced, status)) => {
            state.wake(announced);
            // The action's page says it was saved, and how.
            let notice = match status {
                ActionStatus::Cancelled => "actie-vervallen",
                _ => "actie-gedaan",
            };
            return Ok(see_other(&format!("/acties/{id}?melding={notice}")));
        }
        Err(problem) => Some(problem),
    };
    let page = ActionPage {
        meeting_id: row.action.meeting_id,
        item_id: row.action.agenda_item_id,
        is_owner: row.action.owner_user_id == user_id,
        row,
        ctx,
        problem,
        result,
        notice: None,
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}
