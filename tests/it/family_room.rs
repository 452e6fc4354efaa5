//! The family at the table (issue 21): the chair invites Sandra Jansen to her own family's item, and a
//! cliëntondersteuner by a one-time link; the mail is plain Dutch with English; Sandra's room opens for
//! her item only and shows nothing of the Bakker item; the link opens on the meeting's day and for its
//! own item only; the besluitenlijst says who of the family was there.

use chrono::Duration;
use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;

use crate::common::actors::add_member;
use crate::common::meeting::{close_meeting, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, Page, TestApp, link_in};

/// A running meeting with the Jansen and the Bakker item, Sandra with a portal account, and what of
/// the Bakker item must never reach her.
pub struct Table {
    pub c: Cast,
    pub meeting: i64,
    pub jansen_item: i64,
    pub bakker_item: i64,
    pub sandra_person: i64,
    pub sandra: Client,
    pub ingrid: Client,
    /// "Bakker", its members' names, its case number, its pseudonym and its item's title.
    pub bakker_words: Vec<String>,
}

pub async fn a_table_with_sandra(app: &TestApp) -> Table {
    let c = Cast::new(app);
    let sandra_person = member(app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    add_member(app, &c.karin, c.bakker, "Eva Bakker", false);
    add_member(app, &c.karin, c.bakker, "Sem Bakker", false);
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let (meeting, jansen_item, bakker_item) = run_meeting(app, &c, false).await;
    let sandra = family_account(
        app,
        &ahmed,
        c.jansen,
        sandra_person,
        "sandra@example.org",
        "",
    )
    .await;
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let mut conn = app.conn();
    let bakker = samenspel::domain::family::find(&mut conn, c.bakker)
        .unwrap()
        .unwrap();
    let item = samenspel::domain::meeting::find_item(&mut conn, meeting, bakker_item)
        .unwrap()
        .unwrap();
    let bakker_words = vec![
        "Bakker".to_string(),
        "Eva".to_string(),
        "Sem Bakker".to_string(),
        bakker.case_number.clone(),
        bakker.pseudonym(),
        item.title.clone(),
    ];
    Table {
        c,
        meeting,
        jansen_item,
        bakker_item,
        sandra_person,
        sandra,
        ingrid,
        bakker_words,
    }
}

/// The chair sends the invitation form of an item.
pub async fn invite(chair: &Client, meeting: i64, item: i64, fields: &[(&str, &str)]) -> Page {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}/gezin-uitnodigen");
    chair.submit(&path, &path, fields).await
}

