//! The monitor as a file: XLSX or CSV (with `?scheiding=puntkomma` for Dutch Excel), the same figures
//! as the page with the small-number rule applied.

use actix_web::{HttpResponse, web};

use super::{MonitorQuery, Target, computed, period_of, view};
use crate::export::monitor::{monitor_csv, monitor_xlsx};
use crate::web::views::meeting_doc::download;
use crate::web::{AppError, AppState, CurrentUser, PageCtx};

async fn file(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    target: Target,
    (file, query): (String, MonitorQuery),
) -> Result<HttpResponse, AppError> {
    // The file's name is `monitor` and the kind of file.
    let xlsx = match file.strip_prefix("monitor") {
        Some(".xlsx") => true,
        Some(".csv") => false,
        _ => return Err(AppError::NotFound),
    };
    let (period, _) = period_of(query.van.as_deref(), query.tot.as_deref());
    let (opened, computed, _) = computed(&state, &user.0, target, period).await?;
    let shown: Vec<_> = computed.sections.iter().map(|s| s.shown()).collect();
    let heading = view::heading(&ctx.i18n, &opened.name, period);
    let name = format!("monitor-{}-{}", period.from, period.to);
    let i18n = ctx.i18n;
    let semicolon = query.scheiding.as_deref() == Some("puntkomma");
    let body = web::block(move || {
        if xlsx {
            monitor_xlsx(&i18n, &heading, &shown)
        } else {
            monitor_csv(&i18n, &heading, &shown, if semicolon { b';' } else { b',' })
        }
    })
    .await?
    .map_err(|e| AppError::Internal(e.context("writing the monitor")))?;
    Ok(if xlsx {
        download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{name}.xlsx"),
            body,
        )
    } else {
        download("text/csv; charset=utf-8", &format!("{name}.csv"), body)
    })
}

pub async fn partnership_monitor_file(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, name) = path.into_inner();
    let asked = (name, query.into_inner());
    file(user, ctx, state, Target::Partnership(id), asked).await
}

pub async fn table_monitor_file(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, name) = path.into_inner();
    let asked = (name, query.into_inner());
    file(user, ctx, state, Target::Table(id), asked).await
}

pub async fn organisation_monitor_file(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<MonitorQuery>,
) -> Result<HttpResponse, AppError> {
    let (id, name) = path.into_inner();
    let asked = (name, query.into_inner());
    file(user, ctx, state, Target::Organisation(id), asked).await
}
