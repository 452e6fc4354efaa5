//! Documents brought to a family's record and measures per child (issue 22): the type of a document is
//! read from its content, downloads are for those who may see the family and are in its access log,
//! the family's portal shows that a document exists unless it is withheld; measures show on the family
//! page, the agenda item and in the portal, and an ended measure stays in the history.

use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;

use crate::common::meeting::{assert_taken, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, TestApp};

/// A small but real PDF (its first bytes are what counts).
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Sends the documents form of `family` as a browser does (multipart, the CSRF token first), with a
/// file when `file` names one. Returns the status and the body.
async fn upload(
    client: &Client,
    family: i64,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, String) {
    let token = client
        .get(&format!("/gezinnen/{family}/documenten"))
        .await
        .csrf();
    let boundary = "----samenspel-grens-7f3a";
    let mut body = Vec::new();
    let mut part = |name: &str, value: &[u8], filename: Option<&str>| {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/pdf\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    };
    part("csrf_token", token.as_bytes(), None);
    for (name, value) in fields {
        part(name, value.as_bytes(), None);
    }
    if let Some((name, bytes)) = file {
        part("file", bytes, Some(name));
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let res = client
        .http
        .post(client.url(&format!("/gezinnen/{family}/documenten")))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    (res.status(), res.text().await.unwrap_or_default())
}

fn document_ids(app: &TestApp, family: i64) -> Vec<i64> {
    use diesel::prelude::*;
    use samenspel::schema::documents;
    documents::table
        .filter(documents::family_id.eq(family))
        .order(documents::id.asc())
        .select(documents::id)
        .load(&mut app.conn())
        .unwrap()
}

fn access_rows(app: &TestApp, family: i64, user: i64, what: &str) -> i64 {
    use diesel::prelude::*;
    use samenspel::schema::access_log;
    access_log::table
        .filter(access_log::family_id.eq(family))
        .filter(access_log::user_id.eq(user))
        .filter(access_log::what.eq(what))
        .count()
        .get_result(&mut app.conn())
        .unwrap()
}

#[actix_web::test]
async fn a_document_is_checked_by_its_content_and_read_only_by_those_who_see_the_family() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_DOCUMENT_MAX_MB", "1")]).await;
    let c = Cast::new(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;

    // A text file renamed to .pdf is refused, with what was typed kept; nothing is stored.
    let (status, body) = upload(
        &karin,
        c.jansen,
        &[("description", "Verslag van school")],
        Some(("verslag.pdf", b"Dit is gewoon tekst, geen PDF.\n")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Dit bestand kunnen we niet aannemen"),
        "{body}"
    );
    assert!(body.contains("Verslag van school"));
    // Over the limit: a clear message with the limit.
    let big = [PDF, &vec![b' '; 1_100_000]].concat();
    let (status, body) = upload(&karin, c.jansen, &[], Some(("groot.pdf", &big))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Dit bestand is te groot"), "{body}");
    assert!(body.contains("Hoogstens 1 MB"), "the limit at the field");
    // No file at all.
    let (status, body) = upload(&karin, c.jansen, &[], None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Kies een bestand"));
    assert!(document_ids(&app, c.jansen).is_empty());
    assert_eq!(app.count("document_contents"), 0);

    // A real PDF (named .txt: the content counts) is kept; its name shows on the family page.
    let (status, _) = upload(
        &karin,
        c.jansen,
        &[("description", "Verslag van school")],
        Some(("verslag school.txt", PDF)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let id = document_ids(&app, c.jansen)[0];
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let page = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert!(page.visible_text().contains("verslag school.txt"));

    // Without the CSRF token the upload is refused before anything is read.
    let res = karin
        .http
        .post(karin.url(&format!("/gezinnen/{}/documenten", c.jansen)))
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Esther works with other families: 404 on the download and on the list, and she cannot add one.
    let esther = signed_in(&app, "esther@ggz.example").await;
    let path = format!("/gezinnen/{}/documenten/{id}", c.jansen);
    assert_eq!(esther.get(&path).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        esther
            .get(&format!("/gezinnen/{}/documenten", c.jansen))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Someone else's family id with this document's id: 404 too.
    let swapped = format!("/gezinnen/{}/documenten/{id}", c.bakker);
    assert_eq!(ahmed.get(&swapped).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        access_rows(&app, c.jansen, c.esther.user_id, "access.what.document"),
        0
    );

    // The director downloads it: the same bytes, and a row in the access log.
    let res = ahmed.http.get(ahmed.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    assert_eq!(
        access_rows(&app, c.jansen, c.ahmed.user_id, "access.what.document"),
        1
    );
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await;
    assert!(
        log.visible_text().contains("Document gedownload"),
        "{}",
        log.visible_text()
    );
}

#[actix_web::test]
async fn the_family_sees_that_a_document_exists_unless_it_is_withheld() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 35);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let portal = family_account(&app, &ahmed, c.jansen, sandra, "sandra@example.nl", "").await;
    let (status, _) = upload(&ahmed, c.jansen, &[], Some(("schoolverslag.pdf", PDF))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Withholding needs a reason.
    let (status, body) = upload(
        &ahmed,
        c.jansen,
        &[("withhold", "ja")],
        Some(("politierapport.pdf", PDF)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Schrijf op waarom het gezin dit document niet mag zien"));
    let (status, _) = upload(
        &ahmed,
        c.jansen,
        &[
            ("withhold", "ja"),
            ("withheld_reason", "Het adres van de moeder staat erin."),
        ],
        Some(("politierapport.pdf", PDF)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let page = portal.get("/portaal").await;
    let text = page.visible_text();
    assert!(text.contains("Documenten in jullie dossier"), "{text}");
    assert!(text.contains("schoolverslag.pdf"));
    assert!(!text.contains("politierapport.pdf"), "withheld");
    // The family reads that a document exists, not its content.
    let id = document_ids(&app, c.jansen)[0];
    let status = portal
        .get(&format!("/gezinnen/{}/documenten/{id}", c.jansen))
        .await
        .status;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_document_for_an_agenda_item_shows_on_the_item() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, bakker_item) = run_meeting(&app, &c, false).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    // An item of another family is not offered and not taken.
    let (status, body) = upload(
        &ahmed,
        c.jansen,
        &[("item", &bakker_item.to_string())],
        Some(("rapport.pdf", PDF)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Kies een agendapunt uit de lijst"));
    let (status, _) = upload(
        &ahmed,
        c.jansen,
        &[("item", &jansen_item.to_string())],
        Some(("rapport voor het overleg.pdf", PDF)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let item = ingrid
        .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
        .await;
    assert_eq!(item.status, StatusCode::OK);
    assert!(item.visible_text().contains("rapport voor het overleg.pdf"));
    let other = ingrid
        .get(&format!("/bijeenkomsten/{meeting}/punten/{bakker_item}"))
        .await;
    assert!(
        !other
            .visible_text()
            .contains("rapport voor het overleg.pdf")
    );
}

#[actix_web::test]
async fn a_measure_shows_on_the_family_page_the_item_and_in_the_portal_and_stays_when_ended() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 35);
    let tim = member(&app, &c, "Tim Jansen", PersonRole::Child, 8);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let portal = family_account(&app, &ahmed, c.jansen, sandra, "sandra@example.nl", "").await;
    let path = format!("/gezinnen/{}/maatregelen", c.jansen);

    // Bad input: 422 with what was typed kept.
    let end = (today() - chrono::Duration::days(1)).to_string();
    let page = ahmed
        .submit(
            &path,
            &path,
            &[
                ("person", &tim.to_string()),
                ("kind", "ots"),
                ("decided_by", ""),
                ("starts_on", &today().to_string()),
                ("planned_end_on", &end),
                ("note", "Zitting bij de rechtbank Dordrecht."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = page.visible_text();
    assert!(text.contains("Kies wie besloten heeft"), "{text}");
    assert!(text.contains("De einddatum ligt voor de begindatum"));
    assert!(page.body.contains("Zitting bij de rechtbank Dordrecht."));
    // Karin works with the family but does not direct it: she reads, she does not record.
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let refused = karin.submit(&path, &path, &[("kind", "ots")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let year = (today() + chrono::Duration::days(365)).to_string();
    let taken = ahmed
        .submit(
            &path,
            &path,
            &[
                ("person", &tim.to_string()),
                ("kind", "ots"),
                ("decided_by", "kinderrechter"),
                ("starts_on", &today().to_string()),
                ("planned_end_on", &year),
                ("note", ""),
            ],
        )
        .await;
    assert_taken(&taken);
    let huisverbod = ahmed
        .submit(
            &path,
            &path,
            &[
                ("person", &sandra.to_string()),
                ("kind", "huisverbod"),
                ("decided_by", "burgemeester"),
                ("starts_on", &today().to_string()),
            ],
        )
        .await;
    assert_taken(&huisverbod);

    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    let text = family.visible_text();
    assert!(
        text.contains("Ondertoezichtstelling (OTS) · Tim Jansen"),
        "{text}"
    );
    let item = karin
        .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
        .await;
    assert!(
        item.visible_text()
            .contains("Ondertoezichtstelling (OTS) · Tim Jansen")
    );
    let home = portal.get("/portaal").await.visible_text();
    assert!(
        home.contains("Ondertoezichtstelling (OTS) voor Tim Jansen"),
        "{home}"
    );
    assert!(home.contains("Een jeugdbeschermer helpt jullie"));
    assert!(home.contains("Besloten door de kinderrechter"));
    assert!(home.contains("Besloten door de burgemeester"));

    // Ending the restraining order keeps it, listed as ended with its reason.
    let id = {
        use diesel::prelude::*;
        use samenspel::schema::measures;
        measures::table
            .filter(measures::kind.eq("huisverbod"))
            .select(measures::id)
            .first::<i64>(&mut app.conn())
            .unwrap()
    };
    let end_path = format!("{path}/{id}/beeindigen");
    let missing = ahmed.submit(&path, &end_path, &[("ended_on", "")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing
            .visible_text()
            .contains("Schrijf op waarom de maatregel is beëindigd")
    );
    let ended = ahmed
        .submit(
            &path,
            &end_path,
            &[
                ("ended_on", &today().to_string()),
                ("reason", "Afgelopen zonder verlenging."),
            ],
        )
        .await;
    assert_taken(&ended);
    // Once ended it cannot end again.
    let again = ahmed
        .submit(
            &path,
            &end_path,
            &[("ended_on", &today().to_string()), ("reason", "Nog eens.")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = ahmed.get(&path).await.visible_text();
    assert!(page.contains("Eerdere maatregelen (1)"), "{page}");
    assert!(page.contains("beëindigd: Afgelopen zonder verlenging."));
    let family = ahmed
        .get(&format!("/gezinnen/{}", c.jansen))
        .await
        .visible_text();
    assert!(
        family.contains("Maatregel beëindigd (huisverbod)"),
        "on the timeline"
    );
    let home = portal.get("/portaal").await.visible_text();
    assert!(home.contains("gestopt op"), "{home}");
}
