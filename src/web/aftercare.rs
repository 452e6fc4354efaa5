//! Aftercare of a family (`/gezinnen/{id}/nazorg`): who checks in and when, moving the check-in, and the
//! evaluation that ends it — closing the record or referring the family back to a table. The director
//! and co-worker follow it (`FamilyAction::Aftercare`); whoever sees the family reads it.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::{actor, read_family, require, who};
use super::forms::{FieldErrors, TEXT_LIMIT, text};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db;
use crate::domain::aftercare::{self, Aftercare, Evaluation, NextStep};
use crate::domain::family::{Family, FamilyStatus};
use crate::domain::table::{self, Table};
use crate::policy::{self, FamilyAction};
use crate::record::{self, AfterEvaluation};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    checkin_on: String,
    #[serde(default)]
    checker: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct EvaluationForm {
    #[serde(default)]
    still_safe: String,
    #[serde(default)]
    family_view: String,
    #[serde(default)]
    evaluation: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    table: String,
}

#[derive(Template)]
#[template(path = "families/aftercare.html")]
struct AftercarePage {
    ctx: PageCtx,
    family: Family,
    open: Option<Aftercare>,
    history: Vec<Aftercare>,
    /// The professionals involved now (who may check in), by user id.
    people: Vec<(i64, String)>,
    /// The tables of the family's partnership (back to a table).
    tables: Vec<Table>,
    may_edit: bool,
    checkin: CheckinForm,
    form: EvaluationForm,
    errors: FieldErrors,
}

impl AftercarePage {
    fn name_of(&self, user_id: &i64) -> String {
        self.people
            .iter()
            .find(|(id, _)| id == user_id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
    fn is_due(&self, a: &Aftercare) -> bool {
        a.is_due(crate::time::today())
    }
}

type Loaded = (
    Option<Aftercare>,
    Vec<Aftercare>,
    Vec<(i64, String)>,
    Vec<Table>,
);

async fn aftercare_page(
    user: SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
) -> Result<AftercarePage, AppError> {
    let actor = actor(&user);
    let (family, relation, (open, history, people, tables)) = read_family(
        state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.aftercare",
        move |conn| -> Result<Loaded, AppError> {
            let family = crate::domain::family::find(conn, family_id)?.ok_or(AppError::NotFound)?;
            let people = crate::domain::involvement::list(conn, family_id)?
                .into_iter()
                .filter(|i| i.involvement.ended_on.is_none())
                .map(|i| (i.involvement.user_id, i.user_name))
                .collect();
            Ok((
                aftercare::open_for(conn, family_id)?,
                aftercare::history(conn, family_id)?,
                people,
                table::list_of(conn, &[family.partnership_id])?,
            ))
        },
    )
    .await?;
    let checkin = CheckinForm {
        checkin_on: open
            .as_ref()
            .map(|a| a.checkin_on.to_string())
            .unwrap_or_default(),
        checker: open
            .as_ref()
            .map(|a| a.checker_user_id.to_string())
            .unwrap_or_default(),
    };
    Ok(AftercarePage {
        ctx,
        may_edit: policy::allows_family(actor, relation, FamilyAction::Aftercare)
            && family.status() == FamilyStatus::Aftercare,
        family,
        open,
        history,
        people,
        tables,
        checkin,
        form: EvaluationForm::default(),
        errors: FieldErrors::default(),
    })
}

pub async fn show_aftercare(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let page = aftercare_page(user.0, ctx, &state, path.into_inner()).await?;
    html(StatusCode::OK, page)
}

/// A date from a form field, not before today.
fn future_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| *d >= crate::time::today())
}

pub async fn move_checkin(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<CheckinForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    require(&state, &user, family_id, FamilyAction::Aftercare).await?;
    let mut page = aftercare_page(user.clone(), ctx, &state, family_id).await?;
    if !page.may_edit {
        // Allowed, but the family has no aftercare (any more): the page says so.
        return Ok(see_other(&format!("/gezinnen/{family_id}/nazorg")));
    }
    let mut errors = FieldErrors::default();
    let on = future_date(&form.checkin_on);
    if on.is_none() {
        errors.add("checkin_on", "aftercare.date_invalid");
    }
    let checker = form
        .checker
        .parse::<i64>()
        .ok()
        .filter(|id| page.people.iter().any(|(p, _)| p == id));
    if checker.is_none() {
        errors.add("checker", "aftercare.checker_required");
    }
    if let (Some(on), Some(checker), true) = (on, checker, errors.is_empty()) {
        let by = who(&user);
        state
            .db(move |conn| {
                db::write(conn, |conn| {
                    let checker = record::who(conn, checker)?;
                    Ok(record::move_checkin(conn, &by, family_id, on, &checker)?)
                })
            })
            .await?;
        return Ok(see_other(&format!("/gezinnen/{family_id}/nazorg")));
    }
    page.checkin = form;
    page.errors = errors;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// The evaluation as typed, checked: what was found, and where the family goes.
fn check_evaluation(
    form: &EvaluationForm,
    tables: &[Table],
) -> Result<(Evaluation, NextStep, String, Option<Table>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let still_safe = match form.still_safe.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    if still_safe.is_none() {
        errors.add("still_safe", "aftercare.still_safe_required");
    }
    let family_view = text(
        &mut errors,
        "family_view",
        &form.family_view,
        "aftercare.family_view_required",
        TEXT_LIMIT,
    );
    let evaluation = text(
        &mut errors,
        "evaluation",
        &form.evaluation,
        "aftercare.evaluation_required",
        TEXT_LIMIT,
    );
    let next = NextStep::from_code(&form.next);
    let mut reason = String::new();
    let mut back_to = None;
    match next {
        Some(NextStep::Close) => {
            reason = text(
                &mut errors,
                "reason",
                &form.reason,
                "aftercare.reason_required",
                TEXT_LIMIT,
            );
        }
        Some(NextStep::BackToTable) => {
            back_to = form
                .table
                .parse::<i64>()
                .ok()
                .and_then(|id| tables.iter().find(|t| t.id == id).cloned());
            if back_to.is_none() {
                errors.add("table", "aftercare.table_required");
            }
        }
        None => errors.add("next", "aftercare.next_required"),
    }
    match (still_safe, next) {
        (Some(still_safe), Some(next)) if errors.is_empty() => Ok((
            Evaluation {
                still_safe,
                family_view,
                evaluation,
            },
            next,
            reason,
            back_to,
        )),
        _ => Err(errors),
    }
}

pub async fn evaluate(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<EvaluationForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    require(&state, &user, family_id, FamilyAction::Aftercare).await?;
    let mut page = aftercare_page(user.clone(), ctx, &state, family_id).await?;
    if !page.may_edit {
        // Allowed, but the family has no aftercare (any more): the page says so.
        return Ok(see_other(&format!("/gezinnen/{family_id}/nazorg")));
    }
    match check_evaluation(&form, &page.tables) {
        Ok((found, next, reason, back_to)) => {
            let by = who(&user);
            state
                .db(move |conn| {
                    db::write(conn, |conn| {
                        let next = match (next, back_to.as_ref()) {
                            (NextStep::BackToTable, Some(table)) => {
                                AfterEvaluation::BackToTable { table }
                            }
                            _ => AfterEvaluation::Close { reason: &reason },
                        };
                        Ok(record::evaluate_aftercare(
                            conn, &by, family_id, &found, next,
                        )?)
                    })
                })
                .await?;
            Ok(see_other(&format!("/gezinnen/{family_id}")))
        }
        Err(errors) => {
            page.form = form;
            page.errors = errors;
            html(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}
