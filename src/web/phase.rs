//! The safety phase and the safety scale: the phase history with the director's transitions, and the
//! scores over time with the form to add one.

use super::access::{authorize, read_family, who};
use super::html;
use super::views::safety::{PhaseChoice, TEXT_LIMIT, chart_html, phase_choices, ticked};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db;
use crate::domain::family::Family;
use crate::domain::safety::{self, NewScore, Phase, PhaseChange, Score, ScoreSource};
use crate::policy::FamilyAction;
use crate::record;
use crate::time::parse_date;
use crate::time::today;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use std::collections::HashMap;

// ---------------------------------------------------------------------------------------------------
// The phase: history and the director's transitions

#[derive(Template)]
#[template(path = "safety/phase.html")]
struct PhasePage {
    ctx: PageCtx,
    family: Family,
    history: Vec<PhaseChange>,
    choices: Vec<PhaseChoice>,
    may_edit: bool,
    /// After a refused transition: which target, the message, and what was typed.
    refused: Option<(Phase, &'static str)>,
    typed: HashMap<String, String>,
}

impl PhasePage {
    fn is_refused(&self, to: &Phase) -> bool {
        self.refused.is_some_and(|(p, _)| p == *to)
    }
    fn is_ticked(&self, to: &Phase, i: &usize) -> bool {
        self.is_refused(to) && self.typed.contains_key(&format!("check_{i}"))
    }
    fn typed_rationale(&self, to: &Phase) -> &str {
        if self.is_refused(to) {
            self.typed.get("rationale").map_or("", String::as_str)
        } else {
            ""
        }
    }
}

async fn phase_page(
    user: super::SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
) -> Result<PhasePage, AppError> {
    let actor = super::access::actor(&user);
    let (family, relation, history) = read_family(
        state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.phase",
        move |conn| Ok(safety::history(conn, family_id)?),
    )
    .await?;
    let may_edit = crate::policy::allows_family(actor, relation, FamilyAction::EditPlan);
    Ok(PhasePage {
        ctx,
        choices: if may_edit && !family.is_closed() {
            phase_choices(history.first().map(|c| c.phase), None)
        } else {
            Vec::new()
        },
        family,
        history,
        may_edit,
        refused: None,
        typed: HashMap::new(),
    })
}

pub async fn show_phase(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    html(
        StatusCode::OK,
        phase_page(user.0, ctx, &state, path.into_inner()).await?,
    )
}

pub async fn change_phase(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, fields) = (user.0, path.into_inner(), form.into_inner());
    super::access::require(&state, &user, family_id, FamilyAction::EditPlan).await?;
    let again = user.clone();
    let typed = fields.clone();
    let to = fields
        .get("to")
        .and_then(|v| v.trim().parse::<i32>().ok())
        .and_then(Phase::from_number)
        .ok_or_else(|| AppError::Unprocessable("phase form without a phase".into()))?;
    let rationale = fields
        .get("rationale")
        .map(|r| r.replace("\r\n", "\n").trim().to_string())
        .unwrap_or_default();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, _) = authorize(conn, &user, family_id, FamilyAction::EditPlan)?;
                if family.is_closed() {
                    return Ok::<_, AppError>(Some("phase.family_closed"));
                }
                let from = safety::current(conn, family_id)?.map(|c| c.phase);
                let Some(choice) = phase_choices(from, None).into_iter().find(|c| c.to == to)
                else {
                    // The phase changed in the meantime (or the form was altered).
                    return Ok(Some("phase.not_possible"));
                };
                let checklist = ticked(&choice, &fields, "check_");
                if rationale.chars().count() > TEXT_LIMIT {
                    return Ok(Some("form.too_long"));
                }
                if let Some(problem) = safety::check_transition(choice.step, &checklist, &rationale)
                {
                    return Ok(Some(problem));
                }
                record::change_phase(
                    conn,
                    &who(&user),
                    family_id,
                    to,
                    &checklist,
                    &rationale,
                    None,
                )?;
                Ok(None)
            })
        })
        .await?;
    match outcome {
        None => Ok(see_other(&format!("/gezinnen/{family_id}#veiligheid"))),
        Some(problem) => {
            let page = phase_page(again, ctx, &state, family_id).await?;
            let status = if problem == "phase.not_possible" || problem == "phase.family_closed" {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            html(
                status,
                PhasePage {
                    refused: Some((to, problem)),
                    typed,
                    ..page
                },
            )
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The safety scale
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct ScoreForm {
    #[serde(default)]
    score: String,
    #[serde(default)]
    scored_on: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    given_by: String,
    #[serde(default)]
    explanation: String,
}

#[derive(Template)]
#[template(path = "safety/scale.html")]
struct ScalePage {
    ctx: PageCtx,
    family: Family,
    scores: Vec<Score>,
    chart: String,
    may_record: bool,
    form: ScoreForm,
    errors: super::forms::FieldErrors,
}

async fn scale_page(
    user: super::SignedIn,
    ctx: PageCtx,
    state: &AppState,
    family_id: i64,
) -> Result<ScalePage, AppError> {
    let actor = super::access::actor(&user);
    let (family, relation, scores) = read_family(
        state,
        user,
        family_id,
        FamilyAction::View,
        "access.what.safety_scale",
        move |conn| Ok(safety::scores(conn, family_id)?),
    )
    .await?;
    Ok(ScalePage {
        chart: chart_html(&ctx, &scores, "schaal"),
        ctx,
        family,
        scores,
        may_record: crate::policy::allows_family(actor, relation, FamilyAction::Comment),
        form: ScoreForm {
            scored_on: today().to_string(),
            source: "professional".into(),
            ..ScoreForm::default()
        },
        errors: super::forms::FieldErrors::default(),
    })
}

pub async fn show_scale(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    html(
        StatusCode::OK,
        scale_page(user.0, ctx, &state, path.into_inner()).await?,
    )
}

pub async fn record_score(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ScoreForm>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id, form) = (user.0, path.into_inner(), form.into_inner());
    super::access::require(&state, &user, family_id, FamilyAction::Comment).await?;
    let errors = match check_score(&form) {
        Ok(checked) => {
            let user = user.clone();
            state
                .db(move |conn| db::write(conn, |conn| save_score(conn, &user, family_id, checked)))
                .await?;
            return Ok(see_other(&format!(
                "/gezinnen/{family_id}/veiligheidsschaal"
            )));
        }
        Err(errors) => errors,
    };
    let page = scale_page(user, ctx, &state, family_id).await?;
    if !page.may_record {
        return Err(AppError::Forbidden);
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        ScalePage {
            form,
            errors,
            ..page
        },
    )
}

/// A score form as checked.
struct CheckedScore {
    score: i32,
    scored_on: chrono::NaiveDate,
    source: ScoreSource,
    /// Who gave the score, as typed (for a score of the family's).
    given_by: String,
    explanation: String,
}

/// Checks a score form; the errors name their fields.
fn check_score(form: &ScoreForm) -> Result<CheckedScore, super::forms::FieldErrors> {
    let mut errors = super::forms::FieldErrors::default();
    let score = form
        .score
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|s| (0..=10).contains(s));
    if score.is_none() {
        errors.add("score", "scale.score_required");
    }
    let scored_on = parse_date(&form.scored_on);
    match scored_on {
        None => errors.add("scored_on", "form.date_invalid"),
        Some(d) if d > today() => errors.add("scored_on", "scale.date_future"),
        Some(_) => {}
    }
    let source = ScoreSource::from_code(&form.source);
    if source.is_none() {
        errors.add("source", "scale.source_required");
    }
    let given_by = form.given_by.trim().to_string();
    if source == Some(ScoreSource::Family) && given_by.is_empty() {
        errors.add("given_by", "scale.given_by_required");
    }
    let explanation = form.explanation.replace("\r\n", "\n").trim().to_string();
    if explanation.chars().count() > 2000 {
        errors.add("explanation", "form.too_long");
    }
    if given_by.chars().count() > 200 {
        errors.add("given_by", "form.too_long");
    }
    match (errors.is_empty(), score, scored_on, source) {
        (true, Some(score), Some(scored_on), Some(source)) => Ok(CheckedScore {
            score,
            scored_on,
            source,
            given_by,
            explanation,
        }),
        _ => Err(errors),
    }
}

/// Records a checked score; a professional's score is given by the user, named with their organisation.
fn save_score(
    conn: &mut db::DbConn,
    user: &SignedIn,
    family_id: i64,
    checked: CheckedScore,
) -> Result<(), AppError> {
    authorize(conn, user, family_id, FamilyAction::Comment)?;
    let by = who(user);
    let given_by = match checked.source {
        ScoreSource::Family => checked.given_by,
        ScoreSource::Professional => format!("{} ({})", by.name, by.organisation_name),
    };
    record::record_score(
        conn,
        &by,
        &NewScore {
            family_id,
            score: checked.score,
            scored_on: checked.scored_on,
            source: checked.source,
            given_by: &given_by,
            explanation: &checked.explanation,
            recorded_by_user_id: Some(by.user_id),
        },
    )?;
    Ok(())
}
