//! The family record: one director enforced by the database, need-to-know access, the access log, the
//! event chain, concurrent plan edits and hostile text.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::user::Role;
use samenspel::record;

use crate::common::TestApp;
use crate::common::world::{Cast, details, signed_in, today};

#[actix_web::test]
async fn the_database_refuses_a_second_active_director_even_past_the_code() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let mut conn = app.conn();
    // Straight into the table, as a bug or a hand-written query would.
    let second = diesel::insert_into(samenspel::schema::directorships::table)
        .values(samenspel::domain::directorship::NewDirectorship {
            family_id: c.jansen,
            director_user_id: c.ruud.user_id,
            director_organisation_id: c.ruud.organisation_id.unwrap(),
            co_worker_user_id: None,
            started_at: samenspel::domain::now(),
        })
        .execute(&mut *conn);
    match second {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        other => panic!("expected a unique violation, got {other:?}"),
    }
    // Appointing through the code ends the old one first and keeps it.
    db::write(&mut conn, |conn| {
        record::appoint_director(conn, &c.ahmed, c.jansen, &c.ruud, None)
    })
    .unwrap();
    use samenspel::schema::directorships::dsl::*;
    let active: i64 = directorships
        .filter(family_id.eq(c.jansen))
        .filter(ended_at.is_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let all: i64 = directorships
        .filter(family_id.eq(c.jansen))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(active, 1);
    assert_eq!(all, 3, "the history stays");
}

#[actix_web::test]
async fn every_family_route_answers_by_need_to_know() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let f = c.jansen;
    let views = [
        format!("/gezinnen/{f}"),
        format!("/gezinnen/{f}/plan/versies"),
    ];
    let director_pages = [
        format!("/gezinnen/{f}/plan/bewerken"),
        format!("/gezinnen/{f}/regie"),
        format!("/gezinnen/{f}/betrokkenen/nieuw"),
        format!("/gezinnen/{f}/inzagelog"),
        format!("/gezinnen/{f}/bewerken"),
        format!("/gezinnen/{f}/gezinsleden/nieuw"),
    ];
    let not_found = StatusCode::NOT_FOUND;
    // (who, status for viewing, status for the director's pages)
    let table: [(&str, StatusCode, StatusCode); 8] = [
        ("ahmed@vt.example", StatusCode::OK, StatusCode::OK), // director
        ("karin@wijkteam.example", StatusCode::OK, StatusCode::OK), // co-worker
        (
            "ruud@politie.example",
            StatusCode::OK,
            StatusCode::FORBIDDEN,
        ), // involved
        ("esther@ggz.example", not_found, not_found),         // formerly involved
        ("ingrid@vt.example", not_found, not_found),          // colleague, same organisation
        ("joost@school.example", not_found, not_found),       // another organisation
        ("petra@vt.example", not_found, not_found),           // organisation admin
        ("beheer@samenspel.example", not_found, not_found),   // system admin
    ];
    for (email, view, manage) in table {
        let client = signed_in(&app, email).await;
        for path in &views {
            assert_eq!(client.get(path).await.status, view, "{email} GET {path}");
        }
        for path in &director_pages {
            assert_eq!(client.get(path).await.status, manage, "{email} GET {path}");
        }
        // Changes: the plan, the director, involvement.
        let base = samenspel::domain::plan::current_version_number(&mut app.conn(), f)
            .unwrap()
            .to_string();
        let save = client
            .submit(
                "/",
                &format!("/gezinnen/{f}/plan"),
                &[("base_version", &base), ("safety__goals", "Veilig")],
            )
            .await;
        let appoint = client
            .submit(
                "/",
                &format!("/gezinnen/{f}/regie"),
                &[("director_user_id", &c.ruud.user_id.to_string())],
            )
            .await;
        for (what, page) in [("plan", save), ("regie", appoint)] {
            let expected = if manage == StatusCode::OK {
                StatusCode::SEE_OTHER
            } else {
                manage
            };
            assert_eq!(page.status, expected, "{email} POST {what}");
            if manage == StatusCode::OK {
                // Undo: the next actor starts from the same situation.
                let mut conn = app.conn();
                db::write(&mut conn, |conn| {
                    record::appoint_director(conn, &c.ahmed, f, &c.ahmed, Some(&c.karin))
                })
                .unwrap();
            }
        }
        // Ids changed by hand: the other family does not exist for any of them.
        assert_eq!(
            client
                .get(&format!("/gezinnen/{}", c.el_amrani))
                .await
                .status,
            not_found,
            "{email}"
        );
        assert_eq!(
            client
                .get(&format!("/gezinnen/{}/inzagelog", c.el_amrani))
                .await
                .status,
            not_found,
            "{email}"
        );
        assert_eq!(client.get("/gezinnen/999999").await.status, not_found);
    }
    let anonymous = app.client();
    let page = anonymous.get(&format!("/gezinnen/{f}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location.unwrap().starts_with("/inloggen"));
    let _ = &c.esther;
}

#[actix_web::test]
async fn viewing_a_family_writes_one_access_log_row_that_the_director_sees() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let before = app.count("access_log");
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let page = ruud.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(app.count("access_log"), before + 1);

    let director = signed_in(&app, "ahmed@vt.example").await;
    let log = director
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await;
    assert_eq!(log.status, StatusCode::OK);
    let rows = log.text("#inzagelog tbody").unwrap();
    assert!(rows.contains("Ruud Verbeek"), "{rows}");
    assert!(rows.contains("Politie"));
    assert!(rows.contains("Gezinsdossier"));
    assert!(rows.contains("Betrokkenheid"), "the purpose is shown");
    // A refused look is no look: nothing logged for someone who may not see the family.
    let outsider = signed_in(&app, "joost@school.example").await;
    let logged = app.count("access_log");
    assert_eq!(
        outsider
            .get(&format!("/gezinnen/{}", c.jansen))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("access_log"), logged);
}

