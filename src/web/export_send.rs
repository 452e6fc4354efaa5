//! Sending the besluitenlijst and actielijst after closing, and the calendars (.ics) of meetings.

use super::access::meeting_for;
use super::access::seat_of;
use super::access::who;
use super::{AppError, AppState, CurrentUser, SignedIn, see_other};
use crate::db;
use crate::domain::access_log::{self, Purpose};
use crate::domain::decision;
use crate::domain::meeting::{self, Meeting};
use crate::domain::table::{self, Table};
use crate::domain::user;
use crate::export::documents;
use crate::mail::{Attachment, Mail};
use crate::policy::{self, TableAction};
use crate::record::{self, ExportKind};
use crate::web::views::meeting_doc::{Reader, download, meeting_doc};
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde_json::json;

// ---------------------------------------------------------------------------------------------------
// Sending after closing
/// The mail with a participant's besluitenlijst: the PDF attached, or a link that needs a login. The text
/// names the table and the date, never a family.
fn besluitenlijst_mail(
    to: &user::User,
    at: &Table,
    m: &Meeting,
    link: &str,
    pdf: Option<Vec<u8>>,
) -> Mail {
    let i18n = crate::mail::i18n_for(to);
    let date = crate::time::date_time(m.starts_at);
    let args = [
        ("name", to.name.as_str()),
        ("table", at.name.as_str()),
        ("when", date.as_str()),
        ("link", link),
    ];
    let body = if pdf.is_some() {
        i18n.t_with("mail.besluitenlijst.attached", &args)
    } else {
        i18n.t_with("mail.besluitenlijst.link", &args)
    };
    let mut mail = crate::mail::with_link(
        to,
        &i18n,
        i18n.t_with("mail.besluitenlijst.subject", &args),
        &body,
        link,
    );
    if let Some(content) = pdf {
        mail.attachments.push(Attachment {
            filename: format!(
                "besluitenlijst-{}.pdf",
                crate::time::local(m.starts_at).date_naive()
            ),
            content_type: "application/pdf".into(),
            content,
        });
    }
    mail
}

/// One recipient's mail, ready to send, with the families its attachment holds.
struct Outgoing {
    user_id: i64,
    organisation_id: Option<i64>,
    email: String,
    mail: anyhow::Result<Mail>,
    families: Vec<i64>,
}

pub async fn send_besluitenlijst(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    let base_url = state.config.base_url.clone();
    let sender = user.clone();
    let prepared = state
        .db(move |conn| prepare_besluitenlijsten(conn, &sender, meeting_id, &base_url))
        .await?;
    let Some((outgoing, mode)) = prepared else {
        return Ok(see_other(&format!(
            "/bijeenkomsten/{meeting_id}?melding=nog-niet-gesloten"
        )));
    };
    // Send each mail, then log every attempt (and the reading an attachment gives) in one transaction.
    let mailer = state.mailer.clone();
    let from = state.config.mail_from.clone();
    let results: Vec<(Outgoing, Option<String>)> = web::block(move || {
        outgoing
            .into_iter()
            .map(|o| {
                let error = match &o.mail {
                    Ok(mail) => mailer.send(&from, mail).err().map(|e| e.to_string()),
                    Err(e) => Some(e.to_string()),
                };
                (o, error)
            })
            .collect()
    })
    .await?;
    let failed = results.iter().filter(|(_, e)| e.is_some()).count();
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                log_besluitenlijsten_sent(conn, &user, meeting_id, &mode, &results)
            })
        })
        .await?;
    let notice = if failed == 0 {
        "verstuurd"
    } else {
        "deels-verstuurd"
    };
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}?melding={notice}#exports"
    )))
}

/// Every active participant's besluitenlijst mail and the table's send mode, when the chair sends
/// after closing; None while the meeting is still open.
fn prepare_besluitenlijsten(
    conn: &mut db::DbConn,
    sender: &SignedIn,
    meeting_id: i64,
    base_url: &str,
) -> Result<Option<(Vec<Outgoing>, String)>, AppError> {
    let (m, at, seat) = meeting_for(conn, sender, meeting_id)?;
    if !policy::allows_table(seat, TableAction::SendDecisionList) {
        return Err(AppError::Forbidden);
    }
    if !m.is_closed() {
        return Ok(None);
    }
    let link = format!("{base_url}/bijeenkomsten/{}/besluitenlijst.pdf", m.id);
    let mut outgoing = Vec::new();
    for row in meeting::attendance_list(conn, m.id)? {
        let Some(to) = user::find(conn, row.user_id)?.filter(|u| u.active) else {
            continue;
        };
        let i18n = crate::mail::i18n_for(&to);
        let reader = Reader::Participant {
            user_id: to.id,
            seat: seat_of(conn, to.id, at.id)?,
        };
        let (doc, families) = meeting_doc(conn, &i18n, reader, &m, &at, base_url)?;
        let mail = if at.sends_attachment() {
            documents::besluitenlijst(&doc, &i18n)
                .map(|pdf| besluitenlijst_mail(&to, &at, &m, &link, Some(pdf)))
        } else {
            Ok(besluitenlijst_mail(&to, &at, &m, &link, None))
        };
        outgoing.push(Outgoing {
            user_id: to.id,
            organisation_id: to.organisation_id,
            email: to.email.clone(),
            mail,
            families: if at.sends_attachment() {
                families
            } else {
                Vec::new()
            },
        });
    }
    Ok(Some((outgoing, at.send_mode.clone())))
}

