//! A week of real work without dead ends (issue 18): meetings that stay on the start pages until they
//! are closed.

use reqwest::StatusCode;

use crate::common::TestApp;
use crate::common::meeting::{close_meeting, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use samenspel::domain::family::PersonRole;

fn lists_meeting(page: &crate::common::Page, meeting: i64) -> bool {
    let selector = scraper::Selector::parse(&format!(
        "#mijn-overleggen ~ ul a[href=\"/bijeenkomsten/{meeting}\"]"
    ))
    .unwrap();
    page.html().select(&selector).next().is_some()
}

#[actix_web::test]
async fn a_meeting_that_runs_past_its_planned_end_stays_on_the_start_pages_until_it_is_closed() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 38);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;

    // The meeting was planned for tomorrow 09:30–11:00 and has been started; three days on it still runs.
    app.clock.advance(chrono::Duration::days(3));
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    sandra.login_ok("sandra@example.org").await;
    for (who, client) in [("chair", &ingrid), ("participant", &karin)] {
        let home = client.get("/").await;
        assert!(lists_meeting(&home, meeting), "{who}: {}", home.body);
    }
    // The family's overview of Jansen shows it as the next meeting, and Sandra's portal lists it.
    let families = ahmed.get("/").await;
    assert!(families.visible_text().contains("MDA++ Zuid-Holland Zuid"));
    let portal = sandra.get("/portaal").await;
    assert!(
        portal
            .text("#overleggen + ul")
            .unwrap_or_default()
            .contains("MDA++ Zuid-Holland Zuid"),
        "{}",
        portal.body
    );

    // Once closed it leaves the start pages.
    close_meeting(&ingrid, meeting).await;
    for client in [&ingrid, &karin] {
        assert!(!lists_meeting(&client.get("/").await, meeting));
    }
    let portal = sandra.get("/portaal").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(portal.text("#overleggen + ul").is_none());
}

#[actix_web::test]
async fn a_late_joiner_finds_the_decisions_and_actions_so_far_in_verloop_as_they_may_see_them() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let case: String = {
        use diesel::prelude::*;
        samenspel::schema::families::table
            .find(c.bakker)
            .select(samenspel::schema::families::case_number)
            .first(&mut *app.conn())
            .unwrap()
    };
    // Karin directs Bakker and is invited for both items: she reads both decisions and actions in full.
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let feed = karin
        .get(&format!("/bijeenkomsten/{meeting}"))
        .await
        .text("#live-feed")
        .unwrap_or_default();
    // Each line once, in the order the meeting went.
    let mut from = 0;
    for line in [
        "Besluit bij Gezin Jansen: Fase 1: directe veiligheid",
        "Actie bij Gezin Jansen voor Esther Kok: GGZ-intake voor Sandra",
        "Besluit bij Gezin Bakker: Fase 1: directe veiligheid",
        "Actie bij Gezin Bakker voor Ruud Verbeek: Zicht op de situatie houden",
    ] {
        assert_eq!(feed.matches(line).count(), 1, "{line:?} once in {feed}");
        let at = feed[from..]
            .find(line)
            .unwrap_or_else(|| panic!("{line:?} after what came before, in {feed}"));
        from += at + line.len();
    }
    // Esther is invited for Jansen only: of Bakker she learns only that something was decided.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let feed = esther
        .get(&format!("/bijeenkomsten/{meeting}"))
        .await
        .text("#live-feed")
        .unwrap_or_default();
    assert!(
        feed.contains("Besluit bij Gezin Jansen: Fase 1: directe veiligheid"),
        "{feed}"
    );
    assert!(
        feed.contains(&format!("Besluit vastgelegd bij Gezin B., {case}")),
        "{feed}"
    );
    assert!(
        !feed.contains("Bakker") && !feed.contains("Zicht op de situatie"),
        "{feed}"
    );
}

fn current_item(app: &TestApp, meeting: i64) -> Option<i64> {
    use diesel::prelude::*;
    samenspel::schema::meetings::table
        .find(meeting)
        .select(samenspel::schema::meetings::current_item_id)
        .first(&mut *app.conn())
        .unwrap()
}

