//! A meeting: its overview (attendance, the shared agenda and the chair's controls) and one page per
//! agenda item (minutes, decisions, actions). Need to know holds on every item: a participant who is
//! not invited to a family's item sees only its pseudonym and time box.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;

use super::access::{Seat, meeting_for, sees_item};
use super::access::{log_access, who};
use super::auth::html;
use super::forms::FieldErrors;
use super::safety::{PhaseChoice, SafetyView, phase_choices, ticked};
use super::tables::professionals;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db::{self, DbConn};
use crate::domain::decision::{
    self, ActionDetails, ActionRow, Decision, DecisionDetails, FamilyView,
};
use crate::domain::family::{self, Family};
use crate::domain::meeting::{
    self, AgendaItem, AttendanceMode, AttendanceRow, AttendanceStatus, ItemKind, Meeting,
};
use crate::domain::referral::{self, Referral, ReferralStatus};
use crate::domain::safety::{self, Criterion, Phase};
use crate::domain::table::{self, Table};
use crate::domain::user;
use crate::mail::{Attachment, Mail};
use crate::record;

const TEXT_LIMIT: usize = 10_000;

/// An agenda item as one participant sees it.
#[derive(Clone, Debug)]
pub struct ItemView {
    pub item: AgendaItem,
    pub visible: bool,
    /// The title for those who see it, the pseudonym for those who do not.
    pub label: String,
    pub invitees: Vec<String>,
}

// ---------------------------------------------------------------------------------------------------
// Partials: rendered into the pages and, the same way, into the live updates.

#[derive(Template)]
#[template(path = "meetings/_status.html")]
pub struct StatusPartial<'a> {
    pub ctx: &'a PageCtx,
    pub meeting: &'a Meeting,
    pub seat: Seat,
    pub current: Option<&'a ItemView>,
}

#[derive(Template)]
#[template(path = "meetings/_agenda.html")]
pub struct AgendaPartial<'a> {
    pub ctx: &'a PageCtx,
    pub meeting: &'a Meeting,
    pub seat: Seat,
    pub items: &'a [ItemView],
}

impl AgendaPartial<'_> {
    fn is_current(&self, item: &AgendaItem) -> bool {
        self.meeting.current_item_id == Some(item.id)
    }
    fn total_minutes(&self) -> i32 {
        self.items.iter().map(|i| i.item.time_box_minutes).sum()
    }
}

#[derive(Template)]
#[template(path = "meetings/_attendance.html")]
pub struct AttendancePartial<'a> {
    pub ctx: &'a PageCtx,
    pub meeting: &'a Meeting,
    pub seat: Seat,
    pub attendance: &'a [AttendanceRow],
}

#[derive(Template)]
#[template(path = "meetings/_decision.html")]
pub struct DecisionPartial<'a> {
    pub ctx: &'a PageCtx,
    pub decision: &'a Decision,
    pub superseded_by: Option<i64>,
}

#[derive(Template)]
#[template(path = "meetings/_action.html")]
pub struct ActionPartial<'a> {
    pub ctx: &'a PageCtx,
    pub row: &'a ActionRow,
}

/// Renders a partial; a template error shows as an empty fragment and is logged.
pub fn partial(t: impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "partial did not render");
        String::new()
    })
}

