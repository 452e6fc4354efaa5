//! Beheer → Inloggen met je organisatie: an organisation admin sets their own organisation's identity
//! provider (issuer, client id, client secret, and an `acr` value that counts as a second factor), or
//! removes it. The secret is never shown again: left empty on a change, the stored one stays. Saving
//! checks that the issuer answers with its discovery document. Each change is an event.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::CALLBACK;
use crate::auth::oidc::{self, Provider};
use crate::db;
use crate::domain::organisation;
use crate::domain::sign_on::{self, OrganisationSignOn, Settings};
use crate::record;
use crate::web::access::{sign_on_organisation, who};
use crate::web::forms::FieldErrors;
use crate::web::{AppError, AppState, CurrentUser, PageCtx, html, see_other};

/// Longest issuer, client id or acr value taken; a secret may be longer.
const FIELD_LIMIT: usize = 500;
const SECRET_LIMIT: usize = 2000;

#[derive(Template)]
#[template(path = "admin/sign_on.html")]
struct SettingsPage {
    ctx: PageCtx,
    organisation_id: i64,
    organisation_name: String,
    current: Option<OrganisationSignOn>,
    issuer: String,
    client_id: String,
    mfa_acr: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    /// The addresses to register at the provider.
    redirect_uri: String,
    logged_out_uri: String,
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    organisation_id: i64,
) -> Result<SettingsPage, AppError> {
    let (name, current) = state
        .db(move |conn| {
            let org = organisation::find(conn, organisation_id)?.ok_or(AppError::NotFound)?;
            Ok((org.name, sign_on::of_organisation(conn, organisation_id)?))
        })
        .await?;
    Ok(SettingsPage {
        ctx,
        organisation_id,
        organisation_name: name,
        issuer: current
            .as_ref()
            .map(|c| c.issuer.clone())
            .unwrap_or_default(),
        client_id: current
            .as_ref()
            .map(|c| c.client_id.clone())
            .unwrap_or_default(),
        mfa_acr: current
            .as_ref()
            .and_then(|c| c.mfa_acr.clone())
            .unwrap_or_default(),
        current,
        errors: FieldErrors::default(),
        notice: None,
        redirect_uri: state.link(CALLBACK),
        logged_out_uri: state.link("/inloggen?melding=uitgelogd"),
    })
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    melding: Option<String>,
}

pub async fn show(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<NoticeQuery>,
) -> Result<HttpResponse, AppError> {
    let organisation_id = sign_on_organisation(&user.0, path.into_inner())?;
    let mut p = page(&state, ctx, organisation_id).await?;
    p.notice = match query.melding.as_deref() {
        Some("opgeslagen") => Some("sign_on.saved"),
        Some("verwijderd") => Some("sign_on.removed"),
        _ => None,
    };
    html(StatusCode::OK, p)
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    client_id: String,
    #[serde(default)]
    client_secret: String,
    #[serde(default)]
    mfa_acr: String,
}

/// The problems of what was typed, by field. `has_secret`: a secret is stored already.
fn problems(form: &SettingsForm, allow_http: bool, has_secret: bool) -> FieldErrors {
    let mut errors = FieldErrors::default();
    let issuer = form.issuer.trim();
    if issuer.len() > FIELD_LIMIT || oidc::issuer_url(issuer, allow_http).is_err() {
        errors.add("issuer", "sign_on.issuer_invalid");
    }
    let client_id = form.client_id.trim();
    if client_id.is_empty() || client_id.len() > FIELD_LIMIT || client_id.contains(char::is_control)
    {
        errors.add("client_id", "sign_on.client_id_required");
    }
    let secret = form.client_secret.trim();
    if (secret.is_empty() && !has_secret)
        || secret.len() > SECRET_LIMIT
        || secret.contains(char::is_control)
    {
        errors.add("client_secret", "sign_on.secret_required");
    }
    let acr = form.mfa_acr.trim();
    if acr.len() > FIELD_LIMIT || acr.contains(char::is_control) {
        errors.add("mfa_acr", "sign_on.acr_invalid");
    }
    errors
}

pub async fn save(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let organisation_id = sign_on_organisation(&user, path.into_inner())?;
    let form = form.into_inner();
    let mut p = page(&state, ctx, organisation_id).await?;
    let stored_secret = p.current.as_ref().map(|c| c.client_secret.clone());
    let mut errors = problems(&form, state.config.oidc_allow_http, stored_secret.is_some());
    let secret = match form.client_secret.trim() {
        "" => stored_secret.unwrap_or_default(),
        typed => typed.to_string(),
    };
    let acr = form.mfa_acr.trim().to_string();
    let provider = Provider {
        issuer: form.issuer.trim().to_string(),
        client_id: form.client_id.trim().to_string(),
        client_secret: secret,
        scopes: Vec::new(),
        mfa_acr: (!acr.is_empty()).then(|| acr.clone()),
        allow_http: state.config.oidc_allow_http,
    };
    // The issuer must answer as one: a typing error shows now, not at the first login.
    if errors.is_empty()
        && let Err(e) = oidc::discover(&provider).await
    {
        tracing::info!(organisation_id, error = %e, "identity provider not saved");
        errors.add("issuer", "sign_on.issuer_unreachable");
    }
    if !errors.is_empty() {
        p.errors = errors;
        (p.issuer, p.client_id, p.mfa_acr) = (form.issuer, form.client_id, form.mfa_acr);
        return html(StatusCode::UNPROCESSABLE_ENTITY, p);
    }
    let by = who(&user);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let settings = Settings {
                    issuer: &provider.issuer,
                    client_id: &provider.client_id,
                    client_secret: &provider.client_secret,
                    mfa_acr: provider.mfa_acr.as_deref(),
                };
                Ok::<_, AppError>(record::set_sign_on(conn, &by, organisation_id, &settings)?)
            })
        })
        .await?;
    tracing::info!(organisation_id, by = user.id(), "identity provider set");
    Ok(see_other(&format!(
        "/beheer/organisaties/{organisation_id}/inloggen?melding=opgeslagen"
    )))
}

pub async fn remove(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let organisation_id = sign_on_organisation(&user, path.into_inner())?;
    let by = who(&user);
    let removed = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(record::remove_sign_on(conn, &by, organisation_id)?)
            })
        })
        .await?;
    if removed {
        tracing::info!(organisation_id, by = user.id(), "identity provider removed");
    }
    Ok(see_other(&format!(
        "/beheer/organisaties/{organisation_id}/inloggen?melding=verwijderd"
    )))
}
