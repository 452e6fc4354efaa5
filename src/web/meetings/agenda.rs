//! The agenda of a meeting: topics, scheduled referrals, order and time boxes, publishing it (with the
//! invitations), and inviting a guest for one item.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{change, meeting_page, seat_may};
use crate::db;
use crate::domain::meeting::{self, Meeting, MeetingAction, state_allows};
use crate::domain::referral::{self, ReferralStatus};
use crate::domain::table::Table;
use crate::domain::user;
use crate::mail::{Attachment, Mail};
use crate::policy;
use crate::record::{self, Announced};
use crate::web::access::meeting_for;
use crate::web::access::who;
use crate::web::forms::FieldErrors;
use crate::web::html;
use crate::web::{AppError, AppState, CurrentUser, PageCtx, see_other};

#[derive(Deserialize)]
pub struct TopicForm {
    #[serde(default)]
    pub(super) title: String,
    #[serde(default)]
    pub(super) time_box: String,
}

pub(super) fn time_box(errors: &mut FieldErrors, value: &str) -> i32 {
    match value.trim().parse::<i32>() {
        Ok(n) if (1..=480).contains(&n) => n,
        _ => {
            errors.add("time_box", "meeting.time_box_invalid");
            0
        }
    }
}

pub async fn add_topic(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<TopicForm>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id, form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let title = form.title.trim().to_string();
    if title.is_empty() {
        errors.add("title", "meeting.topic_required");
    } else if title.chars().count() > 300 {
        errors.add("title", "form.too_long");
    }
    let minutes = time_box(&mut errors, &form.time_box);
    let valid = errors.is_empty();
    let t = title.clone();
    change(
        &state,
        user.clone(),
        meeting_id,
        move |conn, by, m, _, seat| {
            if !policy::allows_meeting(seat, m.state(), MeetingAction::ProposeTopic) {
                return Err(AppError::Forbidden);
            }
            if !valid {
                return Ok(Announced::nothing());
            }
            Ok(record::add_topic(conn, by, m, &t, minutes)?.1)
        },
    )
    .await?;
    if valid {
        return Ok(see_other(&format!("/bijeenkomsten/{meeting_id}#agenda")));
    }
    let mut page = meeting_page(&state, user, ctx, meeting_id).await?;
    page.topic_title = title;
    page.topic_minutes = form.time_box;
    page.errors = errors;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

pub async fn schedule_referral(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, referral_id)) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, at, seat| {
        seat_may(seat, MeetingAction::ArrangeAgenda)?;
        let found = referral::find(conn, referral_id)?.ok_or(AppError::NotFound)?;
        if found.table_id != at.id
            || found.status() != ReferralStatus::Accepted
            || !state_allows(m.state(), MeetingAction::ArrangeAgenda)
        {
            return Err(AppError::NotFound);
        }
        Ok(record::answer_referral(
            conn,
            by,
            &found,
            at,
            ReferralStatus::Accepted,
            None,
            Some(m),
        )?)
    })
    .await?;
    Ok(see_other(&format!("/bijeenkomsten/{meeting_id}#agenda")))
}

pub async fn move_item(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id, direction)) = (user.0, path.into_inner());
    let up = match direction.as_str() {
        "omhoog" => true,
        "omlaag" => false,
        _ => return Err(AppError::NotFound),
    };
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        seat_may(seat, MeetingAction::ArrangeAgenda)?;
        if !state_allows(m.state(), MeetingAction::ArrangeAgenda) {
            return Ok(Announced::nothing());
        }
        // An item that cannot move (first, last, the review) stays where it is.
        Ok(record::move_item(conn, by, m, item_id, up)?.unwrap_or_default())
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#punt-{item_id}"
    )))
}

pub async fn set_time_box(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<TopicForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let mut errors = FieldErrors::default();
    let minutes = time_box(&mut errors, &form.time_box);
    let valid = errors.is_empty();
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        // Who may first; what was sent after.
        seat_may(seat, MeetingAction::ArrangeAgenda)?;
        meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if !valid {
            return Err(AppError::Unprocessable("time box".into()));
        }
        if !state_allows(m.state(), MeetingAction::ArrangeAgenda) {
            return Ok(Announced::nothing());
        }
        Ok(record::set_time_box(conn, by, m, item_id, minutes)?)
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#punt-{item_id}"
    )))
}

/// Publishes the agenda and sends every participant an invitation with the meeting as an .ics file.
pub async fn publish_agenda(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    let link = state.link(&format!("/bijeenkomsten/{meeting_id}"));
    let host = url::Url::parse(&state.config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let mails = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, at, seat) = meeting_for(conn, &user, meeting_id)?;
                seat_may(seat, MeetingAction::ArrangeAgenda)?;
                if !state_allows(found.state(), MeetingAction::ArrangeAgenda) {
                    return Err(AppError::Forbidden);
                }
                let announced = record::publish_agenda(conn, &who(&user), &found)?;
                let ics = crate::calendar::meeting_ics(&found, &at, &link, &host);
                let mut mails = Vec::new();
                for row in meeting::attendance_list(conn, meeting_id)? {
                    if let Some(invitee) = user::find(conn, row.user_id)? {
                        mails.push(invitation_mail(&invitee, &at, &found, &link, &ics));
                    }
                }
                let families: Vec<i64> = meeting::items(conn, meeting_id)?
                    .iter()
                    .filter_map(|i| i.family_id)
                    .collect();
                Ok((mails, families, announced))
            })
        })
        .await?;
    let (mails, families, announced) = mails;
    state.wake(announced);
    for mail in mails {
        state.send_mail(mail).await?;
    }
    // The families on the agenda hear that there is news in their portal (no details in the mail).
    let mut families = families;
    families.sort_unstable();
    families.dedup();
    for family_id in families {
        crate::web::notify::notify_family(
            &state,
            family_id,
            crate::domain::portal::Category::Meetings,
        )
        .await;
    }
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}?melding=gepubliceerd"
    )))
}

pub(super) fn invitation_mail(
    to: &user::User,
    at: &Table,
    m: &Meeting,
    link: &str,
    ics: &str,
) -> Mail {
    let i18n = crate::mail::i18n_for(to);
    let when = format!(
        "{} – {}",
        crate::time::date_time(m.starts_at),
        crate::time::clock(m.ends_at)
    );
    let args = [
        ("name", to.name.as_str()),
        ("table", at.name.as_str()),
        ("when", when.as_str()),
        ("link", link),
    ];
    let mut mail = crate::mail::with_link(
        to,
        &i18n,
        i18n.t_with("mail.meeting.subject", &args),
        &i18n.t_with("mail.meeting.body", &args),
        link,
    );
    mail.attachments.push(Attachment {
        filename: "bijeenkomst.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        content: ics.as_bytes().to_vec(),
    });
    mail
}
