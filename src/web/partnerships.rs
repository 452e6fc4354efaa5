//! Partnerships (samenwerkingsverbanden), set up by the system admin: the organisations taking part,
//! the coordinators who run the tables, and the agreements on who directs a family and how long a closed
//! record stays readable.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{actor, who};
use super::forms::FieldErrors;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::organisation::{self, Organisation, OrganisationKind};
use crate::domain::partnership::{self, Coordinator, Partnership};
use crate::domain::user::{self, UserWithOrganisation};
use crate::policy::{self, GovernanceAction, Standing};
use crate::record;

fn require(user: &SignedIn) -> Result<(), AppError> {
    if policy::allows_governance(
        actor(user),
        Standing::default(),
        GovernanceAction::ManagePartnerships,
    ) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Template)]
#[template(path = "partnerships/index.html")]
struct PartnershipsPage {
    ctx: PageCtx,
    partnerships: Vec<Partnership>,
    typed_name: String,
    errors: FieldErrors,
}

pub async fn list_partnerships(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    require(&user.0)?;
    let partnerships = state.db(|conn| Ok(partnership::list(conn)?)).await?;
    html(
        StatusCode::OK,
        PartnershipsPage {
            ctx,
            partnerships,
            typed_name: String::new(),
            errors: FieldErrors::default(),
        },
    )
}

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn create_partnership(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<NameForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    require(&user)?;
    let name = form.into_inner().name.trim().to_string();
    let mut errors = FieldErrors::default();
    if name.is_empty() {
        errors.add("name", "partnership.name_required");
    } else if name.chars().count() > 200 {
        errors.add("name", "form.too_long");
    }
    let by = who(&user);
    let typed = name.clone();
    let (created, partnerships) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                if errors.is_empty() && partnership::find_by_name(conn, &name)?.is_some() {
                    errors.add("name", "partnership.name_taken");
                }
                if !errors.is_empty() {
                    return Ok::<_, AppError>((Err(errors), partnership::list(conn)?));
                }
                let created = record::create_partnership(conn, &by, &name)?;
                Ok((Ok(created.id), Vec::new()))
            })
        })
        .await?;
    match created {
        Ok(id) => Ok(see_other(&format!("/beheer/samenwerkingsverbanden/{id}"))),
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            PartnershipsPage {
                ctx,
                partnerships,
                typed_name: typed,
                errors,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "partnerships/show.html")]
struct PartnershipPage {
    ctx: PageCtx,
    partnership: Partnership,
    organisations: Vec<Organisation>,
    /// Organisations that do not take part yet.
    others: Vec<Organisation>,
    coordinators: Vec<Coordinator>,
    /// Who can be appointed coordinator: (user id, "name — organisation").
    candidates: Vec<(i64, String)>,
    kinds: Vec<OrganisationKind>,
    errors: FieldErrors,
}

impl PartnershipPage {
    fn directs(&self, kind: &OrganisationKind) -> bool {
        self.partnership.director_kinds().contains(kind)
    }
}

fn partnership_page(
    conn: &mut DbConn,
    ctx: PageCtx,
    id: i64,
    errors: FieldErrors,
) -> Result<PartnershipPage, AppError> {
    let found = partnership::find(conn, id)?.ok_or(AppError::NotFound)?;
    let organisations = partnership::organisations(conn, id)?;
    let others = organisation::list(conn)?
        .into_iter()
        .filter(|o| !organisations.iter().any(|t| t.id == o.id))
        .collect();
    let coordinators = partnership::coordinators(conn, id)?;
    let candidates = coordinator_candidates(conn, &organisations)?
        .into_iter()
        .filter(|u| !coordinators.iter().any(|c| c.user_id == u.user.id))
        .map(|u| {
            (
                u.user.id,
                format!(
                    "{} — {}",
                    u.user.name,
                    u.organisation_name.unwrap_or_default()
                ),
            )
        })
        .collect();
    Ok(PartnershipPage {
        ctx,
        partnership: found,
        organisations,
        others,
        coordinators,
        candidates,
        kinds: OrganisationKind::ALL.to_vec(),
        errors,
    })
}

/// The accounts that may coordinate: active professionals and organisation admins of the
/// organisations taking part.
fn coordinator_candidates(
    conn: &mut DbConn,
    taking_part: &[Organisation],
) -> Result<Vec<UserWithOrganisation>, AppError> {
    Ok(user::list(conn, None)?
        .into_iter()
        .filter(|u| {
            let takes_part = u
                .user
                .organisation_id
                .is_some_and(|o| taking_part.iter().any(|t| t.id == o));
            policy::may_coordinate(u.user.role(), u.user.active, takes_part)
        })
        .collect())
}

pub async fn show_partnership(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    require(&user.0)?;
    let id = path.into_inner();
    let page = state
        .db(move |conn| partnership_page(conn, ctx, id, FieldErrors::default()))
        .await?;
    html(StatusCode::OK, page)
}

