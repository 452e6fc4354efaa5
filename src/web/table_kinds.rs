//! Kinds of table (actieoverleg, MDA++, beschermingsoverleg, ...): their rules as data, set up by a partnership's
//! coordinators, each partnership its own.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::managed_partnerships;
use super::forms::{FieldErrors, text};
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db;
use crate::domain::partnership::{self, Partnership};
use crate::domain::table::{self, TableKind};
use crate::web::views::table_form::TableForm;

#[derive(Template)]
#[template(path = "tables/kinds.html")]
struct KindsPage {
    ctx: PageCtx,
    kinds: Vec<TableKind>,
    /// The partnerships whose kinds these are (the user coordinates them).
    partnerships: Vec<Partnership>,
    /// The kind being edited (or a new one: id 0) and its form, with errors.
    editing: Option<(i64, TableForm, FieldErrors)>,
}

impl KindsPage {
    fn default_deadlines(&self) -> table::AnswerDeadlines {
        table::AnswerDeadlines::default()
    }

    fn partnership_name(&self, id: &i64) -> &str {
        self.partnerships
            .iter()
            .find(|p| p.id == *id)
            .map(|p| p.name.as_str())
            .unwrap_or_default()
    }

    /// The checklists of a kind as shown in its form: its own, or the defaults it uses.
    fn checklists(&self, kind: Option<&TableKind>) -> [(&'static str, &'static str, String); 3] {
        use crate::domain::safety::{Phase, Step, criteria};
        [
            (
                "phase_criteria_up_2",
                "kinds.phase_criteria_up_2",
                criteria(kind, Step::Forward, Phase::StableSafety).join("\n"),
            ),
            (
                "phase_criteria_up_3",
                "kinds.phase_criteria_up_3",
                criteria(kind, Step::Forward, Phase::Recovery).join("\n"),
            ),
            (
                "phase_criteria_back",
                "kinds.phase_criteria_back",
                criteria(kind, Step::Back, Phase::DirectSafety).join("\n"),
            ),
        ]
    }
}

/// A checklist as stored: empty when it is the same as the defaults (so later better defaults reach it).
fn own_checklist(typed: &str, default: &str) -> String {
    let typed = table::lines(typed);
    if typed.is_empty() || typed == table::lines(default) {
        String::new()
    } else {
        typed.join("\n")
    }
}

/// The partnerships whose kinds the user sets up (they coordinate them), with those kinds. Each
/// partnership has its own copy: a change here never reaches another partnership.
fn coordinated_kinds(
    conn: &mut db::DbConn,
    user: &SignedIn,
) -> Result<(Vec<Partnership>, Vec<TableKind>), AppError> {
    let ids = managed_partnerships(conn, user)?;
    if ids.is_empty() {
        return Err(AppError::Forbidden);
    }
    let partnerships = partnership::list(conn)?
        .into_iter()
        .filter(|p| ids.contains(&p.id))
        .collect();
    Ok((partnerships, table::kinds_of(conn, &ids)?))
}

pub async fn list_kinds(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let (partnerships, kinds) = state.db(move |conn| coordinated_kinds(conn, &user)).await?;
    html(
        StatusCode::OK,
        KindsPage {
            ctx,
            kinds,
            partnerships,
            editing: None,
        },
    )
}

