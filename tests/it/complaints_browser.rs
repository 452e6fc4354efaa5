//! Issue 21, must show 3, in headless Chromium at phone width: Sandra says "Ik ben het niet eens" with a
//! decision in the portal and reads the acknowledgement with its deadline; the complaint and its
//! deadline are on the start page of the table's chair and of the partnership's coordinator; the
//! coordinator answers; Sandra reads the answer in the portal. Also who is involved with Jansen. Every
//! new page passes axe and fits the phone.

use fantoccini::Locator;

use crate::browser::{Browser, log_in, log_in_as_family, log_out, wcag_violations};
use crate::common::DEFAULT_PARTNERSHIP;
use crate::common::world::today;
use crate::complaints::{HANNA, WORDS, a_table, story};

const PHONE: u32 = 375;

/// axe finds nothing and the page fits the phone.
async fn check_page(browser: &Browser, what: &str, found: &mut Vec<String>) {
    for v in wcag_violations(browser).await {
        found.push(format!("{what}: {v}"));
    }
    found.extend(browser.reflow_problems(what).await);
}

async fn type_in(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

#[actix_web::test]
async fn an_objection_goes_from_the_portal_to_the_chair_and_the_coordinator_and_back_with_the_answer()
 {
    let s = story().await;
    let Some(browser) = Browser::start_phone(PHONE).await else {
        return;
    };
    let app = &s.app;
    let mut problems = Vec::new();
    let due = (today() + chrono::Duration::weeks(6))
        .format("%d-%m-%Y")
        .to_string();

    // Sandra disagrees with the decision on Jansen, from the decision itself.
    log_in_as_family(&browser, app, "sandra@example.nl").await;
    browser
        .click(&format!(
            "a[href='/portaal/klachten?besluit={}#klacht']",
            s.jansen_decision
        ))
        .await;
    browser.wait_text("h1", |t| t == "Klacht of bezwaar").await;
    let chosen = browser
        .client
        .find(Locator::Css(&format!("#about-{}", s.jansen_decision)))
        .await
        .unwrap();
    assert_eq!(
        chosen.prop("checked").await.unwrap().as_deref(),
        Some("true")
    );
    check_page(&browser, "the portal's complaint page", &mut problems).await;
    // Sending it empty says what is missing, and keeps the choice.
    browser
        .click("form[action='/portaal/klachten'] button")
        .await;
    browser
        .wait_text("main", |t| t.contains("Schrijf wat je wilt zeggen."))
        .await;
    check_page(&browser, "the complaint page with an error", &mut problems).await;
    type_in(&browser, "#body", WORDS).await;
    browser
        .click("form[action='/portaal/klachten'] button")
        .await;
    let main = browser
        .wait_text("main", |t| {
            t.contains("We hebben je klacht of bezwaar ontvangen")
        })
        .await;
    assert!(main.contains(WORDS), "{main}");
    assert!(main.contains(&format!("uiterlijk op {due}")), "{main}");
    assert!(main.contains("Bezwaar tegen een besluit"), "{main}");

    // Who is involved with Jansen: the director's contact, the organisations, the table.
    browser
        .client
        .goto(&app.url("/portaal/betrokkenen"))
        .await
        .unwrap();
    let main = browser
        .wait_text("main", |t| t.contains("Jullie regisseur"))
        .await;
    for expected in [
        "Ahmed Benali van Veilig Thuis Zuid-Holland Zuid",
        "ahmed@vt.example",
        "Sociaal wijkteam Dordrecht: Gezinscoach",
        "MDA++ Zuid-Holland Zuid",
    ] {
        assert!(main.contains(expected), "{expected}: {main}");
    }
    assert!(
        !main.contains("Bakker") && !main.contains("Karin"),
        "{main}"
    );
    check_page(&browser, "who is involved", &mut problems).await;
    log_out(&browser).await;

    // The chair of the table has it on her start page, with its deadline.
    log_in(&browser, app, "ingrid@vt.example").await;
    let line = browser.wait_text("#klachten li", |_| true).await;
    assert!(line.contains("Gezin Jansen"), "{line}");
    assert!(
        line.contains(&format!("antwoord uiterlijk op {due}")),
        "{line}"
    );
    check_page(&browser, "the chair's start page", &mut problems).await;
    log_out(&browser).await;

    // So has the coordinator, who opens it (where she could send it on to another table) and answers.
    let ruud = app.id_of("ruud@politie.example");
    a_table(app, DEFAULT_PARTNERSHIP, "Actieoverleg Dordrecht", ruud);
    log_in(&browser, app, HANNA).await;
    let line = browser.wait_text("#klachten li", |_| true).await;
    assert!(
        line.contains("Gezin Jansen") && line.contains(&due),
        "{line}"
    );
    check_page(&browser, "the coordinator's start page", &mut problems).await;
    browser.click("#klachten li a").await;
    let main = browser.wait_text("main", |t| t.contains(WORDS)).await;
    assert!(main.contains("Sandra Jansen"), "{main}");
    assert!(main.contains("Doorsturen naar een ander overleg"), "{main}");
    check_page(&browser, "the complaint", &mut problems).await;
    type_in(
        &browser,
        "#answer",
        "We bespreken het contact op het volgende overleg opnieuw.",
    )
    .await;
    browser.click("form[action$='/antwoord'] button").await;
    browser
        .wait_text("main", |t| t.contains("Het antwoord is verstuurd"))
        .await;
    check_page(&browser, "the answered complaint", &mut problems).await;
    browser
        .client
        .goto(&app.url(&format!(
            "/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/klachten"
        )))
        .await
        .unwrap();
    let main = browser
        .wait_text("main", |t| t.contains("Gezin Jansen"))
        .await;
    assert!(main.contains("beantwoord"), "{main}");
    check_page(&browser, "the partnership's complaints", &mut problems).await;
    log_out(&browser).await;

    // Sandra reads the answer in the portal.
    log_in_as_family(&browser, app, "sandra@example.nl").await;
    browser
        .client
        .goto(&app.url("/portaal/klachten"))
        .await
        .unwrap();
    let main = browser.wait_text("main", |t| t.contains("Antwoord")).await;
    assert!(
        main.contains("We bespreken het contact op het volgende overleg opnieuw."),
        "{main}"
    );
    browser.close().await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
