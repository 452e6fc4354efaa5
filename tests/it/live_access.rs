//! When access ends, the live room stops at once: logout, an idle session, deactivation, a seat taken
//! away (also through another instance) and an involvement ended each close the open socket, with a
//! close code that tells the page why; and one login or user cannot hold sockets without end.

use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::meeting::{decide, run_meeting};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, Socket, TestApp, html_of};
use samenspel::record;
use samenspel::schema::table_members;

/// Generous for a busy machine; the room itself checks twice a second.
const WAIT: Duration = Duration::from_secs(5);
/// Close codes (see `live::Closed`).
const SESSION_ENDED: u16 = 4401;
const ACCESS_ENDED: u16 = 4403;
const ACCESS_CHANGED: u16 = 4409;
const TOO_MANY: u16 = 4429;

fn last_event(app: &TestApp) -> i64 {
    samenspel::events::last_id(&mut app.conn()).unwrap()
}

async fn socket_of(app: &TestApp, client: &Client, meeting: i64) -> Socket {
    let token = client.cookie("samenspel_session").expect("session cookie");
    Socket::open(&app.base_url, meeting, &token, last_event(app)).await
}

/// The chair records a decision on an item; the sockets that are still open hear of it.
async fn chair_decides(app: &TestApp, meeting: i64, item: i64, outcome: &str) {
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let page = decide(&ingrid, meeting, item, outcome, "").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[actix_web::test]
async fn logging_out_closes_the_open_socket_and_only_that_one() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, bakker_item) = run_meeting(&app, &c, false).await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let mut karins = socket_of(&app, &karin, meeting).await;
    let chair = signed_in(&app, "ingrid@vt.example").await;
    let mut chairs = socket_of(&app, &chair, meeting).await;

    let page = karin.submit("/", "/uitloggen", &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(karins.close_code(WAIT).await, Some(SESSION_ENDED));

    // The chair, still logged in, goes on hearing the meeting.
    chair_decides(&app, meeting, bakker_item, "Fase 3: herstel").await;
    let m = chairs.until_kind("decision.recorded", WAIT).await;
    assert!(html_of(&m).contains("Fase 3: herstel"));
}

#[actix_web::test]
async fn an_idle_session_closes_its_socket() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let mut socket = socket_of(&app, &karin, meeting).await;
    // Watching the room is not using the app: after the idle time the session ends, socket and all.
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(socket.close_code(WAIT).await, Some(SESSION_ENDED));
}

#[actix_web::test]
async fn a_deactivated_account_loses_its_socket() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let mut socket = socket_of(&app, &ahmed, meeting).await;

    let petra = signed_in(&app, "petra@vt.example").await;
    let page = petra
        .submit(
            "/beheer/gebruikers",
            &format!("/beheer/gebruikers/{}/deactiveren", c.ahmed.user_id),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(socket.close_code(WAIT).await, Some(SESSION_ENDED));
}

#[actix_web::test]
async fn a_minute_taker_whose_seat_is_removed_through_another_instance_stops_hearing_at_once() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, bakker_item) = run_meeting(&app, &c, false).await;
    c.give_ruud_a_minute_takers_seat(&app);
    let seat: i64 = table_members::table
        .filter(table_members::table_id.eq(c.table))
        .filter(table_members::user_id.eq(c.ruud.user_id))
        .filter(table_members::role.eq("minute_taker"))
        .select(table_members::id)
        .first(&mut *app.conn())
        .unwrap();
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let mut socket = socket_of(&app, &ruud, meeting).await;

    // The chair takes the seat away through the other instance.
    let other = app.second_instance();
    let chair = signed_in(&app, "ingrid@vt.example")
        .await
        .on(&other.base_url);
    let page = chair
        .submit(
            &format!("/overleggen/{}", c.table),
            &format!("/overleggen/{}/leden/{seat}/verwijderen", c.table),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // He is still on the attendance list as a member, but sees less: the page is told to reload.
    assert_eq!(socket.close_code(WAIT).await, Some(ACCESS_CHANGED));

    // A new socket shows him the Bakker decision only as something that was decided.
    let mut again = socket_of(&app, &ruud, meeting).await;
    chair_decides(&app, meeting, bakker_item, "Fase 3: herstel").await;
    let m = again.until_kind("decision.recorded", WAIT).await;
    let html = html_of(&m);
    assert!(html.contains("Besluit vastgelegd bij Gezin B."), "{html}");
    assert!(
        !html.contains("herstel") && !html.contains("Bakker"),
        "{html}"
    );
}

