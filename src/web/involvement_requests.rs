//! One family, one record: the refused one asks the existing director to be added as involved, and the
//! director answers. The request page shows nothing of the family: not its name, not its number.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{actor, authorize, who};
use super::forms::{FieldErrors, TEXT_LIMIT};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::involvement_request::{self, InvolvementRequest};
use crate::policy::{self, FamilyAction};
use crate::record;
use crate::time::today;

#[derive(Template)]
#[template(path = "families/involvement_request.html")]
struct RequestPage {
    ctx: PageCtx,
    request: InvolvementRequest,
    reason: String,
    errors: FieldErrors,
}

/// The user's own request; anyone else's is NotFound.
fn own_request(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
) -> Result<InvolvementRequest, AppError> {
    involvement_request::find(conn, id)?
        .filter(|r| policy::may_ask_involvement(actor(user), r.user_id == user.id()))
        .ok_or(AppError::NotFound)
}

pub async fn show_request(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let request = state.db(move |conn| own_request(conn, &user, id)).await?;
    html(
        StatusCode::OK,
        RequestPage {
            ctx,
            request,
            reason: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub async fn send_request(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let check = user.clone();
    let request = state.db(move |conn| own_request(conn, &check, id)).await?;
    let reason = form.into_inner().reason.trim().to_string();
    let mut errors = FieldErrors::default();
    if reason.is_empty() {
        errors.add("reason", "requests.reason_required");
    } else if reason.chars().count() > TEXT_LIMIT {
        errors.add("reason", "form.too_long");
    }
    // Sent already: the page shows where it stands.
    if !request.may_send() {
        return Ok(see_other(&format!("/betrokkenheidsverzoeken/{id}")));
    }
    if !errors.is_empty() {
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            RequestPage {
                ctx,
                request,
                reason,
                errors,
            },
        );
    }
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let request = own_request(conn, &user, id)?;
                record::request_involvement(conn, &who(&user), &request, &reason)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!("/betrokkenheidsverzoeken/{id}")))
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    role: String,
}

/// The director (or co-worker) accepts or declines a request for their family.
pub async fn answer_request(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, id)) = (user.0, path.into_inner());
    let form = form.into_inner();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::ManageInvolvement)?;
                let request = involvement_request::find(conn, id)?
                    .filter(|r| r.family_id == family_id)
                    .ok_or(AppError::NotFound)?;
                let role = form.role.trim();
                let accept = match form.answer.as_str() {
                    "accept" if !role.is_empty() && role.chars().count() <= 100 => Some(role),
                    "decline" => None,
                    _ => return Err(AppError::Unprocessable("answer".into())),
                };
                // Answered already (or never sent): nothing to do.
                if !request.is_waiting() {
                    return Ok(());
                }
                let requester = record::who(conn, request.user_id)?;
                record::answer_involvement_request(
                    conn,
                    &who(&user),
                    &request,
                    &requester,
                    accept,
                    today(),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!("/gezinnen/{family_id}#verzoeken")))
}
