//! The monitor in headless Chromium at phone width (issue 20): a coordinator reads a generated region's
//! year on a 390 px screen; the page passes axe (WCAG 2.1 AA) and reflows, the list behind a figure too.

use chrono::Datelike;
use samenspel::demo_region::RegionSpec;

use crate::browser::{Browser, log_in, wcag_violations};
use crate::common::world::today;
use crate::common::{DEFAULT_PARTNERSHIP, PASSWORD, TestApp};

#[actix_web::test]
async fn the_monitor_is_accessible_and_fits_a_phone() {
    let Some(browser) = Browser::start_phone(390).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let year = today().year() - 1;
    let spec = RegionSpec {
        partnership_id: DEFAULT_PARTNERSHIP,
        families: 40,
        year,
        seed: 3,
        password_hash: samenspel::auth::password::hash(PASSWORD).unwrap(),
        tag: "a".into(),
    };
    samenspel::demo_region::generate(&mut app.conn(), &spec).expect("a region");
    app.coordinator(
        "coordinator@zvh.example",
        "Carla Coördinator",
        "ZVH Regio",
        DEFAULT_PARTNERSHIP,
    );
    log_in(&browser, &app, "coordinator@zvh.example").await;
    let base = format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/monitor");
    let query = format!("van={year}-01-01&tot={year}-12-31");
    let c = &browser.client;
    c.goto(&app.url(&format!("{base}?{query}"))).await.unwrap();
    browser
        .wait_text("h1", |t| t.starts_with("Monitor ·"))
        .await;
    assert_eq!(browser.inner_width().await, 390, "a phone's viewport");
    let found = wcag_violations(&browser).await;
    assert!(found.is_empty(), "the monitor: {found:?}");
    browser.assert_reflows("the monitor on a phone").await;
    browser.screenshot("monitor-phone").await;

    c.goto(&app.url(&format!("{base}/lijst?{query}&cijfer=phases:0:0")))
        .await
        .unwrap();
    browser
        .wait_text("h1", |t| t == "Gezinnen per fase van veiligheid")
        .await;
    let found = wcag_violations(&browser).await;
    assert!(found.is_empty(), "the list behind a figure: {found:?}");
    browser.assert_reflows("the list on a phone").await;
    browser.close().await;
}
