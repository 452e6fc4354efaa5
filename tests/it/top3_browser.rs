//! The "Top 3"-methodiek in headless Chromium at phone width (issue 22): three professionals and the
//! family each give their top 3; the director merges them with an explanatory analysis linked to the
//! safety plan's goals; the chair changes the order in the meeting; the agenda item and the
//! besluitenlijst (read back from the PDF) show the analysis; the earlier version is readable with what
//! changed. Every new page passes axe and fits the phone.

use fantoccini::Locator;
use reqwest::StatusCode;

use crate::browser::{Browser, log_in, log_in_as_family, wcag_violations};
use crate::common::meeting::{assert_taken, close_meeting, decide, on_meeting};
use crate::common::world::signed_in;
use crate::top3::{GOALS, a_jansen_item, sandra};

const PHONE: u32 = 375;

async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The text of the first element `css` finds.
async fn text_of(browser: &Browser, css: &str) -> String {
    let element = browser.client.find(Locator::Css(css)).await.unwrap();
    element.text().await.unwrap()
}

async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// axe finds nothing and the page fits the phone.
async fn check_page(browser: &Browser, what: &str, found: &mut Vec<String>) {
    for v in wcag_violations(browser).await {
        found.push(format!("{what}: {v}"));
    }
    found.extend(browser.reflow_problems(what).await);
}

/// Fills in one's own top 3 on the page shown and saves it; waits for `done` in the page.
async fn give(browser: &Browser, concerns: &[&str], strengths: &[&str], done: &str) {
    for (i, c) in concerns.iter().enumerate() {
        let id = if i == 0 {
            "#concern".to_string()
        } else {
            format!("#concern-{}", i + 1)
        };
        fill(browser, &id, c).await;
    }
    for (i, s) in strengths.iter().enumerate() {
        let id = if i == 0 {
            "#strength".to_string()
        } else {
            format!("#strength-{}", i + 1)
        };
        fill(browser, &id, s).await;
    }
    browser
        .click("form:has(#concern) button[type=submit]")
        .await;
    browser.wait_text("main", |t| t.contains(done)).await;
}

