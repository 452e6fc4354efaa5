//! Downloads and sending: the besluitenlijst (per reader, or pseudonymised for wider distribution), the
//! actielijst of a meeting or a table (PDF, XLSX, CSV), the family plan and the phase plans as PDF, the
//! .ics of a meeting, each user's calendar feed, and the chair's sending after closing (the last two in
//! export_send.rs).
//!
//! Need to know decides what goes in: a participant's version shows the items they were not invited to
//! by pseudonym only. Every export writes an event and, for every family whose details it holds, an
//! access-log row, in the transaction that gathers the data; the rendering happens after the commit.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;
use serde_json::json;

use super::access::meeting_for;
use super::access::{Seat, seat_of};
use super::access::{authorize, log_access, who};
use super::html;
use super::signin::confirm_first;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn};
use crate::db::{self, DbConn};
use crate::domain::decision::{self, ActionRow};
use crate::domain::family::{self, Relation};
use crate::domain::meeting;
use crate::domain::table;
use crate::export::{DocAction, documents, sheet};
use crate::i18n::I18n;
use crate::policy::{self, TableAction};
use crate::record::{self, ExportKind};
use crate::web::views::meeting::item_views;
use crate::web::views::meeting_doc::{Reader, action_doc, download, meeting_doc, now_text};

use crate::time::today;

/// Renders on the blocking pool: a long PDF must not hold up the server's async threads.
async fn render<F>(f: F) -> Result<Vec<u8>, AppError>
where
    F: FnOnce() -> anyhow::Result<Vec<u8>> + Send + 'static,
{
    // The worker's clock goes along: a test that moves it sees the moved date on the document.
    let clock = crate::time::Clock::current();
    web::block(move || clock.run(f))
        .await?
        .map_err(|e| AppError::Internal(e.context("rendering an export")))
}

/// Writes the access-log rows for `user` reading `families` in an export.
fn log_families(conn: &mut DbConn, user: &SignedIn, families: &[i64]) -> Result<(), AppError> {
    let mut seen = Vec::new();
    for f in families {
        if seen.contains(f) {
            continue;
        }
        seen.push(*f);
        let relation = family::relation(conn, *f, user.id())?;
        log_access(
            conn,
            user,
            *f,
            Relation {
                invited: true,
                ..relation
            },
            "access.what.export",
        )?;
    }
    Ok(())
}

#[derive(Deserialize)]
pub struct VersionQuery {
    versie: Option<String>,
}

pub async fn besluitenlijst(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<VersionQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    let pseudonymised = query.versie.as_deref() == Some("gepseudonimiseerd");
    // The pseudonymised list goes out widely: password and code again first, unless just given.
    if pseudonymised {
        let asking = user.clone();
        state
            .db(move |conn| {
                let (_, _, seat) = meeting_for(conn, &asking, meeting_id)?;
                match policy::allows_table(seat, TableAction::ExportPseudonymised) {
                    true => Ok(()),
                    false => Err(AppError::Forbidden),
                }
            })
            .await?;
        let here =
            format!("/bijeenkomsten/{meeting_id}/besluitenlijst.pdf?versie=gepseudonimiseerd");
        if let Some(first) = confirm_first(&state, &ctx, &user, &here, None).await? {
            return Ok(first);
        }
    }
    let base_url = state.config.base_url.clone();
    let i18n = ctx.i18n;
    let (doc, date) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (m, at, seat) = meeting_for(conn, &user, meeting_id)?;
                let reader = if pseudonymised {
                    if !policy::allows_table(seat, TableAction::ExportPseudonymised) {
                        return Err(AppError::Forbidden);
                    }
                    Reader::Pseudonymised
                } else {
                    Reader::Participant {
                        user_id: user.id(),
                        seat,
                    }
                };
                let (doc, families) = meeting_doc(conn, &i18n, reader, &m, &at, &base_url)?;
                log_families(conn, &user, &families)?;
                record::export_made(
                    conn,
                    &who(&user),
                    ExportKind::Downloaded,
                    (None, ("meeting", m.id)),
                    json!({"document": "besluitenlijst", "format": "pdf", "version": if pseudonymised { "pseudonymised" } else { "reader" }}),
                )?;
                Ok((doc, crate::time::local(m.starts_at).date_naive()))
            })
        })
        .await?;
    let i18n = ctx.i18n;
    let pdf = render(move || documents::besluitenlijst(&doc, &i18n)).await?;
    Ok(download(
        "application/pdf",
        &format!(
            "besluitenlijst-{date}{}.pdf",
            if pseudonymised {
                "-gepseudonimiseerd"
            } else {
                ""
            }
        ),
        pdf,
    ))
}

