//! A week of real work without dead ends (issue 18), in headless Chromium: a PDF link opened while
//! logged out, the portal's header on a phone and the favicon, the printed pages, the quick exit with
//! Esc, and the WCAG check of the pages these touch at desktop and phone width.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::browser::{
    Browser, a_world_with_every_page, log_in, log_in_as_family, log_out, type_login,
    wcag_violations,
};
use crate::common::TestApp;
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};
use crate::everyday::{jansens_with_sandra, sessions_of};

/// A DevTools command, through chromedriver's `goog/cdp/execute`.
#[derive(Debug)]
pub(crate) struct Cdp {
    pub cmd: &'static str,
    pub params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (reqwest::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (reqwest::Method::POST, Some(body.to_string()))
    }
}

/// Runs `script` (its last argument is the callback) with `args` and returns what it hands back.
async fn run(browser: &Browser, script: &str, args: Vec<Value>) -> Value {
    browser
        .client
        .execute_async(script, args)
        .await
        .expect("the script runs")
}

#[actix_web::test]
async fn a_pdf_link_opened_while_logged_out_offers_the_file_after_login() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let file = format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf");

    // The link from the mail, logged out: the login page, then the page that offers the file.
    browser.client.goto(&app.url(&file)).await.unwrap();
    browser.wait_text("h1", |t| t == "Inloggen").await;
    type_login(&browser, "ingrid@vt.example").await;
    browser
        .wait_text("h1", |t| t == "Je download staat klaar")
        .await;
    let link = browser
        .client
        .find(Locator::Css("a#download"))
        .await
        .unwrap();
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert_eq!(href, file);
    assert!(
        link.text().await.unwrap().contains("besluitenlijst.pdf"),
        "the file is named"
    );
    let answer = run(
        &browser,
        "const done = arguments[arguments.length - 1];
         fetch(arguments[0]).then(r => done(r.status + ' ' + r.headers.get('content-type')));",
        vec![json!(href)],
    )
    .await;
    assert_eq!(answer, json!("200 application/pdf"));
    // Taking the file keeps the page (and its way on) in view.
    link.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    browser
        .wait_text("h1", |t| t == "Je download staat klaar")
        .await;
    browser.screenshot("download-offer").await;
    browser.close().await;
}

/// Jansen's world with a portal account for Sandra, logged in to the portal in `browser`.
async fn sandras_portal(browser: &Browser) -> (TestApp, i64) {
    let (app, c, _) = jansens_with_sandra().await;
    log_in_as_family(browser, &app, "sandra@example.org").await;
    (app, c.jansen)
}

#[actix_web::test]
async fn the_portal_header_has_touch_sized_buttons_on_a_phone_and_the_site_a_favicon() {
    let Some(browser) = Browser::start_phone(390).await else {
        return;
    };
    let (_app, _) = sandras_portal(&browser).await;
    let sizes = browser
        .client
        .execute(
            "return [...document.querySelectorAll('.ss-quick-exit__button, .ss-header button, .ss-nav a')]
               .map(e => { const r = e.getBoundingClientRect();
                           return [e.textContent.trim(), r.width, r.height]; });",
            vec![],
        )
        .await
        .unwrap();
    let sizes: Vec<(String, f64, f64)> = serde_json::from_value(sizes).unwrap();
    // The quick exit, the language switch, logging out and the four menu entries.
    let names: Vec<&str> = sizes.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Snel weg (verlaat deze site)",
            "English",
            "Uitloggen",
            "Ons gezin",
            "Wie keek in ons dossier",
            "Wie zijn betrokken",
            "Klacht of bezwaar"
        ],
        "{sizes:?}"
    );
    for (name, width, height) in &sizes {
        assert!(
            *height >= 44.0 && *width >= 44.0,
            "{name}: {width} × {height} px"
        );
    }

    let icon = run(
        &browser,
        "const done = arguments[arguments.length - 1];
         const link = document.querySelector('link[rel=icon]');
         fetch(link.href).then(r => r.text().then(t =>
           done([link.getAttribute('href'), r.status, r.headers.get('content-type'), t.includes('<svg')])));",
        vec![],
    )
    .await;
    assert_eq!(
        icon,
        json!(["/static/favicon.svg", 200, "image/svg+xml", true])
    );
    browser.close().await;
}

