//! Webhooks: a partner's receiver that fails twice and then accepts gets each event exactly once as
//! accepted, signed with HMAC-SHA256 over the body, even when Samenspel is restarted between attempts;
//! the delivery log shows every attempt and a delivery can be sent again.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use samenspel::domain::user::Role;

use crate::common::TestApp;
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Received {
    delivery: String,
    /// The `Samenspel-Attempt` header: 1 for the first attempt.
    attempt: String,
    signature: String,
    content_type: String,
    body: Vec<u8>,
    accepted: bool,
}

/// A partner's endpoint: answers 500 to the first two attempts of every delivery, then 204.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    system: actix_web::rt::System,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.system.stop();
    }
}

fn receiver() -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/samenspel", listener.local_addr().unwrap());
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let shared = got.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let system = actix_web::rt::System::new();
        system.block_on(async move {
            let server = actix_web::HttpServer::new(move || {
                let got = shared.clone();
                actix_web::App::new().route(
                    "/samenspel",
                    web::post().to(move |req: HttpRequest, body: web::Bytes| {
                        let got = got.clone();
                        async move {
                            let header = |name: &str| {
                                req.headers()
                                    .get(name)
                                    .and_then(|v| v.to_str().ok())
                                    .unwrap_or_default()
                                    .to_string()
                            };
                            let delivery = header("samenspel-delivery");
                            let mut list = got.lock().unwrap();
                            let earlier = list.iter().filter(|r| r.delivery == delivery).count();
                            let accepted = earlier >= 2;
                            list.push(Received {
                                delivery,
                                attempt: header("samenspel-attempt"),
                                signature: header("samenspel-signature"),
                                content_type: header("content-type"),
                                body: body.to_vec(),
                                accepted,
                            });
                            if accepted {
                                HttpResponse::NoContent().finish()
                            } else {
                                HttpResponse::InternalServerError().body("even niet")
                            }
                        }
                    }),
                )
            })
            .workers(1)
            .disable_signals()
            .listen(listener)
            .unwrap()
            .run();
            tx.send(actix_web::rt::System::current()).unwrap();
            let _ = server.await;
        });
    });
    Receiver {
        url,
        got,
        system: rx.recv().unwrap(),
    }
}

fn attempts_per_delivery(app: &TestApp) -> Vec<(i64, String, i64)> {
    use samenspel::schema::{webhook_attempts, webhook_deliveries};
    let deliveries: Vec<(i64, String)> = webhook_deliveries::table
        .order(webhook_deliveries::id.asc())
        .select((webhook_deliveries::id, webhook_deliveries::status))
        .load(&mut app.conn())
        .unwrap();
    deliveries
        .into_iter()
        .map(|(id, status)| {
            let n: i64 = webhook_attempts::table
                .filter(webhook_attempts::delivery_id.eq(id))
                .count()
                .get_result(&mut app.conn())
                .unwrap();
            (id, status, n)
        })
        .collect()
}