// ---------------------------------------------------------------------------------------------------
// The actielijst of a meeting or a table

#[derive(Deserialize)]
pub struct SheetQuery {
    scheiding: Option<String>,
}

/// Which format the file name asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Pdf,
    Xlsx,
    Csv,
}

fn format_of(file: &str) -> Result<Format, AppError> {
    match file {
        "actielijst.pdf" => Ok(Format::Pdf),
        "actielijst.xlsx" => Ok(Format::Xlsx),
        "actielijst.csv" => Ok(Format::Csv),
        _ => Err(AppError::NotFound),
    }
}

impl Format {
    fn code(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

async fn actielijst_file(
    i18n: I18n,
    format: Format,
    semicolon: bool,
    (subtitle, version, filename): (String, String, String),
    actions: Vec<DocAction>,
) -> Result<HttpResponse, AppError> {
    let generated = now_text();
    Ok(match format {
        Format::Pdf => download(
            "application/pdf",
            &format!("{filename}.pdf"),
            render(move || documents::actielijst(&i18n, &subtitle, &version, &actions, &generated))
                .await?,
        ),
        Format::Xlsx => download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{filename}.xlsx"),
            render(move || sheet::actielijst_xlsx(&i18n, &subtitle, &actions)).await?,
        ),
        Format::Csv => download(
            "text/csv; charset=utf-8",
            &format!("{filename}.csv"),
            render(move || {
                sheet::actielijst_csv(&i18n, &actions, if semicolon { b';' } else { b',' })
            })
            .await?,
        ),
    })
}

/// May this reader see an action's details? The table's chair and minute-taker, the owner, and whoever
/// works with (or was invited for) the family.
fn sees_action(
    conn: &mut DbConn,
    user_id: i64,
    seat: Seat,
    row: &ActionRow,
) -> Result<bool, AppError> {
    Ok(match row.action.family_id {
        None => true,
        Some(f) => {
            seat.leads()
                || row.action.owner_user_id == user_id
                || family::relation(conn, f, user_id)?.any()
        }
    })
}

pub async fn meeting_actielijst(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<SheetQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, file)) = (user.0, path.into_inner());
    let format = format_of(&file)?;
    let i18n = ctx.i18n;
    let (actions, subtitle, version, date) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (m, at, seat) = meeting_for(conn, &user, meeting_id)?;
                let visible: HashMap<i64, bool> = item_views(conn, user.id(), seat, m.id)?
                    .into_iter()
                    .map(|v| (v.item.id, v.visible))
                    .collect();
                let on = crate::time::local(m.starts_at).date_naive();
                let mut families = Vec::new();
                let mut actions = Vec::new();
                for row in decision::actions_for_meeting(conn, m.id)? {
                    let sees = visible
                        .get(&row.action.agenda_item_id)
                        .copied()
                        .unwrap_or(false)
                        || row.action.owner_user_id == user.id();
                    if sees && let Some(f) = row.action.family_id {
                        families.push(f);
                    }
                    actions.push(action_doc(&i18n, &row, sees, Some(on)));
                }
                log_families(conn, &user, &families)?;
                record::export_made(
                    conn,
                    &who(&user),
                    ExportKind::Downloaded,
                    (None, ("meeting", m.id)),
                    json!({"document": "actielijst", "format": format.code(), "version": "reader"}),
                )?;
                let subtitle = format!("{} · {}", at.name, crate::time::date_time(m.starts_at));
                let version = i18n.t_with(
                    "export.version_for",
                    &[("name", user.account.user.name.as_str())],
                );
                Ok::<_, AppError>((actions, subtitle, version, on))
            })
        })
        .await?;
    actielijst_file(
        ctx.i18n,
        format,
        query.scheiding.as_deref() == Some("puntkomma"),
        (subtitle, version, format!("actielijst-{date}")),
        actions,
    )
    .await
}

