//! The webhook sender: every second it fills the outbox from the event log (per subscription, the
//! events its organisation may see, of the subscribed types) and sends what is due, one CloudEvent per
//! request in structured mode, signed with HMAC-SHA256 over the body.
//!
//! Headers of every delivery:
//! - `Content-Type: application/cloudevents+json`
//! - `Samenspel-Signature: sha256=<hex HMAC-SHA256 of the body with the subscription's secret>`
//! - `Samenspel-Delivery: <delivery id>` (the same on every attempt of one delivery: a receiver that
//!   has it already can answer 2xx and skip it) and `Samenspel-Attempt: <n>`.
//!
//! Any 2xx answer counts as accepted; anything else (or no answer within 10 seconds) is tried again
//! after the back-off. Redirects are not followed.

use std::time::{Duration, Instant};

use actix_web::web;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::db;
use crate::domain::webhook::{self, Delivery, Outcome, Subscription};
use crate::web::AppState;

pub const SIGNATURE_HEADER: &str = "Samenspel-Signature";
pub const DELIVERY_HEADER: &str = "Samenspel-Delivery";
pub const ATTEMPT_HEADER: &str = "Samenspel-Attempt";

const POLL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(10);
/// Events taken from the log per subscription and round.
const BATCH: i64 = 200;

/// `sha256=<hex>`: the HMAC-SHA256 of `body` with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Is this an address we send to: http(s) with a host, no user or password, https unless allowed.
pub fn valid_url(text: &str, allow_http: bool) -> bool {
    let Ok(url) = url::Url::parse(text) else {
        return false;
    };
    let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
    scheme_ok
        && url.host_str().is_some_and(|h| !h.is_empty())
        && url.username().is_empty()
        && url.password().is_none()
        && text.len() <= 2000
}

/// Starts the sender on the current runtime; it runs until the runtime stops.
pub fn spawn(state: web::Data<AppState>) {
    actix_web::rt::spawn(async move {
        let client = match reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Samenspel-Webhooks/1")
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "webhook sender cannot start");
                return;
            }
        };
        loop {
            if let Err(e) = round(&state, &client).await {
                tracing::warn!(error = %e, "webhook round failed");
            }
            actix_web::rt::time::sleep(POLL).await;
        }
    });
}

/// One round: fill the outbox, then send what is due.
async fn round(state: &web::Data<AppState>, client: &reqwest::Client) -> anyhow::Result<()> {
    let pool = state.pool.clone();
    web::block(move || -> anyhow::Result<usize> { fill(&mut *pool.get()?) }).await??;

    let (pool, oin, base) = (
        state.pool.clone(),
        state.config.oin.clone(),
        state.config.base_url.clone(),
    );
    let claimed = web::block(
        move || -> anyhow::Result<Vec<(Delivery, Subscription, String)>> {
            let mut conn = pool.get()?;
            let mut claimed = Vec::new();
            for delivery in webhook::due(&mut conn, 20)? {
                if !db::write(&mut conn, |c| webhook::claim(c, &delivery))? {
                    continue;
                }
                let subscription = webhook_subscription(&mut conn, delivery.subscription_id)?;
                let event = webhook::event_of(&mut conn, &delivery)?;
                let body =
                    crate::web::api::render_event(&mut conn, &event, &oin, &base)?.to_string();
                claimed.push((delivery, subscription, body));
            }
            Ok(claimed)
        },
    )
    .await??;

    for (delivery, subscription, body) in claimed {
        let outcome = send(client, &subscription, &delivery, body).await;
        tracing::info!(
            delivery = delivery.id,
            subscription = subscription.id,
            status = ?outcome.status_code,
            error = ?outcome.error,
            "webhook attempt"
        );
        let (pool, base_seconds) = (state.pool.clone(), state.config.webhook_retry_seconds);
        web::block(move || -> anyhow::Result<()> {
            let mut conn = pool.get()?;
            db::write(&mut conn, |c| {
                webhook::record_attempt(c, &delivery, &outcome, base_seconds)
            })?;
            Ok(())
        })
        .await??;
    }
    Ok(())
}

fn webhook_subscription(conn: &mut db::DbConn, id: i64) -> anyhow::Result<Subscription> {
    use crate::schema::webhook_subscriptions;
    use diesel::prelude::*;
    Ok(webhook_subscriptions::table
        .find(id)
        .select(Subscription::as_select())
        .first(conn)?)
}

/// Queues the new events of every active subscription.
pub fn fill(conn: &mut db::DbConn) -> anyhow::Result<usize> {
    let mut queued = 0;
    for subscription in webhook::active(conn)? {
        let mut cursor = subscription.cursor;
        loop {
            let events =
                crate::web::api::visible_events(conn, subscription.organisation_id, cursor, BATCH)?;
            let Some(last) = events.last().map(|e| e.id) else {
                break;
            };
            let wanted: Vec<i64> = events
                .iter()
                .filter(|e| subscription.wants(&crate::web::api::cloud_type(&e.kind)))
                .map(|e| e.id)
                .collect();
            let Some(n) = db::write(conn, |c| {
                webhook::enqueue(c, subscription.id, cursor, last, &wanted)
            })?
            else {
                // Another instance moved this cursor first.
                break;
            };
            queued += n;
            cursor = last;
            if (events.len() as i64) < BATCH {
                break;
            }
        }
    }
    Ok(queued)
}

async fn send(
    client: &reqwest::Client,
    subscription: &Subscription,
    delivery: &Delivery,
    body: String,
) -> Outcome {
    let started = Instant::now();
    let answer = client
        .post(&subscription.url)
        .header("Content-Type", "application/cloudevents+json")
        .header(
            SIGNATURE_HEADER,
            signature(&subscription.secret, body.as_bytes()),
        )
        .header(DELIVERY_HEADER, delivery.id.to_string())
        .header(ATTEMPT_HEADER, (delivery.attempts + 1).to_string())
        .body(body)
        .send()
        .await;
    let duration_ms = started.elapsed().as_millis() as i64;
    match answer {
        Ok(res) => {
            let status = res.status();
            Outcome {
                status_code: Some(i32::from(status.as_u16())),
                error: (!status.is_success())
                    .then(|| status.canonical_reason().unwrap_or("").to_string()),
                duration_ms,
            }
        }
        Err(e) => Outcome {
            status_code: None,
            error: Some(e.to_string().chars().take(500).collect()),
            duration_ms,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_the_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn only_http_addresses_without_credentials() {
        assert!(valid_url("https://partner.example/hook", false));
        assert!(!valid_url("http://partner.example/hook", false));
        assert!(valid_url("http://127.0.0.1:9000/hook", true));
        assert!(!valid_url("https://user:pw@partner.example/", false));
        assert!(!valid_url("ftp://partner.example/", true));
        assert!(!valid_url("javascript:alert(1)", true));
        assert!(!valid_url("niet een adres", true));
    }
}