/// The chair invites Sandra for the conversation and the decision on her family's item.
pub async fn invite_sandra(app: &TestApp, t: &Table) {
    let page = invite(
        &t.ingrid,
        t.meeting,
        t.jansen_item,
        &[
            ("kind", "member"),
            ("person_id", &t.sandra_person.to_string()),
            ("part", "decision"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.wait_for_mails(1).await;
}

pub fn none_of(words: &[String], text: &str, what: &str) {
    for w in words {
        assert!(!text.contains(w.as_str()), "{what} shows {w:?}: {text}");
    }
}

#[actix_web::test]
async fn sandra_is_invited_in_plain_dutch_and_english_and_her_room_shows_her_item_only() {
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    invite_sandra(&app, &t).await;
    let mail = app
        .mails()
        .into_iter()
        .rev()
        .find(|m| m.to == "sandra@example.org")
        .expect("Sandra's invitation");
    assert!(
        mail.text
            .contains("Hallo Sandra Jansen, je bent welkom bij het overleg over jullie gezin")
    );
    assert!(
        mail.text
            .contains("Hello Sandra Jansen, you are welcome at the meeting")
    );
    assert!(mail.text.contains("je bent erbij als er besloten wordt"));
    assert!(mail.text.contains(" uur."), "the time: {}", mail.text);
    let link = link_in(&mail, &app.base_url);
    assert!(link.ends_with(&format!("/portaal/punten/{}/overleg", t.jansen_item)));
    none_of(&t.bakker_words, &mail.text, "the invitation");

    let room = t
        .sandra
        .get(&format!("/portaal/punten/{}/overleg", t.jansen_item))
        .await;
    assert_eq!(room.status, StatusCode::OK);
    assert_eq!(
        room.text("#room-turn").as_deref(),
        Some("Je bent zo aan de beurt.")
    );
    assert!(
        room.text("#room-decisions")
            .unwrap()
            .contains("Besluit: Fase 1: directe veiligheid"),
        "the decision on her item"
    );
    none_of(&t.bakker_words, &room.body, "Sandra's room");

    // Not the Bakker item's room, not its live socket, not the professionals' pages or exports.
    for path in [
        format!("/portaal/punten/{}/overleg", t.bakker_item),
        format!("/portaal/punten/{}/overleg/live", t.bakker_item),
        format!("/bijeenkomsten/{}", t.meeting),
        format!("/bijeenkomsten/{}/live", t.meeting),
        format!("/bijeenkomsten/{}/besluitenlijst.pdf", t.meeting),
        format!("/bijeenkomsten/{}/punten/{}", t.meeting, t.bakker_item),
    ] {
        let page = t.sandra.get(&path).await;
        assert!(
            matches!(page.status.as_u16(), 403 | 404)
                || page
                    .location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("/inloggen")),
            "{path}: {}",
            page.status
        );
        none_of(&t.bakker_words, &page.body, &path);
    }

    // Opening her room while the meeting ran made her present: the besluitenlijst says so.
    close_meeting(&t.ingrid, t.meeting).await;
    let res = t
        .ingrid
        .http
        .get(
            t.ingrid
                .url(&format!("/bijeenkomsten/{}/besluitenlijst.pdf", t.meeting)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.bytes().await.unwrap();
    let text = pdf_extract::extract_text_from_mem(&body).expect("the PDF reads back");
    assert!(
        text.contains("Aanwezig van het gezin: Sandra Jansen"),
        "the besluitenlijst: {text}"
    );
}

#[actix_web::test]
async fn a_one_time_link_opens_on_the_meetings_day_and_for_its_own_item_only() {
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    let page = invite(
        &t.ingrid,
        t.meeting,
        t.jansen_item,
        &[
            ("kind", "client_support"),
            ("name", "Fatma Yilmaz"),
            ("email", "fatma@example.org"),
            ("part", "conversation"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let mails = app.wait_for_mails(1).await;
    let mail = mails
        .iter()
        .rev()
        .find(|m| m.to == "fatma@example.org")
        .expect("the invitation");
    assert!(
        mail.text
            .contains("De link werkt alleen op de dag van het overleg")
    );
    let link = link_in(mail, &app.base_url);
    let path = link.trim_start_matches(&app.base_url).to_string();
    assert!(path.starts_with(&format!("/gast/{}/", t.jansen_item)));
    let token = path.rsplit('/').next().unwrap().to_string();
    let guest = app.client();

    // The meeting is tomorrow: not yet.
    assert_eq!(guest.get(&path).await.status, StatusCode::NOT_FOUND);
    app.clock.advance(Duration::days(1));
    let room = guest.get(&path).await;
    assert_eq!(room.status, StatusCode::OK);
    assert!(room.text("#room-decisions").is_none(), "conversation only");
    none_of(&t.bakker_words, &room.body, "the guest's room");
    // Not for another item.
    let other = format!("/gast/{}/{token}", t.bakker_item);
    assert_eq!(guest.get(&other).await.status, StatusCode::NOT_FOUND);

    // Her view reaches the chair's decision form.
    let sent = guest
        .submit(
            &path,
            &format!("{path}/inbreng"),
            &[("body", "Sandra wil graag dat oma helpt.")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let item = ingrid
        .get(&format!(
            "/bijeenkomsten/{}/punten/{}",
            t.meeting, t.jansen_item
        ))
        .await;
    let form_views = item
        .text(&format!("[data-family-views-form=\"{}\"]", t.jansen_item))
        .unwrap();
    assert!(
        form_views.contains("Sandra wil graag dat oma helpt."),
        "{form_views}"
    );
    assert!(form_views.contains("Fatma Yilmaz"));

    // The day after, the link no longer opens.
    app.clock.advance(Duration::days(1));
    assert_eq!(guest.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn an_incomplete_invitation_says_what_is_missing_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    let page = invite(
        &t.ingrid,
        t.meeting,
        t.jansen_item,
        &[
            ("kind", "network"),
            ("name", ""),
            ("email", "oma.jansen"),
            ("part", ""),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Vul een naam in."));
    assert!(page.body.contains("Vul een goed e-mailadres in"));
    assert!(page.body.contains("Kies waarbij deze persoon meedoet."));
    assert_eq!(page.value("#email").as_deref(), Some("oma.jansen"));
    assert!(app.mails().iter().all(|m| !m.to.contains("oma")));
    // A member of another family cannot be invited for the Jansen item.
    let eva = {
        let mut conn = app.conn();
        samenspel::domain::family::persons(&mut conn, t.c.bakker).unwrap()[0].id
    };
    let page = invite(
        &t.ingrid,
        t.meeting,
        t.jansen_item,
        &[
            ("kind", "member"),
            ("person_id", &eva.to_string()),
            ("part", "decision"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    none_of(
        &t.bakker_words,
        &page.body,
        "the Jansen item's invitation form",
    );
}

#[actix_web::test]
async fn the_director_asks_the_chair_and_the_invitation_goes_out_when_the_chair_sends_it() {
    let app = TestApp::spawn().await;
    let t = a_table_with_sandra(&app).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let before = app.mails().len();
    let page = invite(
        &ahmed,
        t.meeting,
        t.jansen_item,
        &[
            ("kind", "experience_expert"),
            ("name", "Kees de Wit"),
            ("email", "kees@example.org"),
            ("part", "conversation"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let asked = ahmed.get(page.location.as_deref().unwrap()).await;
    assert!(
        asked
            .body
            .contains("Je vraag staat klaar voor de voorzitter.")
    );
    assert!(
        app.mails()[before..]
            .iter()
            .all(|m| m.to != "kees@example.org")
    );
    // The director cannot send it himself; someone not directing the family cannot even ask.
    let path = format!(
        "/bijeenkomsten/{}/punten/{}/gezin-uitnodigen",
        t.meeting, t.jansen_item
    );
    let pending = {
        let mut conn = app.conn();
        samenspel::domain::family_invite::for_item(&mut conn, t.jansen_item).unwrap()[0].id
    };
    let page = ahmed
        .submit(&path, &path, &[("approve", &pending.to_string())])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let ruud = signed_in(&app, "ruud@politie.example").await;
    assert!(matches!(ruud.get(&path).await.status.as_u16(), 403 | 404));

    // The chair sees the request waiting and sends it.
    let form = t.ingrid.get(&path).await;
    assert!(form.body.contains("Kees de Wit"));
    assert!(form.body.contains("wacht op de voorzitter"));
    let page = t
        .ingrid
        .submit(&path, &path, &[("approve", &pending.to_string())])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let mails = app.wait_for_mails(before + 1).await;
    let mail = mails
        .iter()
        .find(|m| m.to == "kees@example.org")
        .expect("the invitation, once the chair sent it");
    assert!(link_in(mail, &app.base_url).contains(&format!("/gast/{}/", t.jansen_item)));
    let form = t.ingrid.get(&path).await;
    assert!(!form.body.contains("wacht op de voorzitter"));
}
