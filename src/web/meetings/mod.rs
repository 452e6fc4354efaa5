//! A meeting: its overview (attendance, the shared agenda and the chair's controls) and one page per
//! agenda item (minutes, decisions, actions). Need to know holds on every item: a participant who is
//! not invited to a family's item sees only its pseudonym and time box.

pub mod agenda;
pub mod closing;
pub mod decisions;
pub mod family_invite;
pub mod invite;
pub mod item;
pub mod minutes;
pub mod planning;
pub mod run;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{Seat, meeting_for};
use super::access::{log_access, who};
use super::forms::FieldErrors;
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn};
use crate::db::DbConn;
use crate::domain::family::{self, Family};
use crate::domain::meeting::{self, AttendanceRow, Meeting, MeetingAction};
use crate::domain::referral::{self, Referral, ReferralStatus};
use crate::domain::table::Table;
use crate::policy;
use crate::record::{self, Announced};
use crate::web::views::meeting::{
    AgendaPartial, AttendancePartial, ItemView, StatusPartial, item_views, partial,
};
use diesel::Connection;
const TEXT_LIMIT: usize = 10_000;

// ---------------------------------------------------------------------------------------------------
// The overview

#[derive(Template)]
#[template(path = "meetings/show.html")]
struct MeetingPage {
    ctx: PageCtx,
    meeting: Meeting,
    table: Table,
    seat: Seat,
    items: Vec<ItemView>,
    attendance: Vec<AttendanceRow>,
    /// Accepted referrals not yet on an agenda, for the chair.
    waiting: Vec<(Referral, Family)>,
    topic_title: String,
    topic_minutes: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    last_event: i64,
    /// "Verloop" up to `last_event`; the live room adds what follows.
    feed: Vec<String>,
    /// For the chair: every sending of the besluitenlijst.
    sends: Vec<crate::domain::export_send::SendRow>,
    /// For the chair and minute-taker: partners' readings of the outcomes, newest first.
    readings: Vec<crate::domain::outcome::Reading>,
}

impl MeetingPage {
    /// The label of an item as this participant sees it.
    fn item_label(&self, item_id: &i64) -> String {
        self.items
            .iter()
            .find(|v| v.item.id == *item_id)
            .map(|v| v.label.clone())
            .unwrap_or_default()
    }
    fn may_propose(&self) -> bool {
        policy::allows_meeting(self.seat, self.meeting.state(), MeetingAction::ProposeTopic)
    }
    fn status_html(&self) -> String {
        let current = self
            .items
            .iter()
            .find(|v| self.meeting.current_item_id == Some(v.item.id));
        partial(StatusPartial {
            ctx: &self.ctx,
            meeting: &self.meeting,
            seat: self.seat,
            current,
        })
    }
    fn agenda_html(&self) -> String {
        partial(AgendaPartial {
            ctx: &self.ctx,
            meeting: &self.meeting,
            seat: self.seat,
            items: &self.items,
        })
    }
    fn attendance_html(&self) -> String {
        partial(AttendancePartial {
            ctx: &self.ctx,
            meeting: &self.meeting,
            seat: self.seat,
            attendance: &self.attendance,
        })
    }
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    melding: Option<String>,
}

fn notice(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "gepubliceerd" => Some("meeting.notice_published"),
        "gesloten" => Some("meeting.notice_closed"),
        "verstuurd" => Some("export.notice_sent"),
        "deels-verstuurd" => Some("export.notice_partly_sent"),
        "nog-niet-gesloten" => Some("export.notice_not_closed"),
        _ => None,
    }
}

async fn meeting_page(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
    meeting_id: i64,
) -> Result<MeetingPage, AppError> {
    let locale = ctx.i18n.locale;
    let reader = user.clone();
    let (
        (meeting, table, seat, items, attendance, waiting),
        (last_event, feed),
        (sends, readings),
        looks,
    ) = state
        // One read transaction: the page and the last event it includes are one snapshot (on SQLite),
        // so the live script replays exactly what came after.
        .db(move |conn| {
            conn.transaction(|conn| {
                let user = reader;
                let (found, at, seat) = meeting_for(conn, &user, meeting_id)?;
                let items = item_views(conn, user.id(), seat, meeting_id)?;
                let looks = agenda_looks(conn, &user, &items)?;
                let waiting =
                    if policy::allows_meeting(seat, found.state(), MeetingAction::ArrangeAgenda) {
                        accepted_referrals(conn, &at)?
                    } else {
                        Vec::new()
                    };
                let last = crate::events::last_for_meeting(conn, meeting_id)?;
                let feed = crate::web::views::live::feed_so_far(
                    conn,
                    meeting_id,
                    user.id(),
                    locale,
                    last,
                )?;
                let (sends, readings) = sends_and_readings(conn, seat, meeting_id)?;
                Ok::<_, AppError>((
                    (
                        found,
                        at,
                        seat,
                        items,
                        meeting::attendance_list(conn, meeting_id)?,
                        waiting,
                    ),
                    (last, feed),
                    (sends, readings),
                    looks,
                ))
            })
        })
        .await?;
    log_looks(state, user, looks).await?;
    Ok(MeetingPage {
        ctx,
        meeting,
        table,
        seat,
        items,
        attendance,
        waiting,
        topic_title: String::new(),
        topic_minutes: "15".into(),
        errors: FieldErrors::default(),
        notice: None,
        last_event,
        feed,
        sends,
        readings,
    })
}