pub fn item_views(
    conn: &mut DbConn,
    user_id: i64,
    seat: Seat,
    meeting_id: i64,
) -> Result<Vec<ItemView>, AppError> {
    let invitees = meeting::item_invitees(conn, meeting_id)?;
    let mut views = Vec::new();
    for item in meeting::items(conn, meeting_id)? {
        let visible = sees_item(conn, user_id, seat, &item, &invitees)?;
        let label = match (item.family_id, visible) {
            (Some(fid), false) => family::find(conn, fid)?
                .map(|f| f.pseudonym())
                .unwrap_or_default(),
            _ => item.title.clone(),
        };
        let names = invitees
            .iter()
            .filter(|(i, _, _)| *i == item.id)
            .map(|(_, _, n)| n.clone())
            .collect();
        views.push(ItemView {
            item,
            visible,
            label,
            invitees: if visible { names } else { Vec::new() },
        });
    }
    Ok(views)
}

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
        !self.meeting.is_closed() && (self.seat.member || self.seat.leads())
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
    let (meeting, table, seat, items, attendance, waiting, last_event, (sends, readings)) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, at, seat) = meeting_for(conn, &user, meeting_id)?;
                let items = item_views(conn, user.id(), seat, meeting_id)?;
                // The agenda shows family names to those who see them: that is a look at family data.
                for view in items.iter().filter(|v| v.visible) {
                    if let Some(fid) = view.item.family_id {
                        let relation = family::relation(conn, fid, user.id())?;
                        log_access(
                            conn,
                            &user,
                            fid,
                            family::Relation {
                                invited: true,
                                ..relation
                            },
                            "access.what.agenda",
                        )?;
                    }
                }
                let waiting = if seat.chair && !found.is_closed() {
                    let mut list = Vec::new();
                    for row in referral::for_table(conn, at.id)? {
                        if row.referral.status() == ReferralStatus::Accepted
                            && let Some(f) = family::find(conn, row.referral.family_id)?
                        {
                            list.push((row.referral, f));
                        }
                    }
                    list
                } else {
                    Vec::new()
                };
                let last = crate::events::last_for_meeting(conn, meeting_id)?;
                let sends = if seat.chair {
                    crate::domain::export_send::for_meeting(conn, meeting_id)?
                } else {
                    Vec::new()
                };
                // Partners' readings of the outcomes: for the chair and the minute-taker.
                let readings = if seat.leads() {
                    crate::domain::outcome::readings_of_meeting(conn, meeting_id)?
                } else {
                    Vec::new()
                };
                Ok::<_, AppError>((
                    found,
                    at,
                    seat,
                    items,
                    meeting::attendance_list(conn, meeting_id)?,
                    waiting,
                    last,
                    (sends, readings),
                ))
            })
        })
        .await?;
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
        sends,
        readings,
    })
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

/// Runs a change of the meeting for a user with the right seat; `check` may refuse with a problem key.
async fn change<F>(state: &AppState, user: SignedIn, meeting_id: i64, f: F) -> Result<(), AppError>
where
    F: FnOnce(&mut DbConn, &record::Who, &Meeting, &Table, Seat) -> Result<(), AppError>
        + Send
        + 'static,
{
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, at, seat) = meeting_for(conn, &user, meeting_id)?;
                f(conn, &who(&user), &found, &at, seat)
            })
        })
        .await
}

fn chair_only(seat: Seat) -> Result<(), AppError> {
    if seat.chair {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[derive(Deserialize)]
pub struct TopicForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    time_box: String,
}

fn time_box(errors: &mut FieldErrors, value: &str) -> i32 {
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
            if !(seat.member || seat.leads()) || m.is_closed() {
                return Err(AppError::Forbidden);
            }
            if valid {
                record::add_topic(conn, by, m, &t, minutes)?;
            }
            Ok(())
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
        chair_only(seat)?;
        let found = referral::find(conn, referral_id)?.ok_or(AppError::NotFound)?;
        if found.table_id != at.id || found.status() != ReferralStatus::Accepted || m.is_closed() {
            return Err(AppError::NotFound);
        }
        record::answer_referral(
            conn,
            by,
            &found,
            at,
            ReferralStatus::Accepted,
            None,
            Some(m),
        )?;
        Ok(())
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
        chair_only(seat)?;
        if !m.is_closed() {
            record::move_item(conn, by, m, item_id, up)?;
        }
        Ok(())
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
        chair_only(seat)?;
        meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if !valid {
            return Err(AppError::Unprocessable("time box".into()));
        }
        if !m.is_closed() {
            record::set_time_box(conn, by, m, item_id, minutes)?;
        }
        Ok(())
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
                chair_only(seat)?;
                if found.is_closed() {
                    return Err(AppError::Forbidden);
                }
                record::publish_agenda(conn, &who(&user), &found)?;
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
                Ok((mails, families))
            })
        })
        .await?;
    let (mails, families) = mails;
    for mail in mails {
        state.send_mail(mail).await?;
    }
    // The families on the agenda hear that there is news in their portal (no details in the mail).
    let mut families = families;
    families.sort_unstable();
    families.dedup();
    for family_id in families {
        super::portal::notify_family(&state, family_id, crate::domain::portal::Category::Meetings)
            .await;
    }
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}?melding=gepubliceerd"
    )))
}

fn invitation_mail(to: &user::User, at: &Table, m: &Meeting, link: &str, ics: &str) -> Mail {
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
        filename: "overleg.ics".into(),
        content_type: "text/calendar; charset=utf-8; method=PUBLISH".into(),
        content: ics.as_bytes().to_vec(),
    });
    mail
}