#[derive(Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    organisation_id: String,
}

pub async fn add_organisation(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<OrganisationForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    require(&user)?;
    let id = path.into_inner();
    let organisation_id = form.organisation_id.trim().parse::<i64>().ok();
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let to = partnership::find(conn, id)?.ok_or(AppError::NotFound)?;
                let Some(org) = organisation_id
                    .map(|o| organisation::find(conn, o))
                    .transpose()?
                    .flatten()
                else {
                    return Err(AppError::Unprocessable("organisation".into()));
                };
                record::add_organisation(conn, &by, &to, &org)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/beheer/samenwerkingsverbanden/{id}#organisaties"
    )))
}

#[derive(Deserialize)]
pub struct CoordinatorForm {
    #[serde(default)]
    user_id: String,
}

pub async fn appoint_coordinator(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<CoordinatorForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    require(&user)?;
    let id = path.into_inner();
    let chosen = form.user_id.trim().parse::<i64>().ok();
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let of = partnership::find(conn, id)?.ok_or(AppError::NotFound)?;
                let candidate = match chosen {
                    Some(c) => user::find(conn, c)?,
                    None => None,
                };
                let Some(candidate) = candidate else {
                    return Err(AppError::Unprocessable("coordinator".into()));
                };
                let takes_part = match candidate.organisation_id {
                    Some(org) => partnership::takes_part(conn, id, org)?,
                    None => false,
                };
                if !policy::may_coordinate(candidate.role(), candidate.active, takes_part) {
                    return Err(AppError::Unprocessable("coordinator".into()));
                }
                let coordinator = record::who(conn, candidate.id)?;
                record::appoint_coordinator(conn, &by, &of, &coordinator)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/beheer/samenwerkingsverbanden/{id}#coordinatoren"
    )))
}

pub async fn remove_coordinator(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    require(&user)?;
    let (id, user_id) = path.into_inner();
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let of = partnership::find(conn, id)?.ok_or(AppError::NotFound)?;
                let coordinator = record::who(conn, user_id)?;
                record::remove_coordinator(conn, &by, &of, &coordinator)?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other(&format!(
        "/beheer/samenwerkingsverbanden/{id}#coordinatoren"
    )))
}

/// The two periods as the form sends them: the readable days (None when invalid), and the retention
/// years (None when the form has none, Some(None) when invalid).
fn record_periods_in(fields: &[(String, String)]) -> (Option<i32>, Option<Option<i32>>) {
    let days = fields
        .iter()
        .find(|(k, _)| k == "closed_readable_days")
        .and_then(|(_, v)| v.trim().parse::<i32>().ok())
        .filter(|d| (0..=3650).contains(d));
    let years = fields
        .iter()
        .find(|(k, _)| k == "retention_years")
        .map(|(_, v)| {
            v.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1..=100).contains(y))
        });
    (days, years)
}

pub async fn change_settings(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    require(&user)?;
    let id = path.into_inner();
    let fields = form.into_inner();
    let kinds: Vec<OrganisationKind> = fields
        .iter()
        .filter(|(k, _)| k == "director_kinds")
        .filter_map(|(_, v)| OrganisationKind::from_code(v))
        .collect();
    let (days, years) = record_periods_in(&fields);
    // The name, when the form sends one (renaming); without it the name stays.
    let name = fields
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.trim().to_string());
    let mut errors = FieldErrors::default();
    match &name {
        Some(n) if n.is_empty() => errors.add("name", "partnership.name_required"),
        Some(n) if n.chars().count() > 200 => errors.add("name", "form.too_long"),
        _ => {}
    }
    if kinds.is_empty() {
        errors.add("director_kinds", "partnership.director_kinds_required");
    }
    if days.is_none() {
        errors.add(
            "closed_readable_days",
            "partnership.closed_readable_invalid",
        );
    }
    if years == Some(None) {
        errors.add("retention_years", "partnership.retention_years_invalid");
    }
    let by = who(&user);
    let page = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let of = partnership::find(conn, id)?.ok_or(AppError::NotFound)?;
                let name = name.unwrap_or_else(|| of.name.clone());
                if name != of.name && partnership::find_by_name(conn, &name)?.is_some() {
                    errors.add("name", "partnership.name_taken");
                }
                match days {
                    Some(days) if errors.is_empty() => {
                        let periods = partnership::RecordPeriods {
                            closed_readable_days: days,
                            retention_years: years.flatten().unwrap_or(of.retention_years),
                        };
                        record::change_settings(conn, &by, &of, &name, &kinds, periods)?;
                        Ok(None)
                    }
                    _ => Ok(Some(partnership_page(conn, ctx, id, errors)?)),
                }
            })
        })
        .await?;
    match page {
        None => Ok(see_other(&format!(
            "/beheer/samenwerkingsverbanden/{id}#afspraken"
        ))),
        Some(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}