/// What the print style leaves of the page shown: whether any navigation, form, button or live state
/// is still shown, and the colours of the heading and the page.
const PRINTED: &str = r##"
const shown = el => getComputedStyle(el).display !== "none" && el.getClientRects().length > 0;
const left = [...document.querySelectorAll(
    "header, nav, footer, form, button, .utrecht-button, #live-state, .ss-quick-exit, .ss-follow")]
  .filter(shown)
  .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + "." + [...el.classList].join("."));
return {
  left: left,
  main: shown(document.querySelector("main")),
  h1: getComputedStyle(document.querySelector("h1")).color,
  body: getComputedStyle(document.body).backgroundColor,
  print: matchMedia("print").matches,
};
"##;

#[actix_web::test]
async fn printed_the_meeting_item_and_family_pages_are_their_content_in_black_on_white() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, item, _) = run_meeting(&app, &c, false).await;
    log_in(&browser, &app, "ahmed@vt.example").await;
    for page in [
        format!("/bijeenkomsten/{meeting}"),
        format!("/bijeenkomsten/{meeting}/punten/{item}"),
        format!("/gezinnen/{}", c.jansen),
    ] {
        browser.client.goto(&app.url(&page)).await.unwrap();
        browser.wait_text("h1", |t| !t.is_empty()).await;
        let screen = browser.client.execute(PRINTED, vec![]).await.unwrap();
        assert!(
            screen["left"].as_array().unwrap().len() > 2,
            "{page}: on screen, the header, navigation and forms show: {screen}"
        );
        let media = |media: &str| Cdp {
            cmd: "Emulation.setEmulatedMedia",
            params: json!({ "media": media }),
        };
        browser.client.issue_cmd(media("print")).await.unwrap();
        let printed = browser.client.execute(PRINTED, vec![]).await.unwrap();
        browser.client.issue_cmd(media("")).await.unwrap();
        assert_eq!(printed["print"], json!(true), "{page}: print emulated");
        assert_eq!(printed["left"], json!([]), "{page}: {printed}");
        assert_eq!(printed["main"], json!(true), "{page}: the content prints");
        assert_eq!(printed["h1"], json!("rgb(0, 0, 0)"), "{page}");
        assert_eq!(printed["body"], json!("rgb(255, 255, 255)"), "{page}");
    }
    browser.close().await;
}

