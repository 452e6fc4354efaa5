//! Referrals: a family referred to a table (choosing the table, the form and its checks), the referral
//! page for those who may read it, and the chair's answer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::{Seat, actor, authorize, log_access, seat, who};
use super::forms::{FieldErrors, TEXT_LIMIT, text};
use super::html;
use super::notify::{
    DirectorNotice, ReferralNotice, meeting_news, notify_director, notify_referral,
    send_meeting_news,
};
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};
use crate::db::{self, DbConn};
use crate::domain::family::{self, Family, Urgency};
use crate::domain::meeting::{self, Meeting, MeetingPlan};
use crate::domain::partnership;
use crate::domain::referral::{self, Referral, ReferralDetails, ReferralStatus};
use crate::domain::table::{self, Table};
use crate::domain::user;
use crate::policy::{self, FamilyAction, ReferralAction, ReferralStanding};
use crate::record;

#[derive(Template)]
#[template(path = "referrals/choose_table.html")]
struct ChooseTablePage {
    ctx: PageCtx,
    family: Family,
    /// The tables of the family's own partnership.
    tables: Vec<Table>,
    /// Tables of other partnerships: a referral there needs a reason.
    elsewhere: Vec<Table>,
}

/// A referral is made by someone who works with the family: its director or co-worker, or a professional
/// involved from an organisation of the family's partnership.
fn may_refer(conn: &mut DbConn, user: &SignedIn, family_id: i64) -> Result<Family, AppError> {
    let (found, relation) = authorize(conn, user, family_id, FamilyAction::View)?;
    let takes_part = match user.organisation_id() {
        Some(o) => partnership::takes_part(conn, found.partnership_id, o)?,
        None => false,
    };
    let standing = ReferralStanding {
        takes_part,
        ..ReferralStanding::default()
    };
    if !policy::allows_referral(actor(user), relation, standing, ReferralAction::Refer) {
        return Err(AppError::Forbidden);
    }
    Ok(found)
}

/// The table a family is referred to, and whether it belongs to another partnership than the family's
/// (then the referral needs a reason, and the director hears of it at once).
fn referral_target(
    conn: &mut DbConn,
    family: &Family,
    table_id: i64,
) -> Result<(Table, bool), AppError> {
    let to = table::find(conn, table_id)?.ok_or(AppError::NotFound)?;
    let outside = to.partnership_id != family.partnership_id;
    Ok((to, outside))
}

pub async fn choose_table(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, family_id) = (user.0, path.into_inner());
    let (found, tables, elsewhere) = state
        .db(move |conn| {
            let found = may_refer(conn, &user, family_id)?;
            let (tables, elsewhere): (Vec<Table>, Vec<Table>) = table::list(conn)?
                .into_iter()
                .partition(|t| t.partnership_id == found.partnership_id);
            Ok((found, tables, elsewhere))
        })
        .await?;
    html(
        StatusCode::OK,
        ChooseTablePage {
            ctx,
            family: found,
            tables,
            elsewhere,
        },
    )
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReferralForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    tried: String,
    #[serde(default)]
    question: String,
    #[serde(default)]
    urgency: String,
    #[serde(default)]
    family_informed: String,
    #[serde(default)]
    not_informed_reason: String,
    /// Why a table of another partnership (required there only).
    #[serde(default)]
    outside_reason: String,
}

#[derive(Template)]
#[template(path = "referrals/form.html")]
struct ReferralFormPage {
    ctx: PageCtx,
    family: Family,
    table: Table,
    /// The table belongs to another partnership than the family's.
    outside: bool,
    form: ReferralForm,
    errors: FieldErrors,
}

pub async fn show_referral_form(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, table_id)) = (user.0, path.into_inner());
    let (found, to, outside) = state
        .db(move |conn| {
            let found = may_refer(conn, &user, family_id)?;
            let (to, outside) = referral_target(conn, &found, table_id)?;
            Ok((found, to, outside))
        })
        .await?;
    let form = ReferralForm {
        urgency: found.urgency.clone(),
        family_informed: if found.family_informed { "yes" } else { "no" }.into(),
        not_informed_reason: found.not_informed_reason.clone().unwrap_or_default(),
        ..ReferralForm::default()
    };
    html(
        StatusCode::OK,
        ReferralFormPage {
            ctx,
            family: found,
            table: to,
            outside,
            form,
            errors: FieldErrors::default(),
        },
    )
}

