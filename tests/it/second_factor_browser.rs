//! The second factor in headless Chromium at phone width: a professional sets it up at her first login
//! (reading the key from the page, as a person types it into an authenticator app), keeps her recovery
//! codes, logs out and in again with a code; the pages this adds pass the WCAG check and reflow: the
//! enrolment, the recovery codes, the second step, Tweede factor, Sessies, the confirm page, and the
//! organisation's rule.

use fantoccini::Locator;
use samenspel::domain::user::Role;

use crate::browser::{Browser, log_out, type_login, wcag_violations};
use crate::common::TestApp;
use crate::common::factor::code_at;

const ANNA: &str = "anna@vt.example";
const PETRA: &str = "petra@vt.example";

/// The current time step of the server.
fn step_of(app: &TestApp) -> u64 {
    app.clock.now().and_utc().timestamp() as u64 / 30
}

/// Checks the page shown (WCAG, reflow at phone width), named `page`; its problems.
async fn check(browser: &Browser, page: &str) -> Vec<String> {
    let mut found: Vec<String> = wcag_violations(browser)
        .await
        .into_iter()
        .map(|v| format!("{page}: {v}"))
        .collect();
    found.extend(browser.reflow_problems(page).await);
    browser.screenshot(&format!("second-factor-{page}")).await;
    found
}

/// Types `code` into the field `#code` and sends the form.
async fn type_code(browser: &Browser, code: &str) {
    let field = browser.client.find(Locator::Css("#code")).await.unwrap();
    field.send_keys(code).await.unwrap();
    field.send_keys("\u{E007}").await.unwrap();
}

/// Logs in as `email` for the first time and sets up the second factor; returns the key and the step
/// its first code was for.
async fn first_login(
    browser: &Browser,
    app: &TestApp,
    email: &str,
    found: &mut Vec<String>,
) -> (String, u64) {
    browser.client.goto(&app.url("/inloggen")).await.unwrap();
    type_login(browser, email).await;
    browser
        .wait_text("h1", |t| t == "Tweede factor instellen")
        .await;
    found.extend(check(browser, "enrolment").await);
    let key: String = browser
        .client
        .find(Locator::Css("#geheim"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .split_whitespace()
        .collect();
    let step = step_of(app);
    type_code(browser, &code_at(&key, step)).await;
    browser.wait_text("h1", |t| t == "Je herstelcodes").await;
    (key, step)
}

#[actix_web::test]
async fn a_professional_sets_up_the_second_factor_and_logs_in_with_a_code_at_phone_width() {
    let Some(browser) = Browser::start_phone(360).await else {
        return;
    };
    let app = TestApp::spawn_with(&[("SAMENSPEL_SECOND_FACTOR", "required")]).await;
    let vt = Some("Veilig Thuis Zuid-Holland Zuid");
    app.user(ANNA, "Anna de Boer", Role::Professional, vt);
    app.user(PETRA, "Petra de Graaf", Role::OrgAdmin, vt);
    let b = &browser.client;
    let mut found = Vec::new();

    let (key, enrolled_at) = first_login(&browser, &app, ANNA, &mut found).await;
    found.extend(check(&browser, "recovery-codes").await);
    let codes = b.find_all(Locator::Css(".ss-codes code")).await.unwrap();
    assert_eq!(codes.len(), 10);
    browser.click("a.utrecht-button-link--primary-action").await;
    browser.wait_text("h1", |t| t == "Mijn overzicht").await;

    for (path, title, name) in [
        ("/account/tweede-factor", "Tweede factor", "account-page"),
        ("/account/sessies", "Sessies", "sessions"),
        (
            "/account/bevestigen?terug=/account",
            "Bevestig dat jij het bent",
            "confirm",
        ),
    ] {
        b.goto(&app.url(path)).await.unwrap();
        browser.wait_text("h1", |t| t == title).await;
        found.extend(check(&browser, name).await);
    }

    // Out and in again: the password, then a code of a later step than the first one.
    log_out(&browser).await;
    b.goto(&app.url("/inloggen")).await.unwrap();
    type_login(&browser, ANNA).await;
    browser.wait_text("h1", |t| t == "Code invullen").await;
    found.extend(check(&browser, "second-step").await);
    let step = step_of(&app).max(enrolled_at + 1);
    type_code(&browser, &code_at(&key, step)).await;
    browser.wait_text("h1", |t| t == "Mijn overzicht").await;
    log_out(&browser).await;

    // The organisation admin's rule page (the partnership's uses the same page).
    first_login(&browser, &app, PETRA, &mut found).await;
    b.goto(&app.url("/beheer/tweede-factor")).await.unwrap();
    browser
        .wait_text("h1", |t| t == "Regel tweede factor")
        .await;
    found.extend(check(&browser, "organisation-rule").await);

    assert!(found.is_empty(), "{}", found.join("\n"));
    browser.close().await;
}