#[actix_web::test]
async fn a_new_involvement_widens_the_socket_and_its_end_closes_it() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, bakker_item) = run_meeting(&app, &c, false).await;
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let mut socket = socket_of(&app, &ruud, meeting).await;

    // Karin, who directs Bakker, brings Ruud in as neighbourhood officer while the meeting runs: from
    // then on he hears that family's decisions in full, on the same socket.
    let involvement = samenspel::db::write(&mut app.conn(), |conn| {
        record::add_involvement(conn, &c.karin, c.bakker, &c.ruud, "Wijkagent", today())
    })
    .unwrap();
    // (The room works out audiences in event order, so the decision below is drawn for him as he
    // stands after the involvement.)
    chair_decides(&app, meeting, bakker_item, "Fase 3: herstel").await;
    let m = socket.until_kind("decision.recorded", WAIT).await;
    assert!(html_of(&m).contains("Fase 3: herstel"), "{}", html_of(&m));

    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let page = karin
        .submit(
            &format!("/gezinnen/{}", c.bakker),
            &format!(
                "/gezinnen/{}/betrokkenen/{}/beeindigen",
                c.bakker, involvement.id
            ),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(socket.close_code(WAIT).await, Some(ACCESS_CHANGED));
}

#[actix_web::test]
async fn one_login_and_one_user_hold_a_limited_number_of_sockets_and_the_oldest_goes() {
    let app = TestApp::spawn_with(&[
        ("SAMENSPEL_LIVE_SOCKETS_PER_SESSION", "2"),
        ("SAMENSPEL_LIVE_SOCKETS_PER_USER", "3"),
    ])
    .await;
    let c = Cast::new(&app);
    let (meeting, _, bakker_item) = run_meeting(&app, &c, false).await;
    let laptop = signed_in(&app, "karin@wijkteam.example").await;
    let phone = signed_in(&app, "karin@wijkteam.example").await;

    let mut first = socket_of(&app, &laptop, meeting).await;
    let mut second = socket_of(&app, &laptop, meeting).await;
    let mut third = socket_of(&app, &laptop, meeting).await;
    // Two per login: the first goes.
    assert_eq!(first.close_code(WAIT).await, Some(TOO_MANY));

    let mut on_phone = socket_of(&app, &phone, meeting).await;
    let mut again_on_phone = socket_of(&app, &phone, meeting).await;
    // Three per user, over both logins: the oldest still open (the laptop's second) goes.
    assert_eq!(second.close_code(WAIT).await, Some(TOO_MANY));

    chair_decides(&app, meeting, bakker_item, "Fase 3: herstel").await;
    for socket in [&mut third, &mut on_phone, &mut again_on_phone] {
        let m = socket.until_kind("decision.recorded", WAIT).await;
        assert!(html_of(&m).contains("Fase 3: herstel"));
    }
}

