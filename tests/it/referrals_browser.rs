//! Referrals in headless Chromium (issue 18): the more-information loop from both sides, and a crisis
//! referral that becomes a spoedoverleg with its invitations in the outbox; both pages pass axe at
//! desktop and phone width.

use fantoccini::Locator;

use crate::browser::{Browser, log_in, log_out, wcag_violations};
use crate::common::TestApp;
use crate::common::meeting::{id_from, refer};
use crate::common::world::{Cast, signed_in};

async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

pub(crate) async fn click(browser: &Browser, css: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn assert_accessible(browser: &Browser, what: &str) {
    let found = wcag_violations(browser).await;
    assert!(found.is_empty(), "{what}: {found:?}");
}

#[actix_web::test]
async fn the_more_information_loop_works_from_both_sides_in_the_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let id = refer(&karin, c.jansen, c.table, "Wat is er nodig voor fase 2?").await;
    let referral = app.url(&format!("/aanmeldingen/{id}"));

    // The chair finds it in her inbox and asks for more.
    log_in(&browser, &app, "ingrid@vt.example").await;
    browser
        .wait_text(".ss-inbox tbody tr", |t| t.contains("Nieuw"))
        .await;
    assert_accessible(&browser, "start page with the inbox").await;
    click(
        &browser,
        &format!(".ss-inbox a[href=\"/aanmeldingen/{id}\"]"),
    )
    .await;
    browser.wait_text("h1", |t| t.contains("Jansen")).await;
    click(&browser, "#answer-more").await;
    fill(&browser, "#note", "Is de school al betrokken?").await;
    click(&browser, "form[action$=\"/antwoord\"] button[type=submit]").await;
    browser
        .wait_text("[role=status]", |t| {
            t.contains("De aanmelder krijgt bericht")
        })
        .await;
    log_out(&browser).await;

    // The referrer sees the question on her start page, answers it on the referral.
    log_in(&browser, &app, "karin@wijkteam.example").await;
    browser
        .wait_text("#mijn-aanmeldingen + ul", |t| {
            t.contains("vraagt meer informatie")
        })
        .await;
    browser.client.goto(&referral).await.unwrap();
    browser
        .wait_text("#aanvullen", |t| t == "Informatie toevoegen")
        .await;
    assert_accessible(&browser, "referral with the chair's question").await;
    fill(
        &browser,
        "#information",
        "Ja, de mentor belt wekelijks met moeder.",
    )
    .await;
    click(&browser, "form[action$=\"/aanvullen\"] button[type=submit]").await;
    browser
        .wait_text("[role=status]", |t| t.contains("weer bij de voorzitter"))
        .await;
    log_out(&browser).await;

    // Back with the chair: marked as added to, with the answer under her question.
    log_in(&browser, &app, "ingrid@vt.example").await;
    browser
        .wait_text(".ss-inbox tbody tr", |t| t.contains("Aangevuld"))
        .await;
    browser.client.goto(&referral).await.unwrap();
    browser
        .wait_text(".ss-details", |t| t.contains("de mentor belt wekelijks"))
        .await;
    browser.close().await;
}

#[actix_web::test]
async fn a_crisis_referral_becomes_a_spoedoverleg_with_invitations_in_the_outbox() {
    for width in [None, Some(390)] {
        let browser = match width {
            None => Browser::start().await,
            Some(w) => Browser::start_phone(w).await,
        };
        let Some(browser) = browser else {
            return;
        };
        let app = TestApp::spawn().await;
        let c = Cast::new(&app);
        let karin = signed_in(&app, "karin@wijkteam.example").await;
        let form = format!("/gezinnen/{}/aanmelden/{}", c.jansen, c.table);
        let made = karin
            .submit(
                &form,
                &form,
                &[
                    ("reason", "Vader staat voor de deur ondanks het huisverbod."),
                    ("tried", "Politie is gebeld."),
                    ("question", "Wat doen we vandaag nog?"),
                    ("urgency", "crisis"),
                    ("family_informed", "yes"),
                ],
            )
            .await;
        let id = id_from(&made.location, "/aanmeldingen/");
        let before = app.mails().len();

        log_in(&browser, &app, "ingrid@vt.example").await;
        browser
            .client
            .goto(&app.url(&format!("/aanmeldingen/{id}")))
            .await
            .unwrap();
        browser
            .wait_text("#spoedoverleg", |t| t == "Spoedoverleg")
            .await;
        assert_accessible(&browser, &format!("crisis referral at {width:?}")).await;
        if width.is_some() {
            browser.assert_reflows("crisis referral").await;
        }
        // The start time is proposed; the chair gives the link and clicks once.
        let starts = browser
            .client
            .find(Locator::Css("#urgent-starts"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(starts.len(), 5, "a proposed time like 14:30: {starts}");
        fill(
            &browser,
            "#urgent-link",
            "https://meet.example/spoed-jansen",
        )
        .await;
        click(
            &browser,
            "form[action$=\"/spoedoverleg\"] button[type=submit]",
        )
        .await;
        // The referral's own page names the table too: wait for the meeting's address first.
        let path = browser.wait_path("/bijeenkomsten/").await;
        browser
            .wait_text("h1", |t| t.contains("MDA++ Zuid-Holland Zuid"))
            .await;
        let meeting = id_from(&Some(path), "/bijeenkomsten/");

        // The meeting is today, published, with Jansen on it; the referrer and the director are
        // invited and have their invitation with the calendar file in the outbox.
        let found = samenspel::domain::meeting::find(&mut app.conn(), meeting)
            .unwrap()
            .unwrap();
        assert!(found.agenda_published_at.is_some());
        assert_eq!(
            samenspel::time::local(found.starts_at).date_naive(),
            samenspel::time::today()
        );
        assert_eq!(found.online_link, "https://meet.example/spoed-jansen");
        let mails = app.mails();
        for to in ["karin@wijkteam.example", "ahmed@vt.example"] {
            let invitation = mails[before..]
                .iter()
                .find(|m| m.to == to && m.attachments.iter().any(|a| a.filename.ends_with(".ics")))
                .unwrap_or_else(|| panic!("no invitation with .ics for {to}"));
            let ics = String::from_utf8_lossy(&invitation.attachments[0].content).to_string();
            assert!(ics.contains("BEGIN:VEVENT"), "{ics}");
        }
        let status = samenspel::domain::referral::find(&mut app.conn(), id)
            .unwrap()
            .unwrap()
            .status();
        assert_eq!(
            status,
            samenspel::domain::referral::ReferralStatus::Scheduled
        );
        browser.close().await;
    }
}
