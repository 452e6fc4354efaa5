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

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use std::sync::Arc;

use actix_web::rt::task::spawn_blocking;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use chrono::NaiveDateTime;

use crate::config::Config;
use crate::db::{self, Pool};
use crate::domain::webhook::{self, Delivery, Outcome, Subscription};
use crate::events::EventKind;

/// What the sender works with: the pool and the settings, nothing of the web layer.
#[derive(Clone)]
pub struct Sender {
    pub pool: Pool,
    pub config: Arc<Config>,
    /// The application's clock, for the work on the blocking pool.
    pub clock: crate::time::Clock,
}

impl Sender {
    /// Work on the blocking pool, on the application's clock.
    fn blocking<T, F>(&self, f: F) -> actix_web::rt::task::JoinHandle<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let clock = self.clock.clone();
        spawn_blocking(move || clock.run(f))
    }
}

pub const SIGNATURE_HEADER: &str = "Samenspel-Signature";
pub const DELIVERY_HEADER: &str = "Samenspel-Delivery";
pub const ATTEMPT_HEADER: &str = "Samenspel-Attempt";

const POLL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(10);
/// Events taken from the log per subscription and round.
const BATCH: i64 = 200;
/// Deliveries sent per round at most (the rest wait a second).
const PER_ROUND: usize = 50;

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
    // Addresses inside our own network are refused (outside development): a webhook must not become a
    // way to reach the server's neighbours. Host names are checked again when they are resolved.
    let internal = match url.host() {
        Some(url::Host::Ipv4(ip)) => internal_ip(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => internal_ip(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => true,
    };
    scheme_ok
        && url.host_str().is_some_and(|h| !h.is_empty())
        && (allow_http || !internal)
        && url.username().is_empty()
        && url.password().is_none()
        && text.len() <= 2000
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, broadcast and unique-local addresses, and
/// IPv4 inside IPv6: everything that is not the public internet.
pub fn internal_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => {
            ip.is_loopback()
                || ip.is_private()
                || ip.is_link_local()
                || ip.is_unspecified()
                || ip.is_broadcast()
                || (ip.octets()[0] == 100 && (64..128).contains(&ip.octets()[1]))
        }
        IpAddr::V6(ip) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip.to_ipv4_mapped().is_some()
        }
    }
}