fn check_referral(
    form: &ReferralForm,
    outside: bool,
    errors: &mut FieldErrors,
) -> Option<ReferralDetails> {
    let reason = text(
        errors,
        "reason",
        &form.reason,
        "referral_form.reason_required",
        TEXT_LIMIT,
    );
    let tried = text(
        errors,
        "tried",
        &form.tried,
        "referral_form.tried_required",
        TEXT_LIMIT,
    );
    let question = text(
        errors,
        "question",
        &form.question,
        "referral_form.question_required",
        TEXT_LIMIT,
    );
    let urgency = Urgency::from_code(&form.urgency);
    if urgency.is_none() {
        errors.add("urgency", "family_form.urgency_required");
    }
    let informed = match form.family_informed.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            errors.add("family_informed", "family_form.family_informed_required");
            None
        }
    };
    let not_informed_reason = text(
        errors,
        "not_informed_reason",
        &form.not_informed_reason,
        "",
        TEXT_LIMIT,
    );
    if informed == Some(false) && not_informed_reason.is_empty() {
        errors.add(
            "not_informed_reason",
            "family_form.not_informed_reason_required",
        );
    }
    let outside_reason = text(
        errors,
        "outside_reason",
        &form.outside_reason,
        "",
        TEXT_LIMIT,
    );
    if outside && outside_reason.is_empty() {
        errors.add("outside_reason", "referral_form.outside_reason_required");
    }
    if !errors.is_empty() {
        return None;
    }
    Some(ReferralDetails {
        reason,
        tried,
        question,
        urgency: urgency?,
        family_informed: informed?,
        not_informed_reason: (informed == Some(false)).then_some(not_informed_reason),
        outside_reason: outside.then_some(outside_reason),
    })
}

pub async fn create_referral(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ReferralForm>,
) -> Result<HttpResponse, AppError> {
    let (user, (family_id, table_id), form) = (user.0, path.into_inner(), form.into_inner());
    let by = user.id();
    let checked = form.clone();
    let (found, to, outside, created) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let found = may_refer(conn, &user, family_id)?;
                let (to, outside) = referral_target(conn, &found, table_id)?;
                let mut errors = FieldErrors::default();
                let created = match check_referral(&checked, outside, &mut errors) {
                    Some(d) => Ok(record::refer(conn, &who(&user), family_id, &to, &d)?.id),
                    None => Err(errors),
                };
                Ok::<_, AppError>((found, to, outside, created))
            })
        })
        .await?;
    match created {
        Ok(id) => {
            let notice = DirectorNotice::Referral { id, outside };
            notify_director(&state, family_id, notice, Some(by)).await;
            notify_referral(&state, id, ReferralNotice::Submitted, by).await;
            Ok(see_other(&format!("/aanmeldingen/{id}")))
        }
        Err(errors) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            ReferralFormPage {
                ctx,
                family: found,
                table: to,
                outside,
                form,
                errors,
            },
        ),
    }
}

#[derive(Template)]
#[template(path = "referrals/show.html")]
struct ReferralPage {
    ctx: PageCtx,
    referral: Referral,
    family: Family,
    table: Table,
    referrer: String,
    seat: Seat,
    /// Planned meetings the chair can schedule it on.
    meetings: Vec<Meeting>,
    /// What the referrer added when the chair asked, oldest first, with who added it.
    additions: Vec<(referral::Addition, String)>,
    /// When the chair's answer is due (while it is waiting for one), and whether that has passed.
    due: Option<(chrono::NaiveDateTime, bool)>,
    /// The viewer made the referral.
    is_referrer: bool,
    problem: Option<&'static str>,
    /// The information as typed, shown again when it could not be added.
    information: String,
    /// The text key of what was just saved, confirmed on the page.
    saved: Option<&'static str>,
    /// For the chair of an open crisis referral: the spoedoverleg form's start time and online link
    /// (the table's last one), as proposed or as typed.
    urgent: Option<UrgentForm>,
}

