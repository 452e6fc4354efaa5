//! The monitor pages: a partnership's (its coordinators), a table's (its chair and the coordinators)
//! and an organisation's (its admin), over a chosen period; the list behind a figure, showing only the
//! families the reader may see; the export as XLSX and CSV; and the story behind the numbers that the
//! coordinators write per period.

mod view;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::access::{actor, coordinated, seat};
use super::forms::FieldErrors;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html};
use crate::db::DbConn;
use crate::domain::monitor::{self, Monitor, Part, Period, Scope};
use crate::domain::user::Role;
use crate::domain::{organisation, partnership, table};
use crate::policy::{self, MonitorAction, MonitorStanding};
use view::MonitorPage;

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MonitorQuery {
    van: Option<String>,
    tot: Option<String>,
    cijfer: Option<String>,
    scheiding: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    van: String,
    #[serde(default)]
    tot: String,
    #[serde(default)]
    text: String,
}

/// Whose monitor the address names.
#[derive(Clone, Copy, Debug)]
enum Target {
    Partnership(i64),
    Table(i64),
    Organisation(i64),
}

/// A monitor the user may read: its scope, name and address, and whether they write its notes.
struct Opened {
    scope: Scope,
    name: String,
    base: String,
    /// The partnership whose notes the page shows (none on an organisation's monitor).
    notes_of: Option<i64>,
    may_write: bool,
}

/// The monitor, if the user may read it; NotFound otherwise (the page does not say it exists).
fn open(conn: &mut DbConn, user: &SignedIn, target: Target) -> Result<Opened, AppError> {
    let actor = actor(user);
    let allows = |standing, action| policy::allows_monitor(actor, standing, action);
    let opened = match target {
        Target::Partnership(id) => {
            let standing = MonitorStanding {
                coordinator: coordinated(conn, user)?.contains(&id),
                ..Default::default()
            };
            if !allows(standing, MonitorAction::ViewPartnership) {
                return Err(AppError::NotFound);
            }
            let found = partnership::find(conn, id)?.ok_or(AppError::NotFound)?;
            Opened {
                scope: Scope::Partnership(id),
                name: found.name,
                base: format!("/beheer/samenwerkingsverbanden/{id}/monitor"),
                notes_of: Some(id),
                may_write: allows(standing, MonitorAction::WriteNote),
            }
        }
        Target::Table(id) => {
            let found = table::find(conn, id)?.ok_or(AppError::NotFound)?;
            let seat = seat(conn, user, &found)?;
            let standing = MonitorStanding {
                coordinator: seat.coordinator,
                chair: seat.chair,
                ..Default::default()
            };
            if !allows(standing, MonitorAction::ViewTable) {
                return Err(AppError::NotFound);
            }
            Opened {
                scope: Scope::Table(id),
                name: found.name,
                base: format!("/overleggen/{id}/monitor"),
                notes_of: Some(found.partnership_id),
                may_write: false,
            }
        }
        Target::Organisation(id) => {
            let standing = MonitorStanding {
                own_organisation: user.organisation_id() == Some(id),
                ..Default::default()
            };
            if !allows(standing, MonitorAction::ViewOrganisation) {
                return Err(AppError::NotFound);
            }
            let found = organisation::find(conn, id)?.ok_or(AppError::NotFound)?;
            Opened {
                scope: Scope::Organisation(id),
                name: found.name,
                base: format!("/beheer/organisaties/{id}/monitor"),
                notes_of: None,
                may_write: false,
            }
        }
    };
    Ok(opened)
}

/// The period asked for, or this year with the reason the one typed could not be used.
fn period_of(from: Option<&str>, to: Option<&str>) -> (Period, Option<&'static str>) {
    let this_year = Period::this_year(crate::time::today());
    match (from.map(str::trim), to.map(str::trim)) {
        (None | Some(""), None | Some("")) => (this_year, None),
        (from, to) => match Period::parse(from.unwrap_or_default(), to.unwrap_or_default()) {
            Ok(period) => (period, None),
            Err(key) => (this_year, Some(key)),
        },
    }
}

/// Opens and computes the monitor, with the notes of its period.
async fn computed(
    state: &AppState,
    user: &SignedIn,
    target: Target,
    period: Period,
) -> Result<(Opened, Monitor, Option<Vec<monitor::notes::Note>>), AppError> {
    let user = user.clone();
    let (opened, notes) = state
        .db(move |conn| {
            let opened = open(conn, &user, target)?;
            monitor::facts::catch_up(conn)?;
            let notes = match opened.notes_of {
                Some(p) => Some(monitor::notes::for_period(conn, p, period)?),
                None => None,
            };
            Ok((opened, notes))
        })
        .await?;
    // The two halves at once, each on a connection of its own: the database reads one half's facts
    // while the other's are counted here.
    let scope = opened.scope;
    let half = |part| {
        state.db(move |conn| {
            let today = crate::time::today();
            Ok(monitor::compute_part(conn, scope, period, today, part)?)
        })
    };
    let (mut sections, record) =
        futures_util::future::try_join(half(Part::Flow), half(Part::Record)).await?;
    sections.extend(record);
    let computed = Monitor {
        scope,
        period,
        sections,
    };
    Ok((opened, computed, notes))
}

/// Whether the reader may open lists at all: only a professional can see families.
fn opens_lists(user: &SignedIn) -> bool {
    user.role() == Role::Professional
}

async fn page(
    user: SignedIn,
    ctx: PageCtx,
    state: &AppState,
    target: Target,
    query: &MonitorQuery,
) -> Result<MonitorPage, AppError> {
    let (period, period_error) = period_of(query.van.as_deref(), query.tot.as_deref());
    let (opened, computed, notes) = computed(state, &user, target, period).await?;
    let shown: Vec<_> = computed.sections.iter().map(|s| s.shown()).collect();
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let list = format!("{}/lijst?van={from}&tot={to}", opened.base);
    let lists_open = opens_lists(&user);
    Ok(MonitorPage {
        sections: view::sections(&ctx.i18n, &shown, lists_open.then_some(list.as_str())),
        note_action: opened.may_write.then(|| format!("{}/verhaal", opened.base)),
        ctx,
        name: opened.name,
        base: opened.base,
        from,
        to,
        period_error,
        notes,
        note_text: String::new(),
        note_errors: FieldErrors::default(),
        lists_open,
    })
}

async fn show(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    target: Target,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let page = page(user.0, ctx, &state, target, &query).await?;
    let status = if page.period_error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html(status, page)
}

pub async fn show_partnership_monitor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let target = Target::Partnership(path.into_inner());
    show(user, ctx, state, target, query).await
}

pub async fn show_table_monitor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let target = Target::Table(path.into_inner());
    show(user, ctx, state, target, query).await
}

pub async fn show_organisation_monitor(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let target = Target::Organisation(path.into_inner());
    show(user, ctx, state, target, query).await
}

mod files;
mod lists;
pub use files::{organisation_monitor_file, partnership_monitor_file, table_monitor_file};
pub use lists::{
    index, organisation_monitor_list, partnership_monitor_list, table_monitor_list,
    write_monitor_note,
};
