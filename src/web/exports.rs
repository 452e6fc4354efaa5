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
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::access::meeting_for;
use super::access::{Seat, seat_of};
use super::access::{authorize, log_access, who};
use super::html;
use super::meetings::item_views;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn};
use crate::db::{self, DbConn};
use crate::domain::decision::{self, ActionRow, ActionStatus, FamilyView};
use crate::domain::family::{self, Relation};
use crate::domain::meeting::{self, AttendanceStatus, Meeting};
use crate::domain::table::{self, Table, TableRole};
use crate::domain::user;
use crate::export::{DocAction, DocDecision, DocItem, MeetingDoc, Scrubber, documents, sheet};
use crate::i18n::I18n;
use crate::record::{self, ExportKind};

use crate::time::today;

fn now_text() -> String {
    crate::time::date_time(crate::domain::now())
}

/// A file to download: never cached, always saved under a sensible name.
pub(super) fn download(content_type: &str, filename: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}

/// Renders on the blocking pool: a long PDF must not hold up the server's async threads.
async fn render<F>(f: F) -> Result<Vec<u8>, AppError>
where
    F: FnOnce() -> anyhow::Result<Vec<u8>> + Send + 'static,
{
    web::block(f)
        .await?
        .map_err(|e| AppError::Internal(e.context("rendering an export")))
}

// ---------------------------------------------------------------------------------------------------
// Gathering a meeting for one reader

/// Whose version: a participant's (need to know), or the chair's pseudonymised one for wider use.
#[derive(Clone, Copy, Debug)]
pub enum Reader {
    Participant { user_id: i64, seat: Seat },
    Pseudonymised,
}

fn family_view_text(i18n: &I18n, view: FamilyView, words: &str) -> String {
    let label = i18n.t(&view.label_key());
    if words.trim().is_empty() {
        label
    } else {
        format!("{label} — “{}”", words.trim())
    }
}

/// The scrubber for every family on the agenda, and their pseudonyms by id.
fn scrubber(
    conn: &mut DbConn,
    family_ids: &[i64],
) -> Result<(Scrubber, HashMap<i64, String>), AppError> {
    let mut scrubber = Scrubber::default();
    let mut pseudonyms = HashMap::new();
    for id in family_ids {
        if let Some(f) = family::find(conn, *id)? {
            let members: Vec<String> = family::persons(conn, *id)?
                .into_iter()
                .map(|p| p.name)
                .collect();
            scrubber.add_family(&f.display_name, &f.pseudonym(), &members);
            pseudonyms.insert(*id, f.pseudonym());
        }
    }
    Ok((scrubber, pseudonyms))
}

fn action_doc(
    i18n: &I18n,
    row: &ActionRow,
    visible: bool,
    meeting_on: Option<NaiveDate>,
) -> DocAction {
    let today = today();
    let status = row.action.status();
    DocAction {
        description: if visible {
            row.action.description.clone()
        } else {
            i18n.t("export.action_hidden")
        },
        owner: row.owner_name.clone(),
        organisation: row.organisation_name.clone(),
        family: match (&row.family, visible) {
            (Some((name, case)), true) => format!("{name} ({case})"),
            (Some(_), false) => row.family_pseudonym().unwrap_or_default(),
            (None, _) => String::new(),
        },
        due: Some(row.action.due_on),
        overdue: row.action.is_overdue(today),
        status: if status == ActionStatus::Open {
            String::new()
        } else {
            i18n.t(&status.label_key())
        },
        meeting_on,
        condition: if visible {
            row.action.condition.clone()
        } else {
            String::new()
        },
    }
}

