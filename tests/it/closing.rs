//! Closing a meeting with families that were not discussed (issue 18): the chair is asked, per family
//! item without a decision, to move it to a next meeting or close it with a reason; only items with a
//! decision become outcomes for the partners.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::browser::{Browser, log_in, wcag_violations};
use crate::common::TestApp;
use crate::common::meeting::{
    decide, on_meeting, plan_meeting, proposed_choices, put_both_families_on_the_agenda,
};
use crate::common::world::{Cast, signed_in, today};
use crate::referrals_browser::click;
use samenspel::domain::referral::{self, ReferralStatus};
use samenspel::schema::{agenda_items, events, item_invitees, outcomes};

/// A running meeting with Jansen decided and Bakker not, and a next meeting planned. Returns (meeting,
/// jansen item, bakker item, next meeting).
async fn half_discussed(app: &TestApp, c: &Cast) -> (i64, i64, i64, i64) {
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let karin = signed_in(app, "karin@wijkteam.example").await;
    let meeting = plan_meeting(&ingrid, c.table, today() + chrono::Duration::days(1)).await;
    let (jansen, bakker) =
        put_both_families_on_the_agenda(c, [&ingrid, &ahmed, &karin], meeting).await;
    let next = plan_meeting(&ingrid, c.table, today() + chrono::Duration::days(15)).await;
    assert_eq!(
        on_meeting(&ingrid, meeting, "publiceren").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        on_meeting(&ingrid, meeting, "starten").await.status,
        StatusCode::SEE_OTHER
    );
    let decided = decide(&ingrid, meeting, jansen, "Fase 1: directe veiligheid", "").await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    (meeting, jansen, bakker, next)
}

fn outcome_items(app: &TestApp) -> Vec<i64> {
    outcomes::table
        .select(outcomes::agenda_item_id)
        .load(&mut *app.conn())
        .unwrap()
}

fn referral_of(app: &TestApp, item: i64) -> referral::Referral {
    let id: Option<i64> = agenda_items::table
        .find(item)
        .select(agenda_items::referral_id)
        .first(&mut *app.conn())
        .unwrap();
    referral::find(&mut app.conn(), id.unwrap())
        .unwrap()
        .unwrap()
}

fn is_closed(app: &TestApp, meeting: i64) -> bool {
    samenspel::domain::meeting::find(&mut app.conn(), meeting)
        .unwrap()
        .unwrap()
        .is_closed()
}

#[actix_web::test]
async fn an_undiscussed_family_moves_to_the_next_meeting_and_publishes_no_outcome() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen, bakker, next) = half_discussed(&app, &c).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}/sluiten");

    // The closing page asks about Bakker only, proposing the next meeting.
    let page = ingrid.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text(&format!("#keuze-{bakker}")).is_some());
    assert!(page.text(&format!("#keuze-{jansen}")).is_none());
    let proposed = proposed_choices(&page);
    assert!(
        proposed.contains(&(format!("keuze-{bakker}"), "verplaatsen".into())),
        "{proposed:?}"
    );
    assert!(
        proposed.contains(&(format!("naar-{bakker}"), next.to_string())),
        "{proposed:?}"
    );

    // Without a choice nothing closes; closing without discussion needs a reason.
    let none = ingrid.submit(&path, &path, &[]).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        none.visible_text()
            .contains("Kies wat er met dit gezin gebeurt")
    );
    let keuze = format!("keuze-{bakker}");
    let no_reason = ingrid
        .submit(&path, &path, &[(keuze.as_str(), "afsluiten")])
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.visible_text().contains("Schrijf waarom"));
    // A meeting of another table, or this one, is no place to move to.
    let naar = format!("naar-{bakker}");
    let move_to = |target: i64| {
        let (ingrid, path, keuze, naar) = (&ingrid, &path, &keuze, &naar);
        async move {
            let target = target.to_string();
            let fields = [
                (keuze.as_str(), "verplaatsen"),
                (naar.as_str(), target.as_str()),
            ];
            ingrid.submit(path, path, &fields).await
        }
    };
    let wrong = move_to(meeting).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!is_closed(&app, meeting));
    assert!(outcome_items(&app).is_empty());

    // Moved: the meeting closes; only Jansen's outcome goes to the partners.
    let closed = move_to(next).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert!(is_closed(&app, meeting));
    assert_eq!(outcome_items(&app), [jansen]);
    assert_eq!(
        referral_of(&app, jansen).status(),
        ReferralStatus::Discussed
    );
    let moved = referral_of(&app, bakker);
    assert_eq!(moved.status(), ReferralStatus::Scheduled);
    assert_eq!(moved.meeting_id, Some(next));
    assert!(moved.discussed_at.is_none());
    // Bakker is on the next agenda, with the same people invited for it.
    let (new_item, family): (i64, Option<i64>) = agenda_items::table
        .filter(agenda_items::meeting_id.eq(next))
        .filter(agenda_items::family_id.eq(c.bakker))
        .select((agenda_items::id, agenda_items::family_id))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(family, Some(c.bakker));
    let invitees = |item: i64| -> Vec<i64> {
        let mut v: Vec<i64> = item_invitees::table
            .filter(item_invitees::agenda_item_id.eq(item))
            .select(item_invitees::user_id)
            .load(&mut *app.conn())
            .unwrap();
        v.sort_unstable();
        v
    };
    assert!(!invitees(bakker).is_empty());
    assert_eq!(invitees(new_item), invitees(bakker));
    // The partner API has no outcome for Bakker's item; the timeline says what happened.
    let kinds: Vec<String> = events::table
        .filter(events::family_id.eq(c.bakker))
        .select(events::kind)
        .load(&mut *app.conn())
        .unwrap();
    assert!(kinds.iter().any(|k| k == "meeting.item_moved"));
    assert!(!kinds.iter().any(|k| k == "outcome.published"));
}

