//! Colleagues who leave (issue 18), in headless Chromium: an organisation admin switches a colleague
//! off, the chair finds the colleague's action on the start page and hands it over, and the new owner
//! finds it among their actions; and the WCAG check and reflow of the pages this touches (the start
//! page's lists, the action's handover form, the coordinator's director form) at desktop and phone width.

use fantoccini::Locator;
use samenspel::domain::user::Role;

use crate::browser::{Browser, log_in, log_out, wcag_violations};
use crate::common::meeting::run_meeting;
use crate::common::world::Cast;
use crate::common::{DEFAULT_PARTNERSHIP, TestApp};
use crate::leavers::{action_owned_by, switch_off};

const LIST: &str = "section[aria-labelledby=acties-vertrokken-collegas]";

/// Jansen's and Bakker's actions of a closed meeting (Esther's and Ruud's), Esther's organisation admin
/// and the partnership's coordinator. Returns the id of Esther's action.
async fn a_meeting_with_esthers_action(app: &TestApp) -> (Cast, i64) {
    let c = Cast::with_jansens_past(app);
    run_meeting(app, &c, true).await;
    app.user(
        "beheer@ggz.example",
        "Beheer GGZ",
        Role::OrgAdmin,
        Some("GGZ volwassenen"),
    );
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Visser",
        "Zorg- en Veiligheidshuis",
        DEFAULT_PARTNERSHIP,
    );
    let action = action_owned_by(app, c.esther.user_id);
    (c, action)
}

/// The WCAG violations of the page shown, named after `page`.
async fn violations(browser: &Browser, page: &str) -> Vec<String> {
    wcag_violations(browser)
        .await
        .into_iter()
        .map(|v| format!("{page}: {v}"))
        .collect()
}

#[actix_web::test]
async fn the_chair_hands_over_the_action_of_a_colleague_the_admin_switched_off() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let (c, action) = a_meeting_with_esthers_action(&app).await;
    let b = &browser.client;
    let mut found = Vec::new();

    // Esther's organisation admin switches her off, confirming the question the list asks.
    log_in(&browser, &app, "beheer@ggz.example").await;
    b.goto(&app.url("/beheer/gebruikers")).await.unwrap();
    let button = format!(
        "form[action='/beheer/gebruikers/{}/deactiveren'] button",
        c.esther.user_id
    );
    browser.click(&button).await;
    let asked = b.get_alert_text().await.unwrap();
    assert!(asked.contains("Esther Kok"), "{asked}");
    b.accept_alert().await.unwrap();
    browser
        .wait_text("main", |t| t.contains("Het account is gedeactiveerd."))
        .await;
    log_out(&browser).await;

    // The chair finds Esther's action on her start page and opens it.
    log_in(&browser, &app, "ingrid@vt.example").await;
    let listed = browser
        .wait_text(LIST, |t| t.contains("GGZ-intake voor Sandra"))
        .await;
    assert!(listed.contains("Esther Kok (GGZ volwassenen)"), "{listed}");
    found.extend(violations(&browser, "start page with the list").await);
    browser.screenshot("leavers-start-page").await;
    browser
        .click(&format!("{LIST} a[href^='/acties/{action}']"))
        .await;
    browser.wait_text("h1", |t| t == "Actie").await;
    browser
        .wait_text("main", |t| t.contains("niet meer actief"))
        .await;
    found.extend(violations(&browser, "action with the handover form").await);

    // She hands it over to Karin.
    b.find(Locator::Css("#new_owner"))
        .await
        .unwrap()
        .select_by_value(&c.karin.user_id.to_string())
        .await
        .unwrap();
    browser.click("#overdragen button[type=submit]").await;
    let text = browser
        .wait_text("main", |t| t.contains("De actie is overgedragen."))
        .await;
    assert!(
        text.contains(
            "Actie overgedragen van Esther Kok (GGZ volwassenen) aan Karin de Vries \
             (Sociaal wijkteam Dordrecht)."
        ),
        "{text}"
    );
    assert!(text.contains("Karin de Vries (Sociaal wijkteam Dordrecht)"));
    found.extend(violations(&browser, "action handed over").await);
    browser.screenshot("leavers-action-handed-over").await;
    b.goto(&app.url("/")).await.unwrap();
    browser.wait_text("h1", |t| t == "Mijn overzicht").await;
    assert!(
        b.find(Locator::Css(LIST)).await.is_err(),
        "the list is empty"
    );
    log_out(&browser).await;

    // Karin finds it among her open actions.
    log_in(&browser, &app, "karin@wijkteam.example").await;
    browser
        .wait_text("section[aria-labelledby=mijn-acties]", |t| {
            t.contains("GGZ-intake voor Sandra")
        })
        .await;
    assert!(
        found.is_empty(),
        "WCAG 2.1 A/AA violations:\n{}",
        found.join("\n")
    );
    browser.close().await;
}

#[actix_web::test]
async fn the_pages_for_colleagues_who_left_pass_the_wcag_check_and_reflow_at_390_px() {
    let app = TestApp::spawn().await;
    let (c, action) = a_meeting_with_esthers_action(&app).await;
    // Esther left, and so did Ahmed, who directs Jansen: the coordinator is asked for a new director.
    switch_off(&app, c.esther.user_id);
    switch_off(&app, c.ahmed.user_id);
    let pages = [
        (
            "ingrid@vt.example",
            vec![
                ("start page with the list", "/".to_string(), "GGZ-intake"),
                ("handover form", format!("/acties/{action}"), "Overdragen"),
            ],
        ),
        (
            "hanna@veiligheidshuis.example",
            vec![
                (
                    "start page with the families",
                    "/".to_string(),
                    "regisseur was",
                ),
                (
                    "director form",
                    format!("/gezinnen/{}/regie", c.jansen),
                    "Karin de Vries",
                ),
            ],
        ),
    ];
    let mut found = Vec::new();
    for width in [None, Some(390)] {
        let started = match width {
            None => Browser::start().await,
            Some(w) => Browser::start_phone(w).await,
        };
        let Some(browser) = started else {
            return;
        };
        for (email, visits) in &pages {
            log_in(&browser, &app, email).await;
            for (name, path, shows) in visits {
                browser.client.goto(&app.url(path)).await.unwrap();
                browser.wait_text("main", |t| t.contains(shows)).await;
                let page = format!("{name} ({email}, {width:?} px)");
                found.extend(violations(&browser, &page).await);
                if width.is_some() {
                    found.extend(browser.reflow_problems(&page).await);
                }
                let shot = format!("leavers-{}-{}", name.replace(' ', "-"), width.unwrap_or(0));
                browser.screenshot(&shot).await;
            }
            log_out(&browser).await;
        }
        browser.close().await;
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