pub async fn start_meeting(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        chair_only(seat)?;
        if m.status() == meeting::MeetingStatus::Planned {
            record::start_meeting(conn, by, m)?;
        }
        Ok(())
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
        chair_only(seat)?;
        let item = meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if m.is_closed() {
            return Err(AppError::Forbidden);
        }
        record::set_current_item(conn, by, m, &item).map_err(AppError::from)
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
        chair_only(seat)?;
        if m.is_closed() {
            return Err(AppError::Forbidden);
        }
        let items = meeting::items(conn, m.id)?;
        let here = m
            .current_item_id
            .and_then(|id| items.iter().position(|i| i.id == id));
        let target = if forward {
            let from = here.map_or(0, |h| h + 1);
            items.iter().skip(from).find(|i| !i.is_closed())
        } else {
            let to = here.unwrap_or(items.len());
            items.iter().take(to).rev().find(|i| !i.is_closed())
        };
        let Some(target) = target else {
            return Ok(());
        };
        record::set_current_item(conn, by, m, target)?;
        Ok(())
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
        chair_only(seat)?;
        let item = meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        if !m.is_closed() && !item.is_closed() {
            record::close_item(conn, by, m, &item)?;
        }
        Ok(())
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#punt-{item_id}"
    )))
}

pub async fn close_meeting(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    change(&state, user, meeting_id, move |conn, by, m, at, seat| {
        chair_only(seat)?;
        if !m.is_closed() {
            record::close_meeting(conn, by, m, at)?;
        }
        Ok(())
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}?melding=gesloten"
    )))
}

#[derive(Deserialize)]
pub struct AttendanceForm {
    #[serde(default)]
    user_id: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    mode: String,
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
        if !seat.leads() || m.is_closed() {
            return Err(AppError::Forbidden);
        }
        let (Some(person), Some(status)) = (person, status) else {
            return Err(AppError::Unprocessable("attendance form".into()));
        };
        let person = record::who(conn, person)?;
        if !record::set_attendance(conn, by, m, &person, status, mode)? {
            return Err(AppError::NotFound);
        }
        Ok(())
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}#aanwezigheid"
    )))
}

// ---------------------------------------------------------------------------------------------------
// One agenda item

#[derive(Clone, Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    rationale: String,
    #[serde(default)]
    family_view: String,
    #[serde(default)]
    family_words: String,
    #[serde(default)]
    refer_to_table_id: String,
    #[serde(default)]
    new_director_user_id: String,
    #[serde(default)]
    supersedes: String,
    /// The phase this decision moves the family to ("" for none), with the ticked criteria sent as
    /// "phase_check_<phase>_<n>" (kept in `rest`).
    #[serde(default)]
    phase_to: String,
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    owner_user_id: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    condition: String,
    #[serde(default)]
    family_informed_how: String,
    #[serde(default)]
    decision_id: String,
}

/// A decision with what it replaced and what replaced it.
#[derive(Clone, Debug)]
pub struct DecisionView {
    pub decision: Decision,
    pub superseded_by: Option<i64>,
}

#[derive(Template)]
#[template(path = "meetings/item.html")]
struct ItemPage {
    ctx: PageCtx,
    meeting: Meeting,
    table: Table,
    seat: Seat,
    view: ItemView,
    family: Option<Family>,
    referral: Option<Referral>,
    decisions: Vec<DecisionView>,
    actions: Vec<ActionRow>,
    /// For the review item: open actions of earlier meetings; (row, may see the description).
    open_actions: Vec<(ActionRow, bool)>,
    /// Choices for the forms.
    people: Vec<(i64, String)>,
    tables: Vec<Table>,
    involved: Vec<(i64, String)>,
    minutes: String,
    decision_form: DecisionForm,
    action_form: ActionForm,
    /// Which form the errors belong to: "minutes", "decision" or "action".
    errors_for: &'static str,
    errors: FieldErrors,
    problem: Option<&'static str>,
    today: NaiveDate,
    last_event: i64,
    /// For a family item: its safety phase, plans and scores, and the phase steps a decision can take.
    safety: Option<SafetyView>,
    phase_choices: Vec<PhaseChoice>,
    /// "Wat wij willen zeggen": what the family wrote for this item.
    family_views: Vec<crate::domain::portal::View>,
    /// Whether this user directs the family (and may share the minutes with it), and whether they are.
    may_share_minutes: bool,
    minutes_shared: bool,
}

