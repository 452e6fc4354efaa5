//! One action: who does what by when, its owner marking it done (with the result) or cancelled, and
//! the chair or the family's director giving it to someone else when its owner left.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::seat_of;
use super::access::who;
use super::forms::{NoticeQuery, TEXT_LIMIT};
use super::notify::plain_mail;
use super::views::choices::{is_partnership_professional, partnership_professionals};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use super::{html, notice_key};
use crate::db::{self, DbConn};
use crate::domain::decision::{self, ActionRow, ActionStatus};
use crate::domain::meeting;
use crate::domain::{family, table, user};
use crate::events::{self, EventKind};
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
    handover: Handover,
    /// The new owner chosen in a form sent back.
    new_owner: String,
}

/// Giving the action to someone else: whether the user may, whether its owner's account is still on,
/// whom it can go to, and the handovers so far.
#[derive(Default)]
struct Handover {
    /// The request to the Raad this action answers, if it is one.
    board_request: Option<i64>,
    allowed: bool,
    owner_active: bool,
    /// Active professionals of the table's partnership (as when the action was agreed), the owner left
    /// out: (user id, "name — organisation").
    people: Vec<(i64, String)>,
    /// "Actie overgedragen van X aan Y", with when, oldest first.
    history: Vec<(chrono::NaiveDateTime, Vec<(String, String)>)>,
}

impl ActionPage {
    /// The page of `row` for `user_id`, without a form sent back.
    fn new(ctx: PageCtx, row: ActionRow, user_id: i64, handover: Handover) -> ActionPage {
        ActionPage {
            ctx,
            meeting_id: row.action.meeting_id,
            item_id: row.action.agenda_item_id,
            is_owner: row.action.owner_user_id == user_id,
            row,
            problem: None,
            result: String::new(),
            notice: None,
            handover,
            new_owner: String::new(),
        }
    }

    fn handed_over(&self, fields: &[(String, String)]) -> String {
        let args: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.ctx.i18n.t_with("event.action.reassigned", &args)
    }
}

/// The partnership of the table whose meeting agreed the action.
fn partnership_of(conn: &mut DbConn, meeting_id: i64) -> Result<i64, AppError> {
    let m = meeting::find(conn, meeting_id)?.ok_or(AppError::NotFound)?;
    let at = table::find(conn, m.table_id)?.ok_or(AppError::NotFound)?;
    Ok(at.partnership_id)
}

fn handover(
    conn: &mut DbConn,
    row: &ActionRow,
    standing: ActionStanding,
) -> Result<Handover, AppError> {
    let action = &row.action;
    let allowed = policy::allows_action_item(standing, ActionItem::Reassign)
        && action.status() == ActionStatus::Open;
    let people = if allowed {
        let partnership = partnership_of(conn, action.meeting_id)?;
        partnership_professionals(conn, partnership)?
            .into_iter()
            .filter(|(id, _)| *id != action.owner_user_id)
            .collect()
    } else {
        Vec::new()
    };
    let history = events::of_subject(conn, ("action", action.id), EventKind::ActionReassigned)?
        .into_iter()
        .map(|e| (e.occurred_at, e.fields()))
        .collect();
    Ok(Handover {
        board_request: None,
        allowed,
        owner_active: user::find(conn, action.owner_user_id)?.is_some_and(|u| u.active),
        people,
        history,
    })
}

