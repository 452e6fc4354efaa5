//! Beheer → API-sleutels: an organisation admin makes read-only API tokens for their organisation (the
//! secret is shown once and stored as its hash) and revokes them. A new token reads nothing until a
//! coordinator of a partnership the organisation takes part in approves it (see `partnership_keys`);
//! the list shows each token's state.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::organisation_of;
use super::forms::FieldErrors;
use super::html;
use super::signin::confirm_first;
use super::{AppError, AppState, CurrentUser, PageCtx, see_other};
use crate::db;
use crate::domain::api_token::{self, TokenView};
use crate::domain::partnership;

#[derive(Template)]
#[template(path = "admin/api_tokens.html")]
struct TokensPage {
    ctx: PageCtx,
    tokens: Vec<TokenView>,
    /// Whether the organisation takes part in a partnership (else nobody can approve a new token).
    takes_part: bool,
    /// The secret of a token just made: shown this once.
    secret: Option<String>,
    name: String,
    errors: FieldErrors,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    organisation_id: i64,
) -> Result<TokensPage, AppError> {
    let (tokens, takes_part) = state
        .db(move |conn| {
            let tokens = api_token::list(conn, organisation_id)?;
            let partnerships = partnership::of_organisation(conn, organisation_id)?;
            Ok((tokens, !partnerships.is_empty()))
        })
        .await?;
    Ok(TokensPage {
        ctx,
        tokens,
        takes_part,
        secret: None,
        name: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn show_tokens(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let organisation_id = organisation_of(&user.0)?;
    html(StatusCode::OK, page(&state, ctx, organisation_id).await?)
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let (user, name) = (user.0, form.into_inner().name.trim().to_string());
    let organisation_id = organisation_of(&user)?;
    if name.is_empty() || name.chars().count() > 100 {
        let mut p = page(&state, ctx, organisation_id).await?;
        p.errors.add("name", "api.name_required");
        p.name = name;
        return html(StatusCode::UNPROCESSABLE_ENTITY, p);
    }
    // A key reads the organisation's outcomes: password and code again first, unless just given.
    let carried = vec![("name".to_string(), name.clone())];
    let here = "/beheer/api-sleutels";
    if let Some(first) = confirm_first(&state, &ctx, &user, here, Some(carried)).await? {
        return Ok(first);
    }
    let by = user.id();
    let token_name = name.clone();
    let (id, secret) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(api_token::create(conn, organisation_id, &token_name, by)?)
            })
        })
        .await?;
    tracing::info!(token = id, organisation_id, by, "API token made");
    let mut p = page(&state, ctx, organisation_id).await?;
    p.secret = Some(secret);
    html(StatusCode::OK, p)
}

pub async fn revoke_token(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let organisation_id = organisation_of(&user)?;
    let revoked = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(api_token::revoke(conn, organisation_id, id)?)
            })
        })
        .await?;
    if revoked == 0 {
        return Err(AppError::NotFound);
    }
    tracing::info!(
        token = id,
        organisation_id,
        by = user.id(),
        "API token revoked"
    );
    Ok(see_other("/beheer/api-sleutels"))
}