/// The besluitenlijst of `m` as `reader` may see it, and the families whose details it holds.
pub fn meeting_doc(
    conn: &mut DbConn,
    i18n: &I18n,
    reader: Reader,
    m: &Meeting,
    at: &Table,
    base_url: &str,
) -> Result<(MeetingDoc, Vec<i64>), AppError> {
    let items = meeting::items(conn, m.id)?;
    let family_ids: Vec<i64> = items.iter().filter_map(|i| i.family_id).collect();
    let (scrub, pseudonyms) = match reader {
        Reader::Pseudonymised => {
            let (s, p) = scrubber(conn, &family_ids)?;
            (Some(s), p)
        }
        Reader::Participant { .. } => (None, HashMap::new()),
    };
    let views = item_titles(conn, i18n, reader, m, &items, &pseudonyms, scrub.as_ref())?;
    let (doc_items, shown_families) = doc_items(conn, i18n, m, &items, views, scrub.as_ref())?;
    let (present, absent) = attendance_by_organisation(conn, m.id)?;
    let chairs = table::members(conn, at.id)?
        .into_iter()
        .filter(|mb| mb.role == TableRole::Chair)
        .map(|mb| mb.name)
        .collect();
    let kind = table::find_kind(conn, at.kind_id)?
        .map(|k| k.name)
        .unwrap_or_default();
    let version = version_line(conn, i18n, reader)?;
    let (reference, check_url) = match (&m.closing_hash, m.is_closed()) {
        (Some(hash), true) => (
            Some(documents::short_reference(m.id, hash)),
            Some(format!("{base_url}/controle/{}/{hash}", m.id)),
        ),
        _ => (None, None),
    };
    Ok((
        MeetingDoc {
            table: at.name.clone(),
            kind,
            when: format!(
                "{} – {}",
                crate::time::date_time(m.starts_at),
                crate::time::clock(m.ends_at)
            ),
            place: [m.place.as_str(), m.online_link.as_str()]
                .iter()
                .filter(|p| !p.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" / "),
            chairs,
            present,
            absent_with_notice: absent,
            version,
            items: doc_items,
            reference,
            check_url,
            generated: now_text(),
        },
        match reader {
            Reader::Participant { .. } => shown_families,
            Reader::Pseudonymised => family_ids,
        },
    ))
}

/// Free text as the reader gets it: scrubbed of names in the pseudonymised version.
fn clean(scrub: Option<&Scrubber>, text: &str) -> String {
    match scrub {
        Some(s) => s.scrub(text),
        None => text.to_string(),
    }
}

/// (visible, title) per item, in agenda order: a participant sees the items they were not invited to
/// by pseudonym; the pseudonymised version names every family by pseudonym.
fn item_titles(
    conn: &mut DbConn,
    i18n: &I18n,
    reader: Reader,
    m: &Meeting,
    items: &[meeting::AgendaItem],
    pseudonyms: &HashMap<i64, String>,
    scrub: Option<&Scrubber>,
) -> Result<Vec<(bool, String)>, AppError> {
    Ok(match reader {
        Reader::Participant { user_id, seat } => item_views(conn, user_id, seat, m.id)?
            .into_iter()
            .map(|v| {
                let title = if v.item.kind == "action_review" {
                    i18n.t("meeting.action_review")
                } else {
                    v.label
                };
                (v.visible, title)
            })
            .collect(),
        Reader::Pseudonymised => items
            .iter()
            .map(|i| {
                let title = match (i.family_id, i.kind.as_str()) {
                    (Some(f), _) => pseudonyms.get(&f).cloned().unwrap_or_default(),
                    (None, "action_review") => i18n.t("meeting.action_review"),
                    (None, _) => clean(scrub, &i.title),
                };
                (true, title)
            })
            .collect(),
    })
}