/// Logs every attempt to send, the reading each attachment that went out gives, and the export.
fn log_besluitenlijsten_sent(
    conn: &mut db::DbConn,
    user: &SignedIn,
    meeting_id: i64,
    mode: &str,
    results: &[(Outgoing, Option<String>)],
) -> Result<(), AppError> {
    let now = crate::domain::now();
    for (o, error) in results {
        crate::domain::export_send::record(
            conn,
            crate::domain::export_send::NewSend {
                meeting_id,
                user_id: o.user_id,
                email: &o.email,
                mode,
                error: error.as_deref(),
                sent_by_user_id: user.id(),
                sent_at: now,
            },
        )?;
        if error.is_none() {
            for f in &o.families {
                access_log::record(
                    conn,
                    o.user_id,
                    o.organisation_id,
                    *f,
                    "access.what.export_sent",
                    Purpose::Meeting,
                )?;
            }
        }
    }
    let failed = results.iter().filter(|(_, e)| e.is_some()).count();
    record::export_made(
        conn,
        &who(user),
        ExportKind::Sent,
        (None, ("meeting", meeting_id)),
        json!({"document": "besluitenlijst", "mode": mode, "recipients": results.len().to_string(), "failed": failed.to_string()}),
    )?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// Calendars
pub async fn meeting_ics(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    let base_url = state.config.base_url.clone();
    let (m, at) = state
        .db(move |conn| {
            let (m, at, _) = meeting_for(conn, &user, meeting_id)?;
            Ok((m, at))
        })
        .await?;
    let link = format!("{base_url}/bijeenkomsten/{}", m.id);
    let ics = crate::calendar::meeting_ics(&m, &at, &link, &host_of(&base_url));
    Ok(download(
        "text/calendar; charset=utf-8",
        &format!(
            "bijeenkomst-{}.ics",
            crate::time::local(m.starts_at).date_naive()
        ),
        ics.into_bytes(),
    ))
}

pub fn host_of(base_url: &str) -> String {
    base_url
        .split("://")
        .nth(1)
        .unwrap_or(base_url)
        .split(['/', ':'])
        .next()
        .unwrap_or("samenspel")
        .to_string()
}

/// The calendar feed behind a secret address: no session, the secret is the key. 404 for an unknown or
/// revoked secret.
pub async fn calendar_feed(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = path
        .into_inner()
        .strip_suffix(".ics")
        .map(str::to_string)
        .ok_or(AppError::NotFound)?;
    let base_url = state.config.base_url.clone();
    let (name, meetings, actions) = state
        .db(move |conn| {
            let user_id =
                crate::domain::calendar_feed::user_for(conn, &token)?.ok_or(AppError::NotFound)?;
            let person = user::find(conn, user_id)?
                .filter(|u| u.active)
                .ok_or(AppError::NotFound)?;
            let since = crate::domain::now() - chrono::Duration::days(30);
            let mut meetings = Vec::new();
            for m in meeting::upcoming_for_user(conn, user_id, Some(since))? {
                if let Some(at) = table::find(conn, m.table_id)? {
                    meetings.push((m, at));
                }
            }
            let actions: Vec<(i64, NaiveDate)> = decision::open_for_owner(conn, user_id)?
                .into_iter()
                .map(|r| (r.action.id, r.action.due_on))
                .collect();
            Ok((person, meetings, actions))
        })
        .await?;
    let i18n = crate::mail::i18n_for(&name);
    let ics = crate::calendar::feed_ics(
        &format!("Samenspel — {}", name.name),
        &meetings,
        &actions,
        &base_url,
        &host_of(&base_url),
        &i18n.t("calendar.action_due"),
    );
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/calendar; charset=utf-8"))
        .insert_header((CACHE_CONTROL, "no-store"))
        .body(ics))
}
