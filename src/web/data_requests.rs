//! The director's side of a family member's request for their data (GDPR art. 15):
//! `/gezinnen/{id}/inzageverzoeken/{data_request}` shows what the member's copy holds and what is left out
//! and why; the copy downloads as a PDF and as JSON. Only the director produces it
//! (`FamilyAction::AnswerDataRequest`); every download is logged and an event.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::access::{authorize, log_access, who};
use super::views::meeting_doc::download;
use super::{AppError, AppState, CurrentUser, PageCtx, SignedIn, html};
use crate::db;
use crate::domain::data_request::{self, DataRequest};
use crate::domain::family::Family;
use crate::export::subject::{self, SubjectExport};
use crate::i18n::I18n;
use crate::policy::FamilyAction;
use crate::record;

#[derive(Template)]
#[template(path = "families/data_request.html")]
struct RequestPage {
    ctx: PageCtx,
    family: Family,
    request: DataRequest,
    export: SubjectExport,
}

/// The request and the copy for its member, for a director; `what` is written to the access log, and
/// a download (`format`) is recorded as produced.
async fn load(
    state: &AppState,
    user: SignedIn,
    (family_id, request_id): (i64, i64),
    i18n: I18n,
    format: Option<&'static str>,
) -> Result<(Family, DataRequest, SubjectExport), AppError> {
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, relation) =
                    authorize(conn, &user, family_id, FamilyAction::AnswerDataRequest)?;
                let request =
                    data_request::find(conn, family_id, request_id)?.ok_or(AppError::NotFound)?;
                let export = data_request::gather(conn, &request, &i18n)?;
                log_access(conn, &user, family_id, relation, "access.what.data_request")?;
                if let Some(format) = format {
                    record::data_request_produced(
                        conn,
                        &who(&user),
                        &request,
                        format,
                        export.left_out.len(),
                    )?;
                }
                Ok((family, request, export))
            })
        })
        .await
}

pub async fn show_request(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let i18n = ctx.i18n;
    let (family, request, export) = load(&state, user.0, path.into_inner(), i18n, None).await?;
    html(
        StatusCode::OK,
        RequestPage {
            ctx,
            family,
            request,
            export,
        },
    )
}

pub async fn request_pdf(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (family_id, request_id) = path.into_inner();
    let i18n = ctx.i18n;
    let (_, _, export) = load(&state, user.0, (family_id, request_id), i18n, Some("pdf")).await?;
    let clock = crate::time::Clock::current();
    let pdf = web::block(move || clock.run(|| subject::pdf(&export.for_member(), &i18n)))
        .await?
        .map_err(|e| AppError::Internal(e.context("rendering a data export")))?;
    Ok(download(
        "application/pdf",
        &format!("inzage-{family_id}-{request_id}.pdf"),
        pdf,
    ))
}

pub async fn request_json(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (family_id, request_id) = path.into_inner();
    let (_, _, export) = load(
        &state,
        user.0,
        (family_id, request_id),
        ctx.i18n,
        Some("json"),
    )
    .await?;
    let body = export
        .json()
        .map_err(|e| AppError::Internal(e.context("writing a data export")))?;
    Ok(download(
        "application/json",
        &format!("inzage-{family_id}-{request_id}.json"),
        body,
    ))
}