/// The items of the document with their decisions and actions (none for an item the reader may not
/// see), and the families whose details that shows.
fn doc_items(
    conn: &mut DbConn,
    i18n: &I18n,
    m: &Meeting,
    items: &[meeting::AgendaItem],
    views: Vec<(bool, String)>,
    scrub: Option<&Scrubber>,
) -> Result<(Vec<DocItem>, Vec<i64>), AppError> {
    let decisions = decision::for_meeting(conn, m.id)?;
    let mut replaced_by = HashMap::new();
    for d in &decisions {
        if let Some(old) = d.supersedes_id {
            replaced_by.insert(old, d.id);
        }
    }
    let actions = decision::actions_for_meeting(conn, m.id)?;
    let meeting_on = Some(crate::time::local(m.starts_at).date_naive());
    let mut shown_families = Vec::new();
    let mut doc_items = Vec::new();
    for (item, (visible, title)) in items.iter().zip(views) {
        if visible && let Some(f) = item.family_id {
            shown_families.push(f);
        }
        let decisions = decisions
            .iter()
            .filter(|d| visible && d.agenda_item_id == item.id)
            .map(|d| DocDecision {
                outcome: d.outcome.clone(),
                text: clean(scrub, &d.text),
                rationale: clean(scrub, &d.rationale),
                family_view: family_view_text(
                    i18n,
                    d.family_view(),
                    &clean(scrub, &d.family_words),
                ),
                replaced: replaced_by
                    .get(&d.id)
                    .map(|n| i18n.t_with("export.replaced", &[("id", n.to_string().as_str())])),
            })
            .collect();
        let actions = actions
            .iter()
            .filter(|a| visible && a.action.agenda_item_id == item.id)
            .map(|a| {
                let mut doc = action_doc(i18n, a, true, meeting_on);
                if scrub.is_some() {
                    doc.description = clean(scrub, &doc.description);
                    doc.condition = clean(scrub, &doc.condition);
                    doc.family = a.family_pseudonym().unwrap_or_default();
                }
                doc
            })
            .collect();
        doc_items.push(DocItem {
            title,
            visible,
            decisions,
            actions,
        });
    }
    Ok((doc_items, shown_families))
}

/// Names grouped by organisation, in order of appearance.
type ByOrganisation = Vec<(String, Vec<String>)>;

/// Who was present and who was absent with notice, grouped by organisation.
fn attendance_by_organisation(
    conn: &mut DbConn,
    meeting_id: i64,
) -> Result<(ByOrganisation, ByOrganisation), AppError> {
    let mut present: ByOrganisation = Vec::new();
    let mut absent: ByOrganisation = Vec::new();
    for row in meeting::attendance_list(conn, meeting_id)? {
        let list = match row.status {
            AttendanceStatus::Present => &mut present,
            AttendanceStatus::AbsentWithNotice => &mut absent,
            _ => continue,
        };
        let organisation = row.organisation_name.unwrap_or_default();
        match list.iter_mut().find(|(o, _)| *o == organisation) {
            Some((_, names)) => names.push(row.name),
            None => list.push((organisation, vec![row.name])),
        }
    }
    Ok((present, absent))
}

/// Whose version the document is, printed on it.
fn version_line(conn: &mut DbConn, i18n: &I18n, reader: Reader) -> Result<String, AppError> {
    Ok(match reader {
        Reader::Participant { user_id, .. } => {
            let name = user::find(conn, user_id)?
                .map(|u| u.name)
                .unwrap_or_default();
            i18n.t_with("export.version_for", &[("name", name.as_str())])
        }
        Reader::Pseudonymised => i18n.t("export.version_pseudonymised"),
    })
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
    let base_url = state.config.base_url.clone();
    let i18n = ctx.i18n;
    let (doc, date) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (m, at, seat) = meeting_for(conn, &user, meeting_id)?;
                let reader = if pseudonymised {
                    if !seat.chair {
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
                if !(seat.leads() || seat.member) {
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
    found: Option<(String, chrono::NaiveDateTime, chrono::NaiveDateTime)>,
}

/// Anyone can check that a besluitenlijst came from here: the meeting id and the full closing hash from
/// the document must match a closed meeting. It names only the table and the dates.
pub async fn check_reference(
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (meeting_id, hash) = path.into_inner();
    let found = state
        .db(move |conn| {
            let Some(m) = meeting::find(conn, meeting_id)? else {
                return Ok(None);
            };
            if !m.is_closed() || m.closing_hash.as_deref() != Some(hash.as_str()) {
                return Ok(None);
            }
            let at = table::find(conn, m.table_id)?.ok_or(AppError::NotFound)?;
            Ok(Some((
                at.name,
                m.starts_at,
                m.closed_at.unwrap_or(m.starts_at),
            )))
        })
        .await?;
    let status = if found.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    html(status, CheckPage { ctx, found })
}
