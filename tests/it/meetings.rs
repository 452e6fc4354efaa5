//! Tables, referrals and meetings: the whole cycle through the pages, need to know per agenda item,
//! read-only after closing, calendar invitations and bad input.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::DomainResult;
use samenspel::domain::family::{FamilyDetails, LegalBasis, Urgency};
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::Role;
use samenspel::record;

use crate::common::{Client, Page, TestApp};

pub(crate) fn today() -> NaiveDate {
    samenspel::time::local(samenspel::domain::now()).date_naive()
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub(crate) struct Cast {
    pub table: i64,
    pub jansen: i64,
    pub bakker: i64,
    pub esther: i64,
    pub ruud: i64,
}

/// MDA++ with Ingrid as chair and Ruud as standing member; Ahmed directs Jansen (Karin involved),
/// Karin directs Bakker; Esther (GGZ) is not involved with either.
pub(crate) fn cast(app: &TestApp) -> Cast {
    let vt = "Veilig Thuis Zuid-Holland Zuid";
    let ingrid = app
        .user(
            "ingrid@vt.example",
            "Ingrid Smit",
            Role::Professional,
            Some(vt),
        )
        .id;
    let ahmed = app
        .user(
            "ahmed@vt.example",
            "Ahmed Benali",
            Role::Professional,
            Some(vt),
        )
        .id;
    let karin = app
        .user(
            "karin@wijkteam.example",
            "Karin de Vries",
            Role::Professional,
            Some("Sociaal wijkteam Dordrecht"),
        )
        .id;
    let ruud = app
        .user(
            "ruud@politie.example",
            "Ruud Verbeek",
            Role::Professional,
            Some("Politie Zuid-Holland Zuid"),
        )
        .id;
    let esther = app
        .user(
            "esther@ggz.example",
            "Esther Kok",
            Role::Professional,
            Some("GGZ volwassenen"),
        )
        .id;
    let mut conn = app.conn();
    db::write(&mut conn, |conn| -> DomainResult<Cast> {
        let by = |conn: &mut samenspel::db::DbConn, id| record::who(conn, id);
        let (ingrid_w, ahmed_w, karin_w) = (by(conn, ingrid)?, by(conn, ahmed)?, by(conn, karin)?);
        let kind = table::kinds(conn)?
            .into_iter()
            .find(|k| k.code == "mda")
            .unwrap();
        let t = record::create_table(
            conn,
            &ingrid_w,
            &kind,
            "MDA++ Zuid-Holland Zuid",
            "Zuid-Holland Zuid",
        )?;
        table::add_member(conn, t.id, ingrid, TableRole::Chair)?;
        table::add_member(conn, t.id, ingrid, TableRole::MinuteTaker)?;
        table::add_member(conn, t.id, ruud, TableRole::Member)?;
        let details = |name: &str| FamilyDetails {
            display_name: name.into(),
            municipality: "Dordrecht".into(),
            urgency: Urgency::Urgent,
            legal_basis: LegalBasis::ReportingCode,
            family_informed: true,
            not_informed_reason: None,
        };
        let jansen = record::start_family(
            conn,
            &ahmed_w,
            &details("Gezin Jansen"),
            "Casusregisseur",
            today(),
        )?;
        record::add_involvement(conn, &ahmed_w, jansen.id, &karin_w, "Gezinscoach", today())?;
        let bakker = record::start_family(
            conn,
            &karin_w,
            &details("Gezin Bakker"),
            "Regisseur",
            today(),
        )?;
        Ok(Cast {
            table: t.id,
            jansen: jansen.id,
            bakker: bakker.id,
            esther,
            ruud,
        })
    })
    .unwrap()
}

/// Posts a button of the meeting page (`action` is the last part of its address), as a browser would.
pub(crate) async fn on_meeting(client: &Client, meeting: i64, action: &str) -> Page {
    let page = format!("/bijeenkomsten/{meeting}");
    client.submit(&page, &format!("{page}/{action}"), &[]).await
}

/// The chair closes the meeting through its page.
pub(crate) async fn close_meeting(chair: &Client, meeting: i64) {
    let page = on_meeting(chair, meeting, "sluiten").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
}

pub(crate) async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = app.client();
    client.login_ok(email).await;
    client
}