impl ItemPage {
    fn family_views_html(&self) -> String {
        partial(super::portal::ViewsPartial {
            ctx: &self.ctx,
            views: &self.family_views,
        })
    }
    fn phase_ticked(&self, to: &crate::domain::safety::Phase, i: &usize) -> bool {
        self.decision_form
            .rest
            .contains_key(&format!("phase_check_{}_{i}", to.number()))
    }
    fn family_id(&self) -> i64 {
        self.view.item.family_id.unwrap_or_default()
    }
    fn agreement_id(&self, name: &str) -> String {
        format!("agreement_{name}")
    }
    /// What was typed in the agreement part of the decision form.
    fn typed_agreement(&self, name: &str) -> &str {
        self.decision_form
            .rest
            .get(&format!("agreement_{name}"))
            .map_or("", String::as_str)
    }
    fn decision_html(&self, dv: &DecisionView) -> String {
        partial(DecisionPartial {
            ctx: &self.ctx,
            decision: &dv.decision,
            superseded_by: dv.superseded_by,
        })
    }
    fn action_html(&self, row: &ActionRow) -> String {
        partial(ActionPartial {
            ctx: &self.ctx,
            row,
        })
    }
    fn is_current(&self) -> bool {
        self.meeting.current_item_id == Some(self.view.item.id)
    }
    fn may_record(&self) -> bool {
        self.seat.leads() && self.meeting.is_running() && !self.view.item.is_closed()
    }
    fn may_write_minutes(&self) -> bool {
        self.seat.leads() && !self.meeting.is_closed()
    }
    fn may_correct(&self) -> bool {
        self.seat.chair && self.meeting.is_closed()
    }
    fn errors_of(&self, form: &str) -> FieldErrors {
        if self.errors_for == form {
            self.errors.clone()
        } else {
            FieldErrors::default()
        }
    }
}

struct ItemData {
    meeting: Meeting,
    table: Table,
    seat: Seat,
    view: ItemView,
    family: Option<Family>,
    referral: Option<Referral>,
    decisions: Vec<DecisionView>,
    actions: Vec<ActionRow>,
    open_actions: Vec<(ActionRow, bool)>,
    people: Vec<(i64, String)>,
    tables: Vec<Table>,
    involved: Vec<(i64, String)>,
    last_event: i64,
    safety: Option<SafetyView>,
    phase_choices: Vec<PhaseChoice>,
    family_views: Vec<crate::domain::portal::View>,
    may_share_minutes: bool,
    minutes_shared: bool,
}

