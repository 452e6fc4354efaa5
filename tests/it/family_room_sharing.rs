//! The family's room follows the director's sharing rules (issue 21): Sandra, marked "deelt niet
//! standaard mee", is invited to her family's item; a decision recorded there reaches neither her
//! room's socket nor its page, until the director shares that one decision with her. Someone of the
//! network sees only what is kept from no member.

use std::time::Duration;

use reqwest::StatusCode;

use crate::common::world::signed_in;
use crate::common::{Socket, TestApp, html_of, link_in};
use crate::family_room::{a_table_with_sandra, invite, invite_sandra};
use crate::sharing::{choose, decide, mark};

const NEW: &str = "Jeugdbescherming onderzoekt of een ondertoezichtstelling nodig is.";
const WAIT: Duration = Duration::from_secs(5);

#[actix_web::test]
async fn a_decision_not_shared_with_sandra_stays_out_of_her_room_on_the_wire_and_the_page() {
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    invite_sandra(&app, &t).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let marked = mark(
        &ahmed,
        t.c.jansen,
        t.sandra_person,
        "nee",
        "Zorgen over geweld",
    )
    .await;
    assert_eq!(marked.status, StatusCode::SEE_OTHER, "{}", marked.body);

    let room = format!("/portaal/punten/{}/overleg", t.jansen_item);
    let token = t
        .sandra
        .cookie("samenspel_session")
        .expect("Sandra's session");
    let after = samenspel::events::last_id(&mut app.conn()).unwrap();
    let mut socket =
        Socket::open_at(&app.base_url, &format!("{room}/live?after={after}"), &token).await;

    let decision = decide(&app, &t.ingrid, (t.meeting, t.jansen_item), NEW).await;
    // Sandra then gives her view: her own message comes after the decision's event on the wire, so
    // everything sent about the decision has reached her socket by then.
    let sent = t
        .sandra
        .submit(
            &room,
            &format!("{room}/inbreng"),
            &[("body", "Ik wil meedenken.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let mut heard = Vec::new();
    loop {
        let message = socket
            .next_event(WAIT)
            .await
            .expect("her own view comes back on the socket");
        let text = html_of(&message);
        heard.push(text.clone());
        if text.contains("Ik wil meedenken.") {
            break;
        }
    }
    assert!(
        heard.iter().all(|m| !m.contains(NEW)),
        "the new decision reached her socket: {heard:?}"
    );
    let page = t.sandra.get(&room).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(NEW), "her room shows the new decision");

    // The director shares this one decision with her: now her room shows it.
    choose(&ahmed, t.c.jansen, decision, t.sandra_person, "share", "").await;
    let page = t.sandra.get(&room).await;
    assert!(
        page.text("#room-decisions")
            .unwrap_or_default()
            .contains(NEW),
        "shared, the decision is in her room"
    );
}

/// Someone of the network, invited for the decision by a one-time link, has no sharing rules of their
/// own: they see a decision kept from no one, but not one the director keeps from a member.
#[actix_web::test]
async fn the_network_does_not_see_a_decision_kept_from_a_member() {
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    let page = invite(
        &t.ingrid,
        t.meeting,
        t.jansen_item,
        &[
            ("kind", "network"),
            ("name", "Oma Riet"),
            ("email", "riet@example.org"),
            ("part", "decision"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mails = app.wait_for_mails(1).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to == "riet@example.org")
        .expect("the invitation");
    let path = link_in(mail, &app.base_url)
        .trim_start_matches(&app.base_url)
        .to_string();
    let open = "Oma haalt de kinderen op woensdag van school.";
    decide(&app, &t.ingrid, (t.meeting, t.jansen_item), open).await;
    let kept = decide(&app, &t.ingrid, (t.meeting, t.jansen_item), NEW).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    choose(
        &ahmed,
        t.c.jansen,
        kept,
        t.sandra_person,
        "keep",
        "Lopend onderzoek",
    )
    .await;
    // The link opens on the meeting's day, tomorrow.
    app.clock.advance(chrono::Duration::days(1));
    let room = app.client().get(&path).await;
    assert_eq!(room.status, StatusCode::OK, "{}", room.body);
    let decisions = room.text("#room-decisions").unwrap_or_default();
    assert!(decisions.contains(open), "kept from no one: shown");
    assert!(
        !room.body.contains(NEW),
        "kept from Sandra: not for the network either"
    );
}