#[actix_web::test]
async fn opening_a_meeting_logs_a_look_at_each_family_on_its_agenda_before_the_page_is_shown() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let (meeting, _, _) = crate::common::meeting::run_meeting(&app, &c, false).await;
    let agenda_looks = |app: &TestApp| {
        use samenspel::schema::access_log;
        access_log::table
            .filter(access_log::what.eq("access.what.agenda"))
            .select((access_log::user_id, access_log::family_id))
            .load::<(i64, i64)>(&mut app.conn())
            .unwrap()
    };
    let before = agenda_looks(&app);
    // Several people open the page at once (the looks share a commit); each look is in the log
    // when their page arrives.
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}");
    let (a, b) = futures_util::future::join(ruud.get(&path), ingrid.get(&path)).await;
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    let after = agenda_looks(&app);
    // The chair sees both families on the agenda; Ruud, a member involved with Jansen only, sees
    // Jansen's name and not Bakker's.
    for (who, mut seen) in [
        (&c.ruud, vec![c.jansen]),
        (&c.ingrid, vec![c.jansen, c.bakker]),
    ] {
        let mut looked: Vec<i64> = after
            .iter()
            .filter(|(u, _)| *u == who.user_id)
            .map(|r| r.1)
            .collect();
        let earlier = before.iter().filter(|(u, _)| *u == who.user_id).count();
        assert_eq!(
            looked.len(),
            earlier + seen.len(),
            "one look per family shown"
        );
        looked.sort_unstable();
        looked.dedup();
        seen.sort_unstable();
        assert_eq!(looked, seen);
    }
    let director = signed_in(&app, "ahmed@vt.example").await;
    let log = director
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await;
    let rows = log.text("#inzagelog tbody").unwrap();
    assert!(rows.contains("Agenda van een bijeenkomst"), "{rows}");
    assert!(rows.contains("Ruud Verbeek"), "{rows}");
}