/// Waits (at most 60 s) until `done` holds for the deliveries.
async fn wait_for(app: &TestApp, what: &str, done: impl Fn(&[(i64, String, i64)]) -> bool) {
    let started = Instant::now();
    loop {
        let now = attempts_per_delivery(app);
        if done(&now) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waited a minute for {what}: {now:?}"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

fn verify(secret: &str, body: &[u8], signature: &str) -> bool {
    let Some(hex_sig) = signature.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(bytes) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    mac.verify_slice(&bytes).is_ok()
}

#[actix_web::test]
async fn a_failing_receiver_gets_each_event_once_as_accepted_across_a_restart() {
    let mut app = TestApp::spawn_with(&[
        ("SAMENSPEL_WEBHOOK_ALLOW_HTTP", "true"),
        ("SAMENSPEL_WEBHOOK_RETRY_SECONDS", "2"),
    ])
    .await;
    let c = Cast::new(&app);
    let partner = receiver();
    app.user(
        "petra@vt.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some("Veilig Thuis Zuid-Holland Zuid"),
    );
    let petra = signed_in(&app, "petra@vt.example").await;

    // A wrong address is refused with what was typed kept.
    let refused = petra
        .submit(
            "/beheer/webhooks",
            "/beheer/webhooks",
            &[
                ("url", "ftp://partner.example"),
                ("types", "nl.samenspel.meeting.closed"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.value("#url").as_deref(),
        Some("ftp://partner.example")
    );
    assert!(refused.visible_text().contains("https-adres"));
    let made = petra
        .submit(
            "/beheer/webhooks",
            "/beheer/webhooks",
            &[
                ("url", &partner.url),
                (
                    "types",
                    "uitwisselen-uitkomst-overleg.uitkomst-beschikbaar-gesteld",
                ),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.visible_text());
    let secret = made.value("#secret").expect("the secret, shown once");
    assert!(!petra.get("/beheer/webhooks").await.body.contains(&secret));
    // A professional does not manage webhooks.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    assert_eq!(
        ahmed.get("/beheer/webhooks").await.status,
        StatusCode::FORBIDDEN
    );

    // Closing the meeting makes two outcomes available: two deliveries, only of the subscribed type.
    run_meeting(&app, &c, true).await;
    wait_for(&app, "a first attempt of both deliveries", |d| {
        d.len() == 2 && d.iter().all(|(_, _, n)| *n >= 1)
    })
    .await;
    // Samenspel goes down between the first and the second attempt, and comes back.
    app.restart().await;
    wait_for(&app, "both deliveries accepted", |d| {
        d.len() == 2 && d.iter().all(|(_, status, _)| status == "delivered")
    })
    .await;

    let got = partner.got.lock().unwrap().clone();
    let mut per_delivery: HashMap<String, Vec<&Received>> = HashMap::new();
    for r in &got {
        per_delivery.entry(r.delivery.clone()).or_default().push(r);
    }
    assert_eq!(per_delivery.len(), 2, "{got:?}");
    let mut event_ids = Vec::new();
    for (delivery, requests) in &per_delivery {
        assert_eq!(
            requests.len(),
            3,
            "two refusals and one acceptance of {delivery}"
        );
        assert_eq!(
            requests.iter().filter(|r| r.accepted).count(),
            1,
            "accepted exactly once"
        );
        for r in requests {
            assert_eq!(r.content_type, "application/cloudevents+json");
            assert!(
                verify(&secret, &r.body, &r.signature),
                "signature of {delivery}"
            );
            assert!(!verify("whsec_een-andere-sleutel", &r.body, &r.signature));
        }
        // Every attempt carries the same event.
        assert!(requests.windows(2).all(|w| w[0].body == w[1].body));
        let event: cloudevents::Event = serde_json::from_slice(&requests[0].body).unwrap();
        use cloudevents::AttributesReader;
        assert_eq!(
            event.ty(),
            "uitwisselen-uitkomst-overleg.uitkomst-beschikbaar-gesteld"
        );
        event_ids.push(event.id().to_string());
    }
    event_ids.sort();
    event_ids.dedup();
    assert_eq!(event_ids.len(), 2, "two different events");

    // The delivery log shows each attempt; sending one again delivers it once more.
    let subscription: i64 = {
        use samenspel::schema::webhook_subscriptions::dsl::*;
        webhook_subscriptions
            .select(id)
            .first(&mut app.conn())
            .unwrap()
    };
    let petra = signed_in(&app, "petra@vt.example").await;
    let log_path = format!("/beheer/webhooks/{subscription}");
    let log = petra.get(&log_path).await;
    let table = log.text("#deliveries").unwrap();
    assert_eq!(table.matches("HTTP 500").count(), 4, "{table}");
    assert_eq!(table.matches("HTTP 204").count(), 2, "{table}");
    assert_eq!(table.matches("Afgeleverd").count(), 2, "{table}");
    let first = attempts_per_delivery(&app)[0].0;
    let again = petra
        .submit(
            &log_path,
            &format!("{log_path}/afleveringen/{first}/opnieuw"),
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    wait_for(&app, "the replay", |d| {
        d.iter()
            .any(|(id, status, n)| *id == first && status == "delivered" && *n == 4)
    })
    .await;
    // The resend goes on counting: the partner sees attempts 1, 2, 3 and then 4, not 1 again.
    let got = partner.got.lock().unwrap().clone();
    let replayed: Vec<&str> = got
        .iter()
        .filter(|r| got.iter().filter(|o| o.delivery == r.delivery).count() == 4)
        .map(|r| r.attempt.as_str())
        .collect();
    assert_eq!(replayed, ["1", "2", "3", "4"], "{got:?}");
    // Another organisation's admin cannot see or replay this subscription.
    app.user(
        "beheer@ggz.example",
        "Beheerder GGZ",
        Role::OrgAdmin,
        Some("GGZ volwassenen"),
    );
    let other = signed_in(&app, "beheer@ggz.example").await;
    assert_eq!(other.get(&log_path).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_name_that_resolves_inside_our_network_is_not_reached() {
    // Outside development: no plain http, and names are resolved to public addresses only.
    let app = TestApp::spawn_with(&[("SAMENSPEL_WEBHOOK_RETRY_SECONDS", "3600")]).await;
    let c = Cast::new(&app);
    // Something listening on this machine, counting who connects.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    app.user(
        "petra@vt.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some("Veilig Thuis Zuid-Holland Zuid"),
    );
    let petra = signed_in(&app, "petra@vt.example").await;
    // "localhost" itself, and addresses in the special-purpose ranges, are refused when subscribing ...
    for host in [
        "localhost",
        "localhost.",
        "app.localhost",
        "[::7f00:1]",
        "[::ffff:7f00:1]",
        "[64:ff9b::a9fe:a9fe]",
        "[fec0::1]",
        "198.18.0.1",
        "0.1.2.3",
    ] {
        let url = format!("https://{host}:{port}/x");
        let refused = petra
            .submit(
                "/beheer/webhooks",
                "/beheer/webhooks",
                &[("url", &url), ("types", "")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
    }
    assert_eq!(app.count("webhook_subscriptions"), 0);
    // ... and another name that resolves to this machine is not reached when sent. The machine's own
    // name usually is one; where no such name resolves, the unit test of the resolver's filter is what
    // remains, and this test says so.
    let own = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let Some(name) = [own.trim(), "ip6-localhost"]
        .into_iter()
        .filter(|n| !n.is_empty() && !n.eq_ignore_ascii_case("localhost"))
        .find(|n| {
            std::net::ToSocketAddrs::to_socket_addrs(&(*n, port))
                .is_ok_and(|mut a| a.any(|a| a.ip().is_loopback()))
        })
    else {
        println!(
            "no name other than localhost resolves to this machine here; skipped the send part"
        );
        return;
    };
    let made = petra
        .submit(
            "/beheer/webhooks",
            "/beheer/webhooks",
            &[("url", &format!("https://{name}:{port}/x")), ("types", "")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.visible_text());
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let page = ahmed
        .submit(
            &format!("/gezinnen/{}", c.jansen),
            &format!("/gezinnen/{}/opmerkingen", c.jansen),
            &[("body", "Een gebeurtenis voor de webhook.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    wait_for(&app, "an attempt", |d| d.iter().any(|(_, _, n)| *n >= 1)).await;
    assert!(
        listener.accept().is_err(),
        "the sender connected to {name}, which is this machine"
    );
}
