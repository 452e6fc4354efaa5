//! The live meeting room with real WebSocket clients: what each participant receives, replay after a
//! dropped connection, and two instances on one database.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::meeting::{decide, on_meeting, run_meeting};
use crate::common::world::{Cast, signed_in};
use crate::common::{Socket, TestApp, html_of};

const WAIT: Duration = Duration::from_secs(5);

fn last_event(app: &TestApp) -> i64 {
    samenspel::events::last_id(&mut app.conn()).unwrap()
}

async fn token(app: &TestApp, email: &str) -> String {
    let client = signed_in(app, email).await;
    client.cookie("samenspel_session").expect("session cookie")
}

#[actix_web::test]
async fn every_participant_receives_a_decision_as_they_may_see_it() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, bakker_item) = run_meeting(&app, &c, false).await;
    let case: String = samenspel::schema::families::table
        .find(c.bakker)
        .select(samenspel::schema::families::case_number)
        .first(&mut *app.conn())
        .unwrap();
    let after = last_event(&app);
    let mut chair = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "ingrid@vt.example").await,
        after,
    )
    .await;
    let mut karin = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "karin@wijkteam.example").await,
        after,
    )
    .await;
    let mut esther = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "esther@ggz.example").await,
        after,
    )
    .await;

    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = decide(&ingrid, meeting, bakker_item, "Fase 3: herstel", "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    // The chair and Karin (who directs Bakker) get the decision itself, on the item's page.
    for socket in [&mut chair, &mut karin] {
        let m = socket.until_kind("decision.recorded", WAIT).await;
        let html = html_of(&m);
        assert!(
            html.contains(&format!("#decisions-{bakker_item}")),
            "{html}"
        );
        assert!(
            html.contains("Fase 3: herstel") && html.contains("Gezin Bakker"),
            "{html}"
        );
    }
    // Esther is invited for Jansen only: she learns that something was decided, under the pseudonym.
    let m = esther.until_kind("decision.recorded", WAIT).await;
    let html = html_of(&m);
    assert!(
        html.contains(&format!("Besluit vastgelegd bij Gezin B., {case}")),
        "{html}"
    );
    assert!(
        !html.contains("Bakker") && !html.contains("herstel"),
        "nothing more: {html}"
    );
    assert!(!html.contains(&format!("#decisions-{bakker_item}")));
}

#[actix_web::test]
async fn a_reconnecting_participant_gets_exactly_what_it_missed_in_order() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let esther_token = token(&app, "esther@ggz.example").await;
    let before = last_event(&app);
    let socket = Socket::open(&app.base_url, meeting, &esther_token, before).await;
    drop(socket); // the laptop goes to sleep

    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    for outcome in [
        "Fase 1: directe veiligheid",
        "Fase 2: stabiele veiligheid",
        "Fase 3: herstel",
    ] {
        assert_eq!(
            decide(&ingrid, meeting, jansen_item, outcome, "")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
    }

    let mut socket = Socket::open(&app.base_url, meeting, &esther_token, before).await;
    let mut received = Vec::new();
    while let Some(m) = socket.next_event(Duration::from_millis(700)).await {
        received.push(m);
    }
    let ids: Vec<i64> = received
        .iter()
        .map(|m| m["event"].as_i64().unwrap())
        .collect();
    assert_eq!(
        received.len(),
        3,
        "exactly the three missed events: {ids:?}"
    );
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in order, no duplicates: {ids:?}"
    );
    for (m, outcome) in received.iter().zip(["Fase 1", "Fase 2", "Fase 3"]) {
        assert_eq!(m["kind"], "decision.recorded");
        assert!(html_of(m).contains(outcome), "{}", html_of(m));
    }

    // Live again: the next decision arrives once.
    assert_eq!(
        decide(
            &ingrid,
            meeting,
            jansen_item,
            "Fase 1: directe veiligheid",
            ""
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );
    let next = socket.until_kind("decision.recorded", WAIT).await;
    assert!(next["event"].as_i64().unwrap() > *ids.last().unwrap());
    assert!(
        socket
            .next_event(Duration::from_millis(500))
            .await
            .is_none(),
        "no duplicate"
    );
}

#[actix_web::test]
async fn only_participants_may_open_the_room() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    app.user(
        "buiten@elders.example",
        "Buiten Staander",
        samenspel::domain::user::Role::Professional,
        Some("Elders"),
    );
    let outsider = token(&app, "buiten@elders.example").await;
    let url = format!(
        "{}/bijeenkomsten/{meeting}/live",
        app.base_url.replacen("http", "ws", 1)
    );
    let refused = awc::Client::new()
        .ws(url.clone())
        .header("Cookie", format!("samenspel_session={outsider}"))
        .connect()
        .await;
    assert!(
        refused.is_err(),
        "a professional outside the meeting gets no socket"
    );
    let anonymous = awc::Client::new().ws(url.clone()).connect().await;
    assert!(anonymous.is_err());
    // Without SAMENSPEL_TRUST_PROXY a client cannot name its own site as ours with X-Forwarded-Host.
    for forwarded_host in ["", "evil.example"] {
        let mut request = awc::Client::new()
            .ws(url.clone())
            .origin("https://evil.example")
            .header(
                "Cookie",
                format!(
                    "samenspel_session={}",
                    token(&app, "ingrid@vt.example").await
                ),
            );
        if !forwarded_host.is_empty() {
            request = request.header("X-Forwarded-Host", forwarded_host);
        }
        assert!(
            request.connect().await.is_err(),
            "another site cannot open the room with our cookie ({forwarded_host})"
        );
    }
}

