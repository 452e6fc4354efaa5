//! Beheer → Webhooks: an organisation admin subscribes an address of their organisation to events
//! (all, or a list of types), sees the secret once, follows every delivery and attempt, sends a
//! delivery again, and ends a subscription.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::access::organisation_of;
use super::forms::FieldErrors;
use super::html;
use super::{AppError, AppState, CurrentUser, PageCtx, see_other};
use crate::db;
use crate::domain::webhook::{self, LogEntry, Subscription};

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct WebhooksPage {
    ctx: PageCtx,
    subscriptions: Vec<(Subscription, String)>,
    /// The secret of a subscription just made: shown this once.
    secret: Option<String>,
    url: String,
    types: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "admin/webhook.html")]
struct WebhookPage {
    ctx: PageCtx,
    subscription: Subscription,
    log: Vec<LogEntry>,
}

impl WebhookPage {
    fn cloud_type(&self, kind: &str) -> String {
        crate::events::cloud::cloud_type(kind)
    }
}

async fn page(
    state: &AppState,
    ctx: PageCtx,
    organisation_id: i64,
) -> Result<WebhooksPage, AppError> {
    let subscriptions = state
        .db(move |conn| Ok(webhook::list(conn, organisation_id)?))
        .await?;
    Ok(WebhooksPage {
        ctx,
        subscriptions,
        secret: None,
        url: String::new(),
        types: String::new(),
        errors: FieldErrors::default(),
    })
}

pub async fn show_webhooks(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let organisation_id = organisation_of(&user.0)?;
    html(StatusCode::OK, page(&state, ctx, organisation_id).await?)
}

#[derive(Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    types: String,
}

/// The types typed in, one per line or separated by commas; None when one is not a type.
fn parse_types(text: &str) -> Option<Vec<String>> {
    let types: Vec<String> = text
        .split([',', '\n', '\r', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let valid = types.len() <= 50
        && types.iter().all(|t| {
            t.len() <= 200
                && t.contains('.')
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        });
    valid.then_some(types)
}

pub async fn create_webhook(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<WebhookForm>,
) -> Result<HttpResponse, AppError> {
    let user = user.0;
    let organisation_id = organisation_of(&user)?;
    let form = form.into_inner();
    let url = form.url.trim().to_string();
    let mut errors = FieldErrors::default();
    if !crate::webhooks::valid_url(&url, state.config.webhook_allow_http) {
        errors.add("url", "webhook.url_invalid");
    }
    let types = parse_types(&form.types);
    if types.is_none() {
        errors.add("types", "webhook.types_invalid");
    }
    let Some(types) = types.filter(|_| errors.is_empty()) else {
        let mut p = page(&state, ctx, organisation_id).await?;
        p.errors = errors;
        p.url = url;
        p.types = form.types;
        return html(StatusCode::UNPROCESSABLE_ENTITY, p);
    };
    let by = user.id();
    let (id, secret) = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(webhook::create(conn, organisation_id, &url, &types, by)?)
            })
        })
        .await?;
    tracing::info!(subscription = id, organisation_id, by, "webhook subscribed");
    let mut p = page(&state, ctx, organisation_id).await?;
    p.secret = Some(secret);
    html(StatusCode::OK, p)
}

pub async fn show_webhook(
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (organisation_id, id) = (organisation_of(&user.0)?, path.into_inner());
    let (subscription, log) = state
        .db(move |conn| {
            let found = webhook::find(conn, organisation_id, id)?.ok_or(AppError::NotFound)?;
            let log = webhook::log(conn, id, 200)?;
            Ok((found, log))
        })
        .await?;
    html(
        StatusCode::OK,
        WebhookPage {
            ctx,
            subscription,
            log,
        },
    )
}

pub async fn revoke_webhook(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (user, id) = (user.0, path.into_inner());
    let organisation_id = organisation_of(&user)?;
    let revoked = state
        .db(move |conn| {
            db::write(conn, |conn| {
                Ok::<_, AppError>(webhook::revoke(conn, organisation_id, id)?)
            })
        })
        .await?;
    if revoked == 0 {
        return Err(AppError::NotFound);
    }
    tracing::info!(
        subscription = id,
        organisation_id,
        by = user.id(),
        "webhook ended"
    );
    Ok(see_other("/beheer/webhooks"))
}

pub async fn replay_delivery(
    user: CurrentUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, AppError> {
    let (user, (id, delivery)) = (user.0, path.into_inner());
    let organisation_id = organisation_of(&user)?;
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let found = webhook::find(conn, organisation_id, id)?.ok_or(AppError::NotFound)?;
                if found.revoked_at.is_some() || webhook::replay(conn, id, delivery)? == 0 {
                    return Err(AppError::NotFound);
                }
                Ok(())
            })
        })
        .await?;
    tracing::info!(
        subscription = id,
        delivery,
        by = user.id(),
        "webhook delivery replayed"
    );
    Ok(see_other(&format!("/beheer/webhooks/{id}")))
}

#[cfg(test)]
mod tests {
    use super::parse_types;

    #[test]
    fn types_are_a_list_of_dotted_names() {
        assert_eq!(parse_types(""), Some(vec![]));
        assert_eq!(
            parse_types(
                "nl.samenspel.meeting.closed,\nuitwisselen-uitkomst-overleg.uitkomst-ingezien"
            ),
            Some(vec![
                "nl.samenspel.meeting.closed".to_string(),
                "uitwisselen-uitkomst-overleg.uitkomst-ingezien".to_string()
            ])
        );
        assert_eq!(parse_types("<script>"), None);
        assert_eq!(parse_types("zonderpunt"), None);
    }
}
