//! Browser tests: a real headless Chromium, driven through chromedriver, against the app of the test.
//!
//! Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them). Without them these tests say
//! so and pass, unless SAMENSPEL_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails the test.
//! Screenshots go to test-artifacts/browser/ (or $SAMENSPEL_TEST_ARTIFACTS).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use samenspel::domain::user::Role;

use crate::common::meeting::run_meeting;
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{PASSWORD, TestApp};

mod minutes;

pub struct Browser {
    pub client: fantoccini::Client,
    /// The emulated phone's width in CSS px, if this browser is a phone.
    phone_width: Option<u32>,
    driver: Child,
    _profile: tempfile::TempDir,
}

fn find_program(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium; None (with a note) when they are not installed.
    pub async fn start() -> Option<Browser> {
        Self::launch(None).await
    }

    /// A browser that shows pages as a phone `width` CSS px wide does (chromedriver's device
    /// emulation: a mobile viewport of that width at device pixel ratio 1, with touch).
    pub async fn start_phone(width: u32) -> Option<Browser> {
        Self::launch(Some(width)).await
    }

    async fn launch(phone_width: Option<u32>) -> Option<Browser> {
        let driver_path = std::env::var("CHROMEDRIVER")
            .ok()
            .map(PathBuf::from)
            .or_else(|| find_program(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]));
        let chromium = std::env::var("CHROMIUM")
            .ok()
            .map(PathBuf::from)
            .or_else(|| find_program(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]));
        let (Some(driver_path), Some(chromium)) = (driver_path, chromium) else {
            let required = std::env::var("SAMENSPEL_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "SAMENSPEL_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed"
            );
            eprintln!(
                "browser test not run: install chromium and chromium-driver (apt-get) to run it"
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(driver_path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        let mut options = serde_json::json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--lang=nl-NL", "--accept-lang=nl-NL,nl"
                ]
        });
        if let Some(width) = phone_width {
            options["mobileEmulation"] = serde_json::json!({
                "deviceMetrics": { "width": width, "height": 800, "pixelRatio": 1.0, "mobile": true, "touch": true }
            });
        }
        caps.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        let client = loop {
            let mut builder =
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
            builder.capabilities(caps.clone());
            match builder.connect(&url).await {
                Ok(c) => break c,
                Err(e) if started.elapsed() < Duration::from_secs(20) => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("chromedriver did not start a browser: {e}"),
            }
        };
        Some(Browser {
            client,
            phone_width,
            driver,
            _profile: profile,
        })
    }

    /// Saves a screenshot as a test artefact and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = std::env::var("SAMENSPEL_TEST_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts"))
            .join("browser");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        let png = self.client.screenshot().await.expect("screenshot");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Waits until the first element matching `css` has text that satisfies `want` (a page may still be
    /// loading, or replaced under our feet) and returns that text; panics with the last text after 10 s.
    pub async fn wait_text(&self, css: &str, want: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        let mut last = String::from("(no element)");
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if want(&text) {
                    return text;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}: still '{last}' after 10 s");
    }

    /// Waits until the page's path starts with `prefix` (a form's answer may still be on its way while
    /// the old page is shown) and returns the path; panics with the last path after 10 s.
    pub async fn wait_path(&self, prefix: &str) -> String {
        let started = Instant::now();
        let mut last = String::new();
        while started.elapsed() < Duration::from_secs(10) {
            if let Ok(url) = self.client.current_url().await {
                last = url.path().to_string();
                if last.starts_with(prefix) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("still at '{last}' after 10 s, not at {prefix}…");
    }

    /// What keeps the page shown from reflowing (WCAG 1.4.10), each line naming `page` and the element:
    /// a visible element or text that passes an edge of the viewport (of the phone's screen, for a
    /// phone) outside a focusable, labelled scroll region, content cut off by a clipping box that is not
    /// visually hidden, `html`/`body` hiding horizontal overflow, or a phone that zoomed out to fit the
    /// page. Waits for the web fonts and opens every `<details>` first.
    pub async fn reflow_problems(&self, page: &str) -> Vec<String> {
        let result = self
            .client
            .execute_async(REFLOW_CHECK, vec![self.phone_width.into()])
            .await
            .expect("the reflow check runs");
        let problems: Vec<String> =
            serde_json::from_value(result["problems"].clone()).expect("a list of problems");
        problems
            .into_iter()
            .map(|p| format!("{page} at {} px: {p}", result["width"]))
            .collect()
    }

    /// Panics, naming the elements, when the page shown does not reflow (see `reflow_problems`).
    pub async fn assert_reflows(&self, page: &str) {
        let problems = self.reflow_problems(page).await;
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// Clicks the first element matching `css`.
    pub async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await;
        element
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// The width of the layout viewport in CSS px, as the page sees it.
    pub async fn inner_width(&self) -> u64 {
        self.client
            .execute("return window.innerWidth", vec![])
            .await
            .unwrap()
            .as_u64()
            .expect("a width")
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// The reflow check run in the page (see `Browser::assert_reflows`). An element is reported where the
/// overflow starts: it passes the right edge while its parent does not, and no ancestor between it and the
/// body scrolls or clips horizontally. A scroll region holding wider content must be focusable (tabindex)
/// and labelled (aria-label or aria-labelledby), so a keyboard user can reach and name it.
const REFLOW_CHECK: &str = r##"
const done = arguments[arguments.length - 1];
const wanted = arguments[0];
document.fonts.ready.then(() => {
  // What a closed <details> holds is measured too: a reader opens it.
  for (const d of document.querySelectorAll("details")) d.open = true;
  // A phone zooms out to fit a page that is too wide: measure against the screen's width, not the
  // widened viewport, and say so. In a desktop window, the width without a scroll bar.
  const width = wanted || document.documentElement.clientWidth;
  const problems = [];
  if (wanted && window.innerWidth !== width) {
    problems.push("the viewport is " + window.innerWidth + " px wide instead of " + width + " px: the phone zoomed out to fit wide content");
  }
  const name = el => {
    let n = el.tagName.toLowerCase();
    if (el.id) n += "#" + el.id;
    for (const c of el.classList) n += "." + c;
    const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return text ? n + ' ("' + text + '")' : n;
  };
  for (const el of [document.documentElement, document.body]) {
    const x = getComputedStyle(el).overflowX;
    if (x === "hidden" || x === "clip") {
      problems.push(el.tagName.toLowerCase() + " hides horizontal overflow (overflow-x: " + x + ")");
    }
  }
  // Past the right edge, or before the left one (where no scrolling reaches).
  const outside = r => r.right > width + 0.5 || r.left < -0.5;
  const where = r => r.left < -0.5 ? "starts at " + Math.round(r.left) + " px" : "reaches " + Math.round(r.right) + " px";
  const labelled = el => {
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const ids = (el.getAttribute("aria-labelledby") || "").split(/\s+/).filter(Boolean);
    return ids.some(id => (document.getElementById(id)?.textContent || "").trim());
  };
  // A box that only exists for screen readers (1 px, or clipped away).
  const visuallyHidden = el => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width <= 1 || r.height <= 1 || (style.clip && style.clip !== "auto") || style.clipPath === "inset(50%)";
  };
  // Overflow held by `from` or its nearest ancestor that does not let it show (an element's parent, a
  // text's own element): fine inside a focusable, labelled scroll region and inside a visually hidden
  // box; cut off by any other clipping box, and a problem where nothing holds it.
  const report = (from, what, r) => {
    let holder = null;
    for (let a = from; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") { holder = a; break; }
    }
    if (!holder) {
      problems.push(what + " " + where(r));
      return;
    }
    const x = getComputedStyle(holder).overflowX;
    if (x === "auto" || x === "scroll") {
      if (!(holder.tabIndex >= 0 && labelled(holder))) {
        problems.push(what + " " + where(r) + " inside a scroll region that is not focusable and labelled: " + name(holder));
      }
    } else if (!visuallyHidden(holder) && outside(holder.getBoundingClientRect()) === false) {
      problems.push(what + " " + where(r) + " and is cut off by " + name(holder) + " (overflow-x: " + x + ")");
    }
  };
  const visible = el => {
    const style = getComputedStyle(el);
    return style.display !== "none" && style.visibility !== "hidden";
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0 || !outside(rect)) continue;
    // Report where the overflow starts, not every descendant of a wide element.
    const parent = el.parentElement;
    if (parent && parent !== document.body && visible(parent) && outside(parent.getBoundingClientRect())) continue;
    report(parent, name(el), rect);
  }
  // A long word or address runs out of its box without widening the box itself.
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let t = texts.nextNode(); t; t = texts.nextNode()) {
    const parent = t.parentElement;
    if (!t.textContent.trim() || !parent || !visible(parent) || outside(parent.getBoundingClientRect())) continue;
    range.selectNodeContents(t);
    const r = range.getBoundingClientRect();
    if (r.width > 0 && outside(r)) {
      report(parent, "the text of " + name(parent), r);
    }
  }
  const page = document.documentElement.scrollWidth;
  if (problems.length === 0 && page > width) {
    problems.push("the page is " + page + " px wide, no single element found");
  }
  done({ width: width, problems: [...new Set(problems)].slice(0, 12) });
});
"##;

#[actix_web::test]
async fn a_professional_logs_in_through_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.user(
        "ingrid.smit@veiligthuis.example",
        "Ingrid Smit",
        Role::Professional,
        Some("Veilig Thuis Zuid-Holland Zuid"),
    );
    let c = &browser.client;

    c.goto(&app.url("/")).await.unwrap();
    browser.wait_text("h1", |t| t == "Inloggen").await;

    // Submitting the empty form keeps the user on the page with messages, moving focus to them.
    c.find(Locator::Css(
        "button[type=submit].utrecht-button--primary-action",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    browser
        .wait_text(".ss-error-summary", |t| {
            t.contains("Vul je e-mailadres in.")
        })
        .await;
    let focused = c
        .execute(
            "return document.activeElement.classList.contains('ss-error-summary')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        focused,
        serde_json::json!(true),
        "focus moves to the error summary"
    );

    c.find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys("ingrid.smit@veiligthuis.example")
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap(); // Enter
    browser.wait_text("h1", |t| t == "Mijn overzicht").await;
    browser
        .wait_text("header", |t| t.contains("Ingrid Smit"))
        .await;
    let path = browser.screenshot("login-start-page").await;
    assert!(
        std::fs::metadata(&path).unwrap().len() > 5_000,
        "a real picture of the page"
    );

    // The same page in a narrow window: nothing overflows sideways.
    c.set_window_size(390, 844).await.unwrap();
    browser.assert_reflows("/ (narrow window)").await;
    browser.screenshot("login-start-page-phone").await;
    browser.close().await;
}

/// Two people in one running meeting (Ingrid the chair, Karin involved with the families), each in their
/// own browser on `path` with the live connection up; also Jansen's agenda item id. None without a browser.
async fn two_in_a_meeting(
    path: impl Fn(i64, i64) -> String,
) -> Option<(TestApp, Browser, Browser, i64)> {
    two_in_a_meeting_as(
        ["ingrid@vt.example", "karin@wijkteam.example"],
        |_, _| {},
        path,
    )
    .await
}

/// Like `two_in_a_meeting`, with the chair and `other` of `emails`, and the world changed by `prepare`
/// before they log in.
async fn two_in_a_meeting_as(
    [chair_email, other_email]: [&str; 2],
    prepare: impl FnOnce(&TestApp, &Cast),
    path: impl Fn(i64, i64) -> String,
) -> Option<(TestApp, Browser, Browser, i64)> {
    let chair = Browser::start().await?;
    let other = Browser::start().await?;
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    prepare(&app, &c);
    let page = app.url(&path(meeting, jansen_item));
    for (browser, email) in [(&chair, chair_email), (&other, other_email)] {
        log_in(browser, &app, email).await;
        browser.client.goto(&page).await.unwrap();
        browser
            .wait_text("#live-state", |t| t.starts_with("Verbonden"))
            .await;
    }
    Some((app, chair, other, jansen_item))
}

/// Logs in through the form, as a person would; a professional lands on "Mijn overzicht".
pub(crate) async fn log_in(browser: &Browser, app: &TestApp, email: &str) {
    log_in_landing(browser, app, email, |h1| h1 == "Mijn overzicht").await;
}

/// Logs in through the form and waits for the page the account lands on.
pub(crate) async fn log_in_landing(
    browser: &Browser,
    app: &TestApp,
    email: &str,
    landed: impl Fn(&str) -> bool,
) {
    browser.client.goto(&app.url("/inloggen")).await.unwrap();
    type_login(browser, email).await;
    browser.wait_text("h1", landed).await;
}

/// Fills in the login form shown with `email` and the test password, and presses Enter.
pub(crate) async fn type_login(browser: &Browser, email: &str) {
    let c = &browser.client;
    c.find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("#password"))
        .await
        .unwrap()
        .send_keys("\u{E007}")
        .await
        .unwrap();
}

#[actix_web::test]
async fn a_director_edits_the_plan_in_the_browser_and_sees_it_on_the_family_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let ahmed = app.user(
        "ahmed@vt.example",
        "Ahmed Benali",
        Role::Professional,
        Some("Veilig Thuis"),
    );
    let family_id = {
        let mut conn = app.conn();
        let who = samenspel::record::who(&mut conn, ahmed.id).unwrap();
        let details = samenspel::domain::family::FamilyDetails {
            display_name: "Gezin Jansen".into(),
            municipality: "Dordrecht".into(),
            urgency: samenspel::domain::family::Urgency::Urgent,
            legal_basis: samenspel::domain::family::LegalBasis::ReportingCode,
            family_informed: true,
            not_informed_reason: None,
        };
        let today = samenspel::time::local(samenspel::domain::now()).date_naive();
        samenspel::db::write(&mut conn, |conn| {
            samenspel::record::start_family(conn, &who, 1, &details, "Casusregisseur", today)
        })
        .unwrap()
        .id
    };
    log_in(&browser, &app, "ahmed@vt.example").await;
    let c = &browser.client;
    // The family is on the start page; follow it.
    c.find(Locator::LinkText("Gezin Jansen"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_text("h1", |t| t == "Gezin Jansen").await;
    c.find(Locator::LinkText("Plan bewerken"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_text("h1", |t| t == "Plan bewerken").await;
    c.find(Locator::Css("#safety__agreements"))
        .await
        .unwrap()
        .send_keys("Mark komt niet aan huis.\nOma Jansen let op.")
        .await
        .unwrap();
    c.find(Locator::Css("form[action$='/plan'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let plan = browser
        .wait_text(".ss-plan-parts", |t| t.contains("Oma Jansen let op."))
        .await;
    assert!(plan.contains("Mark komt niet aan huis."), "{plan}");
    browser
        .wait_text("ol.ss-timeline", |t| {
            t.contains("Plan opgeslagen als versie 1.")
        })
        .await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .path()
            .ends_with(&format!("/gezinnen/{family_id}"))
    );
    browser.screenshot("family-page-after-plan-edit").await;
    browser.close().await;
}

#[actix_web::test]
async fn the_chair_moves_on_and_a_professional_sees_it_without_reloading() {
    let Some((_app, chair, professional, _)) =
        two_in_a_meeting(|meeting, _| format!("/bijeenkomsten/{meeting}")).await
    else {
        return;
    };
    // A mark on the professional's page: it survives only if the page is not reloaded.
    professional
        .client
        .execute("window.notReloaded = true; return true", vec![])
        .await
        .unwrap();

    // The chair turns the shortcuts on (off by default: WCAG 2.1.4) and presses N (next item).
    chair
        .client
        .find(Locator::Css("#shortcuts"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    chair
        .client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("n")
        .await
        .unwrap();
    chair
        .wait_text(".ss-agenda__item--current", |t| {
            t.contains("Openstaande acties")
        })
        .await;
    professional
        .wait_text(".ss-agenda__item--current", |t| {
            t.contains("Openstaande acties")
        })
        .await;
    professional
        .wait_text("#live-status", |t| t.contains("Nu aan de orde"))
        .await;
    // The time box counts down on its own.
    professional
        .wait_text(".ss-countdown", |t| {
            t.starts_with("nog 9:") || t.starts_with("nog 10:")
        })
        .await;
    let still = professional
        .client
        .execute("return window.notReloaded === true", vec![])
        .await
        .unwrap();
    assert_eq!(
        still,
        serde_json::json!(true),
        "updated in place, not reloaded"
    );

    // And once more: the next item is Jansen.
    chair
        .client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("n")
        .await
        .unwrap();
    professional
        .wait_text(".ss-agenda__item--current", |t| t.contains("Gezin Jansen"))
        .await;
    chair.screenshot("live-chair").await;
    professional.screenshot("live-professional").await;
    chair.close().await;
    professional.close().await;
}

#[actix_web::test]
async fn a_meeting_page_whose_session_ends_elsewhere_says_so_and_stops() {
    let Some((app, chair, karin, _)) =
        two_in_a_meeting(|meeting, _| format!("/bijeenkomsten/{meeting}")).await
    else {
        return;
    };
    // Karin's session is ended from another window (as logging out in another tab does).
    let token = karin
        .client
        .get_named_cookie("samenspel_session")
        .await
        .unwrap()
        .value()
        .to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let cookie = format!("samenspel_session={token}");
    let home = http
        .get(app.url("/"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = scraper::Html::parse_document(&home)
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .unwrap();
    let out = http
        .post(app.url("/uitloggen"))
        .header("Cookie", &cookie)
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), reqwest::StatusCode::SEE_OTHER);

    // Her page says so at once, offers to log in again and does not keep reconnecting.
    karin
        .wait_text("#live-state", |t| {
            t.contains("Je bent uitgelogd of je sessie is verlopen")
        })
        .await;
    let link = karin
        .client
        .find(Locator::Css("#live-state a"))
        .await
        .unwrap();
    assert_eq!(link.text().await.unwrap(), "Opnieuw inloggen");
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    assert!(
        href.starts_with("/inloggen?next=%2Fbijeenkomsten%2F"),
        "{href}"
    );
    // The chair's page stays connected.
    chair
        .wait_text("#live-state", |t| t.starts_with("Verbonden"))
        .await;
    karin.screenshot("live-session-ended").await;
    chair.close().await;
    karin.close().await;
}

#[actix_web::test]
async fn minutes_typed_by_the_minute_taker_appear_for_the_others_while_typing() {
    let Some((_app, taker, reader, jansen_item)) =
        two_in_a_meeting(|meeting, item| format!("/bijeenkomsten/{meeting}/punten/{item}")).await
    else {
        return;
    };
    let area = taker.client.find(Locator::Css("#minutes")).await.unwrap();
    area.send_keys(" Afspraak: oma Jansen belt elke avond.")
        .await
        .unwrap();
    // Karin reads along without reloading; the minute-taker's own text stays as typed.
    reader
        .wait_text(&format!("#minutes-text-{jansen_item}"), |t| {
            t.contains("oma Jansen belt elke avond")
        })
        .await;
    area.send_keys(" En Sandra belt Ahmed bij zorgen.")
        .await
        .unwrap();
    reader
        .wait_text(&format!("#minutes-text-{jansen_item}"), |t| {
            t.contains("Sandra belt Ahmed bij zorgen")
        })
        .await;
    let typed = taker
        .client
        .execute("return document.getElementById('minutes').value", vec![])
        .await
        .unwrap();
    let typed = typed.as_str().unwrap_or_default().to_string();
    assert!(
        typed.ends_with("oma Jansen belt elke avond. En Sandra belt Ahmed bij zorgen."),
        "{typed}"
    );
    reader.screenshot("live-minutes-reader").await;
    taker.close().await;
    reader.close().await;
}

#[actix_web::test]
async fn a_director_records_the_phase_and_a_score_on_a_phone() {
    let Some(browser) = Browser::start_phone(390).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let cast = Cast::with_jansens_past(&app);
    log_in(&browser, &app, "ahmed@vt.example").await;
    let c = &browser.client;
    assert_eq!(browser.inner_width().await, 390, "a phone's viewport");
    // The phase page: start in phase 1. The form asks for confirmation first.
    c.goto(&app.url(&format!("/gezinnen/{}/fase", cast.jansen)))
        .await
        .unwrap();
    browser.wait_text("h1", |t| t == "Veiligheidsfase").await;
    c.find(Locator::Css("#rationale-1"))
        .await
        .unwrap()
        .send_keys("Drie politiemeldingen in zes maanden.")
        .await
        .unwrap();
    c.find(Locator::Css(
        "section[aria-labelledby=naar-1] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let asked = c.get_alert_text().await.unwrap();
    assert!(asked.contains("Weet je zeker"), "{asked}");
    c.accept_alert().await.unwrap();
    browser
        .wait_text("section[aria-labelledby=veiligheid] .ss-lead", |t| {
            t.contains("Fase 1: directe veiligheid")
        })
        .await;

    // A score given by the mother, chosen with the large buttons of the scale.
    c.goto(&app.url(&format!("/gezinnen/{}/veiligheidsschaal", cast.jansen)))
        .await
        .unwrap();
    browser.wait_text("h1", |t| t == "Veiligheidsschaal").await;
    let button = c.find(Locator::Css("label[for=score-7]")).await.unwrap();
    let size = button.rectangle().await.unwrap();
    assert!(size.2 >= 44.0 && size.3 >= 44.0, "touch target {size:?}");
    button.click().await.unwrap();
    c.find(Locator::Css("label[for=source-family]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#given_by"))
        .await
        .unwrap()
        .send_keys("Sandra Jansen")
        .await
        .unwrap();
    browser.assert_reflows("the scale page").await;
    c.find(Locator::Css(
        "form[action$='/veiligheidsschaal'] button[type=submit]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    browser
        .wait_text("svg.ss-chart desc", |t| t.contains("1 scores"))
        .await;

    c.goto(&app.url(&format!("/gezinnen/{}#veiligheid", cast.jansen)))
        .await
        .unwrap();
    browser
        .wait_text("section[aria-labelledby=veiligheid]", |t| {
            t.contains("Laatste scores: 7 (Sandra Jansen")
        })
        .await;
    browser.assert_reflows("the family page").await;
    browser.screenshot("family-safety-phone").await;

    // The safety plan form fits a phone too.
    c.goto(&app.url(&format!(
        "/gezinnen/{}/plannen/veiligheidsplan/bewerken",
        cast.jansen
    )))
    .await
    .unwrap();
    browser
        .wait_text("h1", |t| t.starts_with("Veiligheidsplan"))
        .await;
    browser.assert_reflows("the safety plan form").await;
    browser.screenshot("safety-plan-form-phone").await;
    browser.close().await;
}

/// axe-core, vendored (see tests/assets/axe-core/README).
const AXE: &str = include_str!("../assets/axe-core/axe.min.js");

/// The WCAG 2.1 A and AA violations axe-core finds on the page the browser shows: "rule: targets".
pub(crate) async fn wcag_violations(browser: &Browser) -> Vec<String> {
    let c = &browser.client;
    c.execute(AXE, vec![]).await.expect("axe-core loads");
    let result = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })
                 .then(r => done(r.violations.map(v => v.id + " (" + v.impact + "): " +
                     v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(" | "))))
                 .catch(e => done(["axe failed: " + e]));"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    serde_json::from_value(result).expect("a list of violations")
}

/// A family with a running meeting, a safety plan, a score and a portal account for the mother, and an
/// organisation admin with an API key and a webhook: enough to give every page content.
pub(crate) struct World {
    pub app: TestApp,
    pub family: i64,
    pub table: i64,
    pub meeting: i64,
    pub item: i64,
}

pub(crate) async fn a_world_with_every_page() -> World {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(
        &app,
        &c,
        "Sandra Jansen",
        samenspel::domain::family::PersonRole::Parent,
        34,
    );
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;
    // Some content on every page: a safety plan and a score.
    let path = format!("/gezinnen/{}/plannen/veiligheidsplan", c.jansen);
    ahmed
        .submit(
            &format!("{path}/bewerken"),
            &path,
            &[
                ("base_version", "0"),
                ("danger", "Zorgen"),
                ("row0_who", "Oma"),
                ("row0_what", "Let op"),
            ],
        )
        .await;
    let scale = format!("/gezinnen/{}/veiligheidsschaal", c.jansen);
    ahmed
        .submit(
            &scale,
            &scale,
            &[
                ("score", "5"),
                ("scored_on", &today().to_string()),
                ("source", "professional"),
                ("given_by", ""),
                ("explanation", ""),
            ],
        )
        .await;

    // An organisation admin with an API key and a webhook (to an address that will not answer, so the
    // delivery log has attempts to show).
    app.user(
        "petra@vt.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some("Veilig Thuis Zuid-Holland Zuid"),
    );
    let petra = signed_in(&app, "petra@vt.example").await;
    petra
        .submit(
            "/beheer/api-sleutels",
            "/beheer/api-sleutels",
            &[("name", "Koppeling")],
        )
        .await;
    app.user(
        "beheer@samenspel.example",
        "Functioneel beheer",
        Role::SystemAdmin,
        None,
    );
    // The partnership's coordinator, who sets up its tables and kinds.
    let hanna = app.user(
        "hanna@veiligheidshuis.example",
        "Hanna Kuiper",
        Role::Professional,
        Some("Veiligheidshuis Zuid-Holland Zuid"),
    );
    samenspel::domain::partnership::add_coordinator(
        &mut app.conn(),
        crate::common::DEFAULT_PARTNERSHIP,
        hanna.id,
    )
    .unwrap();
    let made = petra
        .submit(
            "/beheer/webhooks",
            "/beheer/webhooks",
            &[
                ("url", "https://koppeling.partner.example/samenspel"),
                ("types", ""),
            ],
        )
        .await;
    assert_eq!(made.status, reqwest::StatusCode::OK);
    World {
        app,
        family: c.jansen,
        table: c.table,
        meeting,
        item: jansen_item,
    }
}

/// The pages of the world, by the account that sees them: (account, [(name, path)]). The director's
/// pages, the item as the chair sees it (the decision form with the phase step and the safety
/// agreement), the organisation admin's, the coordinator's and the system admin's pages, and the
/// mother's portal.
fn pages_of(w: &World) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let family = |rest: &str| format!("/gezinnen/{}{rest}", w.family);
    let item = format!("/bijeenkomsten/{}/punten/{}", w.meeting, w.item);
    vec![
        (
            "ahmed@vt.example",
            vec![
                ("start", "/".to_string()),
                ("families", "/gezinnen".to_string()),
                ("family", family("")),
                ("plan-edit", family("/plan/bewerken")),
                ("safety-plan", family("/plannen/veiligheidsplan")),
                (
                    "safety-plan-edit",
                    family("/plannen/veiligheidsplan/bewerken"),
                ),
                ("phase", family("/fase")),
                ("scale", family("/veiligheidsschaal")),
                ("access-log", family("/inzagelog")),
                ("meeting", format!("/bijeenkomsten/{}", w.meeting)),
                ("item-director", item.clone()),
                ("top3-director", format!("{item}/top3")),
                ("portal-manage", family("/portaal")),
                ("member-form", family("/gezinsleden/nieuw")),
                ("referral-tables", family("/aanmelden")),
            ],
        ),
        (
            "ingrid@vt.example",
            vec![
                ("item-invite", format!("{item}/uitnodigen")),
                ("item-chair", item),
                ("tables", "/overleggen".to_string()),
                (
                    "download",
                    format!(
                        "/downloaden?bestand=%2Fbijeenkomsten%2F{}%2Fbesluitenlijst.pdf",
                        w.meeting
                    ),
                ),
                ("table", format!("/overleggen/{}", w.table)),
            ],
        ),
        (
            "petra@vt.example",
            vec![
                ("api-keys", "/beheer/api-sleutels".to_string()),
                ("webhooks", "/beheer/webhooks".to_string()),
                ("webhook-log", "/beheer/webhooks/1".to_string()),
                ("users", "/beheer/gebruikers".to_string()),
                ("invite", "/beheer/gebruikers/uitnodigen".to_string()),
            ],
        ),
        (
            "hanna@veiligheidshuis.example",
            vec![
                ("table-kinds", "/beheer/overlegsoorten".to_string()),
                (
                    "partnership-keys",
                    "/beheer/samenwerkingsverbanden/1/api-sleutels".to_string(),
                ),
                ("table-new", "/overleggen/nieuw".to_string()),
                ("table-coordinator", format!("/overleggen/{}", w.table)),
            ],
        ),
        (
            "beheer@samenspel.example",
            vec![
                ("organisations", "/beheer/organisaties".to_string()),
                ("partnerships", "/beheer/samenwerkingsverbanden".to_string()),
                (
                    "partnership",
                    format!(
                        "/beheer/samenwerkingsverbanden/{}",
                        crate::common::DEFAULT_PARTNERSHIP
                    ),
                ),
            ],
        ),
        (
            "sandra@example.org",
            vec![
                ("portal", "/portaal".to_string()),
                ("portal-access-log", "/portaal/inzage".to_string()),
                ("portal-view", format!("/portaal/punten/{}/inbreng", w.item)),
                ("portal-top3", format!("/portaal/punten/{}/top3", w.item)),
            ],
        ),
    ]
}

/// Logs in as `email` (a family member lands on the portal), from a logged-out browser.
async fn log_in_as(browser: &Browser, app: &TestApp, email: &str) {
    if email.ends_with("@example.org") {
        log_in_as_family(browser, app, email).await;
    } else {
        log_in(browser, app, email).await;
    }
}

pub(crate) async fn log_out(browser: &Browser) {
    browser
        .client
        .find(Locator::Css("form[action='/uitloggen'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.wait_text("h1", |t| t == "Inloggen").await;
}

#[actix_web::test]
async fn the_portal_and_the_main_professional_pages_pass_an_automated_wcag_check() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let world = a_world_with_every_page().await;
    let app = &world.app;
    let mut found = Vec::new();
    for (email, pages) in pages_of(&world) {
        log_in_as(&browser, app, email).await;
        for (name, page) in pages {
            browser.client.goto(&app.url(&page)).await.unwrap();
            browser.wait_text("h1", |t| !t.is_empty()).await;
            for v in wcag_violations(&browser).await {
                found.push(format!("{page} ({email}): {v}"));
            }
            browser.screenshot(&format!("wcag-{name}")).await;
            if name == "item-chair" {
                browser
                    .client
                    .execute(
                        "document.getElementById('phase_to').scrollIntoView()",
                        vec![],
                    )
                    .await
                    .expect("the chair's decision form has the phase step");
                browser.screenshot("wcag-item-chair-phase").await;
            }
        }
        log_out(&browser).await;
    }
    assert!(
        found.is_empty(),
        "WCAG 2.1 A/AA violations:\n{}",
        found.join("\n")
    );
    browser.close().await;
}

#[actix_web::test]
async fn every_page_the_browser_tests_visit_reflows_on_a_320_and_a_390_px_phone() {
    let world = a_world_with_every_page().await;
    let app = &world.app;
    let mut found = Vec::new();
    for width in [320, 390] {
        let Some(browser) = Browser::start_phone(width).await else {
            return;
        };
        browser.client.goto(&app.url("/inloggen")).await.unwrap();
        browser.wait_text("h1", |t| t == "Inloggen").await;
        assert_eq!(
            browser.inner_width().await,
            u64::from(width),
            "the emulated phone's viewport"
        );
        found.extend(browser.reflow_problems("/inloggen").await);
        for (email, pages) in pages_of(&world) {
            log_in_as(&browser, app, email).await;
            for (name, page) in pages {
                browser.client.goto(&app.url(&page)).await.unwrap();
                browser.wait_text("h1", |t| !t.is_empty()).await;
                let problems = browser.reflow_problems(&page).await;
                browser.screenshot(&format!("phone-{width}-{name}")).await;
                // The portal is used on phones most: the WCAG check runs there at phone width too.
                if width == 390 && email.ends_with("@example.org") {
                    for v in wcag_violations(&browser).await {
                        found.push(format!("{page} (390 px): {v}"));
                    }
                }
                found.extend(
                    problems
                        .into_iter()
                        .map(|p| format!("{width} px, {email}: {p}")),
                );
            }
            log_out(&browser).await;
        }
        browser.close().await;
    }
    assert!(
        found.is_empty(),
        "pages that do not fit a phone:\n{}",
        found.join("\n")
    );
}

/// Logs a family member in; they land on the portal.
pub(crate) async fn log_in_as_family(browser: &Browser, app: &TestApp, email: &str) {
    log_in_landing(browser, app, email, |h1| h1.starts_with("Hallo")).await;
}
