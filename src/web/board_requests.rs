//! A request to the Raad voor de Kinderbescherming to investigate (`/verzoeken-onderzoek/{id}`): the
//! request as the table made it, and the Raad's answer. The Raad's professionals read and answer the
//! requests addressed to their organisation; whoever sees the family reads them; anyone else gets 404.
//! Every look is a row in the family's access log.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{actor, log_access, who};
use super::forms::{FieldErrors, TEXT_LIMIT};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::access_log::{self, Purpose};
use crate::domain::board_request::{self, BoardAnswer, BoardRequest};
use crate::domain::family::{self, Family, Person};
use crate::domain::meeting;
use crate::domain::table;
use crate::policy::{self, BoardAction, BoardFacts, FamilyAction};
use crate::record;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "protection/board_request.html")]
struct RequestPage {
    ctx: PageCtx,
    r: Loaded,
    /// The form is shown: the user answers for the Raad and nobody has yet.
    may_answer: bool,
    form: AnswerForm,
    errors: FieldErrors,
    problem: Option<&'static str>,
}

/// What the page shows, loaded for a user who may do `action` (404 for one who may not read; 403 for
/// one who reads but may not answer), with the look in the family's access log.
struct Loaded {
    request: BoardRequest,
    family: Family,
    members: Vec<Person>,
    raad: String,
    /// The table and the date of the meeting that decided.
    table: String,
    meeting_date: chrono::NaiveDate,
    may_answer: bool,
}

fn load(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
    action: BoardAction,
) -> Result<Loaded, AppError> {
    let request = board_request::find(conn, id)?.ok_or(AppError::NotFound)?;
    let found = family::find(conn, request.family_id)?.ok_or(AppError::NotFound)?;
    let relation = family::relation_to(conn, &found, user.id())?;
    let sees_family = policy::allows_family(actor(user), relation, FamilyAction::View);
    let facts = BoardFacts {
        owner_organisation_id: request.organisation_id,
        sees_family,
    };
    if !policy::allows_board_request(actor(user), facts, BoardAction::Read) {
        return Err(AppError::NotFound);
    }
    let may_answer = policy::allows_board_request(actor(user), facts, BoardAction::Answer);
    if action == BoardAction::Answer && !may_answer {
        return Err(AppError::Forbidden);
    }
    if sees_family {
        log_access(conn, user, found.id, relation, "access.what.board_request")?;
    } else {
        access_log::record(
            conn,
            user.id(),
            user.organisation_id(),
            found.id,
            "access.what.board_request",
            Purpose::BoardRequest,
        )?;
    }
    let decided_at = meeting::find(conn, request.meeting_id)?.ok_or(AppError::NotFound)?;
    let at = table::find(conn, decided_at.table_id)?.ok_or(AppError::NotFound)?;
    Ok(Loaded {
        raad: board_request::organisation_name(conn, request.organisation_id)?,
        members: family::persons(conn, found.id)?,
        table: at.name,
        meeting_date: crate::time::local(decided_at.starts_at).date_naive(),
        family: found,
        request,
        may_answer,
    })
}

fn page(ctx: PageCtx, loaded: Loaded) -> RequestPage {
    RequestPage {
        ctx,
        may_answer: loaded.may_answer && loaded.request.answer.is_none(),
        r: loaded,
        form: AnswerForm::default(),
        errors: FieldErrors::default(),
        problem: None,
    }
}

pub async fn show_request(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let loaded = state
        .db(move |conn| db::write(conn, |conn| load(conn, &user, id, BoardAction::Read)))
        .await?;
    html(StatusCode::OK, page(ctx, loaded))
}

/// Checks the answer: started, or not started with the reason.
fn check_answer(form: &AnswerForm) -> Result<(BoardAnswer, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let answer = BoardAnswer::from_code(form.answer.trim());
    let reason = form.reason.replace("\r\n", "\n").trim().to_string();
    match answer {
        None => errors.add("answer", "board.answer_required"),
        Some(BoardAnswer::NotStarted) if reason.is_empty() => {
            errors.add("reason", "board.reason_required");
        }
        Some(_) => {}
    }
    if reason.chars().count() > TEXT_LIMIT {
        errors.add("reason", "form.too_long");
    }
    match answer {
        Some(answer) if errors.is_empty() => Ok((answer, reason)),
        _ => Err(errors),
    }
}

pub async fn answer_request(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let checked = check_answer(&form);
    let (loaded, taken) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let loaded = load(conn, &user, id, BoardAction::Answer)?;
                let (answer, reason) = match checked {
                    Ok(checked) => checked,
                    Err(errors) => return Ok((loaded, Err(errors))),
                };
                let (by, role) = (who(&user), user.role());
                let taken = record::answer_board_request(
                    conn,
                    &by,
                    role,
                    &loaded.request,
                    answer,
                    &reason,
                )?;
                Ok((loaded, Ok(taken)))
            })
        })
        .await?;
    match taken {
        Ok(true) => Ok(see_other(&format!("/verzoeken-onderzoek/{id}"))),
        Ok(false) => {
            let mut again = page(ctx, loaded);
            again.problem = Some("board.answered_already");
            html(StatusCode::CONFLICT, again)
        }
        Err(errors) => {
            let mut again = page(ctx, loaded);
            again.form = form;
            again.errors = errors;
            again.problem = Some("form.errors_title");
            html(StatusCode::UNPROCESSABLE_ENTITY, again)
        }
    }
}
