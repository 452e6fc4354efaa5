//! Single sign-on in headless Chromium on a 390 px phone, against the real provider (`common::oidc`):
//! the organisation admin sets the provider, a professional logs in at the provider's page and out
//! again there, and every page of single sign-on and DigiD passes axe-core and fits the phone.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{Browser, log_in, log_out, wcag_violations};
use crate::common::TestApp;
use crate::common::oidc::{self, CLIENT_ID, CLIENT_SECRET, PROVIDER_PASSWORD, account};
use crate::common::world::{Cast, VEILIG_THUIS};

/// The page shown passes axe-core and reflows; what is wrong, named by `page`.
async fn check(browser: &Browser, page: &str, found: &mut Vec<String>) {
    for v in wcag_violations(browser).await {
        found.push(format!("{page}: {v}"));
    }
    found.extend(browser.reflow_problems(page).await);
    let name = page.trim_start_matches('/').replace(['/', '?', '='], "-");
    browser.screenshot(&format!("sign-on-{name}")).await;
}

async fn type_into(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.find(Locator::Css(css)).await;
    field
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .send_keys(text)
        .await
        .unwrap();
}

/// Waits until an element matching `css` is on the page (at the provider, whose pages are plain).
async fn wait_for(browser: &Browser, css: &str) {
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
}

#[actix_web::test]
async fn a_professional_logs_in_and_out_at_the_provider_in_a_browser_and_the_pages_fit() {
    let Some(browser) = Browser::start_phone(390).await else {
        return;
    };
    let Some(mut provider) = oidc::start() else {
        return;
    };
    let app = TestApp::spawn_with(&[
        ("SAMENSPEL_OIDC_ALLOW_HTTP", "true"),
        ("SAMENSPEL_DIGID_ISSUER", provider.issuer.as_str()),
        ("SAMENSPEL_DIGID_CLIENT_ID", CLIENT_ID),
        ("SAMENSPEL_DIGID_CLIENT_SECRET", CLIENT_SECRET),
    ])
    .await;
    let ahmed = json!({"email": "ahmed@vt.example", "email_verified": true});
    provider.serve(
        &app.base_url,
        json!({"ahmed": account(ahmed, &["pwd"])}),
        "",
    );
    let c = Cast::with_jansens_past(&app);
    let organisation = app.organisation(
        VEILIG_THUIS,
        samenspel::domain::organisation::OrganisationKind::VeiligThuis,
    );
    let mut found = Vec::new();

    // Petra sets Veilig Thuis's provider on its page.
    log_in(&browser, &app, "petra@vt.example").await;
    let settings = format!("/beheer/organisaties/{organisation}/inloggen");
    browser.client.goto(&app.url(&settings)).await.unwrap();
    browser
        .wait_text("h1", |t| t == "Inloggen met je organisatie")
        .await;
    check(&browser, &settings, &mut found).await;
    type_into(&browser, "#issuer", &provider.issuer).await;
    type_into(&browser, "#client_id", CLIENT_ID).await;
    type_into(&browser, "#client_secret", CLIENT_SECRET).await;
    browser
        .click("form[action$='/inloggen'] button[type=submit]")
        .await;
    browser
        .wait_text(".utrecht-alert--ok", |t| t.contains("opgeslagen"))
        .await;
    check(
        &browser,
        &format!("{settings}?melding=opgeslagen"),
        &mut found,
    )
    .await;
    log_out(&browser).await;

    // Ahmed logs in with Veilig Thuis's account: from the login page to the provider's and back.
    browser.client.goto(&app.url("/inloggen")).await.unwrap();
    browser.click("a[href='/inloggen/organisatie']").await;
    browser
        .wait_text("h1", |t| t == "Inloggen met je organisatie")
        .await;
    check(&browser, "/inloggen/organisatie", &mut found).await;
    type_into(&browser, "#email", "ahmed@vt.example").await;
    browser
        .click("form[action='/inloggen/organisatie'] button")
        .await;
    wait_for(&browser, "input[name=login]").await;
    type_into(&browser, "input[name=login]", "ahmed").await;
    type_into(&browser, "input[name=password]", PROVIDER_PASSWORD).await;
    browser.click("button[type=submit]").await;
    browser.wait_text("h1", |t| t == "Mijn overzicht").await;

    // Signing out ends the session here and at the provider, which sends the browser back.
    browser.click("form[action='/uitloggen'] button").await;
    wait_for(&browser, "button[name=logout]").await;
    browser.click("button[name=logout]").await;
    browser.wait_text("h1", |t| t == "Inloggen").await;

    // The DigiD page, and the director's DigiD choice on the Gezinsportaal page.
    browser
        .client
        .goto(&app.url("/inloggen/digid"))
        .await
        .unwrap();
    browser.wait_text("h1", |t| t == "Inloggen met DigiD").await;
    check(&browser, "/inloggen/digid", &mut found).await;
    log_in(&browser, &app, "ahmed@vt.example").await;
    let manage = format!("/gezinnen/{}/portaal", c.jansen);
    browser.client.goto(&app.url(&manage)).await.unwrap();
    browser
        .wait_text("#digid", |t| t == "Inloggen met DigiD")
        .await;
    check(&browser, &manage, &mut found).await;
    assert!(
        found.is_empty(),
        "single sign-on pages with WCAG or reflow problems:\n{}",
        found.join("\n")
    );
    browser.close().await;
}
