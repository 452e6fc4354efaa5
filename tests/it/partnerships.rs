//! Regions and who administers them: partnerships with their own tables, kinds and families; the
//! system admin sets them up, coordinators run the tables, nobody seats themselves, and nothing of one
//! partnership reaches the people of another, whatever id they type.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::organisation::OrganisationKind;
use samenspel::domain::partnership;
use samenspel::domain::user::Role;
use samenspel::schema::{consultation_tables, events, referrals, table_kinds, table_members};

use crate::common::world::{Cast, GELDERLAND, signed_in};
use crate::common::{Client, DEFAULT_PARTNERSHIP, TestApp};

fn refused(status: StatusCode) -> bool {
    matches!(status.as_u16(), 403 | 404)
}

fn seats_of(app: &TestApp, user_id: i64) -> i64 {
    table_members::table
        .filter(table_members::user_id.eq(user_id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

/// Posts `fields` to the partnership page's form at `what` (organisaties, coordinatoren, afspraken).
async fn on_partnership(
    admin: &Client,
    id: i64,
    what: &str,
    fields: &[(&str, &str)],
) -> crate::common::Page {
    let page = format!("/beheer/samenwerkingsverbanden/{id}");
    admin.submit(&page, &format!("{page}/{what}"), fields).await
}

/// Form fields with owned values as the client sends them.
fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn add_seat(client: &Client, table: i64, user_id: i64, role: &str) -> StatusCode {
    client
        .submit(
            "/account",
            &format!("/overleggen/{table}/leden"),
            &[("user_id", &user_id.to_string()), ("role", role)],
        )
        .await
        .status
}

/// The attack: an organisation admin of Veilig Thuis adds herself as minute-taker to a table and
/// then reads the families on its agendas. Refused, and nothing written.
#[actix_web::test]
async fn an_org_admin_cannot_seat_herself_at_a_table_and_read_its_families() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let petra_id = app.id_of("petra@vt.example");
    let petra = signed_in(&app, "petra@vt.example").await;
    let events_before = app.count("events");
    for role in ["minute_taker", "chair", "member"] {
        let status = add_seat(&petra, c.table, petra_id, role).await;
        assert!(refused(status), "{role}: {status}");
    }
    assert_eq!(seats_of(&app, petra_id), 0, "no seat was written");
    assert_eq!(app.count("events"), events_before, "no event was written");
    for page in [
        format!("/overleggen/{}", c.table),
        format!("/overleggen/{}/bewerken", c.table),
        format!("/gezinnen/{}", c.jansen),
        "/overleggen/nieuw".to_string(),
        "/beheer/overlegsoorten".to_string(),
    ] {
        let status = petra.get(&page).await.status;
        assert!(refused(status), "{page}: {status}");
    }
    // Nor does the system admin seat anyone: that is the partnership's coordinators' work.
    let admin = signed_in(&app, "beheer@samenspel.example").await;
    let status = add_seat(&admin, c.table, c.esther.user_id, "member").await;
    assert!(refused(status), "system admin: {status}");
    assert_eq!(seats_of(&app, c.esther.user_id), 0);
}

/// A coordinator runs the partnership's tables: she gives a professional of a taking-part organisation
/// a seat, but never herself, never an account admin, never someone of another partnership; and she
/// reads no family.
#[actix_web::test]
async fn a_coordinator_seats_professionals_of_the_partnership_but_never_herself() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let hanna_id = app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Kuiper",
        "Veiligheidshuis Zuid-Holland Zuid",
        DEFAULT_PARTNERSHIP,
    );
    let hanna = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let table_page = hanna.get(&format!("/overleggen/{}", c.table)).await;
    assert_eq!(table_page.status, StatusCode::OK);
    let offered = table_page.text("#user_id").unwrap_or_default();
    assert!(offered.contains("Esther Kok"), "{offered}");
    for absent in ["Hanna Kuiper", "Petra de Graaf", "Linda Bos", "Beheer"] {
        assert!(!offered.contains(absent), "{absent} offered: {offered}");
    }

    let status = add_seat(&hanna, c.table, hanna_id, "minute_taker").await;
    assert!(refused(status), "her own seat: {status}");
    let linda = app.id_of("linda@ede.example");
    let petra = app.id_of("petra@vt.example");
    for (who, name) in [(petra, "an org admin"), (linda, "another partnership")] {
        let status = add_seat(&hanna, c.table, who, "member").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(seats_of(&app, who), 0, "{name}");
    }
    assert_eq!(seats_of(&app, hanna_id), 0);

    assert_eq!(
        add_seat(&hanna, c.table, c.esther.user_id, "member").await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(seats_of(&app, c.esther.user_id), 1);
    let seated: i64 = events::table
        .filter(events::kind.eq("table.member_added"))
        .filter(events::actor_user_id.eq(hanna_id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(seated, 1, "the seat is an event");
    // Coordinating opens no family record.
    assert_eq!(
        hanna.get(&format!("/gezinnen/{}", c.jansen)).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Partnership B against the ids of partnership A: Linda directs a family in Centraal Gelderland, Bram
/// coordinates it; neither reaches A's families, tables or referrals, and Linda cannot refer her family
/// to A's table. A's chair does not reach B's family either.
#[actix_web::test]
async fn nothing_of_one_partnership_reaches_the_people_of_another() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let gelderland = app.partnership(GELDERLAND);
    app.coordinator(
        "bram@arnhem.example",
        "Bram Willems",
        "Gemeente Arnhem",
        gelderland,
    );
    let linda = signed_in(&app, "linda@ede.example").await;
    let bram = signed_in(&app, "bram@arnhem.example").await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    // A referral of Jansen to A's table, for B to try to read.
    let referral = crate::common::meeting::refer(&ahmed, c.jansen, c.table, "Veiligheid").await;

    for (client, who) in [(&linda, "Linda"), (&bram, "Bram")] {
        for page in [
            format!("/gezinnen/{}", c.jansen),
            format!("/gezinnen/{}", c.bakker),
            format!("/overleggen/{}", c.table),
            format!("/overleggen/{}/bewerken", c.table),
            format!("/aanmeldingen/{referral}"),
        ] {
            let status = client.get(&page).await.status;
            assert!(refused(status), "{who} {page}: {status}");
        }
    }
    let members_before = app.count("table_members");
    let status = bram
        .submit(
            "/account",
            &format!("/overleggen/{}/bewerken", c.table),
            &[("name", "Overgenomen"), ("region", "Gelderland")],
        )
        .await
        .status;
    assert!(refused(status), "{status}");
    let status = add_seat(&bram, c.table, c.ruud.user_id, "chair").await;
    assert!(refused(status), "{status}");
    assert_eq!(app.count("table_members"), members_before);
    let name: String = consultation_tables::table
        .find(c.table)
        .select(consultation_tables::name)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(name, "MDA++ Zuid-Holland Zuid");

    // Linda's own region's tables come first; A's table only as another partnership's, and a referral
    // there needs a written reason (the full flow is in `purpose`).
    let choose = linda
        .get(&format!("/gezinnen/{}/aanmelden", c.el_amrani))
        .await;
    assert_eq!(choose.status, StatusCode::OK);
    let text = choose.visible_text();
    let elsewhere = text
        .find("Overleggen van andere samenwerkingsverbanden")
        .unwrap();
    assert!(
        !text[..elsewhere].contains("MDA++ Zuid-Holland Zuid"),
        "A's table is offered to B as B's own"
    );
    let form = format!("/gezinnen/{}/aanmelden/{}", c.el_amrani, c.table);
    let referrals_before = app.count("referrals");
    let status = linda
        .submit(
            &form,
            &form,
            &[
                ("reason", "Zorgen"),
                ("tried", "Gesprekken"),
                ("question", "Wat nu?"),
                ("urgency", "regular"),
                ("family_informed", "yes"),
            ],
        )
        .await
        .status;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.count("referrals"), referrals_before);
    let to_a: i64 = referrals::table
        .filter(referrals::family_id.eq(c.el_amrani))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(to_a, 0);

    let status = ingrid
        .get(&format!("/gezinnen/{}", c.el_amrani))
        .await
        .status;
    assert!(refused(status), "A's chair reads B's family: {status}");
}

/// Must show 4: a coordinator changes the MDO's access period in her partnership; the other
/// partnership's MDO keeps its own, and her hand-edited id of the other partnership's kind is refused.
#[actix_web::test]
async fn table_kinds_changed_in_one_partnership_are_unchanged_in_the_other() {
    let app = TestApp::spawn().await;
    let gelderland = app.partnership(GELDERLAND);
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Kuiper",
        "Veiligheidshuis Zuid-Holland Zuid",
        DEFAULT_PARTNERSHIP,
    );
    app.coordinator(
        "bram@arnhem.example",
        "Bram Willems",
        "Gemeente Arnhem",
        gelderland,
    );
    let mdo = |region: i64| -> (i64, i32) {
        table_kinds::table
            .filter(table_kinds::partnership_id.eq(region))
            .filter(table_kinds::code.eq("mdo"))
            .select((table_kinds::id, table_kinds::access_days))
            .first(&mut *app.conn())
            .unwrap()
    };
    let (mine, days) = mdo(DEFAULT_PARTNERSHIP);
    let (theirs, their_days) = mdo(gelderland);
    assert_eq!((days, their_days), (14, 14));
    let hanna = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let change = |kind: i64| {
        let hanna = &hanna;
        async move {
            hanna
                .submit(
                    "/beheer/overlegsoorten",
                    &format!("/beheer/overlegsoorten/{kind}"),
                    &[
                        ("name", "Multidisciplinair overleg (MDO)"),
                        ("referral_criteria", "Meerdere disciplines."),
                        ("outcome_options", "Afspraken gemaakt"),
                        ("access_days", "365"),
                        ("answer_hours_crisis", "4"),
                        ("answer_days_urgent", "1"),
                        ("answer_days_regular", "5"),
                    ],
                )
                .await
                .status
        }
    };
    assert_eq!(change(mine).await, StatusCode::SEE_OTHER);
    assert_eq!(mdo(DEFAULT_PARTNERSHIP).1, 365);
    assert_eq!(
        mdo(gelderland).1,
        14,
        "the other partnership's kind changed"
    );
    assert!(refused(change(theirs).await));
    assert_eq!(mdo(gelderland).1, 14);
    // Each coordinator sees only their own partnership's kinds.
    let bram = signed_in(&app, "bram@arnhem.example").await;
    let page = bram.get("/beheer/overlegsoorten").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.value(&format!("#days-{theirs}")).as_deref(),
        Some("14")
    );
    assert!(page.value(&format!("#days-{mine}")).is_none());
}

/// The system admin sets up a region: a partnership with its own kinds, the organisations taking part,
/// a coordinator from one of them and the agreement on who directs; bad input is explained.
#[actix_web::test]
async fn a_system_admin_sets_up_a_partnership_with_its_coordinator() {
    let app = TestApp::spawn().await;
    let _ = Cast::with_jansens_past(&app);
    let admin = signed_in(&app, "beheer@samenspel.example").await;
    let made = admin
        .submit(
            "/beheer/samenwerkingsverbanden",
            "/beheer/samenwerkingsverbanden",
            &[("name", "Hollands Midden")],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let id = app.partnership("Hollands Midden");
    let kinds: i64 = table_kinds::table
        .filter(table_kinds::partnership_id.eq(id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(kinds, 7, "its own copy of the default kinds");
    let again = admin
        .submit(
            "/beheer/samenwerkingsverbanden",
            "/beheer/samenwerkingsverbanden",
            &[("name", "Hollands Midden")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .visible_text()
            .contains("Er is al een samenwerkingsverband met deze naam.")
    );

    let vt = app.organisation(
        "Veilig Thuis Zuid-Holland Zuid",
        OrganisationKind::VeiligThuis,
    );
    let petra = app.id_of("petra@vt.example");
    // Petra's organisation does not take part yet: she cannot be appointed.
    let early = on_partnership(
        &admin,
        id,
        "coordinatoren",
        &[("user_id", &petra.to_string())],
    )
    .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    let joined = on_partnership(
        &admin,
        id,
        "organisaties",
        &[("organisation_id", &vt.to_string())],
    )
    .await;
    assert_eq!(joined.status, StatusCode::SEE_OTHER);
    let appointed = on_partnership(
        &admin,
        id,
        "coordinatoren",
        &[("user_id", &petra.to_string())],
    )
    .await;
    assert_eq!(appointed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        partnership::coordinated_by(&mut app.conn(), petra).unwrap(),
        vec![id]
    );
    let page = admin
        .get(&format!("/beheer/samenwerkingsverbanden/{id}"))
        .await;
    assert!(page.visible_text().contains("Petra de Graaf"));

    let wrong = on_partnership(
        &admin,
        id,
        "afspraken",
        &[("closed_readable_days", "99999"), ("retention_years", "0")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = wrong.visible_text();
    assert!(text.contains("Kies ten minste één soort organisatie die regie mag voeren."));
    assert!(text.contains("Vul een aantal dagen in tussen 0 en 3650."));
    assert!(text.contains("Vul een aantal jaren in tussen 1 en 100."));
    let saved = on_partnership(
        &admin,
        id,
        "afspraken",
        &[
            ("director_kinds", "local_team"),
            ("director_kinds", "municipality"),
            ("closed_readable_days", "730"),
            ("retention_years", "25"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let region = partnership::find(&mut app.conn(), id).unwrap().unwrap();
    assert_eq!(
        region.director_kinds(),
        vec![OrganisationKind::LocalTeam, OrganisationKind::Municipality]
    );
    assert_eq!(region.closed_readable_days, 730);
    // The retention term is its own setting, in years; without it in the form it stays.
    assert_eq!(region.retention_years, 25);
    // Renaming: a name another partnership has is refused, and nothing changes; a new one is kept.
    let taken = partnership::find(&mut app.conn(), DEFAULT_PARTNERSHIP)
        .unwrap()
        .unwrap()
        .name;
    fn rename(name: &str) -> [(&str, &str); 3] {
        [
            ("name", name),
            ("director_kinds", "local_team"),
            ("closed_readable_days", "730"),
        ]
    }
    let clash = on_partnership(&admin, id, "afspraken", &rename(&taken)).await;
    assert_eq!(clash.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        clash
            .visible_text()
            .contains("Er is al een samenwerkingsverband met deze naam.")
    );
    let renamed = on_partnership(&admin, id, "afspraken", &rename("Regio Noord-Veluwe")).await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER);
    let region = partnership::find(&mut app.conn(), id).unwrap().unwrap();
    assert_eq!(region.name, "Regio Noord-Veluwe");
    assert_eq!(region.director_kinds(), vec![OrganisationKind::LocalTeam]);

    // The org admin, now a coordinator there, sets up a table of its kinds, and still cannot seat
    // herself at it.
    let petra_client = signed_in(&app, "petra@vt.example").await;
    let kind: i64 = table_kinds::table
        .filter(table_kinds::partnership_id.eq(id))
        .filter(table_kinds::code.eq("mda"))
        .select(table_kinds::id)
        .first(&mut *app.conn())
        .unwrap();
    let created = petra_client
        .submit(
            "/overleggen/nieuw",
            "/overleggen",
            &[
                ("kind_id", &kind.to_string()),
                ("name", "MDA++ Hollands Midden"),
                ("region", "Hollands Midden"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let table: (i64, i64) = consultation_tables::table
        .filter(consultation_tables::name.eq("MDA++ Hollands Midden"))
        .select((consultation_tables::id, consultation_tables::partnership_id))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(table.1, id);
    assert!(refused(
        add_seat(&petra_client, table.0, petra, "chair").await
    ));
    assert_eq!(seats_of(&app, petra), 0);
}

/// Must show 6: a database from before partnerships, with an organisation, a table and a family in
/// it, moves into one default partnership and keeps working.
#[actix_web::test]
async fn an_existing_database_moves_into_the_default_partnership() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let mut conn = app.conn();
    // Back to before partnerships; the data stays.
    let mut reverted = Vec::new();
    while !reverted
        .last()
        .is_some_and(|r: &String| r.ends_with("000012"))
    {
        reverted.push(samenspel::db::revert_last(&mut conn).unwrap());
    }
    let ran = samenspel::db::migrate(&mut conn).unwrap();
    assert_eq!(ran.len(), reverted.len(), "{ran:?}");
    drop(conn);
    let mut conn = app.conn();
    let regions = partnership::list(&mut conn).unwrap();
    assert_eq!(regions.len(), 1, "one default partnership");
    let everyone = samenspel::domain::organisation::list(&mut conn).unwrap();
    let taking_part = partnership::organisations(&mut conn, regions[0].id).unwrap();
    assert_eq!(
        taking_part.len(),
        everyone.len(),
        "every organisation in it"
    );
    let table: i64 = consultation_tables::table
        .find(c.table)
        .select(consultation_tables::partnership_id)
        .first(&mut *conn)
        .unwrap();
    assert_eq!(table, regions[0].id);
    drop(conn);
    // And the record works as before: the director reads the family and refers it to the table.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    assert_eq!(
        ahmed.get(&format!("/gezinnen/{}", c.jansen)).await.status,
        StatusCode::OK
    );
    crate::common::meeting::refer(&ahmed, c.jansen, c.table, "Na de upgrade").await;
}

/// Must show 3: closing a family ends access for everyone but its last director and the partnership's
/// coordinators: the co-worker, the involved professionals, those invited to discuss it at a published
/// meeting and the family's portal account all get 404 at once. After the retention period nobody reads
/// it.
#[actix_web::test]
async fn closing_a_family_ends_access_for_all_but_the_last_director_and_the_coordinators() {
    use crate::common::meeting::{accept, on_meeting, plan_meeting, refer};
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Kuiper",
        "Veiligheidshuis Zuid-Holland Zuid",
        DEFAULT_PARTNERSHIP,
    );
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    // Jansen on next week's published agenda: Karin and Ruud are invited for the item.
    let meeting = plan_meeting(
        &ingrid,
        c.table,
        crate::common::world::today() + chrono::Duration::days(7),
    )
    .await;
    let referral = refer(&ahmed, c.jansen, c.table, "Veiligheid thuis").await;
    accept(&ingrid, referral, Some(meeting)).await;
    assert_eq!(
        on_meeting(&ingrid, meeting, "publiceren").await.status,
        StatusCode::SEE_OTHER
    );
    let person = samenspel::db::write(&mut app.conn(), |conn| {
        samenspel::record::save_person(
            conn,
            &c.ahmed,
            c.jansen,
            None,
            &samenspel::domain::family::PersonDetails {
                name: "Sandra Jansen".into(),
                date_of_birth: None,
                role: samenspel::domain::family::PersonRole::Parent,
                parental_authority: true,
                identity: None,
            },
        )
    })
    .unwrap();
    let sandra = crate::common::portal::family_account(
        &app,
        &ahmed,
        c.jansen,
        person,
        "sandra@example.nl",
        "",
    )
    .await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let hanna = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let family = format!("/gezinnen/{}", c.jansen);
    for (client, who) in [(&karin, "Karin"), (&ruud, "Ruud"), (&ahmed, "Ahmed")] {
        assert_eq!(client.get(&family).await.status, StatusCode::OK, "{who}");
    }
    assert_eq!(sandra.get("/portaal").await.status, StatusCode::OK);
    assert_eq!(hanna.get(&family).await.status, StatusCode::NOT_FOUND);

    let closed = ahmed
        .submit(
            &family,
            &format!("{family}/sluiten"),
            &[(
                "reason",
                "Veiligheid is stabiel, hulp loopt via de huisarts.",
            )],
        )
        .await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER);

    for (client, who) in [(&karin, "Karin"), (&ruud, "Ruud")] {
        assert_eq!(
            client.get(&family).await.status,
            StatusCode::NOT_FOUND,
            "{who} still reads the closed family"
        );
        let item: i64 = samenspel::schema::agenda_items::table
            .filter(samenspel::schema::agenda_items::meeting_id.eq(meeting))
            .filter(samenspel::schema::agenda_items::family_id.eq(c.jansen))
            .select(samenspel::schema::agenda_items::id)
            .first(&mut *app.conn())
            .unwrap();
        let status = client
            .get(&format!("/bijeenkomsten/{meeting}/punten/{item}"))
            .await
            .status;
        assert!(refused(status), "{who} reads the item: {status}");
    }
    assert!(refused(sandra.get("/portaal").await.status));
    let active: i64 = samenspel::schema::involvements::table
        .filter(samenspel::schema::involvements::family_id.eq(c.jansen))
        .filter(samenspel::schema::involvements::ended_on.is_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(active, 0, "every involvement ended");

    // The last director and the coordinator still read it, and the coordinator's reading is logged.
    assert_eq!(ahmed.get(&family).await.status, StatusCode::OK);
    assert_eq!(hanna.get(&family).await.status, StatusCode::OK);
    let purposes: Vec<String> = samenspel::schema::access_log::table
        .filter(samenspel::schema::access_log::family_id.eq(c.jansen))
        .select(samenspel::schema::access_log::purpose)
        .load(&mut *app.conn())
        .unwrap();
    assert!(purposes.iter().any(|p| p == "retention"), "{purposes:?}");

    // After the retention period (365 days by default), nobody.
    app.clock.advance(chrono::Duration::days(366));
    for (email, who) in [
        ("ahmed@vt.example", "Ahmed"),
        ("hanna@veiligheidshuis.example", "Hanna"),
    ] {
        // Signed in afresh: a year on, the old sessions have ended.
        let client = signed_in(&app, email).await;
        assert_eq!(
            client.get(&family).await.status,
            StatusCode::NOT_FOUND,
            "{who} after the retention period"
        );
    }
}

/// The form of a member: the child with BSN and address, or with name and date of birth only.
fn member_fields<'a>(name: &'a str, born: &'a str, bsn: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("name", name), ("date_of_birth", born), ("role", "child")];
    if !bsn.is_empty() {
        fields.extend([
            ("bsn", bsn),
            ("street", "Lindelaan"),
            ("house_number", "12"),
            ("postcode", "3311 XK"),
            ("city", "Dordrecht"),
        ]);
    }
    fields
}

/// Must show 2: a second record of a known family is refused, by BSN and by name and date of birth,
/// with nothing of the first record shown and nothing saved; the refused professional asks the
/// director, who accepts one request and declines the other; every step is an event and the lookups
/// are in the family's access log; lookups are throttled per user; another partnership is not checked.
#[actix_web::test]
async fn a_second_record_of_a_known_family_is_refused_and_its_director_decides() {
    use samenspel::schema::{access_log, involvement_requests, persons};
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let jansen = format!("/gezinnen/{}", c.jansen);
    for fields in [
        member_fields("Mila Jansen", "2017-05-04", "999990019"),
        member_fields("Daan Jansen", "2019-03-08", ""),
    ] {
        let added = ahmed
            .submit(&jansen, &format!("{jansen}/gezinsleden"), &fields)
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
    }

    // Joost, at the school, opens "Gezin Jansen" once more.
    let joost = signed_in(&app, "joost@school.example").await;
    let made = joost
        .submit(
            "/gezinnen/nieuw",
            "/gezinnen",
            &[
                ("display_name", "Gezin Jansen"),
                ("municipality", "Dordrecht"),
                ("urgency", "regular"),
                ("legal_basis", "legal_task"),
                ("family_informed", "yes"),
                ("role", "Intern begeleider"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let second = made.location.clone().expect("the new record");
    let case_number: String = samenspel::schema::families::table
        .find(c.jansen)
        .select(samenspel::schema::families::case_number)
        .first(&mut *app.conn())
        .unwrap();
    let known_count = |kind: &str| -> i64 {
        events::table
            .filter(events::family_id.eq(c.jansen))
            .filter(events::kind.eq(kind))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let mut requests = Vec::new();
    for (fields, how) in [
        (
            member_fields("Mila Jansen", "2017-05-04", "999990019"),
            "by BSN",
        ),
        (
            member_fields("daan  JANSEN", "2019-03-08", ""),
            "by name and date of birth",
        ),
    ] {
        let page = joost
            .submit(&second, &format!("{second}/gezinsleden"), &fields)
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT, "{how}");
        let text = page.visible_text();
        assert!(text.contains("Dit gezin is al bekend."), "{how}: {text}");
        for secret in [
            "Ahmed",
            "Benali",
            "Karin",
            case_number.as_str(),
            "Veilig Thuis",
        ] {
            assert!(!text.contains(secret), "{how} shows {secret}");
        }
        // What Joost typed is still in the form.
        assert_eq!(page.value("#name").as_deref(), Some(fields[0].1), "{how}");
        let link = page
            .html()
            .select(&scraper::Selector::parse("#al-bekend a").unwrap())
            .next()
            .and_then(|a| a.value().attr("href").map(str::to_string))
            .expect("a link to ask the director");
        requests.push(link);
    }
    let saved: i64 = persons::table
        .filter(persons::name.like("%ansen%"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(saved, 2, "nothing saved in the second record");
    assert_eq!(known_count("family.duplicate_refused"), 2);
    let lookups: i64 = access_log::table
        .filter(access_log::family_id.eq(c.jansen))
        .filter(access_log::purpose.eq("duplicate_check"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(lookups, 2, "each lookup is in the family's access log");

    // The request page is Joost's alone, and says nothing of the family.
    let esther = signed_in(&app, "esther@ggz.example").await;
    assert_eq!(esther.get(&requests[0]).await.status, StatusCode::NOT_FOUND);
    let ask = joost.get(&requests[0]).await;
    assert_eq!(ask.status, StatusCode::OK);
    assert!(!ask.visible_text().contains("Jansen"));
    let empty = joost
        .submit(&requests[0], &requests[0], &[("reason", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty
            .visible_text()
            .contains("Schrijf op waarom u betrokken wilt worden.")
    );
    for (link, reason) in [
        (
            &requests[0],
            "Mila zit bij ons in groep 5; wij zien zorgen.",
        ),
        (&requests[1], "Daan komt na de zomer bij ons op school."),
    ] {
        let sent = joost.submit(link, link, &[("reason", reason)]).await;
        assert_eq!(sent.status, StatusCode::SEE_OTHER);
    }
    assert_eq!(known_count("involvement.requested"), 2);
    assert_eq!(joost.get(&jansen).await.status, StatusCode::NOT_FOUND);

    // The director sees both with their reasons, accepts the first and declines the second.
    let page = ahmed.get(&jansen).await;
    assert!(page.visible_text().contains("Mila zit bij ons in groep 5"));
    let ids: Vec<i64> = involvement_requests::table
        .filter(involvement_requests::family_id.eq(c.jansen))
        .order(involvement_requests::id.asc())
        .select(involvement_requests::id)
        .load(&mut *app.conn())
        .unwrap();
    for (id, answer) in [(ids[0], "accept"), (ids[1], "decline")] {
        let answered = ahmed
            .submit(
                &jansen,
                &format!("{jansen}/betrokkenheidsverzoeken/{id}"),
                &[("answer", answer), ("role", "Intern begeleider")],
            )
            .await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER, "{answer}");
    }
    assert_eq!(known_count("involvement.request_accepted"), 1);
    assert_eq!(known_count("involvement.request_declined"), 1);
    assert_eq!(joost.get(&jansen).await.status, StatusCode::OK);
    let stand = joost.get(&requests[1]).await;
    assert!(stand.visible_text().contains("Afgewezen"));

    // Lookups are throttled: two so far, eight more, and the eleventh within the hour is stopped.
    let mila = member_fields("Mila Jansen", "2017-05-04", "999990019");
    for _ in 0..8 {
        let page = joost
            .submit(&second, &format!("{second}/gezinsleden"), &mila)
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT);
    }
    let stopped = joost
        .submit(&second, &format!("{second}/gezinsleden"), &mila)
        .await;
    assert_eq!(stopped.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stopped.visible_text().contains("te vaak"));
    assert_eq!(known_count("family.duplicate_refused"), 10);
    // Nor does an unknown child get through now: the answer must not tell known from unknown.
    let unknown = joost
        .submit(
            &second,
            &format!("{second}/gezinsleden"),
            &member_fields("Noa de Wit", "2020-01-02", ""),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another partnership keeps its own records: Linda's family in Gelderland is not checked.
    let linda = signed_in(&app, "linda@ede.example").await;
    let el_amrani = format!("/gezinnen/{}", c.el_amrani);
    let added = linda
        .submit(&el_amrani, &format!("{el_amrani}/gezinsleden"), &mila)
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
}

/// Who directs follows the partnership's agreement: a police officer who opens a family names its
/// director (and without one nothing is made), cannot be appointed director of a family he works with,
/// and can once the partnership lets the police direct.
#[actix_web::test]
async fn who_directs_follows_the_partnerships_agreement() {
    use samenspel::schema::{directorships, families};
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    app.organisation("Politie Eenheid Rotterdam", OrganisationKind::Police);
    let bas = app
        .user(
            "bas@politie.example",
            "Bas Smit",
            Role::Professional,
            Some("Politie Eenheid Rotterdam"),
        )
        .id;
    let officer = signed_in(&app, "bas@politie.example").await;
    let form = officer.get("/gezinnen/nieuw").await;
    let offered = form.text("#director_user_id").unwrap_or_default();
    assert!(offered.contains("Ahmed Benali"), "{offered}");
    assert!(!offered.contains("Bas Smit"), "{offered}");
    fn family_fields(director: &str) -> Vec<(&'static str, &str)> {
        vec![
            ("display_name", "Gezin Visser"),
            ("municipality", "Dordrecht"),
            ("urgency", "urgent"),
            ("legal_basis", "legal_task"),
            ("family_informed", "yes"),
            ("role", "Wijkagent"),
            ("director_user_id", director),
        ]
    }
    let families_before = app.count("families");
    let refused = officer
        .submit("/gezinnen/nieuw", "/gezinnen", &family_fields(""))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .visible_text()
            .contains("Kies wie regie voert over dit gezin.")
    );
    assert_eq!(
        refused.value("#display_name").as_deref(),
        Some("Gezin Visser")
    );
    assert_eq!(app.count("families"), families_before);
    let ahmed_id = c.ahmed.user_id.to_string();
    let made = officer
        .submit("/gezinnen/nieuw", "/gezinnen", &family_fields(&ahmed_id))
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    let visser: i64 = families::table
        .filter(families::display_name.eq("Gezin Visser"))
        .select(families::id)
        .first(&mut *app.conn())
        .unwrap();
    let director: i64 = directorships::table
        .filter(directorships::family_id.eq(visser))
        .filter(directorships::ended_at.is_null())
        .select(directorships::director_user_id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(director, c.ahmed.user_id, "the named director directs");
    assert_eq!(
        officer.get(&format!("/gezinnen/{visser}")).await.status,
        StatusCode::OK,
        "the officer is involved"
    );

    // On Jansen's direction page Bas can be co-worker but not director, and appointing him is refused.
    let bas_who = samenspel::record::who(&mut app.conn(), bas).unwrap();
    samenspel::db::write(&mut app.conn(), |conn| {
        samenspel::record::add_involvement(
            conn,
            &c.ahmed,
            c.jansen,
            &bas_who,
            "Wijkagent",
            crate::common::world::today(),
        )
    })
    .unwrap();
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let regie = format!("/gezinnen/{}/regie", c.jansen);
    let page = ahmed.get(&regie).await;
    assert!(
        !page
            .text("#director_user_id")
            .unwrap_or_default()
            .contains("Bas Smit")
    );
    assert!(
        page.text("#co_worker_user_id")
            .unwrap_or_default()
            .contains("Bas Smit")
    );
    let bas_text = bas.to_string();
    let appointed = ahmed
        .submit(&regie, &regie, &[("director_user_id", bas_text.as_str())])
        .await;
    assert_eq!(appointed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let jansen_director: i64 = directorships::table
        .filter(directorships::family_id.eq(c.jansen))
        .filter(directorships::ended_at.is_null())
        .select(directorships::director_user_id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(jansen_director, c.ahmed.user_id);

    // Once the partnership lets the police direct, he opens a family and directs it himself.
    let admin = signed_in(&app, "beheer@samenspel.example").await;
    let saved = on_partnership(
        &admin,
        DEFAULT_PARTNERSHIP,
        "afspraken",
        &[
            ("director_kinds", "local_team"),
            ("director_kinds", "veilig_thuis"),
            ("director_kinds", "police"),
            ("closed_readable_days", "365"),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let form = officer.get("/gezinnen/nieuw").await;
    assert!(
        form.text("#director_user_id").is_none(),
        "no one to name now"
    );
    let own = officer
        .submit(
            "/gezinnen/nieuw",
            "/gezinnen",
            &[
                ("display_name", "Gezin de Boer"),
                ("municipality", "Dordrecht"),
                ("urgency", "regular"),
                ("legal_basis", "legal_task"),
                ("family_informed", "yes"),
                ("role", "Wijkagent"),
            ],
        )
        .await;
    assert_eq!(own.status, StatusCode::SEE_OTHER);
}

/// Adding someone from outside the family's partnership as involved needs a written reason, kept with
/// the involvement, on the timeline and shown to the director; the picker names who is outside, and
/// never offers account admins.
#[actix_web::test]
async fn adding_someone_from_outside_the_partnership_needs_a_reason() {
    use samenspel::schema::involvements;
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let form = format!("/gezinnen/{}/betrokkenen/nieuw", c.jansen);
    let post = format!("/gezinnen/{}/betrokkenen", c.jansen);
    let page = ahmed.get(&form).await;
    let groups: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("#user_id optgroup").unwrap())
        .map(crate::common::folded_text)
        .collect();
    assert_eq!(groups.len(), 2, "{groups:?}");
    assert!(groups[0].contains("Joost Mulder") && !groups[0].contains("Linda Bos"));
    assert!(groups[1].contains("Linda Bos") && !groups[1].contains("Joost Mulder"));
    for admin in ["Petra de Graaf", "Beheer"] {
        assert!(!groups.concat().contains(admin), "{admin} offered");
    }
    let linda = app.id_of("linda@ede.example");
    let linda_text = linda.to_string();
    let today = crate::common::world::today().format("%Y-%m-%d").to_string();
    let fields = |reason: &'static str| {
        vec![
            ("user_id", linda_text.clone()),
            ("role", "Lokaal team Ede".to_string()),
            ("started_on", today.clone()),
            ("reason", reason.to_string()),
        ]
    };
    let without = fields("");
    let refused = ahmed.submit(&form, &post, &pairs(&without)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.visible_text().contains(
            "Schrijf op waarom iemand van buiten het samenwerkingsverband betrokken wordt."
        )
    );
    assert_eq!(refused.value("#role").as_deref(), Some("Lokaal team Ede"));
    let involved = || -> i64 {
        involvements::table
            .filter(involvements::family_id.eq(c.jansen))
            .filter(involvements::user_id.eq(linda))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(involved(), 0);

    let reason = "Het gezin verhuist naar Ede; het lokaal team daar neemt de hulp over.";
    let with = fields(reason);
    let added = ahmed.submit(&form, &post, &pairs(&with)).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert_eq!(involved(), 1);
    let data: String = events::table
        .filter(events::family_id.eq(c.jansen))
        .filter(events::kind.eq("involvement.added"))
        .order(events::id.desc())
        .select(events::data)
        .first(&mut *app.conn())
        .unwrap();
    assert!(data.contains(reason), "{data}");
    assert!(
        ahmed
            .get(&format!("/gezinnen/{}", c.jansen))
            .await
            .visible_text()
            .contains(reason)
    );
    let linda_client = signed_in(&app, "linda@ede.example").await;
    assert_eq!(
        linda_client
            .get(&format!("/gezinnen/{}", c.jansen))
            .await
            .status,
        StatusCode::OK
    );
}
