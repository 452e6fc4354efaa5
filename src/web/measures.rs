//! Measures per child: the page with those running and the history, recording one, and ending one
//! (it stays in the history). The director and co-worker record; whoever sees the family reads.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::{actor, read_family, require, who};
use super::forms::{FieldErrors, TEXT_LIMIT, text};
use super::views::protection::ProtectionView;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db;
use crate::domain::DomainError;
use crate::domain::family::{self, Family, Person};
use crate::domain::measure::{DecidingBody, MeasureKind, NewMeasure};
use crate::policy::{self, FamilyAction};
use crate::record;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MeasureForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    decided_by: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    planned_end_on: String,
    #[serde(default)]
    note: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EndForm {
    #[serde(default)]
    ended_on: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "protection/measures.html")]
struct MeasuresPage {
    ctx: PageCtx,
    family: Family,
    persons: Vec<Person>,
    protection: ProtectionView,
    may_edit: bool,
    form: MeasureForm,
    end_form: EndForm,
    /// The measure the end form's errors belong to.
    ending: i64,
    errors: FieldErrors,
}

async fn measures_page(
    user: SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
) -> Result<MeasuresPage, AppError> {
    let actor = actor(&user);
    let (family, relation, (protection, persons)) = read_family(
        state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.measures",
        move |conn| {
            Ok((
                ProtectionView::for_family(conn, family_id)?,
                family::persons(conn, family_id)?,
            ))
        },
    )
    .await?;
    Ok(MeasuresPage {
        ctx,
        may_edit: policy::allows_family(actor, relation, FamilyAction::EditFamily)
            && !family.is_closed(),
        family,
        persons,
        protection,
        form: MeasureForm {
            starts_on: crate::time::today().to_string(),
            ..MeasureForm::default()
        },
        end_form: EndForm {
            ended_on: crate::time::today().to_string(),
            ..EndForm::default()
        },
        ending: 0,
        errors: FieldErrors::default(),
    })
}

pub async fn show_measures(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let page = measures_page(user.0, ctx, &state, path.into_inner()).await?;
    html(StatusCode::OK, page)
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// Checks a new measure against the family's members.
fn check_measure(
    form: &MeasureForm,
    family_id: i64,
    persons: &[Person],
    by: i64,
) -> Result<NewMeasure, FieldErrors> {
    let mut errors = FieldErrors::default();
    let person = form
        .person
        .parse::<i64>()
        .ok()
        .filter(|p| persons.iter().any(|x| x.id == *p));
    if person.is_none() {
        errors.add("person", "measure.person_required");
    }
    let kind = MeasureKind::from_code(&form.kind);
    if kind.is_none() {
        errors.add("kind", "measure.kind_required");
    }
    let body = DecidingBody::from_code(&form.decided_by);
    if body.is_none() {
        errors.add("decided_by", "measure.decided_by_required");
    }
    let starts_on = parse_date(&form.starts_on);
    if starts_on.is_none() {
        errors.add("starts_on", "form.date_invalid");
    }
    let planned_end_on = match form.planned_end_on.trim() {
        "" => None,
        raw => match parse_date(raw) {
            Some(end) if starts_on.is_some_and(|s| end < s) => {
                errors.add("planned_end_on", "measure.end_before_start");
                None
            }
            Some(end) => Some(end),
            None => {
                errors.add("planned_end_on", "form.date_invalid");
                None
            }
        },
    };
    let note = text(&mut errors, "note", &form.note, "", TEXT_LIMIT);
    match (person, kind, body, starts_on) {
        (Some(person_id), Some(kind), Some(decided_by), Some(starts_on)) if errors.is_empty() => {
            Ok(NewMeasure {
                family_id,
                person_id,
                kind,
                decided_by,
                starts_on,
                planned_end_on,
                note,
                recorded_by_user_id: by,
            })
        }
        _ => Err(errors),
    }
}

pub async fn record_measure(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<MeasureForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    require(&state, &user, family_id, FamilyAction::EditFamily).await?;
    let mut page = measures_page(user.clone(), ctx, &state, family_id).await?;
    if !page.may_edit {
        return Err(AppError::Forbidden);
    }
    match check_measure(&form, family_id, &page.persons, user.id()) {
        Ok(new) => {
            state
                .db(move |conn| {
                    db::write(conn, |conn| {
                        Ok(record::record_measure(conn, &who(&user), &new)?)
                    })
                })
                .await?;
            Ok(see_other(&format!("/gezinnen/{family_id}/maatregelen")))
        }
        Err(errors) => {
            page.form = form;
            page.errors = errors;
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

pub async fn end_measure(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<EndForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, measure_id), form) = (user.0, path.into_inner(), form.into_inner());
    require(&state, &user, family_id, FamilyAction::EditFamily).await?;
    let mut errors = FieldErrors::default();
    let ended_on = parse_date(&form.ended_on);
    if ended_on.is_none() {
        errors.add("ended_on", "form.date_invalid");
    }
    let reason = text(
        &mut errors,
        "reason",
        &form.reason,
        "measure.end_reason_required",
        TEXT_LIMIT,
    );
    if let (Some(on), true) = (ended_on, errors.is_empty()) {
        let by = who(&user);
        let done = state
            .db(move |conn| {
                db::write(conn, |conn| {
                    Ok(record::end_measure(
                        conn, &by, family_id, measure_id, on, &reason,
                    ))
                })
            })
            .await?;
        match done {
            Ok(()) => return Ok(see_other(&format!("/gezinnen/{family_id}/maatregelen"))),
            Err(DomainError::Missing(_)) => return Err(AppError::NotFound),
            Err(DomainError::Rule(_)) => errors.add("ended_on", "measure.cannot_end"),
            Err(other) => return Err(AppError::from(other)),
        }
    }
    let mut page = measures_page(user, ctx, &state, family_id).await?;
    page.end_form = form;
    page.ending = measure_id;
    page.errors = errors;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}
