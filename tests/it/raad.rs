//! The hand-off to the Raad voor de Kinderbescherming (issue 22): the table's hand-off outcome makes a
//! request to investigate with an action of the Raad and an event in the partner feed; a key of the
//! Raad's organisation reads the request (logged), another organisation's key gets 404; the family
//! sees a plain notice in the portal; only a Raad professional records the answer, which shows on the
//! family page and in the portal.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;
use samenspel::domain::organisation::OrganisationKind;
use samenspel::domain::user::Role;

use crate::common::api::{assert_problem, call, make_token};
use crate::common::meeting::{assert_taken, run_meeting, ymd};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, TestApp};

const RAAD: &str = "Raad voor de Kinderbescherming";
const HAND_OFF: &str = "Verzoek tot onderzoek RvdK";

/// The chair makes `HAND_OFF` the table's hand-off outcome on the table's edit page.
async fn hand_off_at_the_table(chair: &Client, table: i64) {
    let path = format!("/overleggen/{table}/bewerken");
    let form = chair.get(&path).await;
    let value = |css: &str| form.value(css).unwrap_or_default();
    // The textareas' own text, line breaks kept.
    let html = form.html();
    let text = |css: &str| -> String {
        let sel = scraper::Selector::parse(css).unwrap();
        html.select(&sel)
            .next()
            .map(|e| e.text().collect())
            .unwrap_or_default()
    };
    let page = chair
        .submit(
            &path,
            &format!("/overleggen/{table}/bewerken"),
            &[
                ("name", &value("#name")),
                ("region", &value("#region")),
                ("referral_criteria", &text("#referral_criteria")),
                ("outcome_options", &text("#outcome_options")),
                ("access_days", &value("#access_days")),
                ("send_mode", "link"),
                ("board_outcome", HAND_OFF),
            ],
        )
        .await;
    assert_taken(&page);
}

/// The decision form with the hand-off outcome and the request's fields (`extra` replaces or adds).
async fn hand_off(
    chair: &Client,
    (meeting, item): (i64, i64),
    owner: i64,
    extra: &[(&str, &str)],
) -> crate::common::Page {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    let owner = owner.to_string();
    let due = ymd(today() + Duration::days(28));
    let mut fields: Vec<(&str, &str)> = vec![
        ("outcome", HAND_OFF),
        ("text", "De tafel vraagt de Raad om onderzoek."),
        ("rationale", "Het geweld houdt aan ondanks hulp."),
        ("family_view", "disagrees"),
        ("family_words", "Wij willen geen onderzoek."),
        ("board_owner_user_id", &owner),
        ("board_due_on", &due),
        (
            "board_question",
            "Is een ondertoezichtstelling van Tim nodig?",
        ),
        (
            "board_grounds",
            "Drie meldingen van huiselijk geweld in zes maanden.",
        ),
        (
            "board_tried",
            "Wijkteam, MDA++ en een tijdelijk huisverbod.",
        ),
        (
            "board_family_view",
            "Sandra wil geen onderzoek, Mark weet het niet.",
        ),
    ];
    for (name, value) in extra {
        fields.retain(|(n, _)| n != name);
        fields.push((name, value));
    }
    chair
        .submit(&path, &format!("{path}/besluiten"), &fields)
        .await
}

fn board_requests(app: &TestApp) -> Vec<(i64, i64, i64, bool)> {
    use samenspel::schema::board_requests as b;
    b::table
        .order(b::id.asc())
        .select((b::id, b::action_id, b::organisation_id, b::family_notice))
        .load(&mut app.conn())
        .unwrap()
}

