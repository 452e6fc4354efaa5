//! The top 3 of a family's agenda item (`/bijeenkomsten/{id}/punten/{item}/top3`): every participant's
//! concerns and strengths, one's own to give, and the merged, prioritised list with its explanatory
//! analysis — a versioned document (conflicts refused with the typed text kept; every version readable
//! with what changed).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDateTime;

use super::access::who;
use super::forms::{FieldErrors, NoticeQuery};
use super::views::top3::{ItemTop3, load, padded, values_of};
use super::views::versioned::{Outcome, base_after, outcome, respond};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html, see_other};
use crate::db::{self, DbConn};
use crate::domain::top3::{self, Analysis, AnalysisVersion, Entry, Giver, ItemAnalysis, Top3};
use crate::domain::versioned::{self, Change, Conflict};
use crate::policy::Top3Action;
use crate::record;

/// The merged list as the form shows it.
#[derive(Clone, Debug, Default)]
struct MergeForm {
    base_version: i32,
    /// (concern, goal), at least three rows.
    concerns: Vec<(String, String)>,
    strengths: Vec<String>,
    explanation: String,
}

impl MergeForm {
    fn of(analysis: Option<&AnalysisVersion>) -> MergeForm {
        let Some(v) = analysis else {
            return MergeForm {
                concerns: padded(&[])
                    .into_iter()
                    .map(|c| (c, String::new()))
                    .collect(),
                strengths: padded(&[]),
                ..MergeForm::default()
            };
        };
        let mut concerns: Vec<(String, String)> = v
            .analysis
            .concerns
            .iter()
            .map(|p| (p.text.clone(), p.goal.clone()))
            .collect();
        while concerns.len() < top3::MAX {
            concerns.push(Default::default());
        }
        MergeForm {
            base_version: v.version,
            concerns,
            strengths: padded(&v.analysis.strengths),
            explanation: v.analysis.explanation.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "top3/show.html")]
struct Top3Page {
    ctx: PageCtx,
    t: ItemTop3,
    entries: Vec<Entry>,
    /// One's own top 3 as shown in the form (typed, or as given).
    mine_concerns: Vec<String>,
    mine_strengths: Vec<String>,
    current: Option<AnalysisVersion>,
    versions: Vec<(i32, String, NaiveDateTime)>,
    /// The goals of the safety plan a concern can be linked to.
    goals: Vec<String>,
    merge: MergeForm,
    /// Which form the errors belong to: "give" or "merge".
    errors_for: &'static str,
    errors: FieldErrors,
    conflict: Option<Conflict>,
    notice: Option<&'static str>,
}

impl Top3Page {
    fn errors_of(&self, form: &str) -> FieldErrors {
        if self.errors_for == form {
            self.errors.clone()
        } else {
            FieldErrors::default()
        }
    }
    fn address(&self) -> String {
        format!(
            "/bijeenkomsten/{}/punten/{}/top3",
            self.t.meeting.id, self.t.item.id
        )
    }
    fn give_action(&self) -> String {
        self.address()
    }
}

fn top3_page(conn: &mut DbConn, ctx: PageCtx, t: ItemTop3) -> Result<Top3Page, AppError> {
    let item_id = t.item.id;
    let entries = top3::entries(conn, item_id)?;
    let me = ctx.user.as_ref().map_or(0, SignedIn::id);
    let mine = entries
        .iter()
        .find(|e| e.giver == Giver::User(me))
        .map(|e| e.top3.clone())
        .unwrap_or_default();
    let current = top3::version(conn, item_id, None)?;
    Ok(Top3Page {
        mine_concerns: padded(&mine.concerns),
        mine_strengths: padded(&mine.strengths),
        versions: top3::versions(conn, item_id)?,
        goals: top3::safety_goals(conn, t.family.id)?,
        merge: MergeForm::of(current.as_ref()),
        current,
        entries,
        ctx,
        t,
        errors_for: "",
        errors: FieldErrors::default(),
        conflict: None,
        notice: None,
    })
}

pub async fn show_top3(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, ids) = (user.0, path.into_inner());
    let mut page = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let t = load(conn, &user, ids, Top3Action::Read)?;
                top3_page(conn, ctx, t)
            })
        })
        .await?;
    page.notice = match query.melding.as_deref() {
        Some("gegeven") => Some("top3.given_notice"),
        Some("samengevoegd") => Some("top3.merged_notice"),
        _ => None,
    };
    html(StatusCode::OK, page)
}