/// Everything the referral page shows, read for `user` (and logged as a reading).
fn referral_page(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
    ctx: PageCtx,
) -> Result<ReferralPage, AppError> {
    let (found, fam, to, seat) = referral_for(conn, user, id)?;
    log_referral_read(conn, user, fam.id)?;
    let referrer = user::find(conn, found.referred_by_user_id)?
        .map(|u| u.name)
        .unwrap_or_default();
    let all = meeting::for_table(conn, to.id)?;
    let urgent =
        (seat.chair && found.is_open() && found.urgency() == Urgency::Crisis).then(|| UrgentForm {
            starts: urgent_start(crate::domain::now())
                .format("%H:%M")
                .to_string(),
            online_link: all
                .iter()
                .map(|m| m.online_link.clone())
                .find(|l| !l.is_empty())
                .unwrap_or_default(),
        });
    let meetings = all.into_iter().filter(|m| !m.is_closed()).collect();
    let deadlines = table::find_kind(conn, to.kind_id)?
        .map(|k| k.deadlines())
        .unwrap_or_default();
    let due = found.awaits_answer().then(|| {
        let due = referral::answer_due(deadlines, found.urgency(), found.with_chair_since());
        (due, crate::domain::now() > due)
    });
    Ok(ReferralPage {
        ctx,
        additions: referral::additions(conn, found.id)?,
        is_referrer: found.referred_by_user_id == user.id(),
        referral: found,
        family: fam,
        table: to,
        referrer,
        seat,
        meetings,
        due,
        problem: None,
        information: String::new(),
        saved: None,
        urgent,
    })
}

/// The referral, for the referrer and those who work with the family, and for the table's chair and
/// minute-taker (who read it for the purpose "overleg").
fn referral_for(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
) -> Result<(Referral, Family, Table, Seat), AppError> {
    let found = referral::find(conn, id)?.ok_or(AppError::NotFound)?;
    let to = table::find(conn, found.table_id)?.ok_or(AppError::NotFound)?;
    let seat = seat(conn, user, &to)?;
    let fam = family::find(conn, found.family_id)?.ok_or(AppError::NotFound)?;
    let relation = family::relation_to(conn, &fam, user.id())?;
    let standing = ReferralStanding {
        referrer: found.referred_by_user_id == user.id(),
        seat,
        family_closed: fam.is_closed(),
        takes_part: false,
    };
    if !policy::allows_referral(actor(user), relation, standing, ReferralAction::Read) {
        return Err(AppError::NotFound);
    }
    Ok((found, fam, to, seat))
}

/// The referral, if `user` may do `action` with it (a change: a refusal is 403 once it may be read).
fn referral_may(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
    action: ReferralAction,
) -> Result<(Referral, Family, Table), AppError> {
    let (found, fam, to, seat) = referral_for(conn, user, id)?;
    let relation = family::relation_to(conn, &fam, user.id())?;
    let standing = ReferralStanding {
        referrer: found.referred_by_user_id == user.id(),
        seat,
        family_closed: fam.is_closed(),
        takes_part: false,
    };
    if !policy::allows_referral(actor(user), relation, standing, action) {
        return Err(AppError::Forbidden);
    }
    Ok((found, fam, to))
}

/// Logs that the referral (family data) was shown: as regie or betrokkenheid when the reader works with
/// the family, otherwise as "overleg" (the chair or minute-taker).
fn log_referral_read(conn: &mut DbConn, user: &SignedIn, family_id: i64) -> Result<(), AppError> {
    let relation = family::relation(conn, family_id, user.id())?;
    let reader = family::Relation {
        invited: true,
        ..relation
    };
    log_access(conn, user, family_id, reader, "access.what.referral")
}

pub async fn show_referral(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<super::forms::NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let mut page = state
        .db(move |conn| db::write(conn, |conn| referral_page(conn, &user, id, ctx)))
        .await?;
    page.saved = match query.melding.as_deref() {
        Some("aangevuld") => Some("referral.info_sent"),
        Some("beantwoord") => Some("referral.answered"),
        _ => None,
    };
    html(StatusCode::OK, page)
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    answer: String,
    #[serde(default)]
    meeting_id: String,
    #[serde(default)]
    note: String,
}

pub async fn answer_referral(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let by = user.id();
    let note = form.note.trim().to_string();
    let meeting_id = form.meeting_id.trim().parse::<i64>().ok();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, _, to) = referral_may(conn, &user, id, ReferralAction::Answer)?;
                let status = answer_status(&form.answer);
                let problem = answer_problem(status, &found, &note);
                if let (None, Some(status)) = (problem, status) {
                    let open: Vec<Meeting> = meeting::for_table(conn, to.id)?
                        .into_iter()
                        .filter(|m| !m.is_closed())
                        .collect();
                    let schedule_on = meeting_id
                        .and_then(|mid| open.iter().find(|m| m.id == mid))
                        .filter(|_| status == ReferralStatus::Accepted);
                    let told = match schedule_on {
                        Some(_) => ReferralStatus::Scheduled,
                        None => status,
                    };
                    let announced = record::answer_referral(
                        conn,
                        &who(&user),
                        &found,
                        &to,
                        status,
                        (!note.is_empty()).then_some(note.as_str()),
                        schedule_on,
                    )?;
                    return Ok(Ok((announced, told)));
                }
                let mut page = referral_page(conn, &user, id, ctx)?;
                page.problem = problem;
                Ok::<_, AppError>(Err(page))
            })
        })
        .await?;
    match outcome {
        Ok((announced, told)) => {
            state.wake(announced);
            notify_referral(&state, id, ReferralNotice::Answered(told), by).await;
            Ok(see_other(&format!("/aanmeldingen/{id}?melding=beantwoord")))
        }
        Err(page) => html(StatusCode::UNPROCESSABLE_ENTITY, page),
    }
}

