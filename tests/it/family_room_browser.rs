//! Must show 1 of issue 21, in three headless Chromiums: the chair (who invites Sandra through the
//! form and runs the meeting), a professional (Ahmed, the family's director) and Sandra Jansen, in her
//! own room for the Jansen item of a meeting that also has the Bakker item. Every socket message
//! Sandra's browser receives is recorded (a hook on `WebSocket` installed before any page script runs)
//! and, with her pages, searched for anything of the Bakker item: "Bakker", its members' names, its
//! case number, its pseudonym and its title. She sees her item become current and the decision arrive,
//! and her typed view reaches the chair's decision form live. The new pages pass axe at phone width.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{Browser, log_in, log_in_as_family, wcag_violations};
use crate::common::TestApp;
use crate::common::meeting::{assert_taken, decide};
use crate::everyday_browser::Cdp;
use crate::family_room::{a_table_with_sandra, none_of};

const PHONE: u32 = 375;

/// Records every message of every WebSocket the page opens, in sessionStorage (so a reload keeps them).
const RECORD_FRAMES: &str = r#"
(() => {
  const Native = window.WebSocket;
  const keep = (data) => {
    const all = JSON.parse(sessionStorage.getItem("frames") || "[]");
    all.push(String(data));
    sessionStorage.setItem("frames", JSON.stringify(all));
  };
  function Recorded(url, protocols) {
    const ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    ws.addEventListener("message", (e) => keep(e.data));
    return ws;
  }
  Recorded.prototype = Native.prototype;
  Object.assign(Recorded, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = Recorded;
})();
"#;

async fn frames(browser: &Browser) -> Vec<String> {
    let v = browser
        .client
        .execute("return sessionStorage.getItem('frames') || '[]'", vec![])
        .await
        .unwrap();
    serde_json::from_str(v.as_str().unwrap_or("[]")).unwrap()
}

async fn check_page(browser: &Browser, what: &str, found: &mut Vec<String>) {
    for v in wcag_violations(browser).await {
        found.push(format!("{what}: {v}"));
    }
    found.extend(browser.reflow_problems(what).await);
}

async fn fill(browser: &Browser, css: &str, text: &str) {
    let field = browser.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

#[actix_web::test]
async fn sandra_follows_her_own_item_live_and_sees_nothing_of_the_bakker_item() {
    let Some(chair) = Browser::start_phone(PHONE).await else {
        return;
    };
    let Some(ahmed) = Browser::start().await else {
        return;
    };
    let Some(sandra) = Browser::start_phone(PHONE).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    let (m, jansen, bakker) = (t.meeting, t.jansen_item, t.bakker_item);
    let mut problems = Vec::new();

    // The chair invites Sandra through the form.
    log_in(&chair, &app, "ingrid@vt.example").await;
    let invite = format!("/bijeenkomsten/{m}/punten/{jansen}/gezin-uitnodigen");
    chair.client.goto(&app.url(&invite)).await.unwrap();
    check_page(&chair, "invite form", &mut problems).await;
    chair.click("#kind-member").await;
    chair
        .client
        .find(Locator::Css("#person_id"))
        .await
        .unwrap()
        .select_by_value(&t.sandra_person.to_string())
        .await
        .unwrap();
    chair.click("#part-decision").await;
    chair
        .click("form[action$='gezin-uitnodigen'] button[type=submit]")
        .await;
    chair
        .wait_text("main", |t| t.contains("De uitnodiging is verstuurd."))
        .await;
    check_page(&chair, "invite form with the invited", &mut problems).await;

    // The Bakker item is current; Sandra opens her room, recording every socket message.
    let current = |item: i64| format!("/bijeenkomsten/{m}/punten/{item}/huidig");
    let page = t
        .ingrid
        .submit(&format!("/bijeenkomsten/{m}"), &current(bakker), &[])
        .await;
    assert_taken(&page);
    sandra
        .client
        .issue_cmd(Cdp {
            cmd: "Page.addScriptToEvaluateOnNewDocument",
            params: json!({ "source": RECORD_FRAMES }),
        })
        .await
        .expect("the recorder is installed");
    log_in_as_family(&sandra, &app, "sandra@example.org").await;
    let room = format!("/portaal/punten/{jansen}/overleg");
    sandra.client.goto(&app.url(&room)).await.unwrap();
    sandra
        .wait_text("#room-turn", |t| t == "Je bent zo aan de beurt.")
        .await;
    sandra
        .wait_text("#live-state", |t| t.starts_with("Verbonden"))
        .await;
    check_page(&sandra, "Sandra's room", &mut problems).await;

    // The chair and the director follow the Jansen item.
    chair
        .client
        .goto(&app.url(&format!("/bijeenkomsten/{m}/punten/{jansen}")))
        .await
        .unwrap();
    log_in(&ahmed, &app, "ahmed@vt.example").await;
    ahmed
        .client
        .goto(&app.url(&format!("/bijeenkomsten/{m}/punten/{jansen}")))
        .await
        .unwrap();

    // Meanwhile on the Bakker item: minutes and a decision that name the family.
    let bakker_page = format!("/bijeenkomsten/{m}/punten/{bakker}");
    let page = t
        .ingrid
        .submit(
            &bakker_page,
            &format!("{bakker_page}/notulen"),
            &[("minutes", "Eva Bakker vertelt hoe het met Sem Bakker gaat.")],
        )
        .await;
    assert_taken(&page);
    assert_taken(&decide(&t.ingrid, m, bakker, "Fase 1: directe veiligheid", "").await);

    // Her item becomes current.
    let page = t
        .ingrid
        .submit(&format!("/bijeenkomsten/{m}"), &current(jansen), &[])
        .await;
    assert_taken(&page);
    sandra
        .wait_text("#room-turn", |t| t.starts_with("Nu aan de beurt"))
        .await;

    // She types her view; it reaches the chair's decision form and the director's page live.
    let words = "Ik ben het eens, maar het contact graag in het buurthuis.";
    fill(&sandra, "#body", words).await;
    sandra
        .click("form[action$='/inbreng'] button[type=submit]")
        .await;
    sandra
        .wait_text("main", |t| {
            t.contains("De voorzitter heeft je mening gekregen.")
        })
        .await;
    chair
        .wait_text(&format!("[data-family-views-form=\"{jansen}\"]"), |t| {
            t.contains(words)
        })
        .await;
    ahmed
        .wait_text(&format!("#family-views-{jansen}"), |t| t.contains(words))
        .await;

    // The decision on her item reaches her room live.
    assert_taken(&decide(&t.ingrid, m, jansen, "Fase 2: stabiele veiligheid", "").await);
    sandra
        .wait_text("#room-decisions", |t| {
            t.contains("Besluit: Fase 2: stabiele veiligheid")
        })
        .await;
    check_page(&sandra, "Sandra's room with a decision", &mut problems).await;

    // Nothing of the Bakker item on her page or on her socket, at any time.
    let recorded = frames(&sandra).await;
    assert!(
        recorded
            .iter()
            .any(|f| f.contains("Fase 2: stabiele veiligheid")),
        "the recorder heard her socket: {recorded:?}"
    );
    for frame in &recorded {
        none_of(&t.bakker_words, frame, "a socket message to Sandra");
    }
    let html = sandra.client.source().await.unwrap();
    none_of(&t.bakker_words, &html, "Sandra's room");
    for path in ["/portaal", "/portaal/inzage"] {
        sandra.client.goto(&app.url(path)).await.unwrap();
        let html = sandra.client.source().await.unwrap();
        none_of(&t.bakker_words, &html, path);
    }

    // The room behind a one-time link, on the meeting's day.
    let page = crate::family_room::invite(
        &t.ingrid,
        m,
        jansen,
        &[
            ("kind", "network"),
            ("name", "Oma Jansen"),
            ("email", "oma@example.org"),
            ("part", "conversation"),
        ],
    )
    .await;
    assert_taken(&page);
    let mail = app
        .wait_for_mails(1)
        .await
        .into_iter()
        .rev()
        .find(|m| m.to == "oma@example.org")
        .expect("the invitation");
    let link = crate::common::link_in(&mail, &app.base_url);
    app.clock.advance(chrono::Duration::days(1));
    chair.client.goto(&link).await.unwrap();
    chair.wait_text("h1", |t| t == "Jullie overleg").await;
    chair
        .wait_text("#live-state", |t| t.starts_with("Verbonden"))
        .await;
    check_page(&chair, "the room behind a one-time link", &mut problems).await;
    // It is live too: the chair moves on, and the guest's room says so without a reload.
    let ingrid = crate::common::world::signed_in(&app, "ingrid@vt.example").await;
    assert_taken(
        &ingrid
            .submit(&format!("/bijeenkomsten/{m}"), &current(bakker), &[])
            .await,
    );
    chair
        .wait_text("#room-turn", |t| t == "Je bent zo aan de beurt.")
        .await;
    let html = chair.client.source().await.unwrap();
    none_of(&t.bakker_words, &html, "the room behind a one-time link");

    assert!(problems.is_empty(), "{problems:#?}");
    chair.close().await;
    ahmed.close().await;
    sandra.close().await;
}
