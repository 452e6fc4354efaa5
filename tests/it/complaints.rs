//! Complaints and objections (issue 21): who reads and answers a family's complaint (its table's chair
//! and the partnership's coordinators, nobody else), CSRF, bad input that keeps what was typed, the
//! partnership's term, overdue complaints on the start page, and every step as an event. The whole
//! story through the browser is in `complaints_browser`.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;

use crate::common::actors::add_member;
use crate::common::meeting::run_meeting;
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, GELDERLAND, signed_in, today};
use crate::common::{Client, DEFAULT_PARTNERSHIP, TestApp};

pub const HANNA: &str = "hanna@veiligheidshuis.example";
pub const WORDS: &str = "Ik ben het niet eens: het contact met de kinderen wordt te veel beperkt.";

/// A closed meeting with a decision on Jansen and on Bakker; Sandra (Jansen) and Eva (Bakker) in the
/// portal; Hanna coordinates the partnership; Gerrit coordinates Centraal Gelderland.
pub struct Story {
    pub app: TestApp,
    pub jansen_decision: i64,
    pub sandra: Client,
    pub eva: Client,
}

pub async fn story() -> Story {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (_, jansen_item, _) = run_meeting(&app, &c, true).await;
    let sandra_person = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let eva_person = add_member(&app, &c.karin, c.bakker, "Eva Bakker", false);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let sandra = family_account(
        &app,
        &ahmed,
        c.jansen,
        sandra_person,
        "sandra@example.nl",
        "",
    )
    .await;
    let eva = family_account(&app, &karin, c.bakker, eva_person, "eva@example.nl", "").await;
    app.coordinator(
        HANNA,
        "Hanna de Wit",
        "Veiligheidshuis Zuid-Holland Zuid",
        DEFAULT_PARTNERSHIP,
    );
    let gelderland = app.partnership(GELDERLAND);
    app.coordinator(
        "gerrit@vhgm.example",
        "Gerrit Smits",
        "Veiligheidshuis Gelderland-Midden",
        gelderland,
    );
    let jansen_decision = {
        use samenspel::schema::decisions;
        decisions::table
            .filter(decisions::agenda_item_id.eq(jansen_item))
            .select(decisions::id)
            .first(&mut app.conn())
            .unwrap()
    };
    Story {
        app,
        jansen_decision,
        sandra,
        eva,
    }
}

/// Files a complaint (`about` "klacht") or an objection (a decision's id) as `member`.
pub async fn file(member: &Client, about: &str, body: &str) -> crate::common::Page {
    member
        .submit(
            "/portaal/klachten",
            "/portaal/klachten",
            &[("about", about), ("body", body)],
        )
        .await
}

/// The newest complaint's id.
fn last_complaint(app: &TestApp) -> i64 {
    use samenspel::schema::complaints;
    complaints::table
        .order(complaints::id.desc())
        .select(complaints::id)
        .first(&mut app.conn())
        .unwrap()
}

