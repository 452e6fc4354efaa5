//! The meeting room over a real week (issue 18), in headless Chromium: a meeting that runs past its
//! planned end stays on the chair's and a participant's start page, a late joiner reads "Verloop", and
//! the chair takes back closing an item while everyone's agenda follows.

use crate::browser::{Browser, log_in, log_out, wcag_violations};
use crate::common::TestApp;
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};
use crate::referrals_browser::click;

/// The start page's link to `meeting` under "Mijn bijeenkomsten", clicked.
async fn open_from_start_page(browser: &Browser, meeting: i64) {
    let link = format!("#mijn-overleggen ~ ul a[href=\"/bijeenkomsten/{meeting}\"]");
    click(browser, &link).await;
    browser
        .wait_text("h1", |t| t.contains("MDA++ Zuid-Holland Zuid"))
        .await;
}

#[actix_web::test]
async fn an_overrunning_meeting_stays_on_the_start_pages_and_a_late_joiner_reads_verloop() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    // Planned for tomorrow 09:30–11:00 and started; three days on it still runs.
    app.clock.advance(chrono::Duration::days(3));

    // Karin joins late from her start page and finds what was decided so far.
    log_in(&browser, &app, "karin@wijkteam.example").await;
    open_from_start_page(&browser, meeting).await;
    let feed = browser
        .wait_text("#live-feed", |t| t.contains("Besluit bij Gezin Bakker"))
        .await;
    assert!(
        feed.contains("Actie bij Gezin Jansen voor Esther Kok: GGZ-intake voor Sandra"),
        "{feed}"
    );
    let found = wcag_violations(&browser).await;
    assert!(found.is_empty(), "meeting page with Verloop: {found:?}");
    log_out(&browser).await;

    // The chair finds it on her start page too.
    log_in(&browser, &app, "ingrid@vt.example").await;
    open_from_start_page(&browser, meeting).await;
    browser.close().await;
}

#[actix_web::test]
async fn the_chair_takes_back_closing_an_item_and_the_agenda_follows_for_everyone() {
    let (Some(chair), Some(member)) = (Browser::start().await, Browser::start().await) else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen, _) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let room = format!("/bijeenkomsten/{meeting}");
    for step in ["huidig", "sluiten"] {
        let path = format!("{room}/punten/{jansen}/{step}");
        let page = ingrid.submit(&room, &path, &[]).await;
        assert_eq!(page.status, reqwest::StatusCode::SEE_OTHER, "{step}");
    }
    let line = format!("#punt-{jansen}");
    log_in(&member, &app, "karin@wijkteam.example").await;
    member.client.goto(&app.url(&room)).await.unwrap();
    member.wait_text(&line, |t| t.contains("Afgerond")).await;

    log_in(&chair, &app, "ingrid@vt.example").await;
    chair.client.goto(&app.url(&room)).await.unwrap();
    chair.wait_text(&line, |t| t.contains("Afgerond")).await;
    click(
        &chair,
        &format!("form[action=\"{room}/punten/{jansen}/heropenen\"] button"),
    )
    .await;
    if chair.client.get_alert_text().await.is_ok() {
        chair.client.accept_alert().await.unwrap();
    }
    chair.wait_text(&line, |t| !t.contains("Afgerond")).await;
    // Karin's page follows without a reload.
    member.wait_text(&line, |t| !t.contains("Afgerond")).await;
    chair.close().await;
    member.close().await;
}