fn events_of(app: &TestApp, kind: &str) -> i64 {
    use samenspel::schema::events as e;
    e::table
        .filter(e::kind.eq(kind))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn the_hand_off_to_the_raad_asks_reads_tells_the_family_and_takes_the_raads_answer() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let raad = app.organisation(RAAD, OrganisationKind::ChildProtectionBoard);
    let tom = app.user(
        "tom@rvdk.example",
        "Tom Hendriks",
        Role::Professional,
        Some(RAAD),
    );
    app.user(
        "beheer@rvdk.example",
        "Beheer Raad",
        Role::OrgAdmin,
        Some(RAAD),
    );
    app.user(
        "beheer@ggz.example",
        "Beheer GGZ",
        Role::OrgAdmin,
        Some("GGZ volwassenen"),
    );
    let sandra = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 35);
    member(&app, &c, "Tim Jansen", PersonRole::Child, 8);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    hand_off_at_the_table(&ingrid, c.table).await;
    let (meeting, item, _) = run_meeting(&app, &c, false).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let portal = family_account(&app, &ahmed, c.jansen, sandra, "sandra@example.nl", "").await;

    // The form offers the hand-off and the Raad's people; a request without its parts is refused with
    // what was typed kept, and nothing is written.
    let form = ingrid
        .get(&format!("/bijeenkomsten/{meeting}/punten/{item}"))
        .await;
    assert!(form.body.contains(&format!("<option value=\"{HAND_OFF}\"")));
    assert!(
        form.visible_text()
            .contains("Tom Hendriks — Raad voor de Kinderbescherming")
    );
    let decisions = app.count("decisions");
    let page = hand_off(&ingrid, (meeting, item), tom.id, &[("board_grounds", "")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Vul dit in voor de Raad."));
    assert!(
        page.body
            .contains("Is een ondertoezichtstelling van Tim nodig?")
    );
    // Someone who is not of the Raad cannot own the request.
    let page = hand_off(&ingrid, (meeting, item), c.esther.user_id, &[]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Kies iemand van de Raad."));
    // Not telling the family needs the director's reason.
    let page = hand_off(
        &ingrid,
        (meeting, item),
        tom.id,
        &[("board_no_notice", "ja")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("decisions"), decisions);
    assert!(board_requests(&app).is_empty());

    // The request: an action of the Raad's organisation with the due date, and its event.
    let page = hand_off(&ingrid, (meeting, item), tom.id, &[]).await;
    assert_taken(&page);
    let requests = board_requests(&app);
    assert_eq!(requests.len(), 1);
    let (id, action, organisation, notice) = requests[0];
    assert_eq!(organisation, raad);
    assert!(notice);
    {
        use samenspel::schema::actions as a;
        let (owner_org, owner, due): (i64, i64, chrono::NaiveDate) = a::table
            .find(action)
            .select((a::owner_organisation_id, a::owner_user_id, a::due_on))
            .first(&mut app.conn())
            .unwrap();
        assert_eq!((owner_org, owner), (raad, tom.id));
        assert_eq!(due, today() + Duration::days(28));
    }

    // The Raad's key hears of it in the feed, with the request as dataref, and reads it.
    let raad_admin = signed_in(&app, "beheer@rvdk.example").await;
    let raad_key = make_token(&app, &raad_admin, "Raad").await;
    let ggz_admin = signed_in(&app, "beheer@ggz.example").await;
    let ggz_key = make_token(&app, &ggz_admin, "GGZ").await;
    let feed = call(&app, "/api/v1/events?after=0&limit=500", Some(&raad_key)).await;
    assert_eq!(feed.status, StatusCode::OK);
    let events = feed.json();
    let submitted: Vec<&serde_json::Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == "nl.samenspel.board_request.submitted")
        .collect();
    assert_eq!(submitted.len(), 1, "{events}");
    let dataref = submitted[0]["dataref"].as_str().unwrap();
    assert_eq!(
        dataref,
        format!("{}/api/v1/verzoeken-onderzoek/{id}", app.base_url)
    );
    assert!(
        !submitted[0].to_string().contains("ondertoezichtstelling"),
        "thin data"
    );
    assert!(
        events.as_array().unwrap().len() <= 2,
        "the Raad hears only of its request: {events}"
    );
    let path = format!("/api/v1/verzoeken-onderzoek/{id}");
    let read = call(&app, &path, Some(&raad_key)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.header("api-version"), "1.0.0");
    assert!(!read.header("ratelimit-remaining").is_empty());
    let body = read.json();
    assert_eq!(body["vraag"], "Is een ondertoezichtstelling van Tim nodig?");
    assert_eq!(
        body["watIsGeprobeerd"],
        "Wijkteam, MDA++ en een tijdelijk huisverbod."
    );
    assert_eq!(
        body["visieVanHetGezin"],
        "Sandra wil geen onderzoek, Mark weet het niet."
    );
    assert_eq!(body["uiterlijkOp"], ymd(today() + Duration::days(28)));
    assert_eq!(body["idActie"], action.to_string());
    assert!(body["antwoord"].is_null());
    assert!(body["gezinsleden"].to_string().contains("Tim Jansen"));
    // Another organisation's key, and an id that does not exist, get the same 404.
    for (path, key) in [(&path, &ggz_key), (&format!("{path}9"), &raad_key)] {
        let refused = call(&app, path, Some(key)).await;
        assert_problem(&refused, StatusCode::NOT_FOUND);
    }
    // The reading is in the family's access log, under the Raad's name.
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await;
    assert!(log.visible_text().contains(RAAD), "{}", log.visible_text());
    assert_eq!(
        events_of(&app, "board_request.read"),
        1,
        "one reading, one event"
    );

    // The family reads a plain notice in the portal.
    let home = portal.get("/portaal").await;
    assert!(
        home.visible_text()
            .contains("heeft het overleg de Raad voor de Kinderbescherming gevraagd"),
        "{}",
        home.visible_text()
    );
    assert!(home.visible_text().contains("De Raad laat uiterlijk"));

    // Only the Raad answers: not the director, not someone invited from elsewhere, and nothing changes.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let answer_path = format!("/verzoeken-onderzoek/{id}/antwoord");
    for (who, expected) in [
        (&ahmed, StatusCode::FORBIDDEN),
        (&esther, StatusCode::FORBIDDEN),
    ] {
        let token = who.get("/account").await.csrf();
        let page = who
            .post(
                &answer_path,
                &[
                    ("csrf_token", &token),
                    ("answer", "not_started"),
                    ("reason", "Nee."),
                ],
            )
            .await;
        assert_eq!(page.status, expected);
    }
    let outsider = signed_in(&app, "ruud@politie.example").await;
    let token = outsider.get("/account").await.csrf();
    let page = outsider
        .post(
            &answer_path,
            &[("csrf_token", &token), ("answer", "started")],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(events_of(&app, "board_request.answered"), 0);

    // The Raad's professional reads the request in the pages and answers it.
    let tom_client = signed_in(&app, "tom@rvdk.example").await;
    let request_page = format!("/verzoeken-onderzoek/{id}");
    let shown = tom_client.get(&request_page).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(
        shown
            .visible_text()
            .contains("Drie meldingen van huiselijk geweld")
    );
    let page = tom_client
        .submit(
            &request_page,
            &answer_path,
            &[("answer", "not_started"), ("reason", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Schrijf waarom de Raad geen onderzoek start.")
    );
    let page = tom_client
        .submit(
            &request_page,
            &answer_path,
            &[
                ("answer", "started"),
                ("reason", "We spreken eerst met Sandra en Mark."),
            ],
        )
        .await;
    assert_taken(&page);
    let again = tom_client
        .submit(
            &request_page,
            &answer_path,
            &[("answer", "not_started"), ("reason", "Toch niet.")],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // The answer shows on the family page, in the portal and to the Raad's key.
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(family.visible_text().contains("Onderzoek gestart"));
    assert!(
        family
            .visible_text()
            .contains("De Raad heeft geantwoord: Onderzoek gestart")
    );
    let home = portal.get("/portaal").await;
    assert!(
        home.visible_text()
            .contains("De Raad is met het onderzoek begonnen.")
    );
    let read = call(&app, &path, Some(&raad_key)).await;
    assert_eq!(read.json()["antwoord"]["onderzoekGestart"], true);
}

#[actix_web::test]
async fn a_request_the_director_keeps_from_the_family_stays_out_of_the_portal() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    app.organisation(RAAD, OrganisationKind::ChildProtectionBoard);
    let tom = app.user(
        "tom@rvdk.example",
        "Tom Hendriks",
        Role::Professional,
        Some(RAAD),
    );
    let sandra = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 35);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    hand_off_at_the_table(&ingrid, c.table).await;
    let (meeting, item, _) = run_meeting(&app, &c, false).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let portal = family_account(&app, &ahmed, c.jansen, sandra, "sandra@example.nl", "").await;
    let page = hand_off(
        &ingrid,
        (meeting, item),
        tom.id,
        &[
            ("board_no_notice", "ja"),
            (
                "board_no_notice_reason",
                "Eerst een veilig gesprek met Sandra alleen.",
            ),
        ],
    )
    .await;
    assert_taken(&page);
    assert!(!board_requests(&app)[0].3);
    let home = portal.get("/portaal").await;
    assert!(
        !home
            .visible_text()
            .contains("Raad voor de Kinderbescherming gevraagd")
    );
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(
        family
            .visible_text()
            .contains("Eerst een veilig gesprek met Sandra alleen.")
    );
}
