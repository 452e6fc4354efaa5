//! Who works with a family and who directs it: adding and ending an involvement (expertise is added,
//! never handed over), and appointing the director.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{authorize, who};
use super::forms::FieldErrors;
use super::forms::text_field;
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, see_other};
use crate::db::{self, DbConn};
use crate::domain::directorship;
use crate::domain::family::{self, Family};
use crate::domain::involvement;
use crate::policy::FamilyAction;
use crate::record;
use crate::time::parse_date;
use crate::time::today;
use crate::web::views::choices::{
    Candidates, candidates, directing_candidates, director_candidates,
};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct InvolvementForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    started_on: String,
    /// Why someone from outside the family's partnership is added (required for them only).
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "families/involvement_form.html")]
struct InvolvementFormPage {
    ctx: PageCtx,
    family: Family,
    /// Professionals who can be added: (user id, "name — organisation"), those of the family's
    /// partnership first, then those from outside it (a reason needed).
    candidates: Candidates,
    form: InvolvementForm,
    errors: FieldErrors,
}

/// Active professionals who are not involved now: the partnership's own, and the rest.
fn involvement_candidates(conn: &mut DbConn, family: &Family) -> Result<Candidates, AppError> {
    let involved: Vec<i64> = involvement::list(conn, family.id)?
        .into_iter()
        .filter(|i| i.involvement.ended_on.is_none())
        .map(|i| i.involvement.user_id)
        .collect();
    candidates(conn, family.partnership_id, &involved)
}

pub async fn show_new_involvement(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (family, candidates) = state
        .db(move |conn| {
            let (family, _) = authorize(conn, &user, family_id, FamilyAction::ManageInvolvement)?;
            let candidates = involvement_candidates(conn, &family)?;
            Ok((family, candidates))
        })
        .await?;
    let form = InvolvementForm {
        started_on: today().format("%Y-%m-%d").to_string(),
        ..InvolvementForm::default()
    };
    html(
        StatusCode::OK,
        InvolvementFormPage {
            ctx,
            family,
            candidates,
            form,
            errors: FieldErrors::default(),
        },
    )
}

pub async fn add_involvement(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<InvolvementForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let role = text_field(&mut errors, "role", &form.role, true, 100);
    let started_on = parse_date(&form.started_on);
    match started_on {
        None => errors.add("started_on", "involvement_form.started_on_invalid"),
        Some(d) if d > today() => errors.add("started_on", "involvement_form.started_on_future"),
        Some(_) => {}
    }
    let chosen = form.user_id.trim().parse::<i64>().ok();
    let reason = form.reason.trim().to_string();
    if reason.chars().count() > super::forms::TEXT_LIMIT {
        errors.add("reason", "form.too_long");
    }
    let mut form_errors = errors;
    let (family, candidates, added) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) =
                    authorize(conn, &user, family_id, FamilyAction::ManageInvolvement)?;
                let candidates = involvement_candidates(conn, &family)?;
                let professional = chosen.filter(|id| candidates.knows(*id));
                if professional.is_none() {
                    form_errors.add("user_id", "involvement_form.user_required");
                }
                // Someone from outside the partnership: only with a written reason.
                let outside = professional.is_some_and(|p| candidates.is_outside(p));
                if outside && reason.is_empty() {
                    form_errors.add("reason", "involvement_form.reason_required");
                }
                let (Some(professional), Some(started_on), true) =
                    (professional, started_on, form_errors.is_empty())
                else {
                    return Ok::<_, AppError>((family, candidates, Err(form_errors)));
                };
                let added = record::who(conn, professional)?;
                let by = who(&user);
                if outside {
                    record::add_involvement_from_outside(
                        conn, &by, family_id, &added, &role, started_on, &reason,
                    )?;
                } else {
                    record::add_involvement(conn, &by, family_id, &added, &role, started_on)?;
                }
                Ok((family, candidates, Ok(())))
            })
        })
        .await?;
    match added {
        Ok(()) => Ok(see_other(&format!("/gezinnen/{family_id}#betrokkenen"))),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            InvolvementFormPage {
                ctx,
                family,
                candidates,
                form,
                errors,
            },
        ),
    }
}

pub async fn end_involvement(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, involvement_id)) = (user.0, path.into_inner());
    let refused = state
        .db(move |conn| {
            db::write(conn, |conn| {
                authorize(conn, &user, family_id, FamilyAction::ManageInvolvement)?;
                let found = involvement::find(conn, family_id, involvement_id)?
                    .ok_or(AppError::NotFound)?;
                if found.ended_on.is_some() {
                    return Ok::<_, AppError>(false);
                }
                // The director's own involvement ends only after someone else takes over the regie.
                let relation = family::relation(conn, family_id, found.user_id)?;
                if relation.director {
                    return Ok(true);
                }
                let by = who(&user);
                let leaving = record::who(conn, found.user_id)?;
                record::end_involvement(conn, &by, family_id, involvement_id, &leaving, today())?;
                if relation.co_worker {
                    // The vast duo ends with the involvement; the director carries on alone.
                    let current = directorship::history(conn, family_id)?
                        .into_iter()
                        .next()
                        .ok_or(AppError::NotFound)?;
                    let director = record::who(conn, current.directorship.director_user_id)?;
                    record::appoint_director(conn, &by, family_id, &director, None)?;
                }
                Ok(false)
            })
        })
        .await?;
    if refused {
        return Ok(see_other(&format!(
            "/gezinnen/{family_id}?fout=regisseur-blijft#betrokkenen"
        )));
    }
    Ok(see_other(&format!("/gezinnen/{family_id}#betrokkenen")))
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DirectorForm {
    #[serde(default)]
    director_user_id: String,
    #[serde(default)]
    co_worker_user_id: String,
}