pub async fn table_actielijst(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<SheetQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, (table_id, file)) = (user.0, path.into_inner());
    let format = format_of(&file)?;
    let i18n = ctx.i18n;
    let (actions, subtitle, version) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let at = table::find(conn, table_id)?.ok_or(AppError::NotFound)?;
                let seat = seat_of(conn, user.id(), at.id)?;
                // Managing tables is not a reason to read about families: only those at the table.
                if !policy::allows_table(seat, TableAction::ExportActionList) {
                    return Err(AppError::NotFound);
                }
                let mut dates = HashMap::new();
                let mut families = Vec::new();
                let mut actions = Vec::new();
                for row in decision::open_for_table(conn, at.id)? {
                    let sees = sees_action(conn, user.id(), seat, &row)?;
                    if sees && let Some(f) = row.action.family_id {
                        families.push(f);
                    }
                    let on = match dates.get(&row.action.meeting_id) {
                        Some(d) => *d,
                        None => {
                            let d = meeting::find(conn, row.action.meeting_id)?
                                .map(|m| crate::time::local(m.starts_at).date_naive());
                            dates.insert(row.action.meeting_id, d);
                            d
                        }
                    };
                    actions.push(action_doc(&i18n, &row, sees, on));
                }
                log_families(conn, &user, &families)?;
                record::export_made(
                    conn,
                    &who(&user),
                    ExportKind::Downloaded,
                    (None, ("table", at.id)),
                    json!({"document": "actielijst", "format": format.code(), "version": "reader"}),
                )?;
                let version = i18n.t_with(
                    "export.version_for",
                    &[("name", user.account.user.name.as_str())],
                );
                Ok::<_, AppError>((actions, at.name.clone(), version))
            })
        })
        .await?;
    actielijst_file(
        ctx.i18n,
        format,
        query.scheiding.as_deref() == Some("puntkomma"),
        (subtitle, version, format!("actielijst-{}", today())),
        actions,
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// The family's plans as PDF

pub async fn family_plan_pdf(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let i18n = ctx.i18n;
    let (title, family_name, intro, parts) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (f, relation) = authorize(conn, &user, family_id, crate::policy::FamilyAction::View)?;
                let current = crate::domain::plan::version(conn, family_id, None)?;
                log_access(conn, &user, family_id, relation, "access.what.export")?;
                record::export_made(
                    conn,
                    &who(&user),
                    ExportKind::Downloaded,
                    (Some(family_id), ("plan", family_id)),
                    json!({"document": "plan", "format": "pdf", "version": current.as_ref().map(|p| p.version.to_string()).unwrap_or_default()}),
                )?;
                let parts = crate::domain::plan::LifeDomain::ALL
                    .iter()
                    .map(|d| {
                        let section = current.as_ref().map(|p| p.section(*d)).unwrap_or_default();
                        let text = crate::domain::plan::PARTS
                            .iter()
                            .filter(|p| !section.part(p).trim().is_empty())
                            .map(|p| format!("{}:\n{}", i18n.t(&format!("plan.part.{p}")), section.part(p)))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                        (i18n.t(&d.label_key()), text)
                    })
                    .collect::<Vec<_>>();
                Ok::<_, AppError>((
                    i18n.t("export.family_plan"),
                    format!("{} ({})", f.display_name, f.case_number),
                    i18n.t("export.family_plan_intro"),
                    parts,
                ))
            })
        })
        .await?;
    plan_download(
        ctx.i18n,
        (title, family_name, intro, parts),
        format!("gezinsplan-{family_id}.pdf"),
    )
    .await
}

/// A plan as a PDF download: its title, the family, an introduction and the headed parts.
async fn plan_download(
    i18n: I18n,
    (title, family_name, intro, parts): (String, String, String, Vec<(String, String)>),
    filename: String,
) -> Result<HttpResponse, AppError> {
    let generated = now_text();
    let pdf =
        render(move || documents::plan(&i18n, &title, &family_name, &intro, &parts, &generated))
            .await?;
    Ok(download("application/pdf", &filename, pdf))
}

