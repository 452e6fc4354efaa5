//! Health checks for load balancers and orchestration: alive, and ready (the database answers); and the
//! operations metrics for Prometheus.

use std::time::Duration;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use diesel::connection::SimpleConnection;
use subtle::ConstantTimeEq;

use super::{AppError, AppState};
use crate::db::DatabaseUrl;
use crate::metrics::Readings;

pub async fn alive() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body("ok")
}

/// 200 when the database answers within two seconds, else 503. For SQLite the file must also still be
/// where it was: an open connection keeps answering after the file is deleted, but nothing written then
/// would survive a restart.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.clone();
    let url = state.config.database_url.clone();
    let check = web::block(move || -> Result<(), String> {
        if let DatabaseUrl::Sqlite(path) = &url
            && !path.exists()
        {
            return Err(format!("{} is gone", path.display()));
        }
        let mut conn = pool
            .get_timeout(Duration::from_secs(2))
            .map_err(|e| e.to_string())?;
        conn.batch_execute("SELECT 1").map_err(|e| e.to_string())
    })
    .await;
    match check.map_err(|e| e.to_string()).and_then(|r| r) {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain; charset=utf-8")
            .body("ready"),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("database unavailable")
        }
    }
}

/// `/metrics` in the Prometheus text format: off (404) unless `SAMENSPEL_METRICS_TOKEN` is set, and
/// then only with `Authorization: Bearer <token>` (401 otherwise). The figures are this instance's.
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let Some(expected) = state.config.metrics_token.as_deref() else {
        return Err(AppError::NotFound);
    };
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes())) {
        return Ok(HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .content_type("text/plain; charset=utf-8")
            .body("Authorization: Bearer <SAMENSPEL_METRICS_TOKEN>"));
    }
    let (pending, failed) = state
        .db(|conn| Ok(crate::domain::webhook::outbox_counts(conn)?))
        .await?;
    let pool = state.pool.state();
    let readings = Readings {
        live_sockets: state.live.total_connections(),
        webhooks_pending: pending,
        webhooks_failed: failed,
        pool_connections: pool.connections,
        pool_idle: pool.idle_connections,
        pool_max: state.pool.max_size(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(state.metrics.render(&readings)))
}
