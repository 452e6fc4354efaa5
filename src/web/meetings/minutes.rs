//! The minutes of an item as its writers (the chair and the minute-taker) type them. The page's script
//! saves a moment after typing stops and asks for JSON; without the script the form gets pages.
//!
//! A save names the revision of the stored text it was based on. When someone else saved another text
//! in between, nothing is overwritten: the answer (409) shows both texts, with buttons to put one's own
//! text under the stored one or to take the stored text. Nothing typed is dropped without a choice.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use serde::Deserialize;
use serde_json::json;

use super::TEXT_LIMIT;
use super::item::{load_item, refused};
use crate::db::{self, DbConn};
use crate::domain::meeting::{self, MeetingAction, minutes, state_allows};
use crate::policy;
use crate::record::{self, Announced};
use crate::web::access::who;
use crate::web::forms::FieldErrors;
use crate::web::views::minutes::{MinutesConflict, MinutesSave, when};
use crate::web::{AppError, AppState, CurrentUser, PageCtx, SignedIn, see_other};

#[derive(Deserialize)]
pub struct MinutesForm {
    #[serde(default)]
    minutes: String,
    /// The revision of the stored text the typed text was based on. A form without it counts as based
    /// on no text, so it cannot overwrite minutes it never showed.
    #[serde(default)]
    base: Option<String>,
    /// A choice in the conflict notice: "append" (my text under the stored text) or "take" (the stored
    /// text, mine dropped).
    #[serde(default)]
    resolve: String,
}

/// What became of a save.
enum Outcome {
    Saved {
        announced: Option<Announced>,
        base: String,
        at: NaiveDateTime,
    },
    /// Someone else saved another text first: nothing written, both texts.
    Conflict(MinutesConflict),
    /// The meeting is closed, or the text is too long: nothing written.
    Refused(&'static str),
}

pub async fn save_minutes(
    req: HttpRequest,
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    form: web::Form<MinutesForm>,
) -> Result<HttpResponse, AppError> {
    let (user, ids) = (user.0, path.into_inner());
    let form = form.into_inner();
    let here = format!("/bijeenkomsten/{}/punten/{}#notulen", ids.0, ids.1);
    if form.resolve == "take" {
        // The writer chose the stored text: the page shows it again (nothing changes).
        return Ok(see_other(&here));
    }
    let typed = minutes::normalized(&form.minutes);
    let base = form.base.unwrap_or_else(|| minutes::revision(""));
    let append = form.resolve == "append";
    let (again, mine, based_on) = (user.clone(), typed.clone(), base.clone());
    let mut outcome = state
        .db(move |conn| {
            db::write(conn, |conn| {
                write_minutes(conn, &user, ids, (&mine, &based_on, append))
            })
        })
        .await?;
    if let Outcome::Saved { announced, .. } = &mut outcome
        && let Some(announced) = announced.take()
    {
        state.wake(announced);
    }
    if wants_json(&req) {
        return Ok(json_answer(&ctx, ids.1, outcome));
    }
    let (problem, errors, conflict) = match outcome {
        Outcome::Saved { .. } => return Ok(see_other(&here)),
        Outcome::Conflict(conflict) => (
            "minutes.not_saved_conflict",
            FieldErrors::default(),
            Some(conflict),
        ),
        Outcome::Refused(problem) => {
            // A closed meeting is a conflict (no field errors); text that is too long is bad input.
            let mut errors = FieldErrors::default();
            if problem == "form.too_long" {
                errors.add("minutes", problem);
            }
            (problem, errors, None)
        }
    };
    refused(&state, again, ctx, ids, "minutes", (problem, errors), |p| {
        p.minutes = typed;
        p.minutes_base = base;
        p.minutes_conflict = conflict;
    })
    .await
}

/// Checks and writes one save of the minutes, in the transaction of the request.
fn write_minutes(
    conn: &mut DbConn,
    user: &SignedIn,
    (meeting_id, item_id): (i64, i64),
    (typed, base, append): (&str, &str, bool),
) -> Result<Outcome, AppError> {
    let data = load_item(conn, user, meeting_id, item_id)?;
    if !policy::seat_allows(data.seat, MeetingAction::WriteMinutes) {
        return Err(AppError::Forbidden);
    }
    if !state_allows(data.meeting.state(), MeetingAction::WriteMinutes) {
        return Ok(Outcome::Refused("meeting.closed_read_only"));
    }
    let item = &data.view.item;
    let text = if append {
        minutes::merge_under(&item.minutes, typed)
    } else {
        typed.to_string()
    };
    if text.chars().count() > TEXT_LIMIT {
        return Ok(Outcome::Refused("form.too_long"));
    }
    let conflict = |conn: &mut DbConn, stored: String| {
        Ok(Outcome::Conflict(MinutesConflict {
            by: MinutesSave::last(conn, meeting_id, item_id)?,
            stored,
            mine: typed.to_string(),
        }))
    };
    if !append && !minutes::may_replace(&item.minutes, base, &text) {
        return conflict(conn, item.minutes.clone());
    }
    let announced = if text == item.minutes {
        None
    } else {
        match record::save_minutes(conn, &who(user), item, &text)? {
            Some(announced) => Some(announced),
            // Another save was written between reading and writing: that one stays.
            None => {
                let now =
                    meeting::find_item(conn, meeting_id, item_id)?.ok_or(AppError::NotFound)?;
                return conflict(conn, now.minutes);
            }
        }
    };
    Ok(Outcome::Saved {
        announced,
        base: minutes::revision(&text),
        at: crate::time::now(),
    })
}

/// Whether the request is the page script's save, which wants JSON instead of a page.
fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json"))
}

/// The answer to the script: `saved` with the new `base` revision, or a `conflict` notice (HTML with
/// both texts), and always a `status` line for the writer.
fn json_answer(ctx: &PageCtx, item_id: i64, outcome: Outcome) -> HttpResponse {
    let (status, body) = match outcome {
        Outcome::Saved { base, at, .. } => (
            StatusCode::OK,
            json!({
                "saved": true,
                "base": base,
                "status": ctx.i18n.t_with("minutes.saved_at", &[("time", &when(at))]),
            }),
        ),
        Outcome::Conflict(conflict) => (
            StatusCode::CONFLICT,
            json!({
                "saved": false,
                "conflict": conflict.html(ctx, item_id),
                "status": ctx.t("minutes.not_saved_conflict_below"),
            }),
        ),
        Outcome::Refused(problem) => (
            if problem == "form.too_long" {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            },
            json!({ "saved": false, "status": ctx.t(problem) }),
        ),
    };
    HttpResponse::build(status).json(body)
}