#[derive(Deserialize)]
pub struct InformationForm {
    #[serde(default)]
    information: String,
}

/// The referrer answers the chair's question: the referral goes back to the chair, who is told.
pub async fn add_information(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<InformationForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let by = user.id();
    let typed = form.into_inner().information.replace("\r\n", "\n");
    let information = typed.trim().to_string();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, _, to) = referral_may(conn, &user, id, ReferralAction::AddInformation)?;
                let problem = if found.status() != ReferralStatus::MoreInfo {
                    Some((StatusCode::CONFLICT, "referral.no_question_open"))
                } else if information.is_empty() {
                    Some((
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "referral.information_required",
                    ))
                } else if information.chars().count() > TEXT_LIMIT {
                    Some((StatusCode::UNPROCESSABLE_ENTITY, "form.too_long"))
                } else {
                    None
                };
                let Some((status, key)) = problem else {
                    record::add_referral_information(conn, &who(&user), &found, &to, &information)?;
                    return Ok(Ok(()));
                };
                let mut page = referral_page(conn, &user, id, ctx)?;
                page.problem = Some(key);
                page.information = typed;
                Ok::<_, AppError>(Err((status, page)))
            })
        })
        .await?;
    match outcome {
        Ok(()) => {
            notify_referral(&state, id, ReferralNotice::InformationAdded, by).await;
            Ok(see_other(&format!("/aanmeldingen/{id}?melding=aangevuld")))
        }
        Err((status, page)) => html(status, page),
    }
}

/// The chair's answer as sent: None when it is none of the three.
fn answer_status(answer: &str) -> Option<ReferralStatus> {
    match answer {
        "accept" => Some(ReferralStatus::Accepted),
        "more_info" => Some(ReferralStatus::MoreInfo),
        "reject" => Some(ReferralStatus::Rejected),
        _ => None,
    }
}

/// Why an answer cannot be given: none chosen, the referral already answered, or the note missing
/// (asking for more information or rejecting says why) or too long.
fn answer_problem(
    status: Option<ReferralStatus>,
    found: &Referral,
    note: &str,
) -> Option<&'static str> {
    match status {
        None => Some("referral.answer_required"),
        Some(_) if !found.is_open() => Some("referral.already_answered"),
        Some(ReferralStatus::MoreInfo | ReferralStatus::Rejected) if note.is_empty() => {
            Some("referral.note_required")
        }
        Some(_) if note.chars().count() > TEXT_LIMIT => Some("form.too_long"),
        _ => None,
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct UrgentForm {
    #[serde(default)]
    starts: String,
    #[serde(default)]
    online_link: String,
}

/// When a spoedoverleg planned at `now` (UTC) starts: the next quarter of an hour at least ten minutes
/// away, in Amsterdam time.
fn urgent_start(now: chrono::NaiveDateTime) -> chrono::NaiveTime {
    use chrono::Timelike;
    let soon = crate::time::local(now + chrono::Duration::minutes(10)).time();
    let quarters = (soon.hour() * 60 + soon.minute()).div_ceil(15) * 15;
    chrono::NaiveTime::from_hms_opt((quarters / 60) % 24, quarters % 60, 0).unwrap_or(soon)
}

/// When a spoedoverleg planned at `now` (UTC) for `starts` (Amsterdam time) begins: today, or just after
/// midnight when the chair plans it late in the evening (the time proposed then is tomorrow's 00:15).
/// None for a time that has passed (more than ten minutes ago, and not within the next twelve hours).
fn urgent_start_at(
    now: chrono::NaiveDateTime,
    starts: chrono::NaiveTime,
) -> Option<chrono::NaiveDateTime> {
    let today = crate::time::local(now).date_naive();
    let at = |day: chrono::NaiveDate| crate::time::utc_of_local(day.and_time(starts));
    let soon = |t: chrono::NaiveDateTime| t >= now - chrono::Duration::minutes(10);
    let tonight = today.succ_opt().map(at);
    Some(at(today))
        .filter(|t| soon(*t))
        .or(tonight.filter(|t| *t <= now + chrono::Duration::hours(12)))
}

/// The spoedoverleg as typed: today from `starts` for an hour, online. None (with the reason) when the
/// time is not a time or already passed, or the link is not a web address.
fn urgent_plan(form: &UrgentForm) -> Result<MeetingPlan, &'static str> {
    let starts = chrono::NaiveTime::parse_from_str(form.starts.trim(), "%H:%M")
        .map_err(|_| "referral.urgent_time_invalid")?;
    let starts_at =
        urgent_start_at(crate::domain::now(), starts).ok_or("referral.urgent_time_past")?;
    let link = form.online_link.trim();
    if !(link.starts_with("https://") || link.starts_with("http://")) || link.chars().count() > 500
    {
        return Err("referral.urgent_link_invalid");
    }
    Ok(MeetingPlan {
        starts_at,
        ends_at: starts_at + chrono::Duration::hours(1),
        place: "Online".into(),
        online_link: link.to_string(),
    })
}