/// One's own top 3: saved, or the page again with the message and everything as typed.
pub async fn give_top3(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, ids, fields) = (user.0, path.into_inner(), form.into_inner());
    let (typed_concerns, typed_strengths) = (
        values_of(&fields, "concern"),
        values_of(&fields, "strength"),
    );
    let (given, problems) = Top3::read(&typed_concerns, &typed_strengths);
    let page = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let t = load(conn, &user, ids, Top3Action::Give)?;
                if problems.is_empty() {
                    let item = (t.item.id, t.family.id);
                    record::give_top3(conn, &who(&user), item, Giver::User(user.id()), &given)?;
                    return Ok(None);
                }
                let mut page = top3_page(conn, ctx, t)?;
                page.mine_concerns = padded(&typed_concerns);
                page.mine_strengths = padded(&typed_strengths);
                page.errors_for = "give";
                for (field, key) in problems {
                    page.errors.add(field, key);
                }
                Ok::<_, AppError>(Some(page))
            })
        })
        .await?;
    match page {
        None => Ok(see_other(&format!(
            "/bijeenkomsten/{}/punten/{}/top3?melding=gegeven#mijn-top3",
            ids.0, ids.1
        ))),
        Some(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}

/// The merged list as typed, from the form's fields.
fn typed_merge(fields: &[(String, String)]) -> Result<MergeForm, AppError> {
    let base_version = fields
        .iter()
        .find(|(k, _)| k == "base_version")
        .and_then(|(_, v)| v.trim().parse::<i32>().ok())
        .filter(|v| *v >= 0)
        .ok_or_else(|| AppError::Unprocessable("top 3 form without base_version".into()))?;
    let concerns = values_of(fields, "concern");
    let goals = values_of(fields, "goal");
    let mut rows: Vec<(String, String)> = concerns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.clone(), goals.get(i).cloned().unwrap_or_default()))
        .collect();
    while rows.len() < top3::MAX {
        rows.push(Default::default());
    }
    Ok(MergeForm {
        base_version,
        concerns: rows,
        strengths: padded(&values_of(fields, "strength")),
        explanation: values_of(fields, "explanation").concat(),
    })
}

/// The field of the merge form a problem belongs to (the page's own form has the plain names).
fn merge_field(field: &str) -> &'static str {
    match field {
        "concern" => "merged-concern-1",
        "goal" => "goal-1",
        "strength" => "merged-strength-1",
        _ => "explanation",
    }
}

/// A new version of the merged list: saved; refused as a conflict (409, with what the other changed and
/// the typed text kept); or the page again with the messages (422).
pub async fn merge_top3(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let (user, ids) = (user.0, path.into_inner());
    let typed = typed_merge(&form.into_inner());
    let base_version = typed.as_ref().map_or(0, |t| t.base_version);
    let (page, outcome) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                // Whether the user may merge comes first: a form without its version is theirs to hear.
                let t = load(conn, &user, ids, Top3Action::Merge)?;
                let typed = typed?;
                let (concerns, goals): (Vec<String>, Vec<String>) =
                    typed.concerns.iter().cloned().unzip();
                let plan_goals = top3::safety_goals(conn, t.family.id)?;
                let (analysis, problems) = Analysis::read(
                    &concerns,
                    &goals,
                    &typed.strengths,
                    &typed.explanation,
                    &plan_goals,
                );
                let item = (t.item.id, t.family.id);
                let done = if problems.is_empty() {
                    let saved =
                        record::merge_top3(conn, &who(&user), item, base_version, &analysis)?;
                    outcome(conn, &ItemAnalysis { item_id: item.0 }, base_version, saved)?
                } else {
                    Outcome::Invalid
                };
                let mut page = top3_page(conn, ctx, t)?;
                page.merge = typed;
                page.errors_for = "merge";
                for (field, key) in problems {
                    page.errors.add(merge_field(field), key);
                }
                Ok::<_, AppError>((page, done))
            })
        })
        .await?;
    let done = format!(
        "/bijeenkomsten/{}/punten/{}/top3?melding=samengevoegd#analyse",
        ids.0, ids.1
    );
    respond(outcome, &done, |status, conflict| {
        let mut page = page;
        page.merge.base_version = base_after(conflict.as_ref(), base_version);
        page.conflict = conflict;
        html(status, page)
    })
}

#[derive(Template)]
#[template(path = "top3/version.html")]
struct Top3VersionPage {
    ctx: PageCtx,
    t: ItemTop3,
    shown: AnalysisVersion,
    changes: Vec<Change>,
    latest: i32,
}

/// One version of the merged list, with what changed since the version before it.
pub async fn show_top3_version(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64, i32)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id, number)) = (user.0, path.into_inner());
    let (t, (shown, changes, latest)) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let t = load(conn, &user, (meeting_id, item_id), Top3Action::Read)?;
                let shown = versioned::with_changes(conn, &ItemAnalysis { item_id }, number)?
                    .ok_or(AppError::NotFound)?;
                Ok::<_, AppError>((t, shown))
            })
        })
        .await?;
    html(
        StatusCode::OK,
        Top3VersionPage {
            ctx,
            t,
            shown,
            changes,
            latest,
        },
    )
}