#[actix_web::test]
async fn a_participant_on_one_instance_sees_what_was_decided_through_another() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let other = app.second_instance();
    let after = last_event(&app);
    let mut esther = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "esther@ggz.example").await,
        after,
    )
    .await;

    // The chair works through the second instance (sessions live in the shared database).
    let chair = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let chair_token = token(&app, "ingrid@vt.example").await;
    let page = chair
        .get(format!(
            "{}/bijeenkomsten/{meeting}/punten/{jansen_item}",
            other.base_url
        ))
        .header("Cookie", format!("samenspel_session={chair_token}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = scraper::Html::parse_document(&page)
        .select(&scraper::Selector::parse("input[name=csrf_token]").unwrap())
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
        .unwrap();
    let res = chair
        .post(format!(
            "{}/bijeenkomsten/{meeting}/punten/{jansen_item}/besluiten",
            other.base_url
        ))
        .header("Cookie", format!("samenspel_session={chair_token}"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("outcome", "Fase 2: stabiele veiligheid"),
            ("text", "Door naar fase 2."),
            ("rationale", "Acht weken zonder incidenten."),
            ("family_view", "agrees"),
            ("family_words", "Fijn."),
            ("supersedes", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let m = esther.until_kind("decision.recorded", WAIT).await;
    assert!(html_of(&m).contains("Fase 2: stabiele veiligheid"));
}

#[actix_web::test]
async fn a_live_agenda_update_looks_like_the_page() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let after = last_event(&app);
    let mut esther = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "esther@ggz.example").await,
        after,
    )
    .await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = on_meeting(&ingrid, meeting, "volgende").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let m = esther.until_kind("meeting.item_current", WAIT).await;
    let live = m["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"] == "#live-agenda")
        .map(|f| f["html"].as_str().unwrap().to_string())
        .expect("the agenda is sent");
    // The agenda on Esther's page, fetched now, shows the same items, pseudonyms and invitations.
    let esther_page = signed_in(&app, "esther@ggz.example")
        .await
        .get(&format!("/bijeenkomsten/{meeting}"))
        .await;
    let normalise = |html: &str| {
        let doc = scraper::Html::parse_fragment(html);
        let sel = scraper::Selector::parse("ol.ss-agenda").unwrap();
        doc.select(&sel)
            .next()
            .map(crate::common::folded_text)
            .unwrap_or_default()
    };
    assert_eq!(normalise(&live), normalise(&esther_page.body));
    assert!(normalise(&live).contains("Uitgenodigd voor dit punt"));
}

/// A meeting of the table planned for tomorrow with both families on its agenda; the chair's and
/// Ahmed's clients.
async fn planned_with_both_families(
    app: &TestApp,
    c: &Cast,
) -> (i64, crate::common::Client, crate::common::Client) {
    use crate::common::meeting::{plan_meeting, put_both_families_on_the_agenda};
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let karin = signed_in(app, "karin@wijkteam.example").await;
    let day = crate::common::world::today() + chrono::Duration::days(1);
    let meeting = plan_meeting(&ingrid, c.table, day).await;
    put_both_families_on_the_agenda(c, [&ingrid, &ahmed, &karin], meeting).await;
    (meeting, ingrid, ahmed)
}