#[actix_web::test]
async fn next_after_closing_goes_on_from_the_closed_item_and_the_chair_can_open_it_again() {
    use crate::common::meeting::{decide, on_meeting};
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, bakker_item) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let item = |id: i64, what: &str| format!("/bijeenkomsten/{meeting}/punten/{id}/{what}");
    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}"),
            &item(jansen_item, "huidig"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}"),
            &item(jansen_item, "sluiten"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(current_item(&app, meeting), None);
    // "Next" goes to the item after Jansen, not back to the open action review at the top.
    on_meeting(&ingrid, meeting, "volgende").await;
    assert_eq!(current_item(&app, meeting), Some(bakker_item));

    // Closed by mistake: the chair opens Jansen again, and everyone's room hears of it.
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let token = karin.cookie("samenspel_session").unwrap();
    let after = samenspel::events::last_id(&mut app.conn()).unwrap();
    let mut socket = crate::common::Socket::open(&app.base_url, meeting, &token, after).await;
    let page = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    let reopen = item(jansen_item, "heropenen");
    assert!(
        page.confirmation_of(&reopen).is_some(),
        "a button to open it again"
    );
    let page = ingrid
        .submit(&format!("/bijeenkomsten/{meeting}"), &reopen, &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let m = socket
        .until_kind("meeting.item_reopened", std::time::Duration::from_secs(5))
        .await;
    let agenda = crate::common::html_of(&m);
    let jansen_line = scraper::Html::parse_fragment(&agenda)
        .select(&scraper::Selector::parse(&format!("#punt-{jansen_item}")).unwrap())
        .next()
        .map(crate::common::folded_text)
        .unwrap_or_default();
    assert!(
        jansen_line.contains("Gezin Jansen") && !jansen_line.contains("Afgerond"),
        "{jansen_line}"
    );
    // Open again, it takes a decision again; a member cannot open items.
    let page = decide(
        &ingrid,
        meeting,
        jansen_item,
        "Fase 2: stabiele veiligheid",
        "",
    )
    .await;
    crate::common::meeting::assert_taken(&page);
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let refused = ruud.submit("/", &reopen, &[]).await;
    assert!(refused.status.is_client_error());
}

#[actix_web::test]
async fn a_guest_without_a_seat_finds_the_way_back_to_their_meeting_instead_of_a_404() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let back = |page: &crate::common::Page| {
        let selector = scraper::Selector::parse("main p a, p a").unwrap();
        page.html()
            .select(&selector)
            .find(|a| a.text().collect::<String>().starts_with('←'))
            .and_then(|a| a.value().attr("href").map(str::to_string))
            .unwrap_or_default()
    };
    // Esther is invited for one item and has no seat: her way back is the list of her meetings.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let page = esther.get(&format!("/bijeenkomsten/{meeting}")).await;
    let link = back(&page);
    assert_eq!(link, "/overleggen#uitgenodigd");
    let list = esther.get("/overleggen").await;
    assert_eq!(list.status, StatusCode::OK);
    let invited = list.text("#uitgenodigd + ul").unwrap_or_default();
    assert!(invited.contains("MDA++ Zuid-Holland Zuid"), "{}", list.body);
    assert!(
        list.html()
            .select(
                &scraper::Selector::parse(&format!("a[href=\"/bijeenkomsten/{meeting}\"]"))
                    .unwrap()
            )
            .next()
            .is_some()
    );
    // Ruud sits at the table: his way back is the table, which he may open.
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let page = ruud.get(&format!("/bijeenkomsten/{meeting}")).await;
    let link = back(&page);
    assert_eq!(link, format!("/overleggen/{}", c.table));
    assert_eq!(ruud.get(&link).await.status, StatusCode::OK);
    assert!(ruud.get("/overleggen").await.text("#uitgenodigd").is_none());
}

#[actix_web::test]
async fn a_saved_decision_and_action_are_confirmed_where_they_were_saved() {
    use crate::common::meeting::{add_action, decide};
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = decide(
        &ingrid,
        meeting,
        jansen_item,
        "Fase 2: stabiele veiligheid",
        "",
    )
    .await;
    let location = page.location.clone().unwrap_or_default();
    assert!(
        location.ends_with("?melding=besluit-opgeslagen#besluiten"),
        "{location}"
    );
    let item = ingrid.get(location.split('#').next().unwrap()).await;
    // Under "Besluiten", as a status message that takes the focus.
    let confirmation = item
        .text("#besluiten + .utrecht-alert[role=status][data-focus-on-load]")
        .unwrap_or_default();
    assert_eq!(confirmation, "Het besluit is opgeslagen.");

    let due = crate::common::world::today() + chrono::Duration::days(7);
    let page = add_action(
        &ingrid,
        meeting,
        jansen_item,
        c.ahmed.user_id,
        "Gesprek met Mark",
        due,
    )
    .await;
    let location = page.location.clone().unwrap_or_default();
    let item = ingrid.get(location.split('#').next().unwrap()).await;
    assert_eq!(
        item.text("#acties + .utrecht-alert[role=status]")
            .unwrap_or_default(),
        "De actie is toegevoegd."
    );
    // Without the notice in the address, no confirmation.
    let plain = ingrid
        .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
        .await;
    assert!(plain.text("#besluiten + .utrecht-alert").is_none());
}

#[actix_web::test]
async fn before_the_start_the_next_step_is_the_one_primary_button() {
    use crate::common::meeting::{on_meeting, plan_meeting};
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let meeting = plan_meeting(
        &ingrid,
        c.table,
        crate::common::world::today() + chrono::Duration::days(3),
    )
    .await;
    let primary = |page: &crate::common::Page| -> Vec<String> {
        let selector =
            scraper::Selector::parse(".ss-chair-controls .utrecht-button--primary-action").unwrap();
        page.html()
            .select(&selector)
            .map(crate::common::folded_text)
            .collect()
    };
    // Not published yet: publishing is the next step.
    let page = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert_eq!(
        primary(&page),
        ["Agenda publiceren en uitnodigen"],
        "{}",
        page.body
    );
    // Published: starting it.
    on_meeting(&ingrid, meeting, "publiceren").await;
    let page = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert_eq!(primary(&page), ["Bijeenkomst starten S"]);
    // Running: the next item.
    on_meeting(&ingrid, meeting, "starten").await;
    let page = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert_eq!(primary(&page), ["Volgende punt → N"]);
}
