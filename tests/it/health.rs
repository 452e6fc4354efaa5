//! Health checks: alive, and ready only while the database answers.

use reqwest::StatusCode;

use crate::common::TestApp;

#[actix_web::test]
async fn healthz_and_readyz_answer_200() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(client.get("/healthz").await.status, StatusCode::OK);
    let ready = client.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, "ready");
}

#[actix_web::test]
async fn readyz_answers_503_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    let client = app.client();
    assert_eq!(client.get("/readyz").await.status, StatusCode::OK);

    app.database.destroy();

    let ready = client.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        client.get("/healthz").await.status,
        StatusCode::OK,
        "the process itself is alive"
    );
}

const METRICS_TOKEN: &str = "metrics-0123456789abcdef";

/// What `/metrics` says, read by a Prometheus text-format parser: (name, labels, value) per sample.
async fn scrape(app: &TestApp) -> Vec<(String, std::collections::HashMap<String, String>, f64)> {
    let res = reqwest::Client::new()
        .get(app.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("the Prometheus text format");
    assert!(scrape.docs.contains_key("samenspel_http_requests_total"));
    scrape
        .samples
        .into_iter()
        .map(|s| {
            let value = match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                prometheus_parse::Value::Histogram(h) => h.last().map_or(0.0, |b| b.count),
                prometheus_parse::Value::Summary(_) => f64::NAN,
            };
            let labels = s
                .labels
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (s.metric, labels, value)
        })
        .collect()
}

fn value(
    samples: &[(String, std::collections::HashMap<String, String>, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> Option<f64> {
    samples
        .iter()
        .find(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| *v)
}

/// The operations metrics: off without a token setting, refused without the token, and with it the
/// figures an operator watches, in a format Prometheus reads.
#[actix_web::test]
async fn metrics_are_refused_without_the_token_and_parse_as_prometheus_text() {
    let off = TestApp::spawn().await;
    assert_eq!(
        off.client().get("/metrics").await.status,
        StatusCode::NOT_FOUND
    );

    let app = TestApp::spawn_with(&[("SAMENSPEL_METRICS_TOKEN", METRICS_TOKEN)]).await;
    let http = reqwest::Client::new();
    for token in [None, Some("metrics-0123456789abcdeX"), Some("")] {
        let mut req = http.get(app.url("/metrics"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(!res.text().await.unwrap().contains("samenspel_"));
    }

    // Some traffic: three health checks, a failed login, a live socket that hears a decision.
    let c = crate::common::world::Cast::new(&app);
    for _ in 0..3 {
        app.client().get("/healthz").await;
    }
    let stranger = app.client();
    let refused = stranger
        .login("ingrid@vt.example", "niet-het-wachtwoord")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let (meeting, _, bakker_item) = crate::common::meeting::run_meeting(&app, &c, false).await;
    let ingrid = crate::common::world::signed_in(&app, "ingrid@vt.example").await;
    let token = ingrid.cookie("samenspel_session").unwrap();
    let after = samenspel::events::last_id(&mut app.conn()).unwrap();
    let mut socket = crate::common::Socket::open(&app.base_url, meeting, &token, after).await;
    crate::common::meeting::decide(&ingrid, meeting, bakker_item, "Fase 3: herstel", "").await;
    socket
        .until_kind("decision.recorded", std::time::Duration::from_secs(5))
        .await;

    let samples = scrape(&app).await;
    let healthz = [("route", "/healthz"), ("method", "GET"), ("status", "200")];
    assert_eq!(
        value(&samples, "samenspel_http_requests_total", &healthz),
        Some(3.0)
    );
    assert_eq!(
        value(
            &samples,
            "samenspel_http_request_duration_seconds_count",
            &[("route", "/healthz")]
        ),
        Some(3.0)
    );
    assert_eq!(
        value(&samples, "samenspel_login_failures_total", &[]),
        Some(1.0)
    );
    assert_eq!(value(&samples, "samenspel_live_sockets", &[]), Some(1.0));
    assert!(value(&samples, "samenspel_live_dispatch_lag_seconds_count", &[]).unwrap() >= 1.0);
    assert_eq!(
        value(&samples, "samenspel_webhook_outbox_pending", &[]),
        Some(0.0)
    );
    let max = value(&samples, "samenspel_db_pool_max_connections", &[]).unwrap();
    let in_use = value(
        &samples,
        "samenspel_db_pool_connections",
        &[("state", "in_use")],
    )
    .unwrap();
    let idle = value(
        &samples,
        "samenspel_db_pool_connections",
        &[("state", "idle")],
    )
    .unwrap();
    assert!(
        max >= 1.0 && in_use + idle >= 1.0 && in_use + idle <= max,
        "{in_use} + {idle} of {max}"
    );
    // Routes by their pattern: no ids (or secrets) from the address in a label.
    for (name, labels, _) in &samples {
        if let Some(route) = labels.get("route") {
            assert!(
                !route
                    .split('/')
                    .any(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())),
                "{name}: {route}"
            );
        }
    }
    assert!(
        samples.iter().any(|(_, l, _)| l
            .get("route")
            .is_some_and(|r| r.starts_with("/bijeenkomsten/:id"))),
        "the meeting's routes are counted by pattern: {:?}",
        samples
            .iter()
            .filter_map(|(_, l, _)| l.get("route"))
            .collect::<std::collections::BTreeSet<_>>()
    );
}
