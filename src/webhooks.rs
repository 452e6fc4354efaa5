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

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
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
        Some(url::Host::Domain(d)) => local_name(d),
        None => true,
    };
    scheme_ok
        && url.host_str().is_some_and(|h| !h.is_empty())
        && (allow_http || !internal)
        && url.username().is_empty()
        && url.password().is_none()
        && text.len() <= 2000
}

/// `localhost` and the names under it (RFC 6761), also written with the closing dot.
fn local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.is_empty() || name == "localhost" || name.ends_with(".localhost")
}

/// The IPv4 ranges of the IANA special-purpose address registry that are not globally reachable (a
/// whole block where only a few addresses in it are), with multicast and the reserved 240/4.
const IPV4_NOT_GLOBAL: &[(Ipv4Addr, u8, &str)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8, "this network"),
    (Ipv4Addr::new(10, 0, 0, 0), 8, "private"),
    (Ipv4Addr::new(100, 64, 0, 0), 10, "shared (CGNAT)"),
    (Ipv4Addr::new(127, 0, 0, 0), 8, "loopback"),
    (Ipv4Addr::new(169, 254, 0, 0), 16, "link-local"),
    (Ipv4Addr::new(172, 16, 0, 0), 12, "private"),
    (Ipv4Addr::new(192, 0, 0, 0), 24, "IETF protocol assignments"),
    (
        Ipv4Addr::new(192, 0, 2, 0),
        24,
        "documentation (TEST-NET-1)",
    ),
    (Ipv4Addr::new(192, 88, 99, 0), 24, "6to4 relay anycast"),
    (Ipv4Addr::new(192, 168, 0, 0), 16, "private"),
    (Ipv4Addr::new(198, 18, 0, 0), 15, "benchmarking"),
    (
        Ipv4Addr::new(198, 51, 100, 0),
        24,
        "documentation (TEST-NET-2)",
    ),
    (
        Ipv4Addr::new(203, 0, 113, 0),
        24,
        "documentation (TEST-NET-3)",
    ),
    (Ipv4Addr::new(224, 0, 0, 0), 4, "multicast"),
    (Ipv4Addr::new(240, 0, 0, 0), 4, "reserved, and broadcast"),
];

/// The IPv6 ranges of the IANA special-purpose address registry that are not globally reachable, with
/// the deprecated site-local range and multicast. IPv4 inside IPv6 (mapped, translated, compatible,
/// NAT64 `64:ff9b::/96`) is judged by the IPv4 address it carries; anything outside global unicast
/// (`2000::/3`) is refused too.
const IPV6_NOT_GLOBAL: &[(Ipv6Addr, u8, &str)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 128, "unspecified"),
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128, "loopback"),
    (
        Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0),
        48,
        "local-use NAT64",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0),
        64,
        "discard-only",
    ),
    (
        Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0),
        64,
        "dummy prefix",
    ),
    (
        Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0),
        23,
        "IETF protocol assignments (Teredo)",
    ),
    (
        Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0),
        32,
        "documentation",
    ),
    (Ipv6Addr::new(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, "6to4"),
    (
        Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0),
        20,
        "documentation",
    ),
    (
        Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0),
        16,
        "segment routing (SRv6)",
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        "unique-local",
    ),
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, "link-local"),
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, "site-local"),
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, "multicast"),
];

/// Why `ip` is not on the public internet (the name of its range), or None for a global address. The
/// one rule for webhook addresses: used when subscribing and when a delivery connects.
pub fn special_purpose(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(ip) => IPV4_NOT_GLOBAL
            .iter()
            .find(|(net, len, _)| in_prefix(u32::from(ip).into(), u32::from(*net).into(), 32, *len))
            .map(|(_, _, name)| *name),
        IpAddr::V6(ip) => {
            let found = IPV6_NOT_GLOBAL
                .iter()
                .find(|(net, len, _)| in_prefix(u128::from(ip), u128::from(*net), 128, *len))
                .map(|(_, _, name)| *name);
            match (found, embedded_ipv4(ip)) {
                (Some(name), _) => Some(name),
                (None, Some(v4)) => special_purpose(IpAddr::V4(v4)),
                (None, None) if ip.segments()[0] & 0xe000 != 0x2000 => Some("not global unicast"),
                (None, None) => None,
            }
        }
    }
}

/// Whether `ip` is inside the network `net/len` of addresses `bits` wide.
fn in_prefix(ip: u128, net: u128, bits: u32, len: u8) -> bool {
    let host_bits = bits - u32::from(len);
    host_bits >= bits || ip >> host_bits == net >> host_bits
}