/// The chair's first step starts the meeting and takes up its first item: two events of one write.
/// A participant watching receives both, in order, and ends with the meeting running and the first
/// item current; the status and agenda come once, with the second (the first message would only have
/// drawn them a moment before, as they were between the two).
#[actix_web::test]
async fn the_first_step_starts_the_meeting_and_the_room_draws_it_once() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, ingrid, ahmed) = planned_with_both_families(&app, &c).await;
    assert_eq!(
        on_meeting(&ingrid, meeting, "publiceren").await.status,
        StatusCode::SEE_OTHER
    );
    let mut ahmeds = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "ahmed@vt.example").await,
        last_event(&app),
    )
    .await;
    // In the room before the step, so both events come as the room's live messages.
    ahmeds.caught_up(WAIT).await;
    let step = on_meeting(&ingrid, meeting, "volgende").await;
    assert_eq!(step.status, StatusCode::SEE_OTHER);

    let started = ahmeds.until_kind("meeting.started", WAIT).await;
    let current = ahmeds.next_event(WAIT).await.expect("the item taken up");
    assert_eq!(current["kind"], "meeting.item_current");
    assert_eq!(
        current["event"].as_i64().unwrap(),
        started["event"].as_i64().unwrap() + 1,
        "one after the other, nothing between"
    );
    let drawn = |m: &serde_json::Value, target: &str| -> Vec<String> {
        m["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["target"] == target)
            .map(|f| f["html"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(drawn(&started, "#live-agenda").is_empty());
    let status = drawn(&current, "#live-status");
    let agenda = drawn(&current, "#live-agenda");
    assert_eq!((status.len(), agenda.len()), (1, 1));
    assert!(status[0].contains("Nu aan de orde"), "{}", status[0]);
    // The first item is the current one, as on the page fetched now.
    let page = ahmed.get(&format!("/bijeenkomsten/{meeting}")).await;
    let current_item = |html: &str| {
        let doc = scraper::Html::parse_fragment(html);
        let sel = scraper::Selector::parse(".ss-agenda__item--current").unwrap();
        doc.select(&sel)
            .map(crate::common::folded_text)
            .collect::<Vec<_>>()
    };
    let live_current = current_item(&agenda[0]);
    assert_eq!(live_current.len(), 1, "{}", agenda[0]);
    assert_eq!(live_current, current_item(&page.body));
    // A participant who reconnects from before the start replays both, each drawn in full.
    let mut again = Socket::open(
        &app.base_url,
        meeting,
        &token(&app, "ahmed@vt.example").await,
        started["event"].as_i64().unwrap() - 1,
    )
    .await;
    let replayed = again.until_kind("meeting.started", WAIT).await;
    assert_eq!(drawn(&replayed, "#live-agenda").len(), 1);
    // The two were appended together (one statement on PostgreSQL): each linked to the one before.
    let verified = samenspel::events::verify(&mut app.conn())
        .unwrap()
        .expect("the chain is intact");
    assert_eq!(verified.last.event_id, current["event"].as_i64().unwrap());
}

/// The dispatcher reads the meetings of a batch of events together: two meetings that change in one
/// commit are each drawn from their own agenda, in their own room only.
#[actix_web::test]
async fn two_meetings_changed_in_one_commit_are_each_drawn_as_they_are() {
    use samenspel::domain::meeting;
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (first, ingrid, _) = planned_with_both_families(&app, &c).await;
    let in_a_week = crate::common::world::today() + chrono::Duration::days(8);
    let second = crate::common::meeting::plan_meeting(&ingrid, c.table, in_a_week).await;
    let after = last_event(&app);
    // The chair, in both rooms.
    let ingrids = token(&app, "ingrid@vt.example").await;
    let mut in_first = Socket::open(&app.base_url, first, &ingrids, after).await;
    let mut in_second = Socket::open(&app.base_url, second, &ingrids, after).await;

    // Written straight to the database, in one transaction: the dispatcher finds both meetings' events
    // in one batch (no wake from a page; its poll finds them).
    let (first_items, second_items) =
        samenspel::db::write(&mut app.conn(), |conn| -> anyhow::Result<_> {
            let mut step = |id: i64, nth: usize| -> anyhow::Result<Vec<String>> {
                let m = meeting::find(conn, id)?.unwrap();
                let items = meeting::items(conn, id)?;
                let _ = samenspel::record::set_current_item(conn, &c.ingrid, &m, &items[nth])?;
                Ok(items.iter().map(|i| i.id.to_string()).collect())
            };
            Ok((step(first, 2)?, step(second, 0)?))
        })
        .unwrap();
    assert!(
        first_items.len() > second_items.len(),
        "the families are on the first only"
    );

    let current_of = |m: &serde_json::Value| -> (String, usize) {
        let agenda = m["fragments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["target"] == "#live-agenda")
            .map(|f| f["html"].as_str().unwrap().to_string())
            .expect("the agenda drawn");
        let doc = scraper::Html::parse_fragment(&agenda);
        let items = scraper::Selector::parse(".ss-agenda__item").unwrap();
        let current = scraper::Selector::parse(".ss-agenda__item--current").unwrap();
        let ids: Vec<String> = doc
            .select(&current)
            .filter_map(|e| e.value().attr("id").map(|id| id.replace("punt-", "")))
            .collect();
        assert_eq!(ids.len(), 1, "{agenda}");
        (ids[0].clone(), doc.select(&items).count())
    };
    let drawn_first = in_first.until_kind("meeting.item_current", WAIT).await;
    let drawn_second = in_second.until_kind("meeting.item_current", WAIT).await;
    assert_eq!(
        current_of(&drawn_first),
        (first_items[2].clone(), first_items.len())
    );
    assert_eq!(
        current_of(&drawn_second),
        (second_items[0].clone(), second_items.len())
    );
    // Each room had its own meeting's two events and nothing of the other's.
    for (socket, started) in [
        (&mut in_first, &drawn_first),
        (&mut in_second, &drawn_second),
    ] {
        assert!(
            socket
                .next_event(Duration::from_millis(700))
                .await
                .is_none()
        );
        assert_eq!(started["kind"], "meeting.item_current");
    }
}
