//! The family portal: what a family member sees and does not see, their voice in the meeting room, the
//! access log as they read it, and mail without family details.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;

use crate::common::meeting::{close_meeting, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, PASSWORD, Socket, TestApp, link_in};

#[actix_web::test]
async fn a_family_member_sees_their_plan_decisions_and_meeting_and_nothing_that_is_not_shared() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let mila_id = member(&app, &c, "Mila Jansen", PersonRole::Child, 14);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    // A plan, and a recovery plan for Mila.
    let page = ahmed
        .submit(
            &format!("/gezinnen/{}/plan/bewerken", c.jansen),
            &format!("/gezinnen/{}/plan", c.jansen),
            &[
                ("base_version", "0"),
                ("safety__agreements", "Mark komt niet aan huis."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let mila_plan = format!("/gezinnen/{}/plannen/herstelplan-{mila_id}", c.jansen);
    let page = ahmed
        .submit(
            &format!("{mila_plan}/bewerken"),
            &mila_plan,
            &[("base_version", "0"), ("goals", "Mila slaapt weer goed.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let (meeting, jansen_item, bakker_item) = run_meeting(&app, &c, false).await;

    let sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;
    // The start page sends a family account to the portal.
    let home = sandra.get("/").await;
    assert_eq!(home.location.as_deref(), Some("/portaal"));
    let portal = sandra.get("/portaal").await;
    assert_eq!(portal.status, StatusCode::OK);
    let text = portal.visible_text();
    for expected in [
        "Hallo Sandra Jansen",
        "Snel weg",
        "Mark komt niet aan huis.",
        "Fase 1 gaat door; na acht weken zonder incidenten naar fase 2.",
        "Besloten in MDA++ Zuid-Holland Zuid",
        "GGZ-intake voor Sandra",
        "Jullie regisseur is Ahmed Benali",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert!(
        portal
            .text("#overleggen + ul")
            .unwrap_or_default()
            .contains("MDA++ Zuid-Holland Zuid"),
        "the upcoming meeting"
    );
    // Not shared (yet): the minutes of the item, and Mila's recovery plan.
    assert!(!text.contains("Sandra was aanwezig en vertelde"));
    assert!(!text.contains("Mila slaapt weer goed."));

    // Another family's item, the professional pages, exports: as if they do not exist.
    for path in [
        format!("/portaal/punten/{bakker_item}/inbreng"),
        format!("/gezinnen/{}", c.jansen),
        format!("/gezinnen/{}", c.bakker),
        format!("/bijeenkomsten/{meeting}"),
        format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"),
        "/gezinnen".to_string(),
    ] {
        assert_eq!(
            sandra.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    assert_eq!(
        sandra
            .get(&format!("/portaal/punten/{jansen_item}/inbreng"))
            .await
            .status,
        StatusCode::OK
    );
    // And a professional does not get the portal.
    assert_eq!(ahmed.get("/portaal").await.status, StatusCode::NOT_FOUND);

    // Minutes are shared only once final: not while the meeting runs, then by the director after closing.
    let item_path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    ahmed
        .submit(&item_path, &format!("{item_path}/notulen-delen"), &[])
        .await;
    let minutes = "Sandra was aanwezig en vertelde";
    assert!(
        !sandra
            .get("/portaal")
            .await
            .visible_text()
            .contains(minutes)
    );
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    close_meeting(&ingrid, meeting).await;
    let page = ahmed
        .submit(&item_path, &format!("{item_path}/notulen-delen"), &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        sandra
            .get("/portaal")
            .await
            .visible_text()
            .contains(minutes)
    );

    // Mila (14): her access needs the director's judgement. She consents; then Sandra sees her plan.
    let path = format!("/gezinnen/{}/portaal", c.jansen);
    let page = ahmed
        .submit(
            &path,
            &format!("{path}/uitnodigen"),
            &[
                ("person_id", &mila_id.to_string()),
                ("email", "mila@example.org"),
                ("judgement", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Schrijf op waarom toegang past voor dit kind.")
    );
    assert_eq!(
        page.value("#email").as_deref(),
        Some("mila@example.org"),
        "what was typed is kept"
    );
    let mila = family_account(
        &app,
        &ahmed,
        c.jansen,
        mila_id,
        "mila@example.org",
        "Mila is 14 en wil zelf meelezen; besproken met Sandra.",
    )
    .await;
    assert!(
        mila.get("/portaal")
            .await
            .visible_text()
            .contains("Mila slaapt weer goed."),
        "her own plan"
    );
    let page = mila
        .submit(
            "/portaal",
            "/portaal/herstelplan/toestemming",
            &[("consent", "ja")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        sandra
            .get("/portaal")
            .await
            .visible_text()
            .contains("Mila slaapt weer goed.")
    );

    // Kept from a named member: the director withholds decisions from Sandra, with a reason.
    let page = ahmed
        .submit(
            &path,
            &format!("{path}/achterhouden"),
            &[
                ("person_id", &sandra_id.to_string()),
                ("category", "decisions"),
                ("withhold", "ja"),
                ("reason", "Veiligheid: eerst met Sandra bespreken."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let text = sandra.get("/portaal").await.visible_text();
    assert!(!text.contains("Fase 1 gaat door"), "{text}");
    assert!(
        mila.get("/portaal")
            .await
            .visible_text()
            .contains("Fase 1 gaat door"),
        "only from Sandra"
    );

    // The director turns Sandra's access off: her session ends at once; on again, she can log in.
    let accounts_path = format!("/gezinnen/{}/portaal", c.jansen);
    let sandra_user = samenspel::domain::user::find_by_email(&mut app.conn(), "sandra@example.org")
        .unwrap()
        .unwrap();
    let page = ahmed
        .submit(
            &accounts_path,
            &format!("{accounts_path}/toegang/{}/intrekken", sandra_user.id),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = sandra.get("/portaal").await;
    assert!(
        page.location
            .as_deref()
            .unwrap_or_default()
            .starts_with("/inloggen"),
        "logged out"
    );
    assert_eq!(
        app.client()
            .login("sandra@example.org", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    ahmed
        .submit(
            &accounts_path,
            &format!("{accounts_path}/toegang/{}/herstellen", sandra_user.id),
            &[],
        )
        .await;
    app.client().login_ok("sandra@example.org").await;
}

#[actix_web::test]
async fn what_the_family_writes_appears_on_the_item_in_the_live_meeting_and_on_the_decision_form() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;

    // The chair and a standing member who is not invited for Jansen are in the live room.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let token = |client: &Client| client.cookie("samenspel_session").expect("a session");
    let last = samenspel::events::last_id(&mut app.conn()).unwrap();
    let mut chair = Socket::open(&app.base_url, meeting, &token(&ingrid), last).await;
    let mut member = Socket::open(&app.base_url, meeting, &token(&ruud), last).await;

    // Empty is refused with a message; then Sandra writes her view.
    let path = format!("/portaal/punten/{jansen_item}/inbreng");
    let page = sandra.submit(&path, &path, &[("body", "  ")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Schrijf iets op voordat je opslaat.")
    );
    let words = "Wij willen de omgang graag in het buurthuis, niet bij oma.";
    let page = sandra.submit(&path, &path, &[("body", words)]).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );

    let wait = std::time::Duration::from_secs(5);
    let message = chair.until_kind("family_view.saved", wait).await;
    let target = format!("#family-views-{jansen_item}");
    let fragment = message["fragments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["target"] == target.as_str())
        .expect("the family's view as a fragment");
    assert!(fragment["html"].as_str().unwrap().contains(words));
    let seen_by_member = member.until_kind("family_view.saved", wait).await;
    assert!(
        !seen_by_member.to_string().contains("buurthuis"),
        "not invited for Jansen: {seen_by_member}"
    );

    // On the item page and in the decision form, where hoor en wederhoor is recorded.
    let item = ingrid
        .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
        .await;
    assert!(item.text(&target).unwrap_or_default().contains(words));
    assert!(
        item.text(".ss-family-views-in-form")
            .unwrap_or_default()
            .contains(words)
    );
    assert!(
        item.text(".ss-family-views-in-form")
            .unwrap_or_default()
            .contains("Sandra Jansen")
    );
    // Sandra sees what she wrote, and can change it.
    assert!(sandra.get("/portaal").await.visible_text().contains(words));
}

#[actix_web::test]
async fn the_family_sees_who_read_their_file_a_moment_ago() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;

    let karin = signed_in(&app, "karin@wijkteam.example").await;
    assert_eq!(
        karin.get(&format!("/gezinnen/{}", c.jansen)).await.status,
        StatusCode::OK
    );
    let page = sandra.get("/portaal/inzage").await;
    assert_eq!(page.status, StatusCode::OK);
    let first = page.text("tbody tr").expect("a reading");
    assert!(first.contains("Sociaal wijkteam Dordrecht"), "{first}");
    assert!(first.contains("Betrokken"), "the reason: {first}");
    assert!(
        !page.visible_text().contains("Karin de Vries"),
        "names only when the director chooses"
    );

    let path = format!("/gezinnen/{}/portaal", c.jansen);
    let done = ahmed
        .submit(&path, &format!("{path}/namen"), &[("show_names", "ja")])
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = sandra.get("/portaal/inzage").await;
    assert!(page.visible_text().contains("Karin de Vries"));
    // The choice is on the family's timeline, once: saving it again changes nothing.
    ahmed
        .submit(&path, &format!("{path}/namen"), &[("show_names", "ja")])
        .await;
    let timeline = ahmed
        .get(&format!("/gezinnen/{}", c.jansen))
        .await
        .visible_text();
    let line = "Het gezin ziet in het inzagelog de namen van wie het dossier heeft gelezen";
    assert_eq!(timeline.matches(line).count(), 1, "{timeline}");
}

#[actix_web::test]
async fn the_notification_mail_says_only_that_there_is_something_new() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let _sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;
    let before = app.mails().len();
    run_meeting(&app, &c, false).await;
    let to_sandra: Vec<_> = app
        .mails()
        .into_iter()
        .skip(before)
        .filter(|m| m.to == "sandra@example.org")
        .collect();
    assert!(
        !to_sandra.is_empty(),
        "the published agenda and the decision are news for her"
    );
    for mail in &to_sandra {
        assert_eq!(mail.subject, "Er is iets nieuws voor je in Samenspel");
        assert!(mail.attachments.is_empty());
        for detail in [
            "Jansen",
            "Sandra",
            "MDA",
            "Fase",
            "GGZ",
            "acht weken",
            "2026-",
        ] {
            assert!(
                !mail.text.contains(detail) && !mail.html.contains(detail),
                "{detail} in: {}",
                mail.text
            );
        }
        assert!(mail.text.contains(&format!("{}/portaal", app.base_url)));
    }
    // Mark, the father, has no account: nobody else in the family gets mail.
    let events: i64 = {
        use samenspel::schema::events::dsl::*;
        events
            .filter(kind.eq("portal.invited"))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(events, 1);
}

#[actix_web::test]
async fn a_family_member_logs_in_once_with_a_link_by_email() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    // Invited, without choosing a password.
    let path = format!("/gezinnen/{}/portaal", c.jansen);
    let page = ahmed
        .submit(
            &path,
            &format!("{path}/uitnodigen"),
            &[
                ("person_id", &sandra_id.to_string()),
                ("email", "sandra@example.org"),
                ("judgement", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    let before = app.mails().len();
    let visitor = app.client();
    for email in [
        "sandra@example.org",
        "ahmed@vt.example",
        "onbekend@example.org",
    ] {
        let page = visitor
            .submit("/inloggen/link", "/inloggen/link", &[("email", email)])
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.visible_text()
                .contains("Als dit adres bij het gezinsportaal hoort"),
            "the same answer for {email}"
        );
    }
    // The mail goes out after the answer (so the answer time says nothing): wait for it.
    let started = std::time::Instant::now();
    while app.mails().len() == before && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Asking again right away sends nothing more (and keeps the link just sent working).
    let page = visitor
        .submit(
            "/inloggen/link",
            "/inloggen/link",
            &[("email", "sandra@example.org")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let mails: Vec<_> = app.mails().into_iter().skip(before).collect();
    assert_eq!(mails.len(), 1, "only the family member gets a link, once");
    assert_eq!(mails[0].to, "sandra@example.org");
    assert!(!mails[0].text.contains("Jansen"));
    let link = link_in(&mails[0], &app.base_url);
    let path = link.trim_start_matches(&app.base_url).to_string();

    // Opening the link does not use it (mail scanners); the button does.
    assert_eq!(visitor.get(&path).await.status, StatusCode::OK);
    let page = visitor.submit(&path, &path, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/portaal"));
    assert!(
        visitor
            .get("/portaal")
            .await
            .visible_text()
            .contains("Hallo Sandra Jansen")
    );
    // Once only.
    let other = app.client();
    assert_eq!(other.get(&path).await.status, StatusCode::GONE);
    let page = other
        .post(
            &path,
            &[("csrf_token", &other.get("/inloggen").await.csrf())],
        )
        .await;
    assert_eq!(page.status, StatusCode::GONE);
    assert!(
        other.get("/portaal").await.location.is_some(),
        "not logged in"
    );
}