/// The IPv4 address carried by an IPv4-mapped (`::ffff:a.b.c.d`), -translated (`::ffff:0:a.b.c.d`),
/// -compatible (`::a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address.
fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let v4 = Ipv4Addr::from(u128::from(ip) as u32);
    match ip.segments() {
        [0, 0, 0, 0, 0, 0xffff, _, _]
        | [0, 0, 0, 0, 0xffff, 0, _, _]
        | [0, 0, 0, 0, 0, 0, _, _]
        | [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(v4),
        _ => None,
    }
}

/// Whether `ip` is inside our own network or otherwise not the public internet.
pub fn internal_ip(ip: IpAddr) -> bool {
    special_purpose(ip).is_some()
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
                    !(EventKind::parse(&e.kind).is_some_and(EventKind::is_reading)
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

    /// Each not-global range of the IANA registries (its first and last address), and IPv4 inside
    /// IPv6 judged by what it carries.
    #[test]
    fn special_purpose_ranges_are_not_the_public_internet() {
        let inside: &[(&str, &str)] = &[
            ("0.0.0.0", "this network"),
            ("0.1.2.3", "this network"),
            ("10.255.255.255", "private"),
            ("100.64.0.0", "shared (CGNAT)"),
            ("100.127.255.255", "shared (CGNAT)"),
            ("127.0.0.1", "loopback"),
            ("169.254.169.254", "link-local"),
            ("172.16.0.0", "private"),
            ("172.31.255.255", "private"),
            ("192.0.0.170", "IETF protocol assignments"),
            ("192.0.2.1", "documentation (TEST-NET-1)"),
            ("192.88.99.1", "6to4 relay anycast"),
            ("192.168.1.1", "private"),
            ("198.18.0.1", "benchmarking"),
            ("198.19.255.255", "benchmarking"),
            ("198.51.100.7", "documentation (TEST-NET-2)"),
            ("203.0.113.255", "documentation (TEST-NET-3)"),
            ("224.0.0.1", "multicast"),
            ("239.255.255.255", "multicast"),
            ("240.0.0.1", "reserved, and broadcast"),
            ("255.255.255.255", "reserved, and broadcast"),
            ("::", "unspecified"),
            ("::1", "loopback"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:0:10.0.0.1", "private"),
            ("::7f00:1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("64:ff9b::c0a8:101", "private"),
            ("64:ff9b:1::1", "local-use NAT64"),
            ("100::1", "discard-only"),
            ("100:0:0:1::1", "dummy prefix"),
            ("2001::1", "IETF protocol assignments (Teredo)"),
            ("2001:1ff:ffff::1", "IETF protocol assignments (Teredo)"),
            ("2001:db8::1", "documentation"),
            ("2002:7f00:1::1", "6to4"),
            ("3fff:fff::1", "documentation"),
            ("5f00::1", "segment routing (SRv6)"),
            ("fc00::1", "unique-local"),
            ("fdff:ffff::1", "unique-local"),
            ("fe80::1", "link-local"),
            ("febf::1", "link-local"),
            ("fec0::1", "site-local"),
            ("feff::1", "site-local"),
            ("ff02::1", "multicast"),
            ("4000::1", "not global unicast"),
        ];
        for (ip, range) in inside {
            let ip: IpAddr = ip.parse().unwrap();
            assert_eq!(special_purpose(ip), Some(*range), "{ip}");
            assert!(internal_ip(ip), "{ip}");
        }
        // Every range in the tables is covered above.
        let named: Vec<&str> = inside.iter().map(|(_, r)| *r).collect();
        for (_, _, range) in IPV4_NOT_GLOBAL {
            assert!(named.contains(range), "{range} has no case");
        }
        for (_, _, range) in IPV6_NOT_GLOBAL {
            assert!(named.contains(range), "{range} has no case");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.0",
            "192.0.1.1",
            "198.17.255.255",
            "198.20.0.0",
            "223.255.255.255",
            "2a00:1450:4001::1",
            "2001:4860:4860::8888",
            "2606:4700::1111",
            "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822",
        ] {
            let ip: IpAddr = public.parse().unwrap();
            assert_eq!(special_purpose(ip), None, "{public}");
        }
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
            "https://localhost./",
            "https://LocalHost../",
            "https://app.localhost/",
            "https://[::7f00:1]/",
            "https://[64:ff9b::a9fe:a9fe]/",
            "https://[fec0::1]/",
            "https://198.18.0.1/",
            "https://0.1.2.3/",
            "https://0x7f000001/",
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
