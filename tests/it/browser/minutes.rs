//! Two writers typing the minutes of one item at the same moment, each in their own Chromium: whoever
//! saves second sees a notice with both texts, puts their text under the stored one, and nothing typed
//! is lost. The notice passes the WCAG check, also on a 390 px wide screen. And minutes typed while the
//! server cannot be reached stay in the field, said to be unsaved, until a later try saves them.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use fantoccini::Locator;
use samenspel::schema::agenda_items;

use super::{Browser, log_in, two_in_a_meeting_as, wcag_violations};
use crate::common::TestApp;
use crate::common::meeting::run_meeting;
use crate::common::world::Cast;

const INGRID_TYPES: &str = " Afspraak: oma Jansen belt elke avond.";
const RUUD_TYPES: &str = " Opa komt op zondag langs.";

/// The text of the conflict notice's announcement in this browser ("" when there is none).
async fn conflict_shown(browser: &Browser) -> String {
    browser
        .client
        .execute(
            "const n = document.querySelector('[data-minutes-why]'); return n ? n.textContent : ''",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn field_value(browser: &Browser) -> String {
    browser
        .client
        .execute("return document.getElementById('minutes').value", vec![])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until the minutes field in `browser` holds a text that satisfies `want`.
async fn wait_field(browser: &Browser, want: impl Fn(&str) -> bool) {
    let started = Instant::now();
    let mut last = field_value(browser).await;
    while !want(&last) {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the minutes field still holds '{last}' after 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        last = field_value(browser).await;
    }
}

/// Waits until one of the two browsers shows the conflict notice: (the one with it, the other).
async fn the_one_in_conflict<'a>(
    a: (&'a Browser, &'a str),
    b: (&'a Browser, &'a str),
) -> ((&'a Browser, &'a str), (&'a Browser, &'a str)) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(15) {
        if !conflict_shown(a.0).await.is_empty() {
            return (a, b);
        }
        if !conflict_shown(b.0).await.is_empty() {
            return (b, a);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("neither writer saw the conflict notice");
}

#[actix_web::test]
async fn minutes_typed_by_two_at_once_lose_nothing() {
    let Some((app, ingrid, ruud, item)) = two_in_a_meeting_as(
        ["ingrid@vt.example", "ruud@politie.example"],
        |app, c| c.give_ruud_a_minute_takers_seat(app),
        |meeting, item| format!("/bijeenkomsten/{meeting}/punten/{item}"),
    )
    .await
    else {
        return;
    };
    // Both type at the same moment into the same text.
    let (hers, his) = (
        ingrid.client.find(Locator::Css("#minutes")).await.unwrap(),
        ruud.client.find(Locator::Css("#minutes")).await.unwrap(),
    );
    let (typed_hers, typed_his) =
        futures_util::join!(hers.send_keys(INGRID_TYPES), his.send_keys(RUUD_TYPES));
    typed_hers.unwrap();
    typed_his.unwrap();

    // One save lands first; the other writer's save is not written but shows both texts.
    let ((second, second_typed), (first, first_typed)) =
        the_one_in_conflict((&ingrid, INGRID_TYPES), (&ruud, RUUD_TYPES)).await;
    let (first_name, second_name) = if std::ptr::eq(first, &ingrid) {
        ("Ingrid Smit", "Ruud Verbeek")
    } else {
        ("Ruud Verbeek", "Ingrid Smit")
    };
    let why = conflict_shown(second).await;
    assert!(
        why.contains("Iemand anders heeft de notulen ook aangepast"),
        "{why}"
    );
    assert!(why.contains(&format!("{first_name} heeft om")), "{why}");
    second
        .wait_text("[data-minutes-stored]", |t| t.contains(first_typed.trim()))
        .await;
    second
        .wait_text("[data-minutes-mine]", |t| t.contains(second_typed.trim()))
        .await;
    second
        .wait_text("[data-minutes-status]", |t| {
            t.contains("Je notulen zijn nog niet opgeslagen")
        })
        .await;
    // The second writer's text is still in their field, as typed.
    assert!(field_value(second).await.ends_with(second_typed));
    // Who saved shows above the field.
    second
        .wait_text(&format!("#minutes-by-{item}"), |t| t.contains(first_name))
        .await;

    // The notice passes the WCAG check, wide and at 390 px.
    let show = "document.querySelector('[data-minutes-conflict]').scrollIntoView()";
    let mut found = wcag_violations(second).await;
    second.client.execute(show, vec![]).await.unwrap();
    second.screenshot("minutes-conflict").await;
    second.client.set_window_size(390, 844).await.unwrap();
    assert_eq!(second.inner_width().await, 390);
    found.extend(wcag_violations(second).await);
    second
        .assert_reflows("the item page with the minutes conflict")
        .await;
    second.client.execute(show, vec![]).await.unwrap();
    second.screenshot("minutes-conflict-390").await;
    assert!(
        found.is_empty(),
        "WCAG 2.1 A/AA violations:\n{}",
        found.join("\n")
    );

    // "Mijn tekst onder de opgeslagen tekst zetten": both texts are kept.
    second
        .client
        .find(Locator::Css("button[name=resolve][value=append]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let both = |t: &str| t.contains(first_typed.trim()) && t.contains(second_typed.trim());
    wait_field(second, both).await;
    assert!(conflict_shown(second).await.is_empty());
    let stored: String = agenda_items::table
        .find(item)
        .select(agenda_items::minutes)
        .first(&mut *app.conn())
        .unwrap();
    assert!(both(&stored), "{stored}");
    assert!(stored.starts_with("Sandra was aanwezig"), "{stored}");

    // The first writer sees the other typing, and then the merged text in their own field.
    first
        .wait_text(&format!("#minutes-by-{item}"), |t| {
            t.contains(&format!("{second_name} typt de notulen"))
                || t.contains(&format!("Laatst opgeslagen door {second_name}"))
        })
        .await;
    wait_field(first, both).await;
    first.screenshot("minutes-merged").await;
    ingrid.close().await;
    ruud.close().await;
}

#[actix_web::test]
async fn minutes_typed_while_the_server_is_away_stay_and_are_saved_when_it_is_back() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let mut app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, item, _) = run_meeting(&app, &c, false).await;
    log_in(&browser, &app, "ingrid@vt.example").await;
    let page = app.url(&format!("/bijeenkomsten/{meeting}/punten/{item}"));
    browser.client.goto(&page).await.unwrap();
    browser
        .wait_text("#live-state", |t| t.starts_with("Verbonden"))
        .await;

    // The server goes away (the socket with it) while the minute-taker types.
    app.stop_server().await;
    browser
        .wait_text("#live-state", |t| t.starts_with("Opnieuw verbinden"))
        .await;
    let typed = " Afspraak: de school belt Karin bij zorgen.";
    let area = browser.client.find(Locator::Css("#minutes")).await.unwrap();
    area.send_keys(typed).await.unwrap();
    // The page says so, and the text stays in the field.
    browser
        .wait_text("[data-minutes-status]", |t| {
            t.starts_with("Je notulen zijn nog niet opgeslagen. Je tekst staat hier nog.")
        })
        .await;
    assert!(field_value(&browser).await.ends_with(typed));
    browser.screenshot("minutes-unsaved").await;

    // Back again: the next try saves it, without a keystroke.
    app.restart().await;
    browser
        .wait_text("[data-minutes-status]", |t| {
            t.starts_with("Je notulen zijn opgeslagen om")
        })
        .await;
    let stored: String = agenda_items::table
        .find(item)
        .select(agenda_items::minutes)
        .first(&mut *app.conn())
        .unwrap();
    assert!(stored.ends_with(typed.trim()), "{stored}");
    browser.close().await;
}