/// Loads an item the user may see (404 otherwise) and logs the look at its family.
fn load_item(
    conn: &mut DbConn,
    user: &SignedIn,
    meeting_id: i64,
    item_id: i64,
) -> Result<ItemData, AppError> {
    let (found, at, seat) = meeting_for(conn, user, meeting_id)?;
    let view = item_views(conn, user.id(), seat, meeting_id)?
        .into_iter()
        .find(|v| v.item.id == item_id)
        .ok_or(AppError::NotFound)?;
    if !view.visible {
        return Err(AppError::NotFound);
    }
    let family = match view.item.family_id {
        Some(fid) => {
            let relation = family::relation(conn, fid, user.id())?;
            log_access(
                conn,
                user,
                fid,
                family::Relation {
                    invited: true,
                    ..relation
                },
                "access.what.agenda_item",
            )?;
            family::find(conn, fid)?
        }
        None => None,
    };
    let referral = match view.item.referral_id {
        Some(rid) => referral::find(conn, rid)?,
        None => None,
    };
    let mut decisions = Vec::new();
    for d in decision::for_meeting(conn, meeting_id)?
        .into_iter()
        .filter(|d| d.agenda_item_id == item_id)
    {
        let superseded_by = decision::superseded_by(conn, d.id)?.map(|n| n.id);
        decisions.push(DecisionView {
            decision: d,
            superseded_by,
        });
    }
    let actions = decision::actions_for_meeting(conn, meeting_id)?
        .into_iter()
        .filter(|a| a.action.agenda_item_id == item_id)
        .collect();
    let mut open_actions = Vec::new();
    if view.item.kind() == ItemKind::ActionReview {
        for row in decision::open_before(conn, at.id, found.id, found.starts_at)? {
            let sees = match row.action.family_id {
                None => true,
                Some(fid) => {
                    seat.leads()
                        || row.action.owner_user_id == user.id()
                        || family::relation(conn, fid, user.id())?.any()
                }
            };
            open_actions.push((row, sees));
        }
    }
    let involved = match view.item.family_id {
        Some(fid) => crate::domain::involvement::list(conn, fid)?
            .into_iter()
            .filter(|i| i.involvement.ended_on.is_none())
            .map(|i| {
                (
                    i.involvement.user_id,
                    format!("{} — {}", i.user_name, i.organisation_name),
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let safety = match view.item.family_id {
        Some(fid) => Some(SafetyView::load(conn, fid)?),
        None => None,
    };
    let phase_choices = match &safety {
        Some(s) if seat.leads() => {
            let kind = table::find_kind(conn, at.kind_id)?;
            phase_choices(s.phase.as_ref().map(|p| p.phase), kind.as_ref())
        }
        _ => Vec::new(),
    };
    let (family_views, may_share_minutes, minutes_shared) = match view.item.family_id {
        Some(fid) => {
            let relation = family::relation(conn, fid, user.id())?;
            (
                crate::domain::portal::views_for_item(conn, item_id)?,
                relation.director || relation.co_worker,
                crate::domain::portal::minutes_shared(conn, item_id)?,
            )
        }
        None => (Vec::new(), false, false),
    };
    Ok(ItemData {
        safety,
        phase_choices,
        family_views,
        may_share_minutes,
        minutes_shared,
        last_event: crate::events::last_for_meeting(conn, meeting_id)?,
        people: if seat.leads() {
            professionals(conn)?
        } else {
            Vec::new()
        },
        tables: table::list(conn)?
            .into_iter()
            .filter(|t| t.id != at.id)
            .collect(),
        meeting: found,
        table: at,
        seat,
        view,
        family,
        referral,
        decisions,
        actions,
        open_actions,
        involved,
    })
}

fn item_page(ctx: PageCtx, data: ItemData) -> ItemPage {
    ItemPage {
        ctx,
        minutes: data.view.item.minutes.clone(),
        meeting: data.meeting,
        table: data.table,
        seat: data.seat,
        view: data.view,
        family: data.family,
        referral: data.referral,
        decisions: data.decisions,
        actions: data.actions,
        open_actions: data.open_actions,
        people: data.people,
        tables: data.tables,
        involved: data.involved,
        decision_form: DecisionForm::default(),
        action_form: ActionForm::default(),
        errors_for: "",
        errors: FieldErrors::default(),
        problem: None,
        today: crate::time::today(),
        last_event: data.last_event,
        safety: data.safety,
        phase_choices: data.phase_choices,
        family_views: data.family_views,
        may_share_minutes: data.may_share_minutes,
        minutes_shared: data.minutes_shared,
    }
}

pub async fn show_item(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let data = state
        .db(move |conn| db::write(conn, |conn| load_item(conn, &user, meeting_id, item_id)))
        .await?;
    html(StatusCode::OK, item_page(ctx, data))
}

/// After a refused change: the item page again, with the message, the errors next to the fields of
/// `form`, and everything typed kept. A refusal without field errors is a conflict with the meeting's
/// state (closed, not running); with field errors it is bad input.
async fn refused(
    state: &AppState,
    user: SignedIn,
    ctx: PageCtx,
    ids: (i64, i64),
    form: &'static str,
    (problem, errors): (&'static str, FieldErrors),
    fill: impl FnOnce(&mut ItemPage),
) -> Result<HttpResponse, AppError> {
    let data = state
        .db(move |conn| db::write(conn, |conn| load_item(conn, &user, ids.0, ids.1)))
        .await?;
    let mut page = item_page(ctx, data);
    let status = if errors.is_empty() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page.errors_for = form;
    page.errors = errors;
    page.problem = Some(problem);
    fill(&mut page);
    html(status, page)
}

/// Why decisions and actions cannot be recorded on this item now, if they cannot.
fn not_recordable(data: &ItemData) -> Option<&'static str> {
    if data.meeting.is_closed() {
        Some("meeting.closed_decisions")
    } else if !data.meeting.is_running() || data.view.item.is_closed() {
        Some("decision.not_running")
    } else {
        None
    }
}

#[derive(Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    minutes: String,
}

pub async fn save_minutes(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<MinutesForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let again = user.clone();
    let text = form.into_inner().minutes.replace("\r\n", "\n");
    let too_long = text.chars().count() > TEXT_LIMIT;
    let typed = text.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let data = load_item(conn, &user, meeting_id, item_id)?;
                if !data.seat.leads() {
                    return Err(AppError::Forbidden);
                }
                if data.meeting.is_closed() {
                    return Ok(Some("meeting.closed_read_only"));
                }
                if too_long {
                    return Ok(Some("form.too_long"));
                }
                record::save_minutes(conn, &who(&user), &data.view.item, typed.trim_end())?;
                Ok(None)
            })
        })
        .await?;
    match outcome {
        None => Ok(see_other(&format!(
            "/bijeenkomsten/{meeting_id}/punten/{item_id}#notulen"
        ))),
        Some(problem) => {
            // A closed meeting is a conflict (no field errors); text that is too long is bad input.
            let mut errors = FieldErrors::default();
            if problem == "form.too_long" {
                errors.add("minutes", problem);
            }
            refused(
                &state,
                again,
                ctx,
                (meeting_id, item_id),
                "minutes",
                (problem, errors),
                |p| p.minutes = text,
            )
            .await
        }
    }
}

