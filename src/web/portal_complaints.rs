//! Complaints and objections in the family portal (`/portaal/klachten`): "Ik ben het niet eens" with a
//! decision, "Ik wil een klacht indienen" without one. The member reads the acknowledgement with its
//! deadline and, later, the answer; only their own. Corrections ("Klopt er iets niet?") stay on the
//! portal's start page.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::access::{portal_member, who};
use super::forms::{FieldErrors, TEXT_LIMIT, clean};
use super::notify::notify_complaint_filed;
use super::{AppError, AppState, FamilyUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::complaint::{self, Listed};
use crate::domain::portal::{self, Access};
use crate::record;

/// What "about" says for a complaint without a decision.
const NO_DECISION: &str = "klacht";

#[derive(Template)]
#[template(path = "portal/complaints.html")]
struct ComplaintsPage {
    ctx: PageCtx,
    /// The decisions the member may object to: (id, outcome, table, when).
    decisions: Vec<(i64, String, String, NaiveDateTime)>,
    mine: Vec<Listed>,
    weeks: i32,
    /// What is chosen: `NO_DECISION` or a decision's id.
    about: String,
    body: String,
    errors: FieldErrors,
    notice: bool,
}

impl ComplaintsPage {
    fn chosen(&self, id: &i64) -> bool {
        self.about == id.to_string()
    }
    fn no_decision(&self) -> bool {
        self.about == NO_DECISION
    }
    fn overdue(&self, c: &Listed) -> bool {
        c.complaint.is_overdue(crate::time::today())
    }
}

/// The decisions the member may see (none when the director keeps decisions from them).
fn decisions_for(
    conn: &mut DbConn,
    access: &Access,
) -> Result<Vec<(i64, String, String, NaiveDateTime)>, AppError> {
    // The same rule as the portal's own list: a decision kept from the member, or about another
    // member's health, cannot be chosen (nor guessed by its number in the form).
    let sharing = portal::Sharing::load(conn, access.family_id)?;
    Ok(complaint::decisions_of(conn, access.family_id)?
        .into_iter()
        .filter(|d| sharing.shows(access.person_id, &portal::Thing::decision(d.0)))
        .collect())
}

fn page(conn: &mut DbConn, ctx: PageCtx, user: &SignedIn) -> Result<ComplaintsPage, AppError> {
    let access = portal_member(conn, user)?;
    let partnership: i64 = crate::domain::family::find(conn, access.family_id)?
        .ok_or(AppError::NotFound)?
        .partnership_id;
    Ok(ComplaintsPage {
        ctx,
        decisions: decisions_for(conn, &access)?,
        mine: complaint::of_member(conn, access.person_id)?,
        weeks: complaint::weeks(conn, partnership)?,
        about: String::new(),
        body: String::new(),
        errors: FieldErrors::default(),
        notice: false,
    })
}

#[derive(serde::Deserialize)]
pub struct ComplaintsQuery {
    besluit: Option<String>,
    melding: Option<String>,
}

pub async fn show_complaints(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<ComplaintsQuery>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let query = query.into_inner();
    let mut page = state.db(move |conn| page(conn, ctx, &user)).await?;
    // "Ik ben het niet eens" next to a decision chooses it; "Ik wil een klacht indienen" none.
    page.about = match query.besluit {
        Some(id) if page.decisions.iter().any(|d| d.0.to_string() == id) => id,
        _ => NO_DECISION.into(),
    };
    page.notice = query.melding.as_deref() == Some("ontvangen");
    html(StatusCode::OK, page)
}

/// Files the complaint or objection; the acknowledgement and the notice to its handlers go by mail.
pub async fn file_complaint(
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, fields) = (user.0, form.into_inner());
    let about = fields.get("about").cloned().unwrap_or_default();
    let body = clean(fields.get("body"));
    let mut errors = FieldErrors::default();
    if body.is_empty() {
        errors.add("body", "complaint.body_required");
    } else if body.chars().count() > TEXT_LIMIT {
        errors.add("body", "form.too_long");
    }
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let mut page = page(conn, ctx, &user)?;
                let decision = match about.as_str() {
                    NO_DECISION => Some(None),
                    id => page
                        .decisions
                        .iter()
                        .find(|d| d.0.to_string() == id)
                        .map(|d| Some(d.0)),
                };
                let Some(decision) = decision else {
                    errors.add("about", "complaint.about_required");
                    page.errors = errors;
                    page.about = about;
                    page.body = body;
                    return Ok::<_, AppError>(Err(page));
                };
                if !errors.is_empty() {
                    page.errors = errors;
                    page.about = about;
                    page.body = body;
                    return Ok(Err(page));
                }
                let access = portal_member(conn, &user)?;
                let filed = record::file_complaint(conn, &who(&user), &access, decision, &body)?;
                Ok(Ok(filed.id))
            })
        })
        .await?;
    match outcome {
        Ok(id) => {
            notify_complaint_filed(&state, id).await;
            Ok(see_other(
                "/portaal/klachten?melding=ontvangen#mijn-klachten",
            ))
        }
        Err(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}
