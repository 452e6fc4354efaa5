//! The handlers' side of a family's complaints and objections: one complaint with its answer form
//! (`/klachten/{id}`, for its table's chair and the partnership's coordinators), and the coordinators'
//! page of the partnership's complaints with its term for answering
//! (`/beheer/samenwerkingsverbanden/{id}/klachten`).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::{actor, complaint_for, coordinated_partnership, who};
use super::forms::{FieldErrors, NoticeQuery, TEXT_LIMIT, clean};
use super::notify::{notify_complaint_answered, notify_complaint_forwarded};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::complaint::{self, Listed, MAX_WEEKS};
use crate::domain::partnership::Partnership;
use crate::policy::{self, ComplaintAction, ComplaintStanding};
use crate::record;

#[derive(Template)]
#[template(path = "complaints/show.html")]
struct ComplaintPage {
    ctx: PageCtx,
    c: Listed,
    answered_by: Option<String>,
    /// The partnership's other tables it can be sent on to: (id, name).
    tables: Vec<(i64, String)>,
    typed: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
}

impl ComplaintPage {
    fn overdue(&self) -> bool {
        self.c.complaint.is_overdue(crate::time::today())
    }
}

fn complaint_page(
    conn: &mut DbConn,
    ctx: PageCtx,
    user: &SignedIn,
    id: i64,
    action: ComplaintAction,
) -> Result<ComplaintPage, AppError> {
    let found = complaint_for(conn, user, id, action)?;
    let answered_by = match found.answered_by_user_id {
        Some(u) => crate::domain::user::find(conn, u)?.map(|u| u.name),
        None => None,
    };
    let tables = crate::domain::table::list_of(conn, &[found.partnership_id])?
        .into_iter()
        .filter(|t| Some(t.id) != found.table_id)
        .map(|t| (t.id, t.name))
        .collect();
    Ok(ComplaintPage {
        ctx,
        c: complaint::listed_one(conn, found)?,
        answered_by,
        tables,
        typed: String::new(),
        errors: FieldErrors::default(),
        notice: None,
    })
}

pub async fn show_complaint(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let mut page = state
        .db(move |conn| {
            db::write(conn, |conn| {
                complaint_page(conn, ctx, &user, id, ComplaintAction::Read)
            })
        })
        .await?;
    page.notice = match query.melding.as_deref() {
        Some("beantwoord") => Some("complaint.notice_answered"),
        Some("doorgestuurd") => Some("complaint.notice_forwarded"),
        _ => None,
    };
    html(StatusCode::OK, page)
}

/// The answer the family reads in the portal; a complaint is answered once.
pub async fn answer_complaint(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let answer = clean(form.get("answer"));
    let mut errors = FieldErrors::default();
    if answer.is_empty() {
        errors.add("answer", "complaint.answer_required");
    } else if answer.chars().count() > TEXT_LIMIT {
        errors.add("answer", "form.too_long");
    }
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let mut page = complaint_page(conn, ctx, &user, id, ComplaintAction::Answer)?;
                if !page.c.complaint.is_open() {
                    errors.add("answer", "complaint.answered_already");
                }
                if !errors.is_empty() {
                    page.errors = errors;
                    page.typed = answer;
                    return Ok::<_, AppError>(Err(page));
                }
                record::answer_complaint(conn, &who(&user), id, &answer)?;
                Ok(Ok(page.c.complaint.user_id))
            })
        })
        .await?;
    match outcome {
        Ok(member) => {
            notify_complaint_answered(&state, member).await;
            Ok(see_other(&format!("/klachten/{id}?melding=beantwoord")))
        }
        Err(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}

/// Sends the complaint on to another table of the partnership; its chair handles it from then on. A
/// coordinator goes back to it, a chair (who no longer reads it) to the start page.
pub async fn forward_complaint(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let to = form
        .get("table_id")
        .and_then(|v| v.trim().parse::<i64>().ok());
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let mut page = complaint_page(conn, ctx, &user, id, ComplaintAction::Forward)?;
                let chosen = to.filter(|t| page.tables.iter().any(|(i, _)| i == t));
                let Some(to) = chosen.filter(|_| page.c.complaint.is_open()) else {
                    page.errors.add("table_id", "complaint.table_required");
                    return Ok::<_, AppError>(Err(page));
                };
                record::forward_complaint(conn, &who(&user), &page.c.complaint, to)?;
                let partnership = page.c.complaint.partnership_id;
                let coordinates = super::access::coordinated(conn, &user)?.contains(&partnership);
                Ok(Ok((to, coordinates)))
            })
        })
        .await?;
    match outcome {
        Ok((to, coordinates)) => {
            notify_complaint_forwarded(&state, id, to).await;
            Ok(see_other(&if coordinates {
                format!("/klachten/{id}?melding=doorgestuurd")
            } else {
                "/".to_string()
            }))
        }
        Err(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}

// ---------------------------------------------------------------------------------------------------
// The coordinators' page of a partnership

#[derive(Template)]
#[template(path = "complaints/partnership.html")]
struct PartnershipPage {
    ctx: PageCtx,
    partnership: Partnership,
    complaints: Vec<Listed>,
    weeks: String,
    errors: FieldErrors,
    notice: bool,
}

impl PartnershipPage {
    fn overdue(&self, c: &Listed) -> bool {
        c.complaint.is_overdue(crate::time::today())
    }
}

/// The partnership, when the user coordinates it and may set its term.
fn coordinated(conn: &mut DbConn, user: &SignedIn, id: i64) -> Result<Partnership, AppError> {
    let of = coordinated_partnership(conn, user, id)?;
    let standing = ComplaintStanding {
        chair: false,
        coordinator: true,
    };
    if !policy::allows_complaint(actor(user), standing, ComplaintAction::SetTerm) {
        return Err(AppError::Forbidden);
    }
    Ok(of)
}

fn partnership_page(
    conn: &mut DbConn,
    ctx: PageCtx,
    user: &SignedIn,
    id: i64,
) -> Result<PartnershipPage, AppError> {
    let partnership = coordinated(conn, user, id)?;
    Ok(PartnershipPage {
        ctx,
        complaints: complaint::of_partnership(conn, id)?,
        weeks: complaint::weeks(conn, id)?.to_string(),
        partnership,
        errors: FieldErrors::default(),
        notice: false,
    })
}

pub async fn show_partnership_complaints(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let mut page = state
        .db(move |conn| partnership_page(conn, ctx, &user, id))
        .await?;
    page.notice = query.melding.as_deref() == Some("opgeslagen");
    html(StatusCode::OK, page)
}

/// The coordinator sets how many weeks the partnership gives itself to answer (1 to 52); complaints
/// already filed keep the deadline they were given.
pub async fn set_term(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let typed = clean(form.get("weeks"));
    let weeks = typed
        .parse::<i32>()
        .ok()
        .filter(|w| (1..=MAX_WEEKS).contains(w));
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let Some(weeks) = weeks else {
                    let mut page = partnership_page(conn, ctx, &user, id)?;
                    page.errors.add("weeks", "complaint.weeks_invalid");
                    page.weeks = typed;
                    return Ok::<_, AppError>(Err(page));
                };
                let of = coordinated(conn, &user, id)?;
                record::set_complaint_term(conn, &who(&user), &of, weeks)?;
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/beheer/samenwerkingsverbanden/{id}/klachten?melding=opgeslagen#termijn"
        ))),
        Err(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}