fn parse_id(value: &str) -> Option<i64> {
    value.trim().parse::<i64>().ok()
}

fn check_decision(
    form: &DecisionForm,
    outcomes: &[String],
    errors: &mut FieldErrors,
) -> Option<DecisionDetails> {
    let outcome = form.outcome.trim().to_string();
    if !outcomes.contains(&outcome) {
        errors.add("outcome", "decision.outcome_required");
    }
    let text = form.text.replace("\r\n", "\n").trim().to_string();
    if text.is_empty() {
        errors.add("text", "decision.text_required");
    } else if text.chars().count() > TEXT_LIMIT {
        errors.add("text", "form.too_long");
    }
    let rationale = form.rationale.replace("\r\n", "\n").trim().to_string();
    if rationale.is_empty() {
        errors.add("rationale", "decision.rationale_required");
    } else if rationale.chars().count() > TEXT_LIMIT {
        errors.add("rationale", "form.too_long");
    }
    let view = FamilyView::from_code(&form.family_view);
    if view.is_none() {
        errors.add("family_view", "decision.family_view_required");
    }
    let words = form.family_words.replace("\r\n", "\n").trim().to_string();
    if matches!(view, Some(FamilyView::Agrees | FamilyView::Disagrees)) && words.is_empty() {
        errors.add("family_words", "decision.family_words_required");
    }
    if !errors.is_empty() {
        return None;
    }
    Some(DecisionDetails {
        outcome,
        text,
        rationale,
        family_view: view?,
        family_words: words,
        refer_to_table_id: parse_id(&form.refer_to_table_id),
        new_director_user_id: parse_id(&form.new_director_user_id),
    })
}