#[actix_web::test]
async fn a_withdrawn_invitation_ends_the_guests_meeting_on_the_open_page_too() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    // Esther is invited for Jansen's item only, and has the meeting open.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let mut socket = socket_of(&app, &esther, meeting).await;
    let invitations = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}/uitnodigen");
    let withdraw = format!("{invitations}/{}/intrekken", c.esther.user_id);

    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = ingrid.get(&invitations).await;
    let listed = page.text(&format!("#uitgenodigd-{}", c.esther.user_id));
    assert!(
        listed.is_some_and(|t| t.contains("Esther Kok")),
        "{}",
        page.body
    );
    // The button asks first.
    let question = page.confirmation_of(&withdraw).expect("a withdraw button");
    assert!(question.contains("Esther Kok"), "{question}");

    // Ahmed directs Jansen: he stays invited, so there is no button for him, and posting does nothing.
    let ahmeds = format!("{invitations}/{}/intrekken", c.ahmed.user_id);
    assert!(page.confirmation_of(&ahmeds).is_none());
    assert!(
        page.text(&format!("#uitgenodigd-{}", c.ahmed.user_id))
            .is_some_and(|t| t.contains("regisseur van het gezin, blijft uitgenodigd"))
    );
    let kept = ingrid.submit(&invitations, &ahmeds, &[]).await;
    let kept = ingrid.get(kept.location.as_deref().unwrap()).await;
    assert!(
        kept.visible_text()
            .contains("De regisseur van het gezin blijft uitgenodigd")
    );
    assert!(
        kept.text(&format!("#uitgenodigd-{}", c.ahmed.user_id))
            .is_some()
    );

    // Without the token nothing happens; a member of the table cannot withdraw it either.
    assert_eq!(
        ingrid.post(&withdraw, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let refused = ruud.submit("/", &withdraw, &[]).await;
    assert!(refused.status.is_client_error(), "{}", refused.status);
    assert!(
        esther
            .get(&format!("/bijeenkomsten/{meeting}"))
            .await
            .status
            .is_success()
    );

    let page = ingrid.submit(&invitations, &withdraw, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // Invited for nothing else and without a seat, she is off the meeting: the socket closes at once
    // and the page answers 404.
    assert_eq!(socket.close_code(WAIT).await, Some(ACCESS_ENDED));
    assert_eq!(
        esther
            .get(&format!("/bijeenkomsten/{meeting}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = ingrid.get(page.location.as_deref().unwrap()).await;
    assert!(
        page.visible_text()
            .contains("De uitnodiging is ingetrokken. Deze persoon ziet het punt niet meer."),
        "{}",
        page.body
    );
    assert!(
        page.text(&format!("#uitgenodigd-{}", c.esther.user_id))
            .is_none()
    );
    // The family's timeline says who was taken off the item.
    let events: Vec<String> = samenspel::schema::events::table
        .filter(samenspel::schema::events::family_id.eq(c.jansen))
        .select(samenspel::schema::events::kind)
        .load(&mut *app.conn())
        .unwrap();
    assert!(events.iter().any(|k| k == "agenda.invitation_withdrawn"));
    // Withdrawing again changes nothing.
    let again = ingrid.submit(&invitations, &withdraw, &[]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        events.len(),
        samenspel::schema::events::table
            .filter(samenspel::schema::events::family_id.eq(c.jansen))
            .count()
            .get_result::<i64>(&mut *app.conn())
            .unwrap() as usize
    );
}

#[actix_web::test]
async fn closing_the_family_ends_what_an_invitation_showed_on_the_open_page() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    // Esther sees Jansen's item through her invitation, which holds while the record is open.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let item = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    assert_eq!(esther.get(&item).await.status, StatusCode::OK);
    let mut socket = socket_of(&app, &esther, meeting).await;

    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let family = format!("/gezinnen/{}", c.jansen);
    let page = ahmed
        .submit(
            &family,
            &format!("{family}/sluiten"),
            &[("reason", "Hulp afgerond")],
        )
        .await;
    assert_eq!(page.location.as_deref(), Some(family.as_str()));
    assert_eq!(socket.close_code(WAIT).await, Some(ACCESS_CHANGED));
    assert_eq!(esther.get(&item).await.status, StatusCode::NOT_FOUND);
}