fn answered(app: &TestApp, id: i64) -> bool {
    use samenspel::schema::complaints;
    complaints::table
        .find(id)
        .select(complaints::answered_at.is_not_null())
        .first(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn only_the_chair_and_the_coordinators_read_and_answer_a_complaint_and_nobody_of_another_family_or_partnership()
 {
    let s = story().await;
    let page = file(&s.sandra, &s.jansen_decision.to_string(), WORDS).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let id = last_complaint(&s.app);
    let path = format!("/klachten/{id}");

    // The chair of the decision's table and the coordinator read it.
    for email in ["ingrid@vt.example", HANNA] {
        let page = signed_in(&s.app, email).await.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{email}");
        assert!(page.visible_text().contains(WORDS), "{email}");
    }
    // The director, a standing member, someone of another partnership and its coordinator do not, and
    // do not learn it exists; their start pages do not list it.
    for email in [
        "ahmed@vt.example",
        "ruud@politie.example",
        "linda@ede.example",
        "gerrit@vhgm.example",
    ] {
        let client = signed_in(&s.app, email).await;
        let page = client.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{email}");
        assert!(!page.visible_text().contains(WORDS), "{email}");
        let home = client.get("/").await.visible_text();
        assert!(!home.contains("Klachten en bezwaren"), "{email}: {home}");
        let answer = client
            .submit(
                "/account",
                &format!("{path}/antwoord"),
                &[("answer", "Nee.")],
            )
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{email}");
    }
    // Another family's member neither reads it in the portal nor reaches it, nor answers it.
    let portal = s.eva.get("/portaal/klachten").await;
    assert_eq!(portal.status, StatusCode::OK);
    assert!(!portal.visible_text().contains(WORDS));
    assert!(
        !portal
            .body
            .contains(&format!("value=\"{}\"", s.jansen_decision))
    );
    let page = s.eva.get(&path).await;
    assert_ne!(page.status, StatusCode::OK);
    assert!(!page.visible_text().contains(WORDS));
    let answer = s
        .eva
        .submit(
            "/portaal",
            &format!("{path}/antwoord"),
            &[("answer", "Klaar.")],
        )
        .await;
    assert!(
        !answer.status.is_success() && !answer.status.is_redirection(),
        "{}",
        answer.status
    );
    // Nor can she object to Jansen's decision by typing its id.
    let before = s.app.count("complaints");
    let page = file(
        &s.eva,
        &s.jansen_decision.to_string(),
        "Dit besluit klopt niet.",
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.app.count("complaints"), before);
    assert!(!answered(&s.app, id));

    // CSRF: without the token nothing is filed or answered.
    let page = s
        .sandra
        .post(
            "/portaal/klachten",
            &[("about", "klacht"), ("body", "Zonder sleutel.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(s.app.count("complaints"), before);
    let ingrid = signed_in(&s.app, "ingrid@vt.example").await;
    let page = ingrid
        .post(
            &format!("{path}/antwoord"),
            &[("answer", "Zonder sleutel.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(!answered(&s.app, id));

    // The chair answers once; the member reads it, and gets a mail that says so.
    let page = ingrid
        .submit(
            &path,
            &format!("{path}/antwoord"),
            &[("answer", "We bespreken het contact opnieuw.")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let again = ingrid
        .submit(
            &path,
            &format!("{path}/antwoord"),
            &[("answer", "Nog een antwoord.")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let portal = s.sandra.get("/portaal/klachten").await.visible_text();
    assert!(
        portal.contains("We bespreken het contact opnieuw."),
        "{portal}"
    );
    assert!(!portal.contains("Nog een antwoord."));
    assert!(
        !s.eva
            .get("/portaal/klachten")
            .await
            .visible_text()
            .contains("We bespreken")
    );
    let mails = s.app.mails();
    assert!(
        mails.iter().any(|m| m.to == "sandra@example.nl"
            && m.subject == "Je klacht of bezwaar heeft een antwoord")
    );
}

#[actix_web::test]
async fn bad_input_keeps_what_was_typed_and_the_term_sets_the_deadline() {
    let s = story().await;
    let before = s.app.count("complaints");
    // Empty: the choice of decision stays.
    let page = file(&s.sandra, &s.jansen_decision.to_string(), "   ").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Schrijf wat je wilt zeggen."));
    assert_eq!(
        page.value(&format!(
            "input[name=about][value=\"{}\"][checked]",
            s.jansen_decision
        )),
        Some(s.jansen_decision.to_string())
    );
    // Too long: the text stays.
    let long = "Dit wil ik kwijt. ".repeat(300);
    let page = file(&s.sandra, "klacht", &long).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.text("textarea#body").as_deref(), Some(long.trim()));
    // Nothing chosen, or something that is no decision of theirs.
    for about in ["", "12345678", "<script>"] {
        let page = file(&s.sandra, about, "Iets.").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{about}");
        assert_eq!(page.text("textarea#body").as_deref(), Some("Iets."));
    }
    assert_eq!(s.app.count("complaints"), before);

    // The coordinator sets the term: nonsense is refused with what was typed, 8 weeks is kept.
    let hanna = signed_in(&s.app, HANNA).await;
    let settings = format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/klachten");
    let term = format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/klachttermijn");
    assert_eq!(
        hanna.get(&settings).await.value("#weeks").as_deref(),
        Some("6")
    );
    for typed in ["acht", "0", "53"] {
        let page = hanna.submit(&settings, &term, &[("weeks", typed)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert_eq!(page.value("#weeks").as_deref(), Some(typed));
    }
    let page = hanna.submit(&settings, &term, &[("weeks", "8")]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // Only its coordinators set it.
    let ingrid = signed_in(&s.app, "ingrid@vt.example").await;
    let page = ingrid.submit("/account", &term, &[("weeks", "2")]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    let page = file(&s.sandra, "klacht", "Niemand belt terug.").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let due = (today() + chrono::Duration::weeks(8))
        .format("%d-%m-%Y")
        .to_string();
    let portal = s.sandra.get("/portaal/klachten").await.visible_text();
    assert!(portal.contains(&format!("uiterlijk op {due}")), "{portal}");
    // The acknowledgement by mail names the date, and no family.
    let mail = s
        .app
        .mails()
        .into_iter()
        .rfind(|m| m.to == "sandra@example.nl")
        .expect("the acknowledgement");
    assert!(mail.text.contains(&due), "{}", mail.text);
    // The chair and the coordinator are told, without the family's name or the words.
    for to in ["ingrid@vt.example", HANNA] {
        let mail = s
            .app
            .mails()
            .into_iter()
            .rfind(|m| m.to == to)
            .unwrap_or_else(|| panic!("a notice to {to}"));
        assert!(!mail.text.contains("Jansen") && !mail.text.contains("Niemand belt"));
    }

    // An answer that is empty or too long is refused with what was typed.
    let id = last_complaint(&s.app);
    let path = format!("/klachten/{id}");
    let page = hanna
        .submit(&path, &format!("{path}/antwoord"), &[("answer", "")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = hanna
        .submit(&path, &format!("{path}/antwoord"), &[("answer", &long)])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.text("textarea#answer").as_deref(), Some(long.trim()));
    assert!(!answered(&s.app, id));
}

#[actix_web::test]
async fn every_step_is_an_event_and_an_overdue_complaint_is_marked_on_the_start_page() {
    let s = story().await;
    let page = file(&s.sandra, "klacht", "Niemand belt terug.").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let id = last_complaint(&s.app);
    {
        use samenspel::schema::complaints;
        diesel::update(complaints::table.find(id))
            .set(complaints::due_on.eq(today() - chrono::Duration::days(1)))
            .execute(&mut s.app.conn())
            .unwrap();
    }
    // A complaint without a decision goes to the table that discussed the family, and the coordinators.
    for email in [HANNA, "ingrid@vt.example"] {
        let home = signed_in(&s.app, email).await.get("/").await;
        let line = home.text("#klachten li").unwrap_or_default();
        assert!(line.contains("Gezin Jansen"), "{email}: {line}");
        assert!(line.contains("Te laat"), "{email}: {line}");
    }
    // Sandra reads that it is late.
    let portal = s.sandra.get("/portaal/klachten").await.visible_text();
    assert!(portal.contains("Het antwoord is te laat."), "{portal}");

    let hanna = signed_in(&s.app, HANNA).await;
    let path = format!("/klachten/{id}");
    let page = hanna
        .submit(
            &path,
            &format!("{path}/antwoord"),
            &[("answer", "Ik bel je morgen.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let home = hanna.get("/").await;
    assert!(
        home.text("#klachten").is_none(),
        "answered, so off the list"
    );

    use samenspel::schema::events;
    let kinds: Vec<String> = events::table
        .filter(events::subject_type.eq("complaint"))
        .filter(events::subject_id.eq(id))
        .order(events::id.asc())
        .select(events::kind)
        .load(&mut s.app.conn())
        .unwrap();
    assert_eq!(
        kinds,
        [
            "complaint.filed",
            "complaint.acknowledged",
            "complaint.answered"
        ]
    );
    // The complaint is for its handlers: not on the family's timeline or the partners' feed.
    let on_timeline: i64 = events::table
        .filter(events::kind.like("complaint.%"))
        .filter(events::family_id.is_not_null())
        .count()
        .get_result(&mut s.app.conn())
        .unwrap();
    assert_eq!(on_timeline, 0);
    // Reading it is on the family's access log, with its purpose.
    let log = s.sandra.get("/portaal/inzage").await.visible_text();
    assert!(log.contains("Klacht of bezwaar behandelen"), "{log}");
    // Her copy of her data ("Ik wil mijn gegevens") has the complaint and its answer in her own words.
    let page = s
        .sandra
        .submit("/portaal", "/portaal/inzageverzoek", &[])
        .await;
    assert!(page.status.is_redirection());
    let mut conn = s.app.conn();
    let person: i64 = {
        use samenspel::schema::complaints;
        complaints::table
            .find(id)
            .select(complaints::person_id)
            .first(&mut conn)
            .unwrap()
    };
    let request = samenspel::domain::data_request::for_person(&mut conn, person)
        .unwrap()
        .remove(0);
    let i18n = samenspel::i18n::I18n::new(samenspel::i18n::Locale::Nl);
    let export = samenspel::domain::data_request::gather(&mut conn, &request, &i18n).unwrap();
    let own = export.parts.iter().find(|p| p.key == "own_words").unwrap();
    assert!(
        own.lines
            .iter()
            .any(|l| l.contains("Niemand belt terug. → Ik bel je morgen.")),
        "{:?}",
        own.lines
    );
}

/// A table of `partnership` chaired by `chair` (its kind: the partnership's first).
pub fn a_table(app: &TestApp, partnership: i64, name: &str, chair: i64) -> i64 {
    use samenspel::domain::table::{self, TableRole};
    let by = samenspel::record::who(&mut app.conn(), chair).unwrap();
    samenspel::db::write(
        &mut app.conn(),
        |conn| -> samenspel::domain::DomainResult<i64> {
            let kind = table::kinds_of(conn, &[partnership])?.remove(0);
            let made = samenspel::record::create_table(conn, &by, &kind, name, "Regio")?;
            table::add_member(conn, made.id, chair, TableRole::Chair)?;
            Ok(made.id)
        },
    )
    .unwrap()
}

#[actix_web::test]
async fn the_chair_sends_a_complaint_on_to_another_table_of_the_partnership_only() {
    let s = story().await;
    let ruud = s.app.id_of("ruud@politie.example");
    let actieoverleg = a_table(&s.app, DEFAULT_PARTNERSHIP, "Actieoverleg Dordrecht", ruud);
    let gelderland = s.app.partnership(GELDERLAND);
    let linda = s.app.id_of("linda@ede.example");
    let elsewhere = a_table(&s.app, gelderland, "Actieoverleg Ede", linda);
    let page = file(&s.sandra, &s.jansen_decision.to_string(), WORDS).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let id = last_complaint(&s.app);
    let path = format!("/klachten/{id}");
    let forward = format!("{path}/doorsturen");
    let ingrid = signed_in(&s.app, "ingrid@vt.example").await;
    let form = ingrid.get(&path).await;
    assert!(
        form.text("#table_id")
            .unwrap()
            .contains("Actieoverleg Dordrecht")
    );
    assert!(!form.text("#table_id").unwrap().contains("Actieoverleg Ede"));

    // Not to a table of another partnership, nor to nothing: refused, and it stays.
    for to in [elsewhere.to_string(), String::new()] {
        let page = ingrid.submit(&path, &forward, &[("table_id", &to)]).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{to}");
        assert!(page.visible_text().contains("Kies een ander overleg."));
    }
    let page = ingrid
        .submit(&path, &forward, &[("table_id", &actieoverleg.to_string())])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/"));
    // From now on the other table's chair handles it, and was told by mail; the first chair no longer
    // reads it; the coordinator still does.
    assert_eq!(ingrid.get(&path).await.status, StatusCode::NOT_FOUND);
    let ruud = signed_in(&s.app, "ruud@politie.example").await;
    assert_eq!(ruud.get(&path).await.status, StatusCode::OK);
    let home = ruud.get("/").await;
    assert!(
        home.text("#klachten")
            .unwrap_or_default()
            .contains("Gezin Jansen")
    );
    assert!(s.app.mails().iter().any(|m| m.to == "ruud@politie.example"
        && m.subject == "Een gezin heeft een klacht of bezwaar ingediend"));
    let hanna = signed_in(&s.app, HANNA).await;
    assert_eq!(hanna.get(&path).await.status, StatusCode::OK);
    use samenspel::schema::events;
    let forwarded: i64 = events::table
        .filter(events::kind.eq("complaint.forwarded"))
        .filter(events::subject_id.eq(id))
        .count()
        .get_result(&mut s.app.conn())
        .unwrap();
    assert_eq!(forwarded, 1);
}