pub(crate) fn id_from(location: &Option<String>, prefix: &str) -> i64 {
    let location = location.as_deref().unwrap_or_else(|| panic!("no redirect"));
    location
        .trim_start_matches(prefix)
        .split(['?', '#', '/'])
        .next()
        .unwrap()
        .parse()
        .unwrap_or_else(|_| panic!("no id in {location}"))
}

pub(crate) async fn plan_meeting(chair: &Client, table: i64, day: NaiveDate) -> i64 {
    let page = chair
        .submit(
            &format!("/overleggen/{table}/bijeenkomsten/nieuw"),
            &format!("/overleggen/{table}/bijeenkomsten"),
            &[
                ("date", &ymd(day)),
                ("starts", "09:30"),
                ("ends", "11:00"),
                ("place", "Veilig Thuis, Dordrecht"),
                ("online_link", ""),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    id_from(&page.location, "/bijeenkomsten/")
}

pub(crate) async fn refer(client: &Client, family: i64, table: i64, question: &str) -> i64 {
    let form = format!("/gezinnen/{family}/aanmelden/{table}");
    let page = client
        .submit(
            &form,
            &form,
            &[
                (
                    "reason",
                    "Drie meldingen van huiselijk geweld in zes maanden.",
                ),
                (
                    "tried",
                    "Hulp via het wijkteam en een tijdelijk huisverbod.",
                ),
                ("question", question),
                ("urgency", "urgent"),
                ("family_informed", "yes"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    id_from(&page.location, "/aanmeldingen/")
}

/// The agenda item ids of a meeting in order, read from the overview page.
pub(crate) fn item_ids(page: &Page) -> Vec<i64> {
    let html = page.html();
    let sel = scraper::Selector::parse("ol.ss-agenda > li").unwrap();
    html.select(&sel)
        .filter_map(|li| li.value().id()?.strip_prefix("punt-")?.parse().ok())
        .collect()
}

pub(crate) async fn decide(
    chair: &Client,
    meeting: i64,
    item: i64,
    outcome: &str,
    supersedes: &str,
) -> Page {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    chair
        .submit(
            &path,
            &format!("{path}/besluiten"),
            &[
                ("outcome", outcome),
                (
                    "text",
                    "Fase 1 gaat door; na acht weken zonder incidenten naar fase 2.",
                ),
                (
                    "rationale",
                    "De veiligheidsafspraken worden nageleefd maar zijn nog kort.",
                ),
                ("family_view", "agrees"),
                (
                    "family_words",
                    "Eens, maar het omgangscontact graag in het buurthuis.",
                ),
                ("supersedes", supersedes),
            ],
        )
        .await
}

pub(crate) async fn add_action(
    chair: &Client,
    meeting: i64,
    item: i64,
    owner: i64,
    what: &str,
    due: NaiveDate,
) -> Page {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    chair
        .submit(
            &path,
            &format!("{path}/acties"),
            &[
                ("description", what),
                ("owner_user_id", &owner.to_string()),
                ("due_on", &ymd(due)),
                ("condition", ""),
                ("family_informed_how", "Ahmed belt Sandra"),
            ],
        )
        .await
}

/// Runs a meeting up to its close: two referred families on the agenda, Esther invited for Jansen,
/// agenda published, decisions and actions on both items. Returns (meeting, jansen item, bakker item).
pub(crate) async fn run_meeting(app: &TestApp, c: &Cast, close: bool) -> (i64, i64, i64) {
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let karin = signed_in(app, "karin@wijkteam.example").await;
    let meeting = plan_meeting(&ingrid, c.table, today() + Duration::days(1)).await;

    let jansen_ref = refer(
        &ahmed,
        c.jansen,
        c.table,
        "Hoe krijgen we het geweld blijvend gestopt?",
    )
    .await;
    let bakker_ref = refer(
        &karin,
        c.bakker,
        c.table,
        "Kan de monitoring worden afgebouwd?",
    )
    .await;
    assert!(
        ahmed
            .get(&format!("/aanmeldingen/{jansen_ref}"))
            .await
            .visible_text()
            .contains("Ingediend")
    );

    // The chair accepts Jansen onto the meeting at once, and Bakker first without a date.
    let page = ingrid
        .submit(
            &format!("/aanmeldingen/{jansen_ref}"),
            &format!("/aanmeldingen/{jansen_ref}/antwoord"),
            &[
                ("answer", "accept"),
                ("meeting_id", &meeting.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let page = ingrid
        .submit(
            &format!("/aanmeldingen/{bakker_ref}"),
            &format!("/aanmeldingen/{bakker_ref}/antwoord"),
            &[("answer", "accept"), ("meeting_id", ""), ("note", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(
        karin
            .get(&format!("/aanmeldingen/{bakker_ref}"))
            .await
            .visible_text()
            .contains("Geaccepteerd"),
        "the referrer sees the status"
    );
    let page = on_meeting(&ingrid, meeting, &format!("aanmeldingen/{bakker_ref}")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    let overview = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    let items = item_ids(&overview);
    assert_eq!(items.len(), 3, "review of open actions, Jansen, Bakker");
    assert!(
        overview
            .text("ol.ss-agenda > li")
            .unwrap()
            .contains("Openstaande acties van eerdere overleggen"),
        "the review comes first"
    );
    let (jansen_item, bakker_item) = (items[1], items[2]);

    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"),
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}/uitnodigen"),
            &[("user_id", &c.esther.to_string())],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    let page = on_meeting(&ingrid, meeting, "publiceren").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = on_meeting(&ingrid, meeting, "starten").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);

    for (item, owner, what) in [
        (jansen_item, c.esther, "GGZ-intake voor Sandra"),
        (bakker_item, c.ruud, "Zicht op de situatie houden"),
    ] {
        let page = decide(&ingrid, meeting, item, "Fase 1: directe veiligheid", "").await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{}",
            page.visible_text()
        );
        let page = add_action(
            &ingrid,
            meeting,
            item,
            owner,
            what,
            today() + Duration::days(14),
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{}",
            page.visible_text()
        );
    }
    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"),
            &format!("/bijeenkomsten/{meeting}/punten/{jansen_item}/notulen"),
            &[(
                "minutes",
                "Sandra was aanwezig en vertelde over de afgelopen weken.",
            )],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    if close {
        close_meeting(&ingrid, meeting).await;
    }
    (meeting, jansen_item, bakker_item)
}

#[actix_web::test]
async fn the_whole_cycle_from_referral_to_the_next_meeting() {
    let app = TestApp::spawn().await;
    let c = cast(&app);
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
        .filter(samenspel::schema::actions::owner_user_id.eq(c.esther))
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
    assert!(
        esther
            .get("/")
            .await
            .visible_text()
            .contains("Je hebt geen open acties.")
    );
    let again = ingrid
        .get(&format!("/bijeenkomsten/{next}/punten/{review}"))
        .await;
    assert!(!again.visible_text().contains("GGZ-intake voor Sandra"));
}

#[actix_web::test]
async fn a_professional_invited_for_one_item_sees_that_family_only_and_only_for_a_while() {
    let app = TestApp::spawn().await;
    let c = cast(&app);
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

    // The look was logged with the purpose "overleg".
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await
        .text("#inzagelog tbody")
        .unwrap();
    assert!(
        log.contains("Esther Kok") && log.contains("Overleg"),
        "{log}"
    );

    // After the access window (28 days after the meeting for MDA++) the family is gone from her view.
    use samenspel::schema::meetings;
    let long_ago = samenspel::domain::now() - Duration::days(40);
    diesel::update(meetings::table.find(meeting))
        .set((
            meetings::starts_at.eq(long_ago),
            meetings::ends_at.eq(long_ago + Duration::hours(1)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    assert_eq!(
        esther.get(&format!("/gezinnen/{}", c.jansen)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn after_closing_decisions_and_minutes_are_read_only_and_a_correction_shows_both() {
    let app = TestApp::spawn().await;
    let c = cast(&app);
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
        c.ruud,
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
    let c = cast(&app);
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
    let c = cast(&app);
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
    let c = cast(&app);
    let other = {
        let mut conn = app.conn();
        db::write(&mut conn, |conn| -> DomainResult<i64> {
            let ingrid = record::who(conn, 1)?;
            let kind = table::kinds(conn)?
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