/// Waits until the browser has left the app, and returns where it went.
async fn left_the_app(browser: &Browser, app: &TestApp) -> String {
    let started = Instant::now();
    loop {
        let url = browser.client.current_url().await.unwrap().to_string();
        if !url.starts_with(&app.base_url) {
            return url;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still at {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn press_escape(browser: &Browser) {
    browser
        .client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
}

#[actix_web::test]
async fn esc_in_the_portal_ends_the_session_and_leaves_no_way_back() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let (app, _) = sandras_portal(&browser).await;
    let c = &browser.client;
    c.find(Locator::Css("nav a[href='/portaal/inzage']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_text("h1", |t| !t.starts_with("Hallo")).await;

    // Sandra's other login (over HTTP, when she set her password) stays: the quick exit ends this one.
    let sessions = sessions_of(&app, "sandra@example.org");
    // While a dialog is open, Esc closes the dialog and nothing else.
    c.execute(
        "const d = document.createElement('dialog'); d.textContent = 'Vraag';
         document.body.append(d); d.showModal(); return true;",
        vec![],
    )
    .await
    .unwrap();
    press_escape(&browser).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&app.base_url)
    );
    assert_eq!(sessions_of(&app, "sandra@example.org"), sessions);

    press_escape(&browser).await;
    let went = left_the_app(&browser, &app).await;
    assert!(
        went.starts_with("https://www.google.nl/"),
        "to the neutral site: {went}"
    );
    assert_eq!(
        sessions_of(&app, "sandra@example.org"),
        sessions - 1,
        "logged out"
    );

    // Back brings no portal page, only the login page; typing the address too.
    c.back().await.unwrap();
    browser.wait_text("h1", |t| t == "Inloggen").await;
    c.goto(&app.url("/portaal")).await.unwrap();
    browser.wait_text("h1", |t| t == "Inloggen").await;
    browser.close().await;
}

#[actix_web::test]
async fn the_pages_these_changes_touch_pass_the_wcag_check_at_desktop_and_phone_width() {
    let world = a_world_with_every_page().await;
    let app = &world.app;
    // Some readings for the family's log to fold together.
    let karin = signed_in(app, "karin@wijkteam.example").await;
    for _ in 0..3 {
        karin.get(&format!("/gezinnen/{}", world.family)).await;
    }
    // A referral the chair asked more about: the inbox, the referrer's list and the form to answer.
    let referral =
        crate::common::meeting::refer(&karin, world.family, world.table, "Fase 2?").await;
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let asked = ingrid
        .submit(
            &format!("/aanmeldingen/{referral}"),
            &format!("/aanmeldingen/{referral}/antwoord"),
            &[
                ("answer", "more_info"),
                ("meeting_id", ""),
                ("note", "Is de school betrokken?"),
            ],
        )
        .await;
    assert_eq!(asked.status, reqwest::StatusCode::SEE_OTHER);
    let pages = [
        (
            "ingrid@vt.example",
            vec![
                "/".to_string(),
                format!("/aanmeldingen/{referral}"),
                format!("/bijeenkomsten/{}/sluiten", world.meeting),
            ],
        ),
        (
            "karin@wijkteam.example",
            vec!["/".to_string(), format!("/aanmeldingen/{referral}")],
        ),
        (
            "hanna@veiligheidshuis.example",
            vec!["/beheer/overlegsoorten".to_string()],
        ),
        (
            "ahmed@vt.example",
            vec![
                format!("/gezinnen/{}", world.family),
                format!("/bijeenkomsten/{}", world.meeting),
                format!("/bijeenkomsten/{}/punten/{}", world.meeting, world.item),
                format!(
                    "/downloaden?bestand=%2Fbijeenkomsten%2F{}%2Fbesluitenlijst.pdf",
                    world.meeting
                ),
                // The check of a reference: the form, an unknown one and a malformed one.
                "/controle".to_string(),
                "/controle?kenmerk=SAMENSPEL-1-0123456789ab".to_string(),
                "/controle?kenmerk=SAMENSPEL-1".to_string(),
            ],
        ),
        (
            "sandra@example.org",
            vec!["/portaal".to_string(), "/portaal/inzage".to_string()],
        ),
    ];
    let mut found = Vec::new();
    for phone in [false, true] {
        let started = if phone {
            Browser::start_phone(390).await
        } else {
            Browser::start().await
        };
        let Some(browser) = started else {
            return;
        };
        for (email, paths) in &pages {
            if email.ends_with("@example.org") {
                log_in_as_family(&browser, app, email).await;
            } else {
                log_in(&browser, app, email).await;
            }
            for path in paths {
                browser.client.goto(&app.url(path)).await.unwrap();
                browser.wait_text("h1", |t| !t.is_empty()).await;
                let width = if phone { "390 px" } else { "desktop" };
                found.extend(
                    wcag_violations(&browser)
                        .await
                        .into_iter()
                        .map(|v| format!("{path} ({width}): {v}")),
                );
            }
            log_out(&browser).await;
        }
        browser.close().await;
    }
    assert!(
        found.is_empty(),
        "WCAG 2.1 A/AA violations:\n{}",
        found.join("\n")
    );
}
