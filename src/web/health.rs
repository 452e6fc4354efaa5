//! Health checks for load balancers and orchestration: alive, and ready (the database answers).

use std::time::Duration;

use actix_web::{HttpResponse, web};
use diesel::connection::SimpleConnection;

use super::AppState;
use crate::db::DatabaseUrl;

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
