//! The list behind a figure (only the families the reader may see), the index of the monitors a user
//! may open, and writing the story behind the numbers.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use super::view::{IndexPage, ListPage, ListedFamily, MonitorLink};
use super::{MonitorQuery, NoteForm, Target, computed, open, opens_lists, page, period_of};
use crate::db::{self, DbConn};
use crate::domain::monitor::{self, Period};
use crate::domain::table::TableRole;
use crate::domain::user::Role;
use crate::domain::{family, organisation, partnership, table};
use crate::export::monitor::{display_text, label_text};
use crate::policy;
use crate::record;
use crate::web::access::{coordinated, who};
use crate::web::forms::{FieldErrors, TEXT_LIMIT, text};
use crate::web::{AppError, AppState, CurrentUser, PageCtx, html, see_other};

/// Of `families`, those the user may see now, by the same relation that opens their record.
fn visible(
    conn: &mut DbConn,
    user_id: i64,
    families: &[i64],
) -> Result<Vec<ListedFamily>, AppError> {
    let maybe = monitor::candidates(conn, user_id)?;
    let mut listed = Vec::new();
    for id in families.iter().filter(|f| maybe.contains(f)) {
        let Some(found) = family::find(conn, *id)? else {
            continue;
        };
        if policy::lists_family(family::relation_to(conn, &found, user_id)?) {
            listed.push(ListedFamily {
                id: found.id,
                name: found.display_name,
                case_number: found.case_number,
            });
        }
    }
    listed.sort_by(|a, b| a.case_number.cmp(&b.case_number));
    Ok(listed)
}

async fn list(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    target: Target,
    query: MonitorQuery,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let (period, _) = period_of(query.van.as_deref(), query.tot.as_deref());
    let (opened, computed, _) = computed(&state, &user, target, period).await?;
    let figure = query.cijfer.unwrap_or_default();
    let Some((section, row, col, families)) = computed.families_of(&figure) else {
        return Err(AppError::Unprocessable("no such figure".into()));
    };
    let shown = section.shown();
    let i18n = &ctx.i18n;
    let cell = shown.rows[row].cells[col].display.clone();
    let (section_title, row_label, column) = (
        i18n.t(&format!("monitor.section.{}", section.id)),
        label_text(i18n, &shown.rows[row].label),
        label_text(i18n, &shown.columns[col]),
    );
    let families = families.to_vec();
    let listed = if opens_lists(&user) {
        let user_id = user.id();
        state
            .db(move |conn| visible(conn, user_id, &families))
            .await?
    } else {
        Vec::new()
    };
    let back = format!("{}?van={}&tot={}", opened.base, period.from, period.to);
    html(
        StatusCode::OK,
        ListPage {
            figure: display_text(i18n, &cell),
            ctx,
            name: opened.name,
            back,
            section: section_title,
            row: row_label,
            column,
            families: listed,
        },
    )
}

pub async fn partnership_monitor_list(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let target = Target::Partnership(path.into_inner());
    list(user, ctx, state, target, query.into_inner()).await
}

pub async fn table_monitor_list(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let target = Target::Table(path.into_inner());
    list(user, ctx, state, target, query.into_inner()).await
}

pub async fn organisation_monitor_list(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let target = Target::Organisation(path.into_inner());
    list(user, ctx, state, target, query.into_inner()).await
}

/// The story behind the numbers of a period, by a coordinator.
pub async fn write_monitor_note(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<NoteForm>,
) -> Result<HttpResponse, AppError> {
    let (user, id, form) = (user.0, path.into_inner(), form.into_inner());
    let target = Target::Partnership(id);
    let asker = user.clone();
    let opened = state.db(move |conn| open(conn, &asker, target)).await?;
    if !opened.may_write {
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let body = text(
        &mut errors,
        "text",
        &form.text,
        "monitor.note_required",
        TEXT_LIMIT,
    );
    let period = Period::parse(&form.van, &form.tot);
    if let (Ok(period), true) = (period, errors.is_empty()) {
        let by = who(&user);
        state
            .db(move |conn| {
                db::write(conn, |conn| {
                    Ok(record::write_monitor_note(conn, &by, id, period, &body)?)
                })
            })
            .await?;
        return Ok(see_other(&format!(
            "{}?van={}&tot={}#verhaal",
            opened.base, period.from, period.to
        )));
    }
    let query = MonitorQuery {
        van: Some(form.van.clone()),
        tot: Some(form.tot.clone()),
        ..MonitorQuery::default()
    };
    let mut page = page(user, ctx, &state, target, &query).await?;
    page.note_text = form.text;
    if let Err(key) = period {
        errors.add("van", key);
    }
    page.note_errors = errors;
    html(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// The monitors the user may open: of the partnerships they coordinate and their tables, of the tables
/// they chair, and of their own organisation for its admin.
pub async fn index(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let links = state
        .db(move |conn| {
            let mut links = Vec::new();
            let mine = coordinated(conn, &user)?;
            for id in &mine {
                if let Some(p) = partnership::find(conn, *id)? {
                    links.push(MonitorLink {
                        href: format!("/beheer/samenwerkingsverbanden/{id}/monitor"),
                        name: p.name,
                        kind: "monitor.kind.partnership",
                    });
                }
            }
            let mut tables = table::list_of(conn, &mine)?;
            for t in table::list_for_user(conn, user.id())? {
                if table::roles(conn, t.id, user.id())?.contains(&TableRole::Chair)
                    && !tables.iter().any(|o| o.id == t.id)
                {
                    tables.push(t);
                }
            }
            links.extend(tables.into_iter().map(|t| MonitorLink {
                href: format!("/overleggen/{}/monitor", t.id),
                name: t.name,
                kind: "monitor.kind.table",
            }));
            if let (Role::OrgAdmin, Some(id)) = (user.role(), user.organisation_id())
                && let Some(o) = organisation::find(conn, id)?
            {
                links.push(MonitorLink {
                    href: format!("/beheer/organisaties/{id}/monitor"),
                    name: o.name,
                    kind: "monitor.kind.organisation",
                });
            }
            Ok(links)
        })
        .await?;
    html(StatusCode::OK, IndexPage { ctx, links })
}
