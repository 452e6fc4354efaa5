//! Planning a meeting of a table: the form and its checks (a time in Amsterdam, stored in UTC).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use chrono::{NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;

use crate::db;
use crate::domain::meeting::MeetingPlan;
use crate::domain::table::Table;
use crate::policy::{self, TableAction};
use crate::record;
use crate::web::access::{table_for, who};
use crate::web::forms::{FieldErrors, text};
use crate::web::html;
use crate::web::{AppError, AppState, CurrentUser, PageCtx, see_other};

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    starts: String,
    #[serde(default)]
    ends: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    online_link: String,
}

#[derive(Template)]
#[template(path = "tables/meeting_form.html")]
struct MeetingFormPage {
    ctx: PageCtx,
    table: Table,
    form: MeetingForm,
    errors: FieldErrors,
}

pub async fn show_new_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id) = (user.0, path.into_inner());
    let found = state
        .db(move |conn| {
            let (found, seat) = table_for(conn, &user, table_id)?;
            if !policy::allows_table(seat, TableAction::PlanMeeting) {
                return Err(AppError::Forbidden);
            }
            Ok(found)
        })
        .await?;
    let form = MeetingForm {
        starts: "09:00".into(),
        ends: "10:30".into(),
        ..MeetingForm::default()
    };
    html(
        StatusCode::OK,
        MeetingFormPage {
            ctx,
            table: found,
            form,
            errors: FieldErrors::default(),
        },
    )
}

/// A local date and time in Amsterdam, as UTC.
fn amsterdam_to_utc(date: NaiveDate, time: NaiveTime) -> Option<chrono::NaiveDateTime> {
    chrono_tz::Europe::Amsterdam
        .from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.naive_utc())
}

fn check_meeting(form: &MeetingForm, errors: &mut FieldErrors) -> Option<MeetingPlan> {
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(form.date.trim(), "%d-%m-%Y"))
        .ok();
    let today = crate::time::today();
    match date {
        None => errors.add("date", "meeting_form.date_invalid"),
        Some(d) if d < today => errors.add("date", "meeting_form.date_past"),
        Some(_) => {}
    }
    let time = |v: &str| NaiveTime::parse_from_str(v.trim(), "%H:%M").ok();
    let (starts, ends) = (time(&form.starts), time(&form.ends));
    if starts.is_none() {
        errors.add("starts", "meeting_form.time_invalid");
    }
    if ends.is_none() {
        errors.add("ends", "meeting_form.time_invalid");
    }
    if let (Some(s), Some(e)) = (starts, ends)
        && e <= s
    {
        errors.add("ends", "meeting_form.end_before_start");
    }
    let place = text(errors, "place", &form.place, "", 300);
    let online_link = text(errors, "online_link", &form.online_link, "", 500);
    if place.is_empty() && online_link.is_empty() {
        errors.add("place", "meeting_form.place_required");
    }
    let link_ok = online_link.is_empty()
        || online_link.starts_with("https://")
        || online_link.starts_with("http://");
    if !link_ok {
        errors.add("online_link", "meeting_form.link_invalid");
    }
    if !errors.is_empty() {
        return None;
    }
    let (date, starts, ends) = (date?, starts?, ends?);
    Some(MeetingPlan {
        starts_at: amsterdam_to_utc(date, starts)?,
        ends_at: amsterdam_to_utc(date, ends)?,
        place,
        online_link,
    })
}

pub async fn create_meeting(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<MeetingForm>,
) -> Result<HttpResponse, AppError> {
    let (user, table_id, form) = (user.0, path.into_inner(), form.into_inner());
    let mut errors = FieldErrors::default();
    let plan = check_meeting(&form, &mut errors);
    let (found, created) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (found, seat) = table_for(conn, &user, table_id)?;
                if !policy::allows_table(seat, TableAction::PlanMeeting) {
                    return Err(AppError::Forbidden);
                }
                let Some(plan) = plan else {
                    return Ok((found, None));
                };
                let planned = record::plan_meeting(conn, &who(&user), &found, &plan)?;
                Ok((found, Some(planned)))
            })
        })
        .await?;
    match created {
        Some((created, announced)) => {
            state.wake(announced);
            Ok(see_other(&format!("/bijeenkomsten/{}", created.id)))
        }
        None => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            MeetingFormPage {
                ctx,
                table: found,
                form,
                errors,
            },
        ),
    }
}