/// The action, for its owner, the table's chair and minute-taker, and those who work with the family.
fn action_for(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
) -> Result<(ActionRow, ActionStanding), AppError> {
    let (row, standing) = action_standing(conn, user, id)?;
    if !policy::allows_action_item(standing, ActionItem::Read) {
        return Err(AppError::NotFound);
    }
    Ok((row, standing))
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
    let (row, handover) = state
        .db(move |conn| {
            let (row, standing) = action_for(conn, &user, id)?;
            let mut handover = handover(conn, &row, standing)?;
            handover.board_request = crate::domain::board_request::of_action(conn, id)?;
            Ok((row, handover))
        })
        .await?;
    let page = ActionPage {
        notice: notice_key(query.melding.as_deref()),
        ..ActionPage::new(ctx, row, user_id, handover)
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
    let (row, handover, problem) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (row, standing) = action_for(conn, &user, id)?;
                if !policy::allows_action_item(standing, ActionItem::Finish) {
                    return Err(AppError::Forbidden);
                }
                let handover = handover(conn, &row, standing)?;
                let (None, Some(status)) = (problem, status) else {
                    let problem = Err(problem.unwrap_or_default());
                    return Ok::<_, AppError>((row, handover, problem));
                };
                match record::finish_action(conn, &who(&user), &row.action, status, &typed)? {
                    Some(announced) => Ok((row, handover, Ok((announced, status)))),
                    None => Ok((row, handover, Err("action.not_open"))),
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
        problem,
        result,
        ..ActionPage::new(ctx, row, user_id, handover)
    };
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

#[derive(Deserialize)]
pub struct ReassignForm {
    #[serde(default)]
    new_owner: String,
}

/// The checked handover: the announced events and the new owner's id, or what is wrong.
type Handed = Result<(record::Announced, i64), &'static str>;

/// Gives an open action to another active professional of the table's partnership. For the chair of
/// its table and the director of its family; the new owner is told by mail (a link, no details).
pub async fn reassign_action(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReassignForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let typed = form.new_owner.trim().to_string();
    let new_owner = typed.parse::<i64>().ok();
    let user_id = user.id();
    let (row, handover, handed) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (row, standing) = action_for(conn, &user, id)?;
                if !policy::allows_action_item(standing, ActionItem::Reassign) {
                    return Err(AppError::Forbidden);
                }
                let handed = hand_over(conn, &user, &row, new_owner)?;
                let handover = handover(conn, &row, standing)?;
                Ok::<_, AppError>((row, handover, handed))
            })
        })
        .await?;
    match handed {
        Ok((announced, to)) => {
            state.wake(announced);
            tell_new_owner(&state, to, id).await;
            Ok(see_other(&format!(
                "/acties/{id}?melding=actie-overgedragen"
            )))
        }
        Err(problem) => {
            let page = ActionPage {
                problem: Some(problem),
                new_owner: typed,
                ..ActionPage::new(ctx, row, user_id, handover)
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

/// Checks the new owner and hands the action over: only an open action, only to an active
/// professional of the table's partnership other than its owner.
fn hand_over(
    conn: &mut DbConn,
    user: &SignedIn,
    row: &ActionRow,
    new_owner: Option<i64>,
) -> Result<Handed, AppError> {
    let action = &row.action;
    if action.status() != ActionStatus::Open {
        return Ok(Err("action.not_open"));
    }
    let Some(to) = new_owner.filter(|to| *to != action.owner_user_id) else {
        return Ok(Err("action.new_owner_required"));
    };
    let partnership = partnership_of(conn, action.meeting_id)?;
    if !is_partnership_professional(conn, partnership, to)? {
        return Ok(Err("action.new_owner_invalid"));
    }
    let from = record::who(conn, action.owner_user_id)?;
    let to = record::who(conn, to)?;
    Ok(
        match record::reassign_action(conn, &who(user), action, &from, &to)? {
            Some(announced) => Ok((announced, to.user_id)),
            None => Err("action.not_open"),
        },
    )
}

/// Mails the new owner a link to the action (no family details). A failure is logged, never returned:
/// the handover has been saved.
async fn tell_new_owner(state: &AppState, to: i64, action_id: i64) {
    let found = state.db(move |conn| Ok(user::find(conn, to)?)).await;
    let Ok(Some(to)) = found else {
        tracing::warn!(user_id = to, "handover mail not sent: no account");
        return;
    };
    let link = state.link(&format!("/acties/{action_id}"));
    let mail = plain_mail(
        &to,
        "mail.action_reassigned.subject",
        "mail.action_reassigned.body",
        &link,
    );
    if let Err(e) = state.send_mail(mail).await {
        tracing::warn!(user_id = to.id, error = ?e, "handover mail not sent");
    }
}
