//! Finer sharing in headless Chromium at phone width (issue 21, Must show 2): Mark, marked "deelt niet
//! standaard mee", does not see a new decision in his portal; the director opens the sharing page, sees
//! why, shares that one decision with him (confirming first), and then Mark sees it. The new page
//! passes axe and fits the phone.

use fantoccini::Locator;
use samenspel::domain::family::PersonRole;

use crate::browser::{Browser, log_in, log_in_as_family, wcag_violations};
use crate::common::meeting::{assert_taken, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use crate::sharing::{SHARED_LATER, SUSPECTED, decide, mark};

const PHONE: u32 = 375;

/// axe finds nothing and the page fits the phone.
async fn check_page(browser: &Browser, what: &str, found: &mut Vec<String>) {
    for v in wcag_violations(browser).await {
        found.push(format!("{what}: {v}"));
    }
    found.extend(browser.reflow_problems(what).await);
}

#[actix_web::test]
async fn the_director_shares_one_decision_with_a_member_who_does_not_share_by_default() {
    let Some(browser) = Browser::start_phone(PHONE).await else {
        return;
    };
    let app = crate::common::TestApp::spawn().await;
    let c = Cast::new(&app);
    let mark_id = member(&app, &c, "Mark Jansen", PersonRole::Parent, 38);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    family_account(&app, &ahmed, c.jansen, mark_id, "mark@example.org", "").await;
    let (meeting, item, _) = run_meeting(&app, &c, false).await;
    let sharing = format!("/gezinnen/{}/portaal/delen", c.jansen);
    let page = mark(&ahmed, c.jansen, mark_id, "nee", SUSPECTED).await;
    assert_taken(&page);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let decision = decide(&app, &ingrid, (meeting, item), SHARED_LATER).await;
    let mut found = Vec::new();

    // Mark: what was there, nothing new.
    log_in_as_family(&browser, &app, "mark@example.org").await;
    let main = browser
        .wait_text("main", |t| t.contains("Fase 1 gaat door"))
        .await;
    assert!(!main.contains(SHARED_LATER), "{main}");
    check_page(&browser, "Mark's portal", &mut found).await;

    // The director sees why Mark does not see it, and shares this one decision with him.
    browser.client.delete_all_cookies().await.unwrap();
    log_in(&browser, &app, "ahmed@vt.example").await;
    browser.client.goto(&app.url(&sharing)).await.unwrap();
    let panel = format!("#decision-{decision}");
    let text = browser
        .wait_text(&panel, |t| t.contains("Mark Jansen"))
        .await;
    assert!(
        text.contains("Mark Jansen: ziet dit niet — Deelt niet standaard mee"),
        "{text}"
    );
    check_page(&browser, "the sharing page", &mut found).await;
    let c = &browser.client;
    // "Delen aanpassen" is a details element; the reflow check above opened every one already (and a
    // click on its summary would close it again), so make sure it is open, then choose.
    c.execute(
        &format!("const d = document.querySelector('{panel} details'); d.open = true; d.scrollIntoView();"),
        vec![],
    )
    .await
    .unwrap();
    c.find(Locator::Css(&format!("#person-decision-{decision}")))
        .await
        .unwrap()
        .select_by_value(&mark_id.to_string())
        .await
        .unwrap();
    c.find(Locator::Css(&format!("#mode-decision-{decision}")))
        .await
        .unwrap()
        .select_by_value("share")
        .await
        .unwrap();
    browser
        .click(&format!(
            "{panel} form[action$='/delen/onderdeel'] button[type=submit]"
        ))
        .await;
    let asked = c.get_alert_text().await.unwrap();
    assert!(asked.contains("Weet je het zeker?"), "{asked}");
    c.accept_alert().await.unwrap();
    let text = browser
        .wait_text(&panel, |t| {
            t.contains("Mark Jansen: ziet dit (los gedeeld)")
        })
        .await;
    assert!(text.contains("Mark Jansen: ziet dit"), "{text}");
    check_page(&browser, "the sharing page after saving", &mut found).await;

    // Mark now sees that one decision.
    browser.client.delete_all_cookies().await.unwrap();
    log_in_as_family(&browser, &app, "mark@example.org").await;
    browser
        .wait_text("main", |t| t.contains(SHARED_LATER))
        .await;
    assert!(found.is_empty(), "{found:#?}");
    browser.close().await;
}