/// The safety agreement a decision adds to the family's safety plan ("agreement_who", "_what", "_when",
/// "_check", "_review_on"), if any of it is filled in. Problems go into `errors`.
fn check_agreement(
    form: &DecisionForm,
    errors: &mut FieldErrors,
) -> Option<std::collections::BTreeMap<String, String>> {
    let field = |name: &str| {
        form.rest
            .get(&format!("agreement_{name}"))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let mut row: std::collections::BTreeMap<String, String> =
        ["who", "what", "when", "check", "review_on"]
            .iter()
            .map(|n| (n.to_string(), field(n)))
            .filter(|(_, v)| !v.is_empty())
            .collect();
    if row.is_empty() {
        return None;
    }
    if !row.contains_key("who") {
        errors.add("agreement_who", "phase_plan.safety.row_who_required");
    }
    if !row.contains_key("what") {
        errors.add("agreement_what", "phase_plan.safety.row_what_required");
    }
    if row.values().any(|v| v.chars().count() > 1000) {
        errors.add("agreement_what", "form.too_long");
    }
    if let Some(date) = row.get("review_on").cloned() {
        match crate::time::parse_date(&date) {
            Some(d) => {
                row.insert("review_on".into(), d.to_string());
            }
            None => errors.add("agreement_review_on", "form.date_invalid"),
        }
    }
    Some(row)
}

/// Adds an agreement decided at the meeting to the family's safety plan, as a new version.
fn add_agreement(
    conn: &mut DbConn,
    by: &record::Who,
    family_id: i64,
    row: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    let plan = safety::PlanRef {
        family_id,
        kind: safety::PlanKind::Safety,
        person_id: None,
    };
    let current = safety::plan_version(conn, plan, None)?;
    let base = current.as_ref().map_or(0, |p| p.version);
    let review_on = current.as_ref().and_then(|p| p.review_on);
    let mut content = current.map(|p| p.content).unwrap_or_default();
    if content.rows.len() >= super::safety::MAX_ROWS {
        return Err(AppError::Unprocessable(
            "the safety plan has as many agreements as its form can hold".into(),
        ));
    }
    content.rows.push(row);
    // Inside the write transaction nobody saves in between, so this cannot conflict.
    record::save_phase_plan(conn, by, plan, base, review_on, &content)?;
    Ok(())
}

/// The phase step a decision form asks for, checked against the steps open to the family and the
/// checklist of the table's kind. Problems go into `errors` under "phase_to".
fn check_phase_change(
    form: &DecisionForm,
    data: &ItemData,
    errors: &mut FieldErrors,
) -> Result<Option<(Phase, Vec<Criterion>)>, AppError> {
    let value = form.phase_to.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let to = value
        .parse::<i32>()
        .ok()
        .and_then(Phase::from_number)
        .ok_or_else(|| AppError::Unprocessable("unknown phase".into()))?;
    let Some(choice) = data.phase_choices.iter().find(|c| c.to == to) else {
        errors.add("phase_to", "phase.not_possible");
        return Ok(None);
    };
    let checklist = ticked(choice, &form.rest, &format!("phase_check_{}_", to.number()));
    if let Some(problem) = safety::check_transition(choice.step, &checklist, &form.rationale) {
        // A missing rationale is already reported on the rationale field.
        if problem != "phase.rationale_required" {
            errors.add("phase_to", problem);
        }
        return Ok(None);
    }
    Ok(Some((to, checklist)))
}

pub async fn record_decision(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<DecisionForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id), form) = (user.0, path.into_inner(), form.into_inner());
    let again = user.clone();
    let typed = form.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let data = load_item(conn, &user, meeting_id, item_id)?;
                if !data.seat.leads() {
                    return Err(AppError::Forbidden);
                }
                let supersedes = match parse_id(&form.supersedes) {
                    Some(id) => Some(
                        data.decisions
                            .iter()
                            .find(|d| d.decision.id == id)
                            .map(|d| (d.decision.clone(), d.superseded_by))
                            .ok_or(AppError::NotFound)?,
                    ),
                    None => None,
                };
                // After closing, only the chair corrects, and only by superseding a decision.
                let refusal = match &supersedes {
                    None => not_recordable(&data),
                    Some((_, replaced))
                        if data.seat.chair && data.meeting.is_closed() && replaced.is_none() =>
                    {
                        None
                    }
                    Some(_) if data.meeting.is_closed() => Some("meeting.closed_decisions"),
                    Some(_) => Some("decision.correct_after_closing"),
                };
                if let Some(problem) = refusal {
                    return Ok(Err((problem, FieldErrors::default())));
                }
                let mut errors = FieldErrors::default();
                let checked = check_decision(&form, &data.table.outcomes(), &mut errors);
                let phase_change = check_phase_change(&form, &data, &mut errors)?;
                let agreement = check_agreement(&form, &mut errors);
                let Some(details) = checked.filter(|_| errors.is_empty()) else {
                    return Ok(Err(("form.errors_title", errors)));
                };
                if (phase_change.is_some() || agreement.is_some())
                    && (supersedes.is_some() || data.view.item.family_id.is_none())
                {
                    return Err(AppError::Unprocessable(
                        "only a new decision about a family changes its phase or safety plan"
                            .into(),
                    ));
                }
                if details
                    .refer_to_table_id
                    .is_some_and(|t| !data.tables.iter().any(|x| x.id == t))
                    || details
                        .new_director_user_id
                        .is_some_and(|u| !data.involved.iter().any(|(id, _)| *id == u))
                    || (data.view.item.family_id.is_none()
                        && (details.refer_to_table_id.is_some()
                            || details.new_director_user_id.is_some()))
                {
                    return Err(AppError::Unprocessable("decision choices".into()));
                }
                let by = who(&user);
                let created = record::record_decision(
                    conn,
                    &by,
                    &data.meeting,
                    &data.table,
                    &data.view.item,
                    &details,
                    supersedes.as_ref().map(|(d, _)| d),
                )?;
                if let (Some(row), Some(family_id)) = (agreement, data.view.item.family_id) {
                    add_agreement(conn, &by, family_id, row)?;
                }
                if let (Some((to, checklist)), Some(family_id)) =
                    (phase_change, data.view.item.family_id)
                {
                    record::change_phase(
                        conn,
                        &by,
                        family_id,
                        to,
                        &checklist,
                        &details.rationale,
                        Some((&data.meeting, &data.table, created.id)),
                    )?;
                }
                Ok(Ok(data.view.item.family_id))
            })
        })
        .await?;
    match outcome {
        Ok(family) => {
            // The family hears that a decision about them was taken (no details in the mail).
            if let Some(family_id) = family {
                super::portal::notify_family(
                    &state,
                    family_id,
                    crate::domain::portal::Category::Decisions,
                )
                .await;
            }
            Ok(see_other(&format!(
                "/bijeenkomsten/{meeting_id}/punten/{item_id}#besluiten"
            )))
        }
        Err(refusal) => {
            refused(
                &state,
                again,
                ctx,
                (meeting_id, item_id),
                "decision",
                refusal,
                |p| p.decision_form = typed,
            )
            .await
        }
    }
}