/// The chair turns a crisis referral into a spoedoverleg with one click: a meeting today, online, with
/// the family as its item (the referrer, the director and those involved invited for it), published at
/// once so the invitations with the .ics go out now.
pub async fn plan_urgent_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<UrgentForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let by = user.id();
    let base_url = state.config.base_url.clone();
    let outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, _, to) = referral_may(conn, &user, id, ReferralAction::Answer)?;
                let plan = if !found.is_open() || found.urgency() != Urgency::Crisis {
                    Err((StatusCode::CONFLICT, "referral.urgent_not_possible"))
                } else {
                    urgent_plan(&form).map_err(|key| (StatusCode::UNPROCESSABLE_ENTITY, key))
                };
                let plan = match plan {
                    Ok(plan) => plan,
                    Err((status, key)) => {
                        let mut page = referral_page(conn, &user, id, ctx)?;
                        page.problem = Some(key);
                        page.urgent = page.urgent.map(|_| form.clone());
                        return Ok(Err((status, page)));
                    }
                };
                let by = who(&user);
                let (planned, made) = record::plan_meeting(conn, &by, &to, &plan)?;
                let status = ReferralStatus::Accepted;
                let on = Some(&planned);
                let scheduled = record::answer_referral(conn, &by, &found, &to, status, None, on)?;
                let published = record::publish_agenda(conn, &by, &planned)?;
                let news = meeting_news(conn, &planned, &to, &base_url)?;
                let announced = made.and(scheduled).and(published);
                Ok::<_, AppError>(Ok((planned.id, news, announced)))
            })
        })
        .await?;
    let (meeting_id, news, announced) = match outcome {
        Ok(done) => done,
        Err((status, page)) => return html(status, page),
    };
    state.wake(announced);
    send_meeting_news(&state, news).await?;
    let told = ReferralNotice::Answered(ReferralStatus::Scheduled);
    notify_referral(&state, id, told, by).await;
    Ok(see_other(&format!(
        "/bijeenkomsten/{meeting_id}?melding=gepubliceerd"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime};

    fn utc(local: &str) -> chrono::NaiveDateTime {
        let at = chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%d %H:%M").unwrap();
        crate::time::utc_of_local(at)
    }

    #[test]
    fn a_spoedoverleg_planned_late_in_the_evening_starts_after_midnight() {
        let now = utc("2026-12-02 23:52");
        let proposed = urgent_start(now);
        assert_eq!(proposed, NaiveTime::from_hms_opt(0, 15, 0).unwrap());
        let starts = urgent_start_at(now, proposed).unwrap();
        assert_eq!(
            crate::time::local(starts).date_naive(),
            NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
        );
        // In the afternoon a morning time has passed; a time now or later is today.
        let afternoon = utc("2026-12-02 14:20");
        assert_eq!(
            urgent_start_at(afternoon, NaiveTime::from_hms_opt(9, 0, 0).unwrap()),
            None
        );
        let later = urgent_start_at(afternoon, NaiveTime::from_hms_opt(14, 45, 0).unwrap());
        assert_eq!(later, Some(utc("2026-12-02 14:45")));
        assert_eq!(
            urgent_start(afternoon),
            NaiveTime::from_hms_opt(14, 30, 0).unwrap()
        );
    }
}