/// The text of the PDF at `path`, as the client downloads it, on one line.
async fn pdf_text(client: &crate::common::Client, path: &str) -> String {
    let res = client.http.get(client.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"%PDF-"), "{path}");
    let text = pdf_extract::extract_text_from_mem(&body).expect("the PDF reads back");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Another person logs in (the last one's session is gone).
async fn switch_to(browser: &Browser, app: &crate::common::TestApp, email: &str) {
    browser.client.delete_all_cookies().await.unwrap();
    if email.ends_with("@example.nl") {
        log_in_as_family(browser, app, email).await;
    } else {
        log_in(browser, app, email).await;
    }
}

#[actix_web::test]
async fn three_professionals_and_the_family_give_a_top_3_and_the_director_merges_them() {
    let Some(browser) = Browser::start_phone(PHONE).await else {
        return;
    };
    let (app, c, meeting, item) = a_jansen_item().await;
    let sandra_client = sandra(&app, &c).await;
    let top3 = app.url(&format!("/bijeenkomsten/{meeting}/punten/{item}/top3"));
    let mut found = Vec::new();

    // Karin (involved), Esther (invited for the item) and Ahmed (the director) give theirs.
    for (email, concerns, strengths) in [
        (
            "karin@wijkteam.example",
            [
                "Mila is vaak stil op school",
                "Sandra slaapt slecht",
                "Schulden",
            ],
            ["Oma Jansen helpt elke dag"],
        ),
        (
            "esther@ggz.example",
            ["Sandra heeft angstklachten", "Geen vaste dagstructuur", ""],
            ["Sandra wil hulp"],
        ),
        (
            "ahmed@vt.example",
            ["Geweld als Mark aan de deur komt", "Mila is bang", ""],
            ["De afspraken houden sinds acht weken"],
        ),
    ] {
        switch_to(&browser, &app, email).await;
        browser.client.goto(&top3).await.unwrap();
        browser
            .wait_text("h1", |t| t == "Top 3 van zorgen en krachten")
            .await;
        give(&browser, &concerns, &strengths, "Je top 3 is opgeslagen.").await;
    }
    check_page(&browser, "the top 3 page", &mut found).await;

    // Sandra gives hers in the portal, in plain words.
    switch_to(&browser, &app, "sandra@example.nl").await;
    browser
        .click(&format!("a[href='/portaal/punten/{item}/top3']"))
        .await;
    browser.wait_text("h1", |t| t == "Onze top 3").await;
    check_page(&browser, "the portal's top 3", &mut found).await;
    give(
        &browser,
        &["Ik ben bang als Mark komt", "Geldzorgen"],
        &["Mijn moeder helpt"],
        "Opgeslagen.",
    )
    .await;

    // Ahmed reads all four and merges them into one prioritised list with the analysis.
    switch_to(&browser, &app, "ahmed@vt.example").await;
    browser.client.goto(&top3).await.unwrap();
    let text = browser
        .wait_text("main", |t| t.contains("Ik ben bang als Mark komt"))
        .await;
    for given in [
        "Mila is vaak stil op school",
        "Sandra heeft angstklachten",
        "Mila is bang",
    ] {
        assert!(text.contains(given), "{given} in {text}");
    }
    fill(
        &browser,
        "#merged-concern-1",
        "Geweld als Mark aan de deur komt",
    )
    .await;
    choose(&browser, "#goal-1", GOALS[0]).await;
    fill(
        &browser,
        "#merged-concern-2",
        "Sandra heeft angstklachten en slaapt slecht",
    )
    .await;
    fill(&browser, "#merged-concern-3", "Schulden").await;
    fill(&browser, "#merged-strength-1", "Oma Jansen helpt elke dag").await;
    fill(
        &browser,
        "#explanation",
        "De spanning sinds de scheiding en de angst van Sandra verklaren de onveiligheid.",
    )
    .await;
    browser
        .click("form[action$='/analyse'] button[type=submit]")
        .await;
    browser
        .wait_text("main", |t| t.contains("opgeslagen als nieuwe versie"))
        .await;

    // In the meeting the chair puts the children's fear second, linked to the contact goal.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    assert_taken(&on_meeting(&ingrid, meeting, "starten").await);
    switch_to(&browser, &app, "ingrid@vt.example").await;
    browser.client.goto(&top3).await.unwrap();
    browser
        .wait_text("h1", |t| t == "Top 3 van zorgen en krachten")
        .await;
    fill(
        &browser,
        "#merged-concern-2",
        "Mila en Daan zijn bang voor hun vader",
    )
    .await;
    choose(&browser, "#goal-2", GOALS[1]).await;
    browser
        .click("form[action$='/analyse'] button[type=submit]")
        .await;
    browser
        .wait_text("main", |t| t.contains("opgeslagen als nieuwe versie"))
        .await;

    // The agenda item shows the analysis.
    browser
        .client
        .goto(&app.url(&format!("/bijeenkomsten/{meeting}/punten/{item}")))
        .await
        .unwrap();
    let text = browser
        .wait_text("main", |t| t.contains("Verklarende analyse"))
        .await;
    assert!(
        text.contains("Mila en Daan zijn bang voor hun vader"),
        "{text}"
    );
    assert!(text.contains("De spanning sinds de scheiding"), "{text}");
    assert!(text.contains(GOALS[1]), "the linked goal: {text}");

    // Version 1 stays readable, with what changed in version 2 beside it.
    browser
        .client
        .goto(&format!("{top3}/versies/1"))
        .await
        .unwrap();
    let v1 = browser.wait_text("main", |t| t.contains("versie 1")).await;
    assert!(
        v1.contains("Sandra heeft angstklachten en slaapt slecht"),
        "{v1}"
    );
    assert!(v1.contains("dit is niet de huidige versie"), "{v1}");
    check_page(&browser, "version 1", &mut found).await;
    browser
        .client
        .goto(&format!("{top3}/versies/2"))
        .await
        .unwrap();
    let v2 = browser.wait_text("main", |t| t.contains("versie 2")).await;
    let removed = text_of(&browser, ".ss-diff__removed").await;
    assert!(
        removed.contains("2. Sandra heeft angstklachten en slaapt slecht"),
        "{removed}"
    );
    let added = text_of(&browser, ".ss-diff__added").await;
    assert!(
        added.contains("2. Mila en Daan zijn bang voor hun vader → "),
        "{added} / {v2}"
    );
    check_page(&browser, "version 2", &mut found).await;
    browser.close().await;

    // The meeting decides and closes; the besluitenlijst carries the analysis.
    assert_taken(&decide(&ingrid, meeting, item, "Fase 1: directe veiligheid", "").await);
    close_meeting(&ingrid, meeting).await;
    let list = format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf");
    let flat = pdf_text(&ingrid, &list).await;
    for expected in [
        "Gezamenlijke top 3 en verklarende analyse (versie 2)",
        "1. Geweld als Mark aan de deur komt → Mark komt niet aan huis",
        "2. Mila en Daan zijn bang voor hun vader",
        "Verklarende analyse: De spanning sinds de scheiding",
    ] {
        assert!(flat.contains(expected), "{expected} in the PDF:\n{flat}");
    }
    // The pseudonymised version carries it too, without the family's names.
    let flat = pdf_text(&ingrid, &format!("{list}?versie=gepseudonimiseerd")).await;
    assert!(
        flat.contains("de angst van S. verklaren de onveiligheid"),
        "{flat}"
    );
    assert!(
        !flat.contains("Sandra") && !flat.contains("Jansen"),
        "{flat}"
    );

    // After the meeting the family reads the analysis with the decision in the portal.
    let home = sandra_client.get("/portaal").await.visible_text();
    assert!(
        home.contains("Wat de tafel samen heeft opgeschreven"),
        "{home}"
    );
    assert!(home.contains("De spanning sinds de scheiding"), "{home}");
    assert!(found.is_empty(), "{}", found.join("\n"));
}