pub async fn phase_plan_pdf(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, slug)) = (user.0, path.into_inner());
    let i18n = ctx.i18n;
    let (title, family_name, intro, parts) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (f, relation) = authorize(conn, &user, family_id, crate::policy::FamilyAction::View)?;
                let (plan, person) = super::views::safety::plan_and_person(conn, family_id, &slug)?;
                let current = crate::domain::safety::plan_version(conn, plan, None)?;
                log_access(conn, &user, family_id, relation, "access.what.export")?;
                record::export_made(
                    conn,
                    &who(&user),
                    ExportKind::Downloaded,
                    (Some(family_id), ("phase_plan", family_id)),
                    json!({"document": plan.kind.code(), "format": "pdf", "version": current.as_ref().map(|p| p.version.to_string()).unwrap_or_default()}),
                )?;
                let title = match &person {
                    Some(p) => i18n.t_with("phase_plan.recovery_of", &[("name", p.name.as_str())]),
                    None => i18n.t(&plan.kind.label_key()),
                };
                let parts = super::views::safety::plain_parts(&i18n, plan.kind, current.as_ref());
                Ok::<_, AppError>((
                    title,
                    format!("{} ({})", f.display_name, f.case_number),
                    i18n.t(&format!("phase_plan.{}.intro.text", plan.kind.code())),
                    parts,
                ))
            })
        })
        .await?;
    plan_download(
        ctx.i18n,
        (title, family_name, intro, parts),
        format!("plan-{family_id}.pdf"),
    )
    .await
}

// ---------------------------------------------------------------------------------------------------
// Checking a reference

#[derive(Template)]
#[template(path = "exports/check.html")]
struct CheckPage {
    ctx: PageCtx,
    /// Whether a reference was given to check.
    asked: bool,
    /// The reference as typed, shown again in the form.
    reference: String,
    malformed: bool,
    found: Option<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)>,
}

/// The closed meeting whose closing hash starts with `hash` (at least the 12 characters of a
/// short reference): its table and dates. It names nothing else.
async fn look_up_reference(
    state: &web::Data<AppState>,
    meeting_id: i64,
    hash: String,
) -> Result<Option<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)>, AppError> {
    if hash.len() < documents::REFERENCE_HEX {
        return Ok(None);
    }
    state
        .db(move |conn| {
            let Some(m) = meeting::find(conn, meeting_id)? else {
                return Ok(None);
            };
            let matches = m
                .closing_hash
                .as_deref()
                .is_some_and(|h| h.starts_with(hash.as_str()));
            if !m.is_closed() || !matches {
                return Ok(None);
            }
            let at = table::find(conn, m.table_id)?.ok_or(AppError::NotFound)?;
            Ok(Some((
                at.name,
                m.starts_at,
                m.closed_at.unwrap_or(m.starts_at),
            )))
        })
        .await
}

fn check_page(page: CheckPage) -> Result<HttpResponse, AppError> {
    let status = match (page.asked, page.malformed, page.found.is_some()) {
        (false, _, _) | (true, false, true) => StatusCode::OK,
        (true, true, _) => StatusCode::UNPROCESSABLE_ENTITY,
        (true, false, false) => StatusCode::NOT_FOUND,
    };
    html(status, page)
}

/// Anyone can check that a besluitenlijst came from here: the meeting id and the full closing hash
/// from page 1's link (or its first 12 characters) must match a closed meeting. It names only the
/// table and the dates.
pub async fn check_reference(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (meeting_id, hash) = path.into_inner();
    let hash = hash.to_ascii_lowercase();
    let reference = documents::short_reference(meeting_id, &hash);
    let found = look_up_reference(&state, meeting_id, hash).await?;
    let page = CheckPage {
        ctx,
        asked: true,
        reference,
        malformed: false,
        found,
    };
    check_page(page)
}

#[derive(Deserialize)]
pub struct CheckQuery {
    kenmerk: Option<String>,
}

/// `/controle`: a form for the short reference in every page's footer ("SAMENSPEL-12-0123456789ab"),
/// and its answer.
pub async fn check_form(
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<CheckQuery>,
) -> Result<HttpResponse, AppError> {
    let typed = query.into_inner().kenmerk.unwrap_or_default();
    let asked = !typed.trim().is_empty();
    let parsed = documents::parse_reference(&typed);
    let found = match &parsed {
        Some((meeting_id, hash)) => look_up_reference(&state, *meeting_id, hash.clone()).await?,
        None => None,
    };
    let page = CheckPage {
        ctx,
        asked,
        reference: typed.trim().chars().take(100).collect(),
        malformed: asked && parsed.is_none(),
        found,
    };
    check_page(page)
}
