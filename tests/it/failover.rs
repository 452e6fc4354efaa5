//! Failover mid-meeting behind a real load balancer: HAProxy (the configuration of `bench/cluster`) in
//! front of two instances of the real binary on one PostgreSQL database. Twenty participants' protocol
//! clients and one real `static/live.js` in headless Chromium follow the meeting while the chair
//! records decisions; the busiest instance is killed with SIGKILL (and started again), then the other
//! one. Every client reconnects through the balancer and ends with every decision exactly once, in
//! order. The full run, with gaps measured over five kills, is `examples/failover_bench` in bench/run.
//!
//! Runs on PostgreSQL only (SQLite is for one instance): without TEST_DATABASE_URL it says it did not
//! run. Without HAProxy it says so too, unless SAMENSPEL_REQUIRE_BROWSER=1 or
//! SAMENSPEL_REQUIRE_HAPROXY=1 (as in CI, whose .ci/run installs it), which make that a failure.

#[path = "../../examples/failover_bench/cluster.rs"]
mod cluster;
#[path = "../../examples/failover_bench/limit.rs"]
mod limit;
#[path = "../../examples/failover_bench/meeting.rs"]
mod meeting;
#[path = "../../examples/failover_bench/run.rs"]
mod run;

use std::path::Path;
use std::time::Duration;

use fantoccini::cookies::Cookie;

use crate::browser::Browser;
use crate::common::TestDatabase;

fn haproxy_required() -> bool {
    ["SAMENSPEL_REQUIRE_BROWSER", "SAMENSPEL_REQUIRE_HAPROXY"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|v| v == "1"))
}

/// A real browser on the item page, through the balancer, as participant `token`.
async fn follow_in_browser(base: &str, token: &str, page: &str) -> Option<Browser> {
    let browser = Browser::start().await?;
    browser
        .client
        .goto(&format!("{base}/healthz"))
        .await
        .unwrap();
    // SameSite=Lax as the server sets it (a cookie without it would be SameSite=None, which needs
    // Secure).
    let cookie = format!("samenspel_session={token}; Path=/; Domain=127.0.0.1; SameSite=Lax");
    let cookie = Cookie::parse(cookie).unwrap();
    browser.client.add_cookie(cookie).await.unwrap();
    browser.client.goto(&format!("{base}{page}")).await.unwrap();
    browser
        .wait_text("#live-state", |t| t.starts_with("Verbonden"))
        .await;
    Some(browser)
}

/// The decision texts the browser's page shows under the item, in the order shown.
async fn decisions_shown(browser: &Browser, item: i64) -> Vec<String> {
    let script = format!(
        "return document.getElementById('decisions-{item}').textContent.match(/failover-\\d+/g) || []"
    );
    let shown = browser.client.execute(&script, vec![]).await.unwrap();
    serde_json::from_value(shown).unwrap()
}

#[actix_web::test]
async fn every_participant_gets_every_decision_once_when_an_instance_dies_mid_meeting() {
    let (database, url) = TestDatabase::create();
    if !database.is_postgres() {
        eprintln!(
            "failover test not run: several instances need PostgreSQL (set TEST_DATABASE_URL)"
        );
        return;
    }
    if !cluster::haproxy_installed() {
        assert!(!haproxy_required(), "HAProxy is required but not installed");
        eprintln!("failover test not run: install haproxy (bash bench/cluster install)");
        return;
    }
    let setup = meeting::prepare(&url, 20);
    let (item, page) = (
        setup.item,
        format!("/bijeenkomsten/{}/punten/{}", setup.meeting, setup.item),
    );
    let watcher = setup.participants[0].clone();
    let exe = Path::new(env!("CARGO_BIN_EXE_samenspel"));
    let mut run = run::Run::start(exe, &url, setup, 2, Duration::from_millis(150)).await;
    let browser = follow_in_browser(&run.cluster.base_url(), &watcher, &page).await;

    // While the meeting runs, one organisation reads the API through both instances: the limit is
    // for the whole service (300 a minute by default), not per instance.
    let token = limit::token(&url);
    let limited = limit::run(&run.cluster, &token, 400).await;
    assert!(limited.holds(400), "{:?}", limited.lines(400));
    assert_eq!(limited.refused.iter().sum::<usize>(), 100);

    // The busiest instance dies and comes back; then the other one, which by now holds everyone.
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    run.kill_busiest(true).await;
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    run.kill_busiest(false).await;
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let report = run.finish(Duration::from_secs(20)).await;
    for line in report.lines(2, 20) {
        println!("{line}");
    }

    let o = &report.outcome;
    assert!(
        report.acknowledged >= 10,
        "only {} decisions acknowledged",
        report.acknowledged
    );
    assert_eq!(o.acknowledged_lost, 0, "acknowledged decisions are gone");
    assert_eq!(
        (o.missed, o.duplicated, o.out_of_order),
        (0, 0, 0),
        "missed, duplicated, out of order"
    );
    assert_eq!(
        o.never_recovered, 0,
        "clients that got nothing after their instance died"
    );
    assert!(
        o.gaps_ms.len() >= 20,
        "only {} clients reconnected after a kill",
        o.gaps_ms.len()
    );

    if let Some(browser) = browser {
        // The page itself shows each decision once, in the order they were taken.
        let recorded: Vec<String> = {
            use diesel::prelude::*;
            use samenspel::schema::decisions;
            let pool = samenspel::db::connect(&samenspel::db::DatabaseUrl::parse(&url).unwrap(), 1)
                .unwrap();
            decisions::table
                .filter(decisions::agenda_item_id.eq(item))
                .order(decisions::id)
                .select(decisions::text)
                .load(&mut pool.get().unwrap())
                .unwrap()
        };
        let started = std::time::Instant::now();
        let mut shown = decisions_shown(&browser, item).await;
        while shown.len() < recorded.len() && started.elapsed() < Duration::from_secs(30) {
            actix_web::rt::time::sleep(Duration::from_millis(200)).await;
            shown = decisions_shown(&browser, item).await;
        }
        let state = browser.wait_text("#live-state", |_| true).await;
        assert_eq!(
            shown, recorded,
            "the browser's page after two failovers ({state})"
        );
        browser
            .wait_text("#live-state", |t| t.starts_with("Verbonden"))
            .await;
        browser.close().await;
    }
    drop(run);
}
