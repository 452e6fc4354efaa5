//! The start page after login: "Mijn overzicht".

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;
use chrono::Timelike;

use actix_web::web;

use super::html;
use super::{AppError, AppState, PageCtx};
use crate::domain::decision::{self, ActionRow};
use crate::domain::family::{self, Family};
use crate::domain::meeting::{self, Meeting};
use crate::domain::referral;

/// How many finished actions the start page lists.
const FINISHED_SHOWN: usize = 20;
use crate::domain::table;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    greeting_key: &'static str,
    first_name: String,
    families: Vec<Family>,
    next_meetings: std::collections::HashMap<i64, (chrono::NaiveDateTime, String)>,
    may_create: bool,
    actions: Vec<ActionRow>,
    /// The latest of the user's done or cancelled actions.
    finished: Vec<ActionRow>,
    meetings: Vec<(Meeting, String)>,
    today: chrono::NaiveDate,
    /// Reviews past their date in the plans of the families this user directs.
    overdue: Vec<crate::domain::safety::Overdue>,
    /// The aftercare check-ins this user does, earliest first.
    checkins: Vec<crate::domain::aftercare::CheckIn>,
    /// The referrals at the tables this user chairs that need them: to answer, waiting for more
    /// information, or accepted and not yet on an agenda.
    inbox: Vec<referral::InboxRow>,
    /// The referrals this user made: open ones, and those answered in the last 30 days.
    referred: Vec<referral::ReferralRow>,
    /// What colleagues who left leave to this user (see `views::leavers`).
    left_behind: super::views::leavers::LeftBehind,
    /// The open complaints and objections this user handles (as chair or coordinator), by deadline.
    complaints: Vec<crate::domain::complaint::Listed>,
}

impl HomePage {
    /// How long a referral has been waiting: "35 minuten", "5 uur", "3 dagen".
    fn waiting(&self, since: chrono::NaiveDateTime) -> String {
        let waited = crate::domain::now() - since;
        let (key, n) = if waited.num_minutes() < 60 {
            ("referral.waited_minutes", waited.num_minutes().max(0))
        } else if waited.num_hours() < 48 {
            ("referral.waited_hours", waited.num_hours())
        } else {
            ("referral.waited_days", waited.num_days())
        };
        let n = n.to_string();
        self.ctx.i18n.t_with(key, &[("n", n.as_str())])
    }

    fn checkin_due(&self, c: &crate::domain::aftercare::CheckIn) -> bool {
        c.checkin_on <= self.today
    }

    fn overdue(&self, c: &crate::domain::complaint::Listed) -> bool {
        c.complaint.is_overdue(self.today)
    }

    fn describe(&self, o: &crate::domain::safety::Overdue) -> String {
        crate::digest::describe(&self.ctx.i18n, o, crate::digest::Names::Shown)
    }
}

pub async fn show_home(
    user: super::AnySignedIn,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<super::forms::NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    if user.0.role() == crate::domain::user::Role::Family {
        return Ok(super::see_other("/portaal"));
    }
    let greeting_key = greeting_key();
    let first_name = user
        .0
        .account
        .user
        .name
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let user_id = user.0.id();
    let today = crate::time::today();
    let (families, next_meetings, (actions, finished), meetings, reminders, (inbox, referred)) =
        state
            .db(move |conn| {
                // Open and aftercare families only: closed ones are found through the search.
                let families: Vec<Family> = family::list_for_user(conn, user_id, None)?
                    .into_iter()
                    .filter(|f| !f.is_closed())
                    .collect();
                let mut meetings = Vec::new();
                for m in meeting::upcoming_for_user(conn, user_id, None)? {
                    let name = table::find(conn, m.table_id)?
                        .map(|t| t.name)
                        .unwrap_or_default();
                    meetings.push((m, name));
                }
                let ids: Vec<i64> = families.iter().map(|f: &Family| f.id).collect();
                let next = meeting::next_for_families(conn, &ids, crate::domain::now())?;
                Ok((
                    families,
                    next,
                    (
                        decision::open_for_owner(conn, user_id)?,
                        decision::finished_for_owner(conn, user_id, FINISHED_SHOWN)?,
                    ),
                    meetings,
                    reminders(conn, user_id, today)?,
                    (
                        referral::inbox_for_chair(conn, user_id)?,
                        referral::for_referrer(conn, user_id)?,
                    ),
                ))
            })
            .await?;
    let (overdue, checkins) = reminders;
    let left_behind = left_behind(&state, user_id, query.into_inner()).await?;
    let complaints = open_complaints(&state, user.0.clone()).await?;
    let may_create = crate::policy::may_create_family(super::access::actor(&user.0));
    html(
        StatusCode::OK,
        HomePage {
            ctx,
            greeting_key,
            first_name,
            families,
            next_meetings,
            may_create,
            actions,
            finished,
            meetings,
            today,
            overdue,
            checkins,
            inbox,
            referred,
            left_behind,
            complaints,
        },
    )
}

/// The open complaints the user handles: of the tables they chair and the partnerships they coordinate.
async fn open_complaints(
    state: &AppState,
    user: super::SignedIn,
) -> Result<Vec<crate::domain::complaint::Listed>, AppError> {
    state
        .db(move |conn| {
            let coordinated = super::access::coordinated(conn, &user)?;
            Ok(crate::domain::complaint::open_for(
                conn,
                user.id(),
                &coordinated,
            )?)
        })
        .await
}

/// What the user is reminded of: reviews past their date, and the aftercare check-ins they do.
type Reminders = (
    Vec<crate::domain::safety::Overdue>,
    Vec<crate::domain::aftercare::CheckIn>,
);

fn reminders(
    conn: &mut crate::db::DbConn,
    user_id: i64,
    today: chrono::NaiveDate,
) -> diesel::QueryResult<Reminders> {
    Ok((
        crate::domain::safety::overdue_for_director(conn, user_id, today)?,
        crate::domain::aftercare::checkins_for(conn, user_id, None)?,
    ))
}

/// What colleagues who left leave to this user, with the notice of what was just done about it.
async fn left_behind(
    state: &AppState,
    user_id: i64,
    query: super::forms::NoticeQuery,
) -> Result<super::views::leavers::LeftBehind, AppError> {
    let notice = super::notice_key(query.melding.as_deref());
    state
        .db(move |conn| super::views::leavers::left_behind(conn, user_id, notice))
        .await
}

/// "Goedemorgen", "Goedemiddag" or "Goedenavond", by the time in Amsterdam.
fn greeting_key() -> &'static str {
    match crate::time::local(crate::domain::now()).hour() {
        5..=11 => "home.good_morning",
        12..=17 => "home.good_afternoon",
        _ => "home.good_evening",
    }
}