#[derive(Template)]
#[template(path = "families/director_form.html")]
struct DirectorFormPage {
    ctx: PageCtx,
    family: Family,
    /// Involved professionals: (user id, "name — organisation"); the co-worker is one of them.
    candidates: Vec<(i64, String)>,
    /// Those of them whose organisation may direct (the partnership's agreement).
    directors: Vec<(i64, String)>,
    form: DirectorForm,
    errors: FieldErrors,
    /// The user reads the family's record; a coordinator standing in for a director who left does
    /// not, and sees the family as "Gezin J., 2026-0042".
    reads_family: bool,
}

impl DirectorFormPage {
    fn family_label(&self) -> String {
        if self.reads_family {
            format!("{} ({})", self.family.display_name, self.family.case_number)
        } else {
            family::pseudonym_of(&self.family.display_name, &self.family.case_number)
        }
    }
    fn back(&self) -> String {
        if self.reads_family {
            format!("/gezinnen/{}#regie", self.family.id)
        } else {
            "/#zonder-regisseur".into()
        }
    }
}

/// The involved (co-worker candidates) and those of them who may direct.
type Choices = (Vec<(i64, String)>, Vec<(i64, String)>);

fn choices(conn: &mut crate::db::DbConn, family_id: i64) -> Result<Choices, AppError> {
    Ok((
        director_candidates(conn, family_id)?,
        directing_candidates(conn, family_id)?,
    ))
}

pub async fn show_director_form(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (family, (candidates, directors), current, reads_family) = state
        .db(move |conn| {
            let (family, relation) =
                authorize(conn, &user, family_id, FamilyAction::AppointDirector)?;
            let current = directorship::history(conn, family_id)?.into_iter().next();
            Ok((family, choices(conn, family_id)?, current, relation.any()))
        })
        .await?;
    let form = DirectorForm {
        director_user_id: current
            .as_ref()
            .map(|c| c.directorship.director_user_id.to_string())
            .unwrap_or_default(),
        co_worker_user_id: current
            .and_then(|c| c.directorship.co_worker_user_id)
            .map(|id| id.to_string())
            .unwrap_or_default(),
    };
    html(
        StatusCode::OK,
        DirectorFormPage {
            ctx,
            family,
            candidates,
            directors,
            form,
            errors: FieldErrors::default(),
            reads_family,
        },
    )
}

pub async fn appoint_director(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<DirectorForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    let director = form.director_user_id.trim().parse::<i64>().ok();
    let co_worker_text = form.co_worker_user_id.trim().to_string();
    let co_worker = co_worker_text.parse::<i64>().ok();
    let (family, (candidates, directors), result, reads_family) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, relation) =
                    authorize(conn, &user, family_id, FamilyAction::AppointDirector)?;
                let reads_family = relation.any();
                let (candidates, directors) = choices(conn, family_id)?;
                let known =
                    |id: Option<i64>| id.filter(|id| candidates.iter().any(|(c, _)| c == id));
                let mut errors = FieldErrors::default();
                // Only someone of an organisation the partnership lets direct.
                let director = director.filter(|id| directors.iter().any(|(c, _)| c == id));
                if director.is_none() {
                    errors.add("director_user_id", "director_form.director_required");
                }
                let co_worker = known(co_worker);
                if !co_worker_text.is_empty() && co_worker.is_none() {
                    errors.add("co_worker_user_id", "director_form.co_worker_invalid");
                }
                if co_worker.is_some() && co_worker == director {
                    errors.add("co_worker_user_id", "director_form.co_worker_same");
                }
                let Some(director) = director.filter(|_| errors.is_empty()) else {
                    return Ok::<_, AppError>((
                        family,
                        (candidates, directors),
                        Err(errors),
                        reads_family,
                    ));
                };
                let director = record::who(conn, director)?;
                let co_worker = match co_worker {
                    Some(id) => Some(record::who(conn, id)?),
                    None => None,
                };
                record::appoint_director(
                    conn,
                    &who(&user),
                    family_id,
                    &director,
                    co_worker.as_ref(),
                )?;
                Ok((family, (candidates, directors), Ok(()), reads_family))
            })
        })
        .await?;
    match result {
        Ok(()) if !reads_family => Ok(see_other("/?melding=regisseur-benoemd")),
        Ok(()) => Ok(see_other(&format!("/gezinnen/{family_id}#regie"))),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            DirectorFormPage {
                ctx,
                family,
                candidates,
                directors,
                form,
                errors,
                reads_family,
            },
        ),
    }
}