/// Saves a kind: `id` 0 makes a new (custom) kind.
pub async fn save_kind(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<TableForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let check = user.clone();
    state
        .db(move |conn| coordinated_kinds(conn, &check).map(|_| ()))
        .await?;
    let (kind_id, form) = (path.into_inner(), form.into_inner());
    let partnership_id = form.partnership_id.trim().parse::<i64>().ok();
    let mut errors = FieldErrors::default();
    let name = text(&mut errors, "name", &form.name, "tables.name_required", 200);
    let (criteria, outcomes, days) = form.settings(&mut errors);
    let board = form.board_outcome(&mut errors);
    let aftercare = form.aftercare_outcomes(&mut errors);
    let checklists = [
        form.phase_criteria_up_2.clone(),
        form.phase_criteria_up_3.clone(),
        form.phase_criteria_back.clone(),
    ];
    if checklists.iter().any(|c| c.chars().count() > 4000) {
        errors.add("phase_criteria_up_2", "form.too_long");
    }
    let deadlines = form.deadlines(&mut errors);
    let valid = errors.is_empty();
    let kind = KindSettings {
        name,
        criteria,
        outcomes,
        days,
        checklists,
        deadlines,
        board,
        aftercare,
    };
    let (partnerships, kinds) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (partnerships, kinds) = coordinated_kinds(conn, &user)?;
                // Only a kind of a partnership the user coordinates, or a new one in one of them.
                let in_partnership = if kind_id == 0 {
                    partnership_id.filter(|p| partnerships.iter().any(|o| o.id == *p))
                } else {
                    kinds
                        .iter()
                        .find(|k| k.id == kind_id)
                        .map(|k| k.partnership_id)
                };
                let Some(in_partnership) = in_partnership else {
                    return Err(AppError::NotFound);
                };
                if valid {
                    store_kind(conn, kind_id, in_partnership, &kind)?;
                }
                Ok::<_, AppError>((partnerships, kinds))
            })
        })
        .await?;
    if valid {
        return Ok(see_other("/beheer/overlegsoorten"));
    }
    html(
        StatusCode::UNPROCESSABLE_ENTITY,
        KindsPage {
            ctx,
            kinds,
            partnerships,
            editing: Some((kind_id, form, errors)),
        },
    )
}

/// A kind's settings as checked.
struct KindSettings {
    name: String,
    criteria: String,
    outcomes: String,
    days: i32,
    /// The phase checklists as typed: up to phase 2, up to phase 3, back.
    checklists: [String; 3],
    deadlines: table::AnswerDeadlines,
    /// The outcome that asks the Raad to investigate ("" for none).
    board: String,
    /// The outcomes that start aftercare (None: left as they are).
    aftercare: Option<String>,
}

/// Creates (`kind_id` 0) or updates a kind, with its own phase checklists (none where the default is
/// kept).
fn store_kind(
    conn: &mut db::DbConn,
    kind_id: i64,
    partnership_id: i64,
    kind: &KindSettings,
) -> Result<(), AppError> {
    use crate::domain::safety::{DEFAULT_BACK, DEFAULT_TO_RECOVERY, DEFAULT_TO_STABLE};
    let KindSettings {
        name,
        criteria,
        outcomes,
        days,
        checklists,
        deadlines,
        board,
        aftercare,
    } = kind;
    let saved_id = if kind_id == 0 {
        let code = format!("custom_{}", crate::auth::random_token()[..8].to_lowercase());
        table::create_kind(
            conn,
            table::NewKind {
                partnership_id,
                code: &code,
                name,
                referral_criteria: criteria,
                outcome_options: outcomes,
                access_days: *days,
                created_at: crate::domain::now(),
            },
        )?
        .id
    } else {
        table::find_kind(conn, kind_id)?.ok_or(AppError::NotFound)?;
        table::update_kind(conn, kind_id, name, criteria, outcomes, *days)?;
        kind_id
    };
    table::set_deadlines(conn, saved_id, *deadlines)?;
    table::set_kind_board_outcome(conn, saved_id, board)?;
    if let Some(aftercare) = aftercare {
        table::set_kind_aftercare_outcomes(conn, saved_id, aftercare)?;
    }
    table::set_phase_criteria(
        conn,
        saved_id,
        [
            own_checklist(&checklists[0], DEFAULT_TO_STABLE),
            own_checklist(&checklists[1], DEFAULT_TO_RECOVERY),
            own_checklist(&checklists[2], DEFAULT_BACK),
        ],
    )?;
    Ok(())
}