#[actix_web::test]
async fn the_timeline_tells_the_history_in_plain_dutch() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let page = karin.get(&format!("/gezinnen/{}", c.jansen)).await;
    let timeline = page.text("ol.ss-timeline").unwrap();
    assert!(
        timeline.contains(
            "Ruud Verbeek (Politie Zuid-Holland Zuid) is toegevoegd als betrokkene: Wijkagent."
        ),
        "{timeline}"
    );
    assert!(
        timeline.contains("Betrokkenheid van Esther Kok (GGZ volwassenen) is beëindigd."),
        "{timeline}"
    );
    assert!(timeline.contains("Vast duo: Karin de Vries."), "{timeline}");
    assert!(
        timeline.contains("door Ahmed Benali (Veilig Thuis Zuid-Holland Zuid)"),
        "{timeline}"
    );
    let section = page
        .body
        .split("id=\"betrokkenen\"")
        .nth(1)
        .unwrap_or_default();
    assert!(section.contains("Eerder betrokken"));
}

#[actix_web::test]
async fn the_event_chain_verifies_and_names_the_event_that_was_altered() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    samenspel::demo::seed(&mut conn).unwrap();
    let verified = samenspel::events::verify(&mut conn)
        .unwrap()
        .expect("the demo chain is intact");
    assert!(verified.count > 20, "{verified:?}");
    assert!(verified.erased.is_empty());

    // Someone with database access edits an event by hand, past the append-only trigger.
    use samenspel::schema::events;
    let target: i64 = events::table
        .select(events::id)
        .order(events::id.asc())
        .offset(7)
        .first(&mut *conn)
        .unwrap();
    let disable = if app.database.is_postgres() {
        "ALTER TABLE events DISABLE TRIGGER events_no_update"
    } else {
        "DROP TRIGGER events_no_update"
    };
    let refused = diesel::update(events::table.find(target))
        .set(events::data.eq("{}"))
        .execute(&mut *conn);
    assert!(refused.is_err(), "the application cannot edit an event");
    diesel::sql_query(disable).execute(&mut *conn).unwrap();
    diesel::update(events::table.find(target))
        .set(events::data.eq(r#"{"name":"iemand anders"}"#))
        .execute(&mut *conn)
        .unwrap();
    let broken = samenspel::events::verify(&mut conn).unwrap().unwrap_err();
    assert_eq!(broken.event_id, target);
    assert!(
        broken.problem.contains("does not match its digest"),
        "{broken:?}"
    );
}

#[actix_web::test]
async fn a_familys_payloads_can_be_erased_and_the_chain_still_verifies_and_names_them() {
    use samenspel::schema::{events, families};
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    samenspel::demo::seed(&mut conn).unwrap();
    let jansen: i64 = families::table
        .filter(families::display_name.eq("Gezin Jansen"))
        .select(families::id)
        .first(&mut *conn)
        .unwrap();
    let names_of = |conn: &mut samenspel::db::DbConn, family: i64| -> Vec<String> {
        events::table
            .filter(events::family_id.eq(family))
            .select(events::data)
            .load::<String>(conn)
            .unwrap()
    };
    assert!(
        names_of(&mut conn, jansen)
            .iter()
            .any(|d| d.contains("Sandra")),
        "the demo's events name the family's members"
    );

    // An open family's record is in use: its payloads stay.
    let refused = db::write(&mut conn, |c| record::erase_family_payloads(c, jansen));
    assert!(
        matches!(refused, Err(samenspel::domain::DomainError::Rule(_))),
        "{refused:?}"
    );
    let director: i64 = samenspel::schema::directorships::table
        .filter(samenspel::schema::directorships::family_id.eq(jansen))
        .select(samenspel::schema::directorships::director_user_id)
        .first(&mut *conn)
        .unwrap();
    let by = record::who(&mut conn, director).unwrap();
    db::write(&mut conn, |c| {
        record::close(c, &by, jansen, "Afgesloten; de bewaartermijn is verstreken")
    })
    .unwrap();

    // The end of the retention period: the payloads go, the events stay.
    let erased = db::write(&mut conn, |c| record::erase_family_payloads(c, jansen)).unwrap();
    assert!(erased > 5, "{erased}");
    assert!(
        names_of(&mut conn, jansen)
            .iter()
            .all(|d| d == samenspel::events::ERASED)
    );
    let verified = samenspel::events::verify(&mut conn)
        .unwrap()
        .expect("the chain verifies after erasing");
    assert_eq!(verified.erased.len(), erased);
    let erased_ids: Vec<i64> = events::table
        .filter(events::family_id.eq(jansen))
        .select(events::id)
        .order(events::id.asc())
        .load(&mut *conn)
        .unwrap();
    assert_eq!(
        verified
            .erased
            .iter()
            .map(|e| e.event_id)
            .collect::<Vec<_>>(),
        erased_ids
    );
    // Other families keep theirs.
    let others: i64 = events::table
        .filter(events::family_id.ne(jansen))
        .filter(events::erased_at.is_not_null())
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(others, 0);

    // Erasing is the one change the log allows, and only as erasing: no payload comes back in its
    // place, and erasing cannot carry another change along.
    let one = erased_ids[0];
    let refill = diesel::update(events::table.find(one))
        .set(events::data.eq(r#"{"name":"iemand anders"}"#))
        .execute(&mut *conn);
    assert!(refill.is_err(), "an erased payload cannot be written again");
    let other: i64 = events::table
        .filter(events::family_id.ne(jansen))
        .filter(events::data_digest.is_not_null())
        .select(events::id)
        .first(&mut *conn)
        .unwrap();
    let erase_and_rename = diesel::update(events::table.find(other))
        .set((
            events::data.eq(samenspel::events::ERASED),
            events::erased_at.eq(samenspel::domain::now()),
            events::kind.eq(samenspel::events::EventKind::FamilyClosed.name()),
        ))
        .execute(&mut *conn);
    assert!(
        erase_and_rename.is_err(),
        "erasing cannot change anything else"
    );
    let delete = diesel::delete(events::table.find(one)).execute(&mut *conn);
    assert!(delete.is_err(), "an erased event stays in the log");
    let backdated = diesel::update(events::table.find(other))
        .set((
            events::data.eq(samenspel::events::ERASED),
            events::erased_at.eq(chrono::NaiveDateTime::default()),
        ))
        .execute(&mut *conn);
    assert!(backdated.is_err(), "erased before it happened");
    let not_a_family: i64 = events::table
        .filter(events::family_id.is_null())
        .filter(events::data_digest.is_not_null())
        .select(events::id)
        .first(&mut *conn)
        .unwrap();
    let outside = diesel::update(events::table.find(not_a_family))
        .set((
            events::data.eq(samenspel::events::ERASED),
            events::erased_at.eq(samenspel::domain::now()),
        ))
        .execute(&mut *conn);
    assert!(outside.is_err(), "only a family's events are erased");
    assert!(samenspel::events::verify(&mut conn).unwrap().is_ok());
}

#[actix_web::test]
async fn the_second_of_two_concurrent_plan_saves_gets_a_conflict_and_keeps_its_text() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let path = format!("/gezinnen/{}/plan/bewerken", c.jansen);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    // Both open the editor on the same version.
    let ahmed_form = ahmed.get(&path).await;
    let karin_form = karin.get(&path).await;
    let base = ahmed_form.value("input[name=base_version]").unwrap();
    assert_eq!(karin_form.value("input[name=base_version]").unwrap(), base);

    let post = format!("/gezinnen/{}/plan", c.jansen);
    let first = ahmed
        .post(
            &post,
            &[
                ("csrf_token", &ahmed_form.csrf()),
                ("base_version", &base),
                ("safety__agreements", "Mark komt niet aan huis."),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);

    let karins_text = "Oma Jansen let op.\nBuurvrouw Els belt bij onrust.";
    let second = karin
        .post(
            &post,
            &[
                ("csrf_token", &karin_form.csrf()),
                ("base_version", &base),
                ("social_network__agreements", karins_text),
            ],
        )
        .await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    let text = second.visible_text();
    assert!(
        text.contains("Iemand anders heeft het plan intussen opgeslagen"),
        "{text}"
    );
    assert!(
        text.contains("Ahmed Benali heeft versie 1 opgeslagen"),
        "{text}"
    );
    assert!(
        text.contains("Mark komt niet aan huis."),
        "what changed is shown"
    );
    assert_eq!(
        second
            .text("textarea#social_network__agreements")
            .as_deref(),
        Some("Oma Jansen let op. Buurvrouw Els belt bij onrust.")
    );
    assert!(
        second
            .body
            .contains("Oma Jansen let op.\nBuurvrouw Els belt bij onrust."),
        "typed text kept as typed"
    );
    assert_eq!(
        second.value("input[name=base_version]").as_deref(),
        Some("1")
    );
    assert_eq!(app.count("plan_versions"), 1, "nothing overwritten");

    // Saving again is a deliberate choice and makes version 2.
    let again = karin
        .post(
            &post,
            &[
                ("csrf_token", &second.csrf()),
                ("base_version", "1"),
                ("social_network__agreements", karins_text),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("plan_versions"), 2);
    let history = ahmed
        .get(&format!("/gezinnen/{}/plan/versies/2", c.jansen))
        .await;
    assert!(
        history
            .visible_text()
            .contains("Buurvrouw Els belt bij onrust.")
    );
}

#[actix_web::test]
async fn markup_and_dutch_diacritics_are_shown_escaped_and_intact_everywhere() {
    let app = TestApp::spawn().await;
    app.user(
        "ahmed@vt.example",
        "Ahmed Benali",
        Role::Professional,
        Some("Veilig Thuis"),
    );
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let hostile = "<script>alert('x')</script> Zoë Çelik-d’Ancona ï é";
    let page = ahmed
        .submit(
            "/gezinnen/nieuw",
            "/gezinnen",
            &[
                ("display_name", hostile),
                ("municipality", hostile),
                ("urgency", "crisis"),
                ("legal_basis", "vital_interest"),
                ("family_informed", "no"),
                ("not_informed_reason", hostile),
                ("role", hostile),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let family = page.location.unwrap();
    let member = ahmed
        .submit(
            &family,
            &format!("{family}/gezinsleden"),
            &[
                ("name", hostile),
                ("role", "child"),
                ("date_of_birth", "2017-03-14"),
            ],
        )
        .await;
    assert_eq!(
        member.status,
        StatusCode::SEE_OTHER,
        "{}",
        member.visible_text()
    );
    let plan = ahmed
        .submit(
            &format!("{family}/plan/bewerken"),
            &format!("{family}/plan"),
            &[
                ("base_version", "0"),
                ("safety__wishes", hostile),
                ("safety__goals", hostile),
            ],
        )
        .await;
    assert_eq!(plan.status, StatusCode::SEE_OTHER);
    let comment = ahmed
        .submit(
            &family,
            &format!("{family}/opmerkingen"),
            &[("body", hostile)],
        )
        .await;
    assert_eq!(comment.status, StatusCode::SEE_OTHER);

    let shown = ahmed.get(&family).await;
    assert!(!shown.body.contains("<script>alert"), "never raw markup");
    let text = shown.visible_text();
    assert!(
        text.matches(hostile).count() >= 6,
        "shown intact in every place: {text}"
    );
    assert_eq!(shown.text("h1").as_deref(), Some(hostile));
}

#[actix_web::test]
async fn a_family_form_with_mistakes_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    app.user(
        "ahmed@vt.example",
        "Ahmed Benali",
        Role::Professional,
        Some("Veilig Thuis"),
    );
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let page = ahmed
        .submit(
            "/gezinnen/nieuw",
            "/gezinnen",
            &[
                ("display_name", "Gezin Bakker"),
                ("municipality", ""),
                ("urgency", "regular"),
                ("family_informed", "no"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.visible_text();
    assert!(text.contains("Vul de gemeente in."), "{text}");
    assert!(text.contains("Kies de grondslag."));
    assert!(text.contains("Schrijf op waarom het gezin het niet weet."));
    assert_eq!(
        page.value("input#display_name").as_deref(),
        Some("Gezin Bakker")
    );
    assert_eq!(app.count("families"), 0);
    assert_eq!(app.count("events"), 0, "no half-written record");

    // A member born in the future is refused; the family gets no member.
    let created = ahmed
        .submit(
            "/gezinnen/nieuw",
            "/gezinnen",
            &[
                ("display_name", "Gezin Bakker"),
                ("municipality", "Dordrecht"),
                ("urgency", "regular"),
                ("legal_basis", "consent"),
                ("family_informed", "yes"),
                ("role", "Gezinscoach"),
            ],
        )
        .await;
    let family = created.location.unwrap();
    let member = ahmed
        .submit(
            &family,
            &format!("{family}/gezinsleden"),
            &[
                ("name", "Noor Bakker"),
                ("role", "child"),
                ("date_of_birth", "2999-01-01"),
            ],
        )
        .await;
    assert_eq!(member.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        member
            .visible_text()
            .contains("De geboortedatum ligt in de toekomst.")
    );
    assert_eq!(member.value("input#name").as_deref(), Some("Noor Bakker"));
    assert_eq!(app.count("persons"), 0);
}

#[actix_web::test]
async fn search_finds_only_families_the_user_may_see() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let mut conn = app.conn();
    db::write(&mut conn, |conn| {
        record::save_person(
            conn,
            &c.ahmed,
            c.jansen,
            None,
            &samenspel::domain::family::PersonDetails {
                name: "Mila Jansen".into(),
                date_of_birth: None,
                role: samenspel::domain::family::PersonRole::Child,
                parental_authority: false,
                identity: None,
            },
        )
    })
    .unwrap();
    drop(conn);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let by_member = ahmed.get("/gezinnen?q=mila").await;
    assert!(by_member.visible_text().contains("Gezin Jansen"));
    let case_number = by_member.text("tbody td").unwrap();
    let by_number = ahmed.get(&format!("/gezinnen?q={case_number}")).await;
    assert!(by_number.visible_text().contains("Gezin Jansen"));
    let wildcard = ahmed.get("/gezinnen?q=%25").await;
    assert!(
        wildcard.visible_text().contains("Geen gezinnen gevonden"),
        "% is a character, not a wildcard"
    );
    // El Amrani exists but Ahmed is not involved.
    assert!(
        !ahmed
            .get("/gezinnen?q=amrani")
            .await
            .visible_text()
            .contains("El Amrani")
    );
    let home = ahmed.get("/").await;
    assert!(home.text("#mijn-gezinnen").is_some());
    assert!(home.visible_text().contains("Gezin Jansen"));
}

#[actix_web::test]
async fn a_change_that_breaks_a_rule_is_refused_as_such_and_writes_nothing() {
    use samenspel::domain::DomainError;
    let app = TestApp::spawn().await;
    // A system administrator belongs to no organisation, so cannot open a family or direct one.
    let admin = app.user(
        "beheer@samenspel.example",
        "Beheer",
        Role::SystemAdmin,
        None,
    );
    let mut conn = app.conn();
    let by = record::who(&mut conn, admin.id).unwrap();
    let refused = db::write(&mut conn, |conn| {
        record::start_family(conn, &by, 1, &details("Gezin Test"), "Regisseur", today())
    });
    assert!(
        matches!(refused, Err(DomainError::Rule(_))),
        "a broken rule, not a missing row: {refused:?}"
    );
    let families: i64 = samenspel::schema::families::table
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(families, 0);
    let missing = record::who(&mut conn, admin.id + 1000);
    assert!(
        matches!(missing, Err(DomainError::Missing("user"))),
        "{missing:?}"
    );
}
