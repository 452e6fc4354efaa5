//! Gathering a meeting for one reader: the besluitenlijst as a document (need to know decides what goes
//! in), for downloading and for sending; and how a file is handed over for download.

use std::collections::HashMap;

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::decision::{self, ActionRow, FamilyView};
use crate::domain::family;
use crate::domain::meeting::{self, AttendanceStatus, Meeting};
use crate::domain::table::{self, Table, TableRole};
use crate::domain::top3;
use crate::domain::user;
use crate::export::{
    DocAction, DocAnalysis, DocDecision, DocItem, MeetingDoc, Scrubber, documents,
};
use crate::i18n::I18n;
use crate::time::today;
use crate::web::AppError;
use crate::web::access::Seat;
use crate::web::views::meeting::item_views;

/// The time a document is made, as printed on it.
pub fn now_text() -> String {
    crate::time::date_time(crate::domain::now())
}

/// A file to download: never cached, always saved under a sensible name.
pub fn download(content_type: &str, filename: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, content_type))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(body)
}

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

pub fn action_doc(
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
        // Every row says where it stands ("Open" too), so a column never looks unfilled.
        status: i18n.t(&status.label_key()),
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
    let [present, absent_with_notice, absent] = attendance_by_organisation(conn, m.id)?;
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
            absent_with_notice,
            absent,
            version,
            items: doc_items,
            reference,
            check_url,
            generated: now_text(),
            pseudonymised: matches!(reader, Reader::Pseudonymised),
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
        // Who of the family came: by name, or in the version without names by who they are.
        let family_present = if visible {
            crate::domain::family_invite::present_at_item(conn, item.id)?
                .into_iter()
                .map(|i| match scrub {
                    Some(_) => i18n.t(&i.kind().label_key()),
                    None => i.name,
                })
                .collect()
        } else {
            Vec::new()
        };
        doc_items.push(DocItem {
            family_present,
            analysis: item_analysis(conn, item, visible, scrub)?,
            title,
            visible,
            decisions,
            actions,
        });
    }
    Ok((doc_items, shown_families))
}

/// The merged top 3 of a family item the reader may see, scrubbed of names in the pseudonymised
/// version.
fn item_analysis(
    conn: &mut DbConn,
    item: &meeting::AgendaItem,
    visible: bool,
    scrub: Option<&Scrubber>,
) -> Result<Option<DocAnalysis>, AppError> {
    if !visible || item.family_id.is_none() {
        return Ok(None);
    }
    Ok(top3::version(conn, item.id, None)?.map(|v| DocAnalysis {
        version: v.version,
        concerns: v
            .analysis
            .concern_lines()
            .iter()
            .map(|l| clean(scrub, l))
            .collect(),
        strengths: v
            .analysis
            .strengths
            .iter()
            .map(|s| clean(scrub, s))
            .collect(),
        explanation: clean(scrub, &v.analysis.explanation),
    }))
}

/// Names grouped by organisation, in order of appearance.
type ByOrganisation = Vec<(String, Vec<String>)>;

/// Who was present, absent with notice, and absent (also whoever was never marked present), grouped by
/// organisation: everyone on the attendance list appears once.
fn attendance_by_organisation(
    conn: &mut DbConn,
    meeting_id: i64,
) -> Result<[ByOrganisation; 3], AppError> {
    let [mut present, mut with_notice, mut absent]: [ByOrganisation; 3] = Default::default();
    for row in meeting::attendance_list(conn, meeting_id)? {
        let list = match row.status {
            AttendanceStatus::Present => &mut present,
            AttendanceStatus::AbsentWithNotice => &mut with_notice,
            AttendanceStatus::Absent | AttendanceStatus::Invited => &mut absent,
        };
        let organisation = row.organisation_name.unwrap_or_default();
        match list.iter_mut().find(|(o, _)| *o == organisation) {
            Some((_, names)) => names.push(row.name),
            None => list.push((organisation, vec![row.name])),
        }
    }
    Ok([present, with_notice, absent])
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