/// Resolves webhook host names and keeps only public addresses, so a name that points inside our
/// network (or is changed to after the subscription was checked) is not reached either.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found = actix_web::rt::task::spawn_blocking(move || {
                std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), 0))
                    .map(|a| a.collect::<Vec<SocketAddr>>())
            })
            .await
            .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { Box::new(e) })??;
            let public = public_only(found);
            if public.is_empty() {
                return Err("this name has no public address".into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

fn public_only(addresses: Vec<SocketAddr>) -> Vec<SocketAddr> {
    addresses
        .into_iter()
        .filter(|a| !internal_ip(a.ip()))
        .collect()
}

/// Starts the sender on the current runtime; it runs until the runtime stops.
pub fn spawn(state: Sender) {
    actix_web::rt::spawn(async move {
        let mut builder = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Samenspel-Webhooks/1");
        // In development and tests (plain http allowed) local receivers are fine.
        if !state.config.webhook_allow_http {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnly));
        }
        let client = match builder.build() {
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

/// What a claimed delivery needs to be sent, or why it is not sent.
enum Claimed {
    Send(Box<(Delivery, NaiveDateTime, Subscription, String)>),
    /// The organisation may no longer see the event: given up without sending.
    NotVisible,
    /// Nothing due, or another sender took it.
    Nothing,
}

/// One round: fill the outbox, then send what is due, one delivery at a time, each claimed right
/// before it is sent (so a lease never runs out while it waits behind others).
async fn round(state: &Sender, client: &reqwest::Client) -> anyhow::Result<()> {
    let pool = state.pool.clone();
    state
        .blocking(move || -> anyhow::Result<usize> { fill(&mut *pool.get()?) })
        .await??;

    for _ in 0..PER_ROUND {
        let (pool, config) = (state.pool.clone(), state.config.clone());
        let claimed = state
            .blocking(move || claim_next(&mut *pool.get()?, &config))
            .await??;
        let (delivery, lease, subscription, body) = match claimed {
            Claimed::Send(claimed) => *claimed,
            Claimed::NotVisible => continue,
            Claimed::Nothing => break,
        };
        let outcome = send(client, &subscription, &delivery, body).await;
        tracing::info!(
            delivery = delivery.id,
            subscription = subscription.id,
            status = ?outcome.status_code,
            error = ?outcome.error,
            "webhook attempt"
        );
        let (pool, base_seconds) = (state.pool.clone(), state.config.webhook_retry_seconds);
        state
            .blocking(move || -> anyhow::Result<()> {
                let mut conn = pool.get()?;
                db::write(&mut conn, |c| {
                    webhook::record_attempt(c, &delivery, lease, &outcome, base_seconds)
                })?;
                Ok(())
            })
            .await??;
    }
    Ok(())
}

/// Claims the next due delivery and renders its event, or settles it at once when the organisation may
/// no longer see the event or the address is not allowed.
fn claim_next(conn: &mut db::DbConn, config: &Config) -> anyhow::Result<Claimed> {
    let Some(delivery) = webhook::due(conn, 1)?.into_iter().next() else {
        return Ok(Claimed::Nothing);
    };
    let Some(lease) = db::write(conn, |c| webhook::claim(c, &delivery))? else {
        return Ok(Claimed::Nothing);
    };
    let subscription = webhook_subscription(conn, delivery.subscription_id)?;
    // Who may see what is decided now, not when the event was queued: an organisation that stopped
    // working with the family gets no more of its events, retries and replays included.
    let visible =
        crate::events::visibility::one(conn, subscription.organisation_id, delivery.event_id)?;
    let Some(event) = visible.filter(|_| valid_url(&subscription.url, config.webhook_allow_http))
    else {
        let outcome = Outcome {
            status_code: None,
            error: Some(
                "niet meer zichtbaar voor deze organisatie, of adres niet toegestaan".into(),
            ),
            duration_ms: 0,
            final_failure: true,
        };
        let base_seconds = config.webhook_retry_seconds;
        db::write(conn, |c| {
            webhook::record_attempt(c, &delivery, lease, &outcome, base_seconds)
        })?;
        return Ok(Claimed::NotVisible);
    };
    let body = crate::events::cloud::render_event(conn, &event, &config.oin, &config.base_url)?
        .to_string();
    Ok(Claimed::Send(Box::new((
        delivery,
        lease,
        subscription,
        body,
    ))))
}

fn webhook_subscription(conn: &mut db::DbConn, id: i64) -> anyhow::Result<Subscription> {
    use crate::schema::webhook_subscriptions;
    use diesel::prelude::*;
    Ok(webhook_subscriptions::table
        .find(id)
        .select(Subscription::as_select())
        .first(conn)?)
}

/// Queues the new events of every active subscription. An organisation's own readings of outcomes are
/// not sent back to it (a receiver that reads what it is told about would otherwise feed itself).
pub fn fill(conn: &mut db::DbConn) -> anyhow::Result<usize> {
    let mut queued = 0;
    for subscription in webhook::active(conn)? {
        let mut cursor = subscription.cursor;
        loop {
            // Every event up to the head read here is committed (appends take the head in turn), so
            // the cursor may move to it when nothing visible follows.
            let head = crate::events::last_id(conn)?;
            let events = crate::events::visibility::after(
                conn,
                subscription.organisation_id,
                cursor,
                BATCH,
            )?;
            let full = events.len() as i64 == BATCH;
            let to = match events.last().map(|e| e.id) {
                Some(last) if full => last,
                Some(last) => last.max(head),
                None => head,
            };
            if to <= cursor {
                break;
            }
            let wanted: Vec<i64> = events
                .iter()
                .filter(|e| {
                    !(e.is(EventKind::OutcomeRead)
                        && e.actor_organisation_id == Some(subscription.organisation_id))
                })
                .filter(|e| subscription.wants(&crate::events::cloud::cloud_type(&e.kind)))
                .map(|e| e.id)
                .collect();
            let Some(n) = db::write(conn, |c| {
                webhook::enqueue(c, subscription.id, cursor, to, &wanted)
            })?
            else {
                // Another instance moved this cursor first.
                break;
            };
            queued += n;
            cursor = to;
            if !full {
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
                final_failure: false,
            }
        }
        // A plain word, not the library's text: the log is shown to the organisation's admin and must
        // not become a way to probe our network.
        Err(e) => Outcome {
            status_code: None,
            error: Some(
                if e.is_timeout() {
                    "time-out"
                } else if e.is_connect() {
                    "geen verbinding"
                } else {
                    "verzenden mislukt"
                }
                .into(),
            ),
            duration_ms,
            final_failure: false,
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
    fn names_that_resolve_inside_are_not_reached() {
        let found: Vec<SocketAddr> = [
            "127.0.0.1:0",
            "10.0.0.7:0",
            "[fe80::1]:0",
            "93.184.216.34:0",
        ]
        .iter()
        .map(|a| a.parse().unwrap())
        .collect();
        assert_eq!(
            public_only(found),
            vec!["93.184.216.34:0".parse::<SocketAddr>().unwrap()]
        );
    }

    #[test]
    fn only_http_addresses_without_credentials() {
        assert!(valid_url("https://partner.example/hook", false));
        for inside in [
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://169.254.169.254/latest",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://localhost/",
        ] {
            assert!(!valid_url(inside, false), "{inside}");
        }
        assert!(!valid_url("http://partner.example/hook", false));
        assert!(valid_url("http://127.0.0.1:9000/hook", true));
        assert!(!valid_url("https://user:pw@partner.example/", false));
        assert!(!valid_url("ftp://partner.example/", true));
        assert!(!valid_url("javascript:alert(1)", true));
        assert!(!valid_url("niet een adres", true));
    }
}