pub async fn add_action(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id), form) = (user.0, path.into_inner(), form.into_inner());
    let again = user.clone();
    let typed = form.clone();
    let today = crate::time::today();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let data = load_item(conn, &user, meeting_id, item_id)?;
                if !data.seat.leads() {
                    return Err(AppError::Forbidden);
                }
                if let Some(problem) = not_recordable(&data) {
                    return Ok(Err((problem, FieldErrors::default())));
                }
                let mut errors = FieldErrors::default();
                let description = form.description.replace("\r\n", "\n").trim().to_string();
                if description.is_empty() {
                    errors.add("description", "action.description_required");
                } else if description.chars().count() > TEXT_LIMIT {
                    errors.add("description", "form.too_long");
                }
                let owner = parse_id(&form.owner_user_id)
                    .filter(|id| data.people.iter().any(|(p, _)| p == id));
                if owner.is_none() {
                    errors.add("owner_user_id", "action.owner_required");
                }
                let due = NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(form.due_on.trim(), "%d-%m-%Y"))
                    .ok();
                match due {
                    None => errors.add("due_on", "action.due_invalid"),
                    Some(d) if d < today => errors.add("due_on", "action.due_past"),
                    Some(_) => {}
                }
                let condition = form.condition.trim().to_string();
                let informed = form.family_informed_how.trim().to_string();
                if condition.chars().count() > TEXT_LIMIT {
                    errors.add("condition", "form.too_long");
                }
                if informed.chars().count() > TEXT_LIMIT {
                    errors.add("family_informed_how", "form.too_long");
                }
                let decision_id = parse_id(&form.decision_id)
                    .filter(|id| data.decisions.iter().any(|d| d.decision.id == *id));
                let (Some(owner), Some(due), true) = (owner, due, errors.is_empty()) else {
                    return Ok(Err(("form.errors_title", errors)));
                };
                let owner = record::who(conn, owner)?;
                let details = ActionDetails {
                    description,
                    owner_user_id: owner.user_id,
                    owner_organisation_id: owner.organisation_id.ok_or(AppError::NotFound)?,
                    due_on: due,
                    condition,
                    family_informed_how: informed,
                };
                record::add_action(
                    conn,
                    &who(&user),
                    &data.meeting,
                    &data.view.item,
                    decision_id,
                    &details,
                    &owner,
                )?;
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/bijeenkomsten/{meeting_id}/punten/{item_id}#acties"
        ))),
        Err(refusal) => {
            refused(
                &state,
                again,
                ctx,
                (meeting_id, item_id),
                "action",
                refusal,
                |p| p.action_form = typed,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct GuestForm {
    #[serde(default)]
    user_id: String,
}

pub async fn invite_for_item(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<GuestForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (meeting_id, item_id)) = (user.0, path.into_inner());
    let guest = parse_id(&form.user_id);
    change(&state, user, meeting_id, move |conn, by, m, _, seat| {
        chair_only(seat)?;
        let item = meeting::find_item(conn, m.id, item_id)?.ok_or(AppError::NotFound)?;
        let guest = guest.ok_or_else(|| AppError::Unprocessable("guest".into()))?;
        if m.is_closed() || !professionals(conn)?.iter().any(|(id, _)| *id == guest) {
            return Err(AppError::Unprocessable("guest".into()));
        }
        let guest = record::who(conn, guest)?;
        record::invite_for_item(conn, by, m, &item, &guest)?;
        Ok(())
    })
    .await?;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}/punten/{item_id}#uitgenodigd"
    )))
}
