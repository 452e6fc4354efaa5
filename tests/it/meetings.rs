//! Tables, referrals and meetings: the whole cycle through the pages, need to know per agenda item,
//! read-only after closing, calendar invitations and bad input.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::DomainResult;
use samenspel::domain::table;
use samenspel::record;

use crate::common::TestApp;
use crate::common::meeting::{add_action, decide, item_ids, plan_meeting, run_meeting, ymd};
use crate::common::world::{Cast, signed_in, today};

#[actix_web::test]
async fn the_whole_cycle_from_referral_to_the_next_meeting() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, true).await;

    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let overview = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert!(overview.visible_text().contains("Afgerond"));
    let item = ingrid
        .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
        .await;
    let text = item.visible_text();
    assert!(text.contains("Fase 1: directe veiligheid"), "{text}");
    assert!(text.contains("Eens, maar het omgangscontact graag in het buurthuis."));
    assert!(text.contains("GGZ-intake voor Sandra"));

    // The actions are under "Mijn acties" of their owners.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let home = esther.get("/").await;
    assert!(
        home.text("#mijn-acties + ul")
            .unwrap()
            .contains("GGZ-intake voor Sandra"),
        "{}",
        home.visible_text()
    );
    let ruud = signed_in(&app, "ruud@politie.example").await;
    assert!(
        ruud.get("/")
            .await
            .text("#mijn-acties + ul")
            .unwrap()
            .contains("Zicht op de situatie houden")
    );

    // The referrals are discussed, and the family's timeline says so.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(family.visible_text().contains("Besproken"));
    assert!(
        family
            .text("ol.ss-timeline")
            .unwrap()
            .contains("Besluit van MDA++ Zuid-Holland Zuid: Fase 1: directe veiligheid.")
    );

    // The next meeting of the table starts with the open actions of this one.
    let next = plan_meeting(&ingrid, c.table, today() + Duration::days(8)).await;
    let overview = ingrid.get(&format!("/bijeenkomsten/{next}")).await;
    let review = item_ids(&overview)[0];
    let page = ingrid
        .get(&format!("/bijeenkomsten/{next}/punten/{review}"))
        .await;
    let text = page
        .text("#open-acties + p, #open-acties ~ ul")
        .unwrap_or_default();
    assert!(
        text.contains("GGZ-intake voor Sandra") && text.contains("Zicht op de situatie houden"),
        "{text}"
    );

    // Esther reports it done; it leaves her list and the next review.
    let action_id: i64 = samenspel::schema::actions::table
        .filter(samenspel::schema::actions::owner_user_id.eq(c.esther.user_id))
        .select(samenspel::schema::actions::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = esther
        .submit(
            &format!("/acties/{action_id}"),
            &format!("/acties/{action_id}/afronden"),
            &[("outcome", "done"), ("result", "Intake was op 3 december.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // The action's page confirms it, with its new status.
    let confirmed = esther.get(page.location.as_deref().unwrap()).await;
    assert!(
        confirmed
            .visible_text()
            .contains("Opgeslagen: de actie staat op gedaan."),
        "{}",
        confirmed.body
    );
    assert!(confirmed.text("dl.ss-details").unwrap().contains("Gedaan"));
    let home = esther.get("/").await;
    assert!(home.visible_text().contains("Je hebt geen open acties."));
    // Her finished actions stay within reach, with what came of them.
    let finished = home.text("#afgeronde-acties").unwrap_or_default();
    assert!(
        finished.contains("Afgeronde acties (1)")
            && finished.contains("GGZ-intake voor Sandra")
            && finished.contains("gedaan — Intake was op 3 december."),
        "{finished}"
    );
    let again = ingrid
        .get(&format!("/bijeenkomsten/{next}/punten/{review}"))
        .await;
    assert!(!again.visible_text().contains("GGZ-intake voor Sandra"));
}

#[actix_web::test]
async fn a_professional_invited_for_one_item_sees_that_family_only_and_only_for_a_while() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, bakker_item) = run_meeting(&app, &c, false).await;
    let bakker_case: String = samenspel::schema::families::table
        .find(c.bakker)
        .select(samenspel::schema::families::case_number)
        .first(&mut *app.conn())
        .unwrap();

    // The director sees the family's next meeting on the start page.
    let ahmed_home = signed_in(&app, "ahmed@vt.example").await.get("/").await;
    let families = ahmed_home
        .text("#mijn-gezinnen ~ div table")
        .unwrap_or_default();
    assert!(
        families.contains("Gezin Jansen") && families.contains("MDA++ Zuid-Holland Zuid"),
        "{families}"
    );

    let esther = signed_in(&app, "esther@ggz.example").await;
    let overview = esther.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert_eq!(overview.status, StatusCode::OK);
    let agenda = overview.text("ol.ss-agenda").unwrap();
    assert!(agenda.contains("Gezin Jansen"), "{agenda}");
    assert!(
        agenda.contains(&format!("Gezin B., {bakker_case}")),
        "{agenda}"
    );
    assert!(!agenda.contains("Bakker"), "only the pseudonym: {agenda}");
    assert_eq!(
        esther
            .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
            .await
            .status,
        StatusCode::OK
    );
    // Ids changed by hand show nothing more.
    assert_eq!(
        esther
            .get(&format!("/bijeenkomsten/{meeting}/punten/{bakker_item}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        esther.get(&format!("/gezinnen/{}", c.bakker)).await.status,
        StatusCode::NOT_FOUND
    );
    let family = esther.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert_eq!(
        family.status,
        StatusCode::OK,
        "the invitation opens the family record"
    );

    // The standing member is not invited to either family's item.
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let agenda = ruud
        .get(&format!("/bijeenkomsten/{meeting}"))
        .await
        .text("ol.ss-agenda")
        .unwrap();
    assert!(
        !agenda.contains("Jansen") && !agenda.contains("Bakker"),
        "{agenda}"
    );
    assert_eq!(
        ruud.get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ruud.get(&format!("/gezinnen/{}", c.jansen)).await.status,
        StatusCode::NOT_FOUND
    );

    // The look was logged with the purpose "bijeenkomst".
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await
        .text("#inzagelog tbody")
        .unwrap();
    assert!(
        log.contains("Esther Kok") && log.contains("Bijeenkomst"),
        "{log}"
    );

    // The access window is 28 days after the meeting for MDA++: an hour before its end the record is
    // still hers, an hour after it the family is gone from her view. (No session lasts that long, so
    // she logs in again each time.)
    use samenspel::schema::meetings;
    let ends_at: chrono::NaiveDateTime = meetings::table
        .find(meeting)
        .select(meetings::ends_at)
        .first(&mut *app.conn())
        .unwrap();
    let jansen = format!("/gezinnen/{}", c.jansen);
    app.clock
        .set(ends_at + Duration::days(28) - Duration::hours(1));
    let esther = signed_in(&app, "esther@ggz.example").await;
    assert_eq!(esther.get(&jansen).await.status, StatusCode::OK);
    app.clock
        .set(ends_at + Duration::days(28) + Duration::hours(1));
    let esther = signed_in(&app, "esther@ggz.example").await;
    assert_eq!(esther.get(&jansen).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn after_closing_decisions_and_minutes_are_read_only_and_a_correction_shows_both() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, true).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");

    let page = ingrid
        .submit(
            &path,
            &format!("{path}/notulen"),
            &[("minutes", "Achteraf anders opgeschreven.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.visible_text()
            .contains("De notulen kunnen niet meer veranderen.")
    );
    let page = decide(
        &ingrid,
        meeting,
        jansen_item,
        "Fase 2: stabiele veiligheid",
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.visible_text()
            .contains("Besluiten kunnen niet meer veranderen.")
    );
    let page = add_action(
        &ingrid,
        meeting,
        jansen_item,
        c.ruud.user_id,
        "Nog iets",
        today() + Duration::days(3),
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    let minutes: String = samenspel::schema::agenda_items::table
        .find(jansen_item)
        .select(samenspel::schema::agenda_items::minutes)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        minutes,
        "Sandra was aanwezig en vertelde over de afgelopen weken."
    );

    // The database refuses it too.
    let direct =
        diesel::sql_query("UPDATE decisions SET text = 'anders'").execute(&mut *app.conn());
    assert!(direct.is_err());
    let direct = diesel::sql_query(format!(
        "UPDATE agenda_items SET minutes = 'anders' WHERE id = {jansen_item}"
    ))
    .execute(&mut *app.conn());
    assert!(direct.is_err());

    // A correction supersedes the decision; both stay and point at each other.
    let original: i64 = samenspel::schema::decisions::table
        .filter(samenspel::schema::decisions::agenda_item_id.eq(jansen_item))
        .select(samenspel::schema::decisions::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = decide(
        &ingrid,
        meeting,
        jansen_item,
        "Fase 2: stabiele veiligheid",
        &original.to_string(),
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let item = ingrid.get(&path).await;
    let old = item.text(&format!("#besluit-{original}")).unwrap();
    assert!(
        old.contains("Fase 1: directe veiligheid") && old.contains("Vervangen door Besluit"),
        "{old}"
    );
    let correction = item
        .text("article.ss-decision:not(.ss-decision--superseded)")
        .unwrap();
    assert!(
        correction.contains(&format!("Dit is een correctie op Besluit {original}")),
        "{correction}"
    );
    assert!(item.body.contains(&format!("href=\"#besluit-{original}\"")));
    // A decision is corrected once; the next correction goes on the newest.
    let again = decide(
        &ingrid,
        meeting,
        jansen_item,
        "Fase 3: herstel",
        &original.to_string(),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
}

#[actix_web::test]
async fn invitations_carry_a_calendar_file_in_amsterdam_time() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let mails = app.mails();
    let esther_mail = mails
        .iter()
        .find(|m| m.to == "esther@ggz.example")
        .expect("Esther, invited for one item, gets the invitation");
    let mut invited: Vec<&str> = mails
        .iter()
        .filter(|m| m.subject.starts_with("Uitnodiging: MDA++"))
        .map(|m| m.to.as_str())
        .collect();
    invited.sort();
    // The chair and standing member, and for the items: the people involved and Esther.
    assert_eq!(
        invited,
        [
            "ahmed@vt.example",
            "esther@ggz.example",
            "ingrid@vt.example",
            "karin@wijkteam.example",
            "ruud@politie.example"
        ]
    );
    assert!(
        !esther_mail.text.contains("Jansen") && !esther_mail.text.contains("Bakker"),
        "no family data in mail"
    );
    let ics = esther_mail
        .attachments
        .iter()
        .find(|a| a.filename.ends_with(".ics"))
        .expect(".ics attached");
    assert!(ics.content_type.starts_with("text/calendar"));

    let calendar: icalendar::Calendar = String::from_utf8(ics.content.clone())
        .unwrap()
        .parse()
        .expect("a valid calendar");
    let event = calendar
        .components
        .iter()
        .find_map(|c| c.as_event())
        .expect("one event");
    use icalendar::Component;
    let start = event.properties().get("DTSTART").expect("DTSTART");
    assert_eq!(
        start.params().get("TZID").map(|p| p.value()),
        Some("Europe/Amsterdam")
    );
    let day = (today() + Duration::days(1)).format("%Y%m%d").to_string();
    assert_eq!(start.value(), format!("{day}T093000"));
    assert_eq!(
        event.properties().get("DTEND").unwrap().value(),
        format!("{day}T110000")
    );
    assert!(
        event
            .get_url()
            .unwrap()
            .ends_with(&format!("/bijeenkomsten/{meeting}"))
    );
    assert_eq!(event.get_summary(), Some("MDA++ Zuid-Holland Zuid"));
}

#[actix_web::test]
async fn bad_input_is_refused_next_to_the_field_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let new = format!("/overleggen/{}/bijeenkomsten/nieuw", c.table);
    let post = format!("/overleggen/{}/bijeenkomsten", c.table);
    let page = ingrid
        .submit(
            &new,
            &post,
            &[
                ("date", &ymd(today() + Duration::days(2))),
                ("starts", "11:00"),
                ("ends", "10:00"),
                ("place", "Stadskantoor Dordrecht"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#ends-error").as_deref(),
        Some("Fout: De eindtijd moet na de begintijd liggen.")
    );
    assert_eq!(
        page.value("input#place").as_deref(),
        Some("Stadskantoor Dordrecht")
    );
    assert_eq!(page.value("input#starts").as_deref(), Some("11:00"));
    assert_eq!(app.count("meetings"), 0);

    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let actions_before = app.count("actions");
    let decisions_before = app.count("decisions");
    let path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    let page = ingrid
        .submit(
            &path,
            &format!("{path}/acties"),
            &[
                ("description", "Huisbezoek met Sandra"),
                ("owner_user_id", ""),
                ("due_on", &ymd(today() - Duration::days(1))),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text("#owner_user_id-error").as_deref(),
        Some("Fout: Kies wie de actie uitvoert.")
    );
    assert_eq!(
        page.text("#due_on-error").as_deref(),
        Some("Fout: De datum ligt in het verleden. Kies vandaag of later.")
    );
    assert_eq!(
        page.text("textarea#description").as_deref(),
        Some("Huisbezoek met Sandra")
    );
    assert_eq!(app.count("actions"), actions_before);

    let page = ingrid
        .submit(
            &path,
            &format!("{path}/besluiten"),
            &[
                ("outcome", ""),
                ("text", ""),
                ("rationale", "Omdat het moet"),
                ("family_view", ""),
                ("supersedes", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.visible_text();
    for message in [
        "Kies een uitkomst.",
        "Schrijf het besluit op.",
        "Geef aan wat het gezin ervan vindt.",
    ] {
        assert!(text.contains(message), "{message}: {text}");
    }
    assert_eq!(
        page.text("textarea#rationale").as_deref(),
        Some("Omdat het moet")
    );
    assert_eq!(app.count("decisions"), decisions_before);
}

#[actix_web::test]
async fn a_decision_can_refer_to_another_table_and_change_the_director() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let other = {
        let mut conn = app.conn();
        db::write(&mut conn, |conn| -> DomainResult<i64> {
            let ingrid = record::who(conn, 1)?;
            let kind = table::kinds_of(conn, &[1])?
                .into_iter()
                .find(|k| k.code == "zvh_casusoverleg")
                .unwrap();
            Ok(record::create_table(
                conn,
                &ingrid,
                &kind,
                "ZVH-casusoverleg Zuid-Holland Zuid",
                "Zuid-Holland Zuid",
            )?
            .id)
        })
        .unwrap()
    };
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let karin: i64 = samenspel::schema::users::table
        .filter(samenspel::schema::users::email.eq("karin@wijkteam.example"))
        .select(samenspel::schema::users::id)
        .first(&mut *app.conn())
        .unwrap();
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    let page = ingrid
        .submit(
            &path,
            &format!("{path}/besluiten"),
            &[
                ("outcome", "Fase 1: directe veiligheid"),
                ("text", "Opschalen naar het ZVH; Karin neemt de regie over."),
                ("rationale", "Strafrechtelijke interventie is nodig."),
                ("family_view", "not_heard"),
                ("family_words", ""),
                ("refer_to_table_id", &other.to_string()),
                ("new_director_user_id", &karin.to_string()),
                ("supersedes", ""),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );

    use samenspel::schema::{directorships, referrals};
    let referred: i64 = referrals::table
        .filter(referrals::table_id.eq(other))
        .filter(referrals::family_id.eq(c.jansen))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(referred, 1, "the family is referred to the other table");
    let director: i64 = directorships::table
        .filter(directorships::family_id.eq(c.jansen))
        .filter(directorships::ended_at.is_null())
        .select(directorships::director_user_id)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(director, karin, "the decision changed the director");
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    let timeline = family.text("ol.ss-timeline").unwrap();
    assert!(
        timeline.contains("Aangemeld bij ZVH-casusoverleg Zuid-Holland Zuid."),
        "{timeline}"
    );
    assert!(
        timeline.contains("Karin de Vries (Sociaal wijkteam Dordrecht) is regisseur."),
        "{timeline}"
    );
}