/// The exports sent (for the chair) and partners' readings of the outcomes (for the chair and the
/// minute-taker).
#[allow(clippy::type_complexity)]
fn sends_and_readings(
    conn: &mut DbConn,
    seat: Seat,
    meeting_id: i64,
) -> Result<
    (
        Vec<crate::domain::export_send::SendRow>,
        Vec<crate::domain::outcome::Reading>,
    ),
    AppError,
> {
    let sends = if seat.chair {
        crate::domain::export_send::for_meeting(conn, meeting_id)?
    } else {
        Vec::new()
    };
    let readings = if seat.leads() {
        crate::domain::outcome::readings_of_meeting(conn, meeting_id)?
    } else {
        Vec::new()
    };
    Ok((sends, readings))
}

/// Logs the agenda's looks before the page is shown, in the next shared commit: many people opening
/// the page at once (a meeting starting) share one commit instead of taking the writer in turn.
async fn log_looks(
    state: &AppState,
    user: SignedIn,
    looks: Vec<(i64, family::Relation)>,
) -> Result<(), AppError> {
    if looks.is_empty() {
        return Ok(());
    }
    state
        .write(move |conn| {
            for (family_id, relation) in looks {
                log_access(conn, &user, family_id, relation, "access.what.agenda")?;
            }
            Ok(())
        })
        .await
}

/// The agenda shows family names to those who see them: that is a look at family data, logged for
/// every family on it. The families and how the reader stands to each.
fn agenda_looks(
    conn: &mut DbConn,
    user: &SignedIn,
    items: &[ItemView],
) -> Result<Vec<(i64, family::Relation)>, AppError> {
    let mut looks = Vec::new();
    for view in items.iter().filter(|v| v.visible) {
        if let Some(fid) = view.item.family_id {
            let relation = family::relation(conn, fid, user.id())?;
            let relation = family::Relation {
                invited: true,
                ..relation
            };
            looks.push((fid, relation));
        }
    }
    Ok(looks)
}

/// The families referred to the table and accepted, waiting for a place on an agenda.
fn accepted_referrals(conn: &mut DbConn, at: &Table) -> Result<Vec<(Referral, Family)>, AppError> {
    let mut list = Vec::new();
    for row in referral::for_table(conn, at.id)? {
        if row.referral.status() == ReferralStatus::Accepted
            && let Some(f) = family::find(conn, row.referral.family_id)?
        {
            list.push((row.referral, f));
        }
    }
    Ok(list)
}

pub async fn show_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let mut page = meeting_page(&state, user.0, ctx, path.into_inner()).await?;
    page.notice = notice(query.melding.as_deref());
    html(StatusCode::OK, page)
}

/// Runs a change of the meeting for a user with the right seat (`f` refuses what the seat does not
/// allow), then shows what it announced in the live room.
async fn change<F>(state: &AppState, user: SignedIn, meeting_id: i64, f: F) -> Result<(), AppError>
where
    F: FnOnce(&mut DbConn, &record::Who, &Meeting, &Table, Seat) -> Result<Announced, AppError>
        + Send
        + 'static,
{
    // Many chairs often act at once: their writes share a commit (group commit).
    let announced = state
        .write(move |conn| {
            let (found, at, seat) = meeting_for(conn, &user, meeting_id)?;
            f(conn, &who(&user), &found, &at, seat)
        })
        .await?;
    state.wake(announced);
    Ok(())
}

/// Refuses (403) a change the user's seat does not allow; what the meeting's state allows is checked
/// after, by each change.
fn seat_may(seat: Seat, action: MeetingAction) -> Result<(), AppError> {
    if policy::seat_allows(seat, action) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
