//! Running a meeting: start, the current item, stepping through the agenda, closing items and the
//! meeting, and attendance.

use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::{change, seat_may};
use crate::domain::meeting::{self, AttendanceMode, AttendanceStatus, MeetingAction, state_allows};
use crate::policy;
use crate::record::{self, Announced};
use crate::web::{AppError, AppState, CurrentUser, see_other};

pub async fn start_meeting(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        seat_may(seat, MeetingAction::Start)?;
        if !state_allows(m.state(), MeetingAction::Start) {
            return Ok(Announced::nothing());
        }
        Ok(record::start_meeting(conn, by, m)?)
    })
    .await?;
    Ok(see_other(&format!("/bijeenkomsten/{meeting_id}#agenda")))
}

/// Makes an item current (and so starts the meeting if it was not running yet).
pub async fn make_current(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        seat_may(seat, MeetingAction::Steer)?;
        let item = meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if !state_allows(m.state(), MeetingAction::Steer) {
            return Err(AppError::Forbidden);
        }
        Ok(record::set_current_item(conn, by, m, &item)?)
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#punt-{item_id}"
    )))
}

/// Moves the meeting to the next (or previous) item that is still open; starts the meeting if needed.
pub async fn step(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, direction)) = (user.0, path.into_inner());
    let forward = match direction.as_str() {
        "volgende" => true,
        "vorige" => false,
        _ => return Err(AppError::NotFound),
    };
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        seat_may(seat, MeetingAction::Steer)?;
        if !state_allows(m.state(), MeetingAction::Steer) {
            return Err(AppError::Forbidden);
        }
        let items = meeting::items(conn, m.id)?;
        // Right after closing the current item there is none: go on from the item closed last (a
        // meeting that has not started has closed none: its first step starts at the top).
        let here = match m.current_item_id {
            Some(id) => Some(id),
            None if m.status() == meeting::MeetingStatus::Planned => None,
            None => crate::events::last_subject_of_kind(
                conn,
                m.id,
                crate::events::EventKind::MeetingItemClosed,
            )?,
        };
        match meeting::next_open_item(&items, here, forward) {
            Some(target) => Ok(record::set_current_item(conn, by, m, target)?),
            None => Ok(Announced::nothing()),
        }
    })
    .await?;
    Ok(see_other(&format!("/bijeenkomsten/{meeting_id}#agenda")))
}

pub async fn close_item(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        seat_may(seat, MeetingAction::CloseItem)?;
        let item = meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if !state_allows(m.state_of(&item), MeetingAction::CloseItem) {
            return Ok(Announced::nothing());
        }
        Ok(record::close_item(conn, by, m, &item)?)
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#punt-{item_id}"
    )))
}

/// `POST /bijeenkomsten/{id}/punten/{item}/heropenen`: the chair takes back the closing of an item
/// while the meeting runs (an event, so everyone's agenda shows it open again).
pub async fn reopen_item(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        seat_may(seat, MeetingAction::CloseItem)?;
        let item = meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if !m.is_running() || !item.is_closed() {
            return Ok(Announced::nothing());
        }
        Ok(record::reopen_item(conn, by, m, &item)?)
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#punt-{item_id}"
    )))
}

#[derive(Deserialize)]
pub struct AttendanceForm {
    #[serde(default)]
    pub(super) user_id: String,
    #[serde(default)]
    pub(super) status: String,
    #[serde(default)]
    pub(super) mode: String,
}

/// `POST /bijeenkomsten/{id}/aanwezigheid/iedereen`: everyone not yet marked is present.
pub async fn mark_all_present(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        if !policy::allows_meeting(seat, m.state(), MeetingAction::RecordAttendance) {
            return Err(AppError::Forbidden);
        }
        Ok(record::mark_all_present(conn, by, m)?)
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#aanwezigheid"
    )))
}

pub async fn set_attendance(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AttendanceForm>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id, form) = (user.0, path.into_inner(), form.into_inner());
    let person = form.user_id.trim().parse::<i64>().ok();
    let status = AttendanceStatus::from_code(&form.status);
    let mode = AttendanceMode::from_code(&form.mode);
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        // Who may first; what was sent after.
        if !policy::allows_meeting(seat, m.state(), MeetingAction::RecordAttendance) {
            return Err(AppError::Forbidden);
        }
        let (Some(person), Some(status)) = (person, status) else {
            return Err(AppError::Unprocessable("attendance form".into()));
        };
        let person = record::who(conn, person)?;
        record::set_attendance(conn, by, m, &person, status, mode)?.ok_or(AppError::NotFound)
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#aanwezigheid"
    )))
}
