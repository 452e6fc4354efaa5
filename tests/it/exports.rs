//! Exports read back as a user would: the PDF's text (with pdf-extract), the spreadsheet with calamine,
//! the CSV with a CSV reader, the calendar feed with an independent iCalendar parser.

use calamine::{DataType, Reader};
use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::table;
use samenspel::record;

use crate::common::meeting::{close_meeting, on_meeting, run_meeting};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, TestApp};

struct File {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

async fn fetch(client: &Client, path: &str) -> File {
    let res = client.http.get(client.url(path)).send().await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    File {
        status,
        content_type,
        body: res.bytes().await.unwrap().to_vec(),
    }
}

fn pdf_text(body: &[u8]) -> String {
    assert!(body.starts_with(b"%PDF-"), "a PDF");
    pdf_extract::extract_text_from_mem(body).expect("the PDF reads back")
}

/// The total from the footer "pagina 1 van N".
fn page_count(text: &str) -> usize {
    text.split("pagina 1 van ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .expect("a page number in the footer")
}

/// A closed meeting like `run_meeting`, with one more decision on Jansen's item written with diacritics.
async fn closed_meeting(app: &TestApp, c: &Cast) -> (i64, i64, i64) {
    let (meeting, jansen_item, bakker_item) = run_meeting(app, c, false).await;
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    let page = ingrid
        .submit(
            &path,
            &format!("{path}/besluiten"),
            &[
                ("outcome", "Fase 1: directe veiligheid"),
                (
                    "text",
                    "Één coördinator regelt de omgang in het café van Zoë; daarná evaluatie.",
                ),
                ("rationale", "Sandra’s wens is gehoord."),
                ("family_view", "agrees"),
                ("family_words", "Prima, graag op zaterdag."),
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
    close_meeting(&ingrid, meeting).await;
    (meeting, jansen_item, bakker_item)
}

#[actix_web::test]
async fn the_besluitenlijst_holds_decisions_actions_and_a_reference_anyone_can_check() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = closed_meeting(&app, &c).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;

    let file = fetch(
        &ingrid,
        &format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"),
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.content_type, "application/pdf");
    let text = pdf_text(&file.body);
    for expected in [
        "Besluitenlijst",
        "Vertrouwelijk — alleen voor deelnemers",
        "MDA++ Zuid-Holland Zuid",
        "Ingrid Smit",
        "Gezin Jansen",
        "Gezin Bakker",
        "Fase 1: directe veiligheid",
        "Fase 1 gaat door; na acht weken zonder incidenten naar fase 2.",
        "Één coördinator regelt de omgang in het café van Zoë; daarná evaluatie.",
        "Sandra’s wens is gehoord.",
        "GGZ-intake voor Sandra",
        "Esther Kok",
        "Zicht op de situatie houden",
        "Versie voor Ingrid Smit",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let pages = page_count(&text);
    assert!(text.contains(&format!("pagina {pages} van {pages}")));

    // The reference names the meeting and its closing hash; the check page confirms it, a wrong one not.
    let hash: String = {
        use samenspel::schema::meetings::dsl::*;
        meetings
            .find(meeting)
            .select(closing_hash)
            .first::<Option<String>>(&mut app.conn())
            .unwrap()
            .unwrap()
    };
    assert!(
        text.contains(&format!("SAMENSPEL-{meeting}-{}", &hash[..12])),
        "{text}"
    );
    let anyone = app.client();
    let check = anyone.get(&format!("/controle/{meeting}/{hash}")).await;
    assert_eq!(check.status, StatusCode::OK);
    assert!(
        check
            .visible_text()
            .contains("hoort bij een besluitenlijst uit Samenspel")
    );
    assert!(!check.visible_text().contains("Jansen"));
    let forged = anyone
        .get(&format!("/controle/{meeting}/{}", "0".repeat(64)))
        .await;
    assert_eq!(forged.status, StatusCode::NOT_FOUND);

    // The short reference in every page's footer, as a reader types it over from the paper, is
    // checked at /controle too; a changed character, or too few, is not.
    let prefix = format!("SAMENSPEL-{meeting}-");
    let start = text.find(&prefix).unwrap();
    let short: String = text[start..].chars().take(prefix.len() + 12).collect();
    assert!(
        short[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{short}"
    );
    for typed in [short.clone(), format!("  {}  ", short.to_lowercase())] {
        let check = anyone
            .get(&format!("/controle?kenmerk={}", typed.replace(' ', "+")))
            .await;
        assert_eq!(check.status, StatusCode::OK, "{typed}");
        assert!(
            check
                .visible_text()
                .contains("hoort bij een besluitenlijst uit Samenspel")
        );
        assert!(check.visible_text().contains("MDA++ Zuid-Holland Zuid"));
    }
    let last = short.chars().last().unwrap();
    let changed = format!(
        "{}{}",
        &short[..short.len() - 1],
        if last == '0' { '1' } else { '0' }
    );
    let wrong = anyone.get(&format!("/controle?kenmerk={changed}")).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.visible_text().contains("Dit kenmerk kennen we niet"));
    let too_short = anyone
        .get(&format!("/controle/{meeting}/{}", &hash[..11]))
        .await;
    assert_eq!(too_short.status, StatusCode::NOT_FOUND);
    let by_path = anyone
        .get(&format!("/controle/{meeting}/{}", &hash[..12]))
        .await;
    assert_eq!(by_path.status, StatusCode::OK);
    let typo = anyone.get("/controle?kenmerk=SAMENSPEL-12").await;
    assert_eq!(typo.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(typo.visible_text().contains("Dit is geen kenmerk"));
    assert_eq!(typo.value("#kenmerk").as_deref(), Some("SAMENSPEL-12"));
    assert_eq!(anyone.get("/controle").await.status, StatusCode::OK);

    // The download is an event and, for each family in it, a line in the access log.
    let exports: i64 = {
        use samenspel::schema::events::dsl::*;
        events
            .filter(kind.eq("export.downloaded"))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(exports, 1);
    let logged: i64 = {
        use samenspel::schema::access_log::dsl::*;
        access_log
            .filter(what.eq("access.what.export"))
            .filter(family_id.eq(c.jansen))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(logged, 1);
    // Not a participant (Linda of the world's third family): as if the meeting does not exist.
    let linda = signed_in(&app, "linda@ede.example").await;
    assert_eq!(
        fetch(
            &linda,
            &format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf")
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn a_forty_item_meeting_with_long_texts_makes_a_correct_multi_page_pdf() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let meeting = {
        let mut conn = app.conn();
        let ingrid = samenspel::domain::user::find_by_email(&mut conn, "ingrid@vt.example")
            .unwrap()
            .unwrap();
        let chair = record::who(&mut conn, ingrid.id).unwrap();
        let owner = record::who(&mut conn, c.ruud.user_id).unwrap();
        let at = table::find(&mut conn, c.table).unwrap().unwrap();
        db::write(&mut conn, |conn| {
            samenspel::demo::long_meeting(conn, &chair, &at, &owner, 40, 4)
        })
        .unwrap()
        .id
    };
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let file = fetch(
        &ingrid,
        &format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"),
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    let text = pdf_text(&file.body);
    let pages = page_count(&text);
    assert!(pages >= 10, "40 long items take many pages, got {pages}");
    for n in 1..=pages {
        assert!(
            text.contains(&format!("pagina {n} van {pages}")),
            "page {n}"
        );
    }
    for n in 1..=40 {
        assert!(
            text.contains(&format!("Besluit {n}. De veiligheidsafspraken")),
            "decision {n}"
        );
        assert!(
            text.contains(&format!("Actie {n}: gesprek met de coördinator plannen")),
            "action {n}"
        );
    }
    for word in ["Daarná", "coördinator", "café Zoë", "zaal Één"] {
        assert!(
            text.contains(word),
            "{word} in:\n{}",
            &text[..3000.min(text.len())]
        );
    }
    // Long texts are wrapped, not cut: every paragraph of the last decision is there in full (the text
    // extraction joins wrapped lines without a space, so compare without whitespace).
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    let paragraph = "De veiligheidsafspraken worden nageleefd. De moeder wil het omgangscontact graag in het \
                     buurthuis; de coördinator zorgt voor een ruimte. Daarná volgt een evaluatie met de school, \
                     het wijkteam en de GGZ — met aandacht voor wat het kind zelf zegt (hoor en wederhoor). ";
    let last = format!("Besluit 40. {}", paragraph.repeat(4));
    assert!(
        squash(&text).contains(&squash(&last)),
        "the last decision in full"
    );
}

#[actix_web::test]
async fn each_reader_gets_their_own_version_and_the_chair_a_pseudonymised_one() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    // The members the pseudonymised version must leave out are registered with the family.
    {
        let mut conn = app.conn();
        let ahmed = samenspel::domain::user::find_by_email(&mut conn, "ahmed@vt.example")
            .unwrap()
            .unwrap();
        let by = record::who(&mut conn, ahmed.id).unwrap();
        db::write(&mut conn, |conn| {
            record::save_person(
                conn,
                &by,
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
    }
    let (meeting, _, _) = closed_meeting(&app, &c).await;

    // Esther was invited for Jansen only: Bakker's item shows by pseudonym, without its content.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let text = pdf_text(
        &fetch(
            &esther,
            &format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"),
        )
        .await
        .body,
    );
    assert!(text.contains("Gezin Jansen"), "{text}");
    assert!(text.contains("GGZ-intake voor Sandra"));
    assert!(!text.contains("Bakker"), "no other family name:\n{text}");
    assert!(!text.contains("Zicht op de situatie houden"));
    assert!(
        text.contains("Gezin B., "),
        "the other item by its pseudonym"
    );
    assert!(text.contains("Je was niet uitgenodigd voor dit punt"));
    assert!(text.contains("Versie voor Esther Kok"));

    // The chair's pseudonymised version: no family or member names anywhere, the content still there.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let file = fetch(
        &ingrid,
        &format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf?versie=gepseudonimiseerd"),
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    let text = pdf_text(&file.body);
    for name in ["Jansen", "Bakker", "Sandra"] {
        assert!(
            !text.contains(name),
            "{name} in the pseudonymised version:\n{text}"
        );
    }
    assert!(text.contains("Gezin J., ") && text.contains("Gezin B., "));
    assert!(text.contains("GGZ-intake voor S."));
    assert!(text.contains("Gepseudonimiseerde versie"));
    // Only the chair makes it.
    assert_eq!(
        fetch(
            &esther,
            &format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf?versie=gepseudonimiseerd")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
}

#[actix_web::test]
async fn the_actielijst_opens_as_a_spreadsheet_with_dates_and_as_csv() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = closed_meeting(&app, &c).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let due = today() + Duration::days(14);

    let file = fetch(
        &ingrid,
        &format!("/bijeenkomsten/{meeting}/actielijst.xlsx"),
    )
    .await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.content_type.contains("spreadsheetml"));
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(file.body)).expect("an XLSX workbook");
    let sheet_name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet_name).unwrap();
    let rows: Vec<_> = range.rows().collect();
    assert_eq!(rows.len(), 3, "a header and two actions");
    assert_eq!(rows[0][0].to_string(), "Organisatie");
    assert_eq!(rows[0][4].to_string(), "Uiterlijk");
    // Grouped by organisation: GGZ before Politie.
    assert_eq!(rows[1][0].to_string(), "GGZ volwassenen");
    assert_eq!(rows[1][2].to_string(), "GGZ-intake voor Sandra");
    assert_eq!(rows[2][2].to_string(), "Zicht op de situatie houden");
    let cell = &rows[1][4];
    assert!(
        matches!(cell, calamine::Data::DateTime(_)),
        "a date, not text: {cell:?}"
    );
    assert_eq!(cell.as_date(), Some(due));
    // The status column is filled for open actions too.
    assert_eq!(rows[0][6].to_string(), "Status");
    assert_eq!(rows[1][6].to_string(), "Open");

    // CSV: UTF-8 with a byte order mark; a reader gets the same rows back.
    let file = fetch(&ingrid, &format!("/bijeenkomsten/{meeting}/actielijst.csv")).await;
    assert!(file.content_type.starts_with("text/csv"));
    assert!(file.body.starts_with("\u{feff}".as_bytes()));
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .from_reader(&file.body[3..])
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(&records[0][2], "GGZ-intake voor Sandra");
    assert_eq!(&records[0][4], due.format("%d-%m-%Y").to_string());
    let file = fetch(
        &ingrid,
        &format!("/bijeenkomsten/{meeting}/actielijst.csv?scheiding=puntkomma"),
    )
    .await;
    let records: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&file.body[3..])
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&records[1][2], "Zicht op de situatie houden");

    // The table's actielijst: every open action, as PDF; a standing member sees Jansen's only by pseudonym.
    let text = pdf_text(
        &fetch(&ingrid, &format!("/overleggen/{}/actielijst.pdf", c.table))
            .await
            .body,
    );
    assert!(text.contains("GGZ-intake voor Sandra") && text.contains("Politie Zuid-Holland Zuid"));
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let text = pdf_text(
        &fetch(&ruud, &format!("/overleggen/{}/actielijst.pdf", c.table))
            .await
            .body,
    );
    assert!(
        text.contains("Zicht op de situatie houden"),
        "his own action"
    );
    assert!(
        !text.contains("GGZ-intake voor Sandra") && !text.contains("Jansen"),
        "{text}"
    );
    assert_eq!(
        fetch(&ruud, &format!("/overleggen/{}/actielijst.docx", c.table))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn the_calendar_feed_parses_and_a_revoked_address_is_gone() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let esther = signed_in(&app, "esther@ggz.example").await;
    let page = esther.submit("/account", "/account/agenda", &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    let url = page.value("#feed-url").expect("the address is shown once");
    let path = url.trim_start_matches(&app.base_url).to_string();
    assert!(path.starts_with("/agenda/") && path.ends_with(".ics"));

    let anyone = app.client();
    let file = fetch(&anyone, &path).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.content_type.starts_with("text/calendar"));
    let body = String::from_utf8(file.body).unwrap();
    let calendars: Vec<_> = ical::IcalParser::new(body.as_bytes())
        .map(Result::unwrap)
        .collect();
    assert_eq!(calendars.len(), 1);
    let uids: Vec<String> = calendars[0]
        .events
        .iter()
        .filter_map(|e| {
            e.properties
                .iter()
                .find(|p| p.name == "UID")
                .and_then(|p| p.value.clone())
        })
        .collect();
    assert!(
        uids.iter()
            .any(|u| u.starts_with(&format!("meeting-{meeting}@"))),
        "{uids:?}"
    );
    let action = calendars[0]
        .events
        .iter()
        .find(|e| {
            e.properties
                .iter()
                .any(|p| p.name == "UID" && p.value.as_deref().unwrap_or("").starts_with("action-"))
        })
        .expect("Esther's action");
    let start = action
        .properties
        .iter()
        .find(|p| p.name == "DTSTART")
        .unwrap();
    assert_eq!(
        start.value.as_deref(),
        Some(
            (today() + Duration::days(14))
                .format("%Y%m%d")
                .to_string()
                .as_str()
        )
    );
    // An all-day deadline ends the next day (RFC 5545 §3.8.2.2), as a date.
    let end = action
        .properties
        .iter()
        .find(|p| p.name == "DTEND")
        .expect("an all-day event with an end");
    assert_eq!(
        end.value.as_deref(),
        Some(
            (today() + Duration::days(15))
                .format("%Y%m%d")
                .to_string()
                .as_str()
        )
    );
    assert!(
        end.params
            .as_ref()
            .is_some_and(|ps| ps.iter().any(|(k, v)| k == "VALUE" && v == &["DATE"]))
    );
    // A calendar that names Europe/Amsterdam carries its VTIMEZONE (RFC 5545 §3.2.19).
    assert_time_zone(&calendars[0]);
    assert!(
        !body.contains("Jansen") && !body.contains("Sandra"),
        "no family data in a calendar"
    );

    // Revoking makes the old address 404; a new one works.
    let page = esther
        .submit("/account", "/account/agenda/intrekken", &[])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(fetch(&anyone, &path).await.status, StatusCode::NOT_FOUND);
    let page = esther.submit("/account", "/account/agenda", &[]).await;
    let new_path = page
        .value("#feed-url")
        .unwrap()
        .trim_start_matches(&app.base_url)
        .to_string();
    assert_ne!(new_path, path);
    assert_eq!(fetch(&anyone, &new_path).await.status, StatusCode::OK);
    assert_eq!(
        fetch(&anyone, "/agenda/onzin.ics").await.status,
        StatusCode::NOT_FOUND
    );

    // The meeting's own .ics, for a participant.
    let file = fetch(&esther, &format!("/bijeenkomsten/{meeting}/agenda.ics")).await;
    assert_eq!(file.status, StatusCode::OK);
    let calendars: Vec<_> = ical::IcalParser::new(&file.body[..])
        .map(Result::unwrap)
        .collect();
    assert_eq!(calendars.len(), 1);
    assert_time_zone(&calendars[0]);
}

/// Read with the `ical` parser (not the crate that writes the files): every TZID an event names has
/// its VTIMEZONE, with summer and winter time.
fn assert_time_zone(calendar: &ical::parser::ical::component::IcalCalendar) {
    let named: Vec<String> = calendar
        .events
        .iter()
        .flat_map(|e| e.properties.iter())
        .filter_map(|p| p.params.as_ref())
        .flat_map(|ps| ps.iter())
        .filter(|(k, _)| k == "TZID")
        .flat_map(|(_, v)| v.clone())
        .collect();
    assert!(named.iter().any(|z| z == "Europe/Amsterdam"), "{named:?}");
    for zone in &named {
        let found = calendar
            .timezones
            .iter()
            .find(|tz| {
                tz.properties
                    .iter()
                    .any(|p| p.name == "TZID" && p.value.as_deref() == Some(zone))
            })
            .unwrap_or_else(|| panic!("no VTIMEZONE for {zone}"));
        let offsets: Vec<String> = found
            .transitions
            .iter()
            .flat_map(|t| t.properties.iter())
            .filter(|p| p.name == "TZOFFSETTO")
            .filter_map(|p| p.value.clone())
            .collect();
        assert!(
            offsets.contains(&"+0100".to_string()) && offsets.contains(&"+0200".to_string()),
            "{offsets:?}"
        );
    }
}

#[actix_web::test]
async fn the_chair_sends_each_participant_their_version_and_every_sending_is_logged() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = closed_meeting(&app, &c).await;
    table::set_send_mode(&mut app.conn(), c.table, "attachment").unwrap();
    let before = app.mails().len();
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = on_meeting(&ingrid, meeting, "versturen").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let mails: Vec<_> = app.mails().into_iter().skip(before).collect();
    let participants = app.count("attendance");
    assert_eq!(mails.len() as i64, participants, "one mail per participant");
    for mail in &mails {
        for name in ["Jansen", "Bakker", "Sandra"] {
            assert!(
                !mail.text.contains(name) && !mail.subject.contains(name),
                "family data in a mail body"
            );
        }
        assert_eq!(mail.attachments.len(), 1);
    }
    let to_esther = mails
        .iter()
        .find(|m| m.to == "esther@ggz.example")
        .expect("Esther's mail");
    let text = pdf_text(&to_esther.attachments[0].content);
    assert!(text.contains("Versie voor Esther Kok") && text.contains("Gezin Jansen"));
    assert!(
        !text.contains("Bakker"),
        "Esther's attachment holds only what she may see"
    );
    assert_eq!(app.count("export_sends"), participants);
    let page = ingrid.get(&format!("/bijeenkomsten/{meeting}")).await;
    assert!(page.visible_text().contains("esther@ggz.example"));
    assert!(page.visible_text().contains("Verstuurd (bijlage)"));

    // Others may not send; a link-mode table sends a link and no attachment.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let page = on_meeting(&esther, meeting, "versturen").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    table::set_send_mode(&mut app.conn(), c.table, "link").unwrap();
    let before = app.mails().len();
    on_meeting(&ingrid, meeting, "versturen").await;
    let mails: Vec<_> = app.mails().into_iter().skip(before).collect();
    assert!(mails.iter().all(|m| m.attachments.is_empty()));
    assert!(
        mails[0]
            .text
            .contains(&format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"))
    );
}

#[actix_web::test]
async fn the_family_plan_and_the_safety_plan_come_as_pdf_for_those_who_may_read_them() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let page = ahmed
        .submit(
            &format!("/gezinnen/{}/plan/bewerken", c.jansen),
            &format!("/gezinnen/{}/plan", c.jansen),
            &[
                ("base_version", "0"),
                (
                    "safety__agreements",
                    "Mark komt niet aan huis.\nOma Jansen let op.",
                ),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let path = format!("/gezinnen/{}/plannen/veiligheidsplan", c.jansen);
    let page = ahmed
        .submit(
            &format!("{path}/bewerken"),
            &path,
            &[
                ("base_version", "0"),
                ("danger", "We zijn bang dat Mark weer geweld gebruikt."),
                (
                    "contingency",
                    "Als Mark aan de deur komt, dan belt Sandra 112.",
                ),
                ("row0_who", "Oma Jansen"),
                ("row0_what", "Omgang onder toezicht op zaterdag."),
                (
                    "row0_review_on",
                    &(today() + Duration::days(10)).to_string(),
                ),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );

    let ruud = signed_in(&app, "ruud@politie.example").await;
    let text = pdf_text(
        &fetch(&ruud, &format!("/gezinnen/{}/plan/pdf", c.jansen))
            .await
            .body,
    );
    assert!(
        text.contains("Gezinsplan") && text.contains("Oma Jansen let op."),
        "{text}"
    );
    let text = pdf_text(&fetch(&ruud, &format!("{path}/pdf")).await.body);
    assert!(text.contains("Veiligheidsplan"));
    assert!(text.contains("We zijn bang dat Mark weer geweld gebruikt."));
    assert!(text.contains("Wie: Oma Jansen"));
    assert!(text.contains("Als Mark aan de deur komt, dan belt Sandra 112."));
    let esther = signed_in(&app, "esther@ggz.example").await;
    assert_eq!(
        fetch(&esther, &format!("{path}/pdf")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&esther, &format!("/gezinnen/{}/plan/pdf", c.jansen))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[actix_web::test]
async fn everyone_present_in_one_click_and_the_besluitenlijst_lists_present_and_absent() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, _, _) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let overview = format!("/bijeenkomsten/{meeting}");
    let attendance = format!("{overview}/aanwezigheid");
    // Two marked by hand first: Ruud sent word, Esther did not come.
    for (who, status) in [
        (c.ruud.user_id, "absent_notice"),
        (c.esther.user_id, "absent"),
    ] {
        let page = ingrid
            .submit(
                &overview,
                &attendance,
                &[
                    ("user_id", &who.to_string()),
                    ("status", status),
                    ("mode", ""),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let after = samenspel::events::last_id(&mut app.conn()).unwrap();
    let mut socket = crate::common::Socket::open(
        &app.base_url,
        meeting,
        &karin.cookie("samenspel_session").unwrap(),
        after,
    )
    .await;
    // Karin, not at the table's lead, cannot; the chair can, in one click.
    let everyone = format!("{attendance}/iedereen");
    assert_eq!(
        karin.submit(&overview, &everyone, &[]).await.status,
        StatusCode::FORBIDDEN
    );
    let page = ingrid.submit(&overview, &everyone, &[]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let m = socket
        .until_kind("meeting.all_present", std::time::Duration::from_secs(5))
        .await;
    assert!(crate::common::html_of(&m).contains("#live-attendance"));
    let statuses: Vec<(i64, String)> = samenspel::schema::attendance::table
        .filter(samenspel::schema::attendance::meeting_id.eq(meeting))
        .select((
            samenspel::schema::attendance::user_id,
            samenspel::schema::attendance::status,
        ))
        .load(&mut *app.conn())
        .unwrap();
    for (user, status) in &statuses {
        let expected = match *user {
            u if u == c.ruud.user_id => "absent_notice",
            u if u == c.esther.user_id => "absent",
            _ => "present",
        };
        assert_eq!(status, expected, "user {user}");
    }
    assert!(
        statuses.iter().any(|(u, _)| *u == c.ingrid.user_id),
        "the chair is listed"
    );

    close_meeting(&ingrid, meeting).await;
    let file = fetch(&ingrid, &format!("{overview}/besluitenlijst.pdf")).await;
    let text = pdf_text(&file.body);
    let section = text
        .split_once("Aanwezigheid")
        .expect("an attendance section")
        .1;
    let (present, rest) = section.split_once("Afwezig met bericht").unwrap();
    let (with_notice, absent) = rest.split_once("Afwezig").unwrap();
    assert!(
        present.contains("Ingrid Smit") && present.contains("Karin de Vries"),
        "{present}"
    );
    assert!(
        !present.contains("Ruud") && !present.contains("Esther"),
        "{present}"
    );
    assert!(with_notice.contains("Ruud Verbeek"), "{with_notice}");
    let absent: String = absent.chars().take(120).collect();
    assert!(absent.contains("Esther Kok"), "{absent}");
}