#[actix_web::test]
async fn an_undiscussed_family_closed_with_a_reason_keeps_the_reason_and_publishes_nothing() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen, bakker, _) = half_discussed(&app, &c).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}/sluiten");
    let (keuze, reden) = (format!("keuze-{bakker}"), format!("reden-{bakker}"));
    let why = "Het gezin is verhuisd naar Zeeland; het lokale team daar neemt het over.";
    let closed = ingrid
        .submit(
            &path,
            &path,
            &[(keuze.as_str(), "afsluiten"), (reden.as_str(), why)],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);
    assert_eq!(outcome_items(&app), [jansen]);
    let ended = referral_of(&app, bakker);
    assert_eq!(ended.status(), ReferralStatus::Rejected);
    assert_eq!(ended.chair_note.as_deref(), Some(why));
    // A second click on a closed meeting changes nothing.
    let room = format!("/bijeenkomsten/{meeting}");
    assert_eq!(
        ingrid.get(&path).await.location.as_deref(),
        Some(room.as_str())
    );
    let again = ingrid
        .submit(&room, &path, &[(keuze.as_str(), "wachten")])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(referral_of(&app, bakker).status(), ReferralStatus::Rejected);
}

#[actix_web::test]
async fn the_chair_closes_through_the_dialog_in_the_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen, bakker, _) = half_discussed(&app, &c).await;
    log_in(&browser, &app, "ingrid@vt.example").await;
    browser
        .client
        .goto(&app.url(&format!("/bijeenkomsten/{meeting}")))
        .await
        .unwrap();
    click(
        &browser,
        &format!("a[href=\"/bijeenkomsten/{meeting}/sluiten\"]"),
    )
    .await;
    browser
        .wait_text("h1", |t| t == "Bijeenkomst afsluiten")
        .await;
    let found = wcag_violations(&browser).await;
    assert!(found.is_empty(), "closing page: {found:?}");
    click(&browser, &format!("#wachten-{bakker}")).await;
    click(&browser, "form[action$=\"/sluiten\"] button[type=submit]").await;
    browser
        .wait_text("h1", |t| t.contains("MDA++ Zuid-Holland Zuid"))
        .await;
    assert!(is_closed(&app, meeting));
    assert_eq!(outcome_items(&app), [jansen]);
    let waiting = referral_of(&app, bakker);
    assert_eq!(
        (waiting.status(), waiting.meeting_id),
        (ReferralStatus::Accepted, None)
    );
    browser.close().await;
}
