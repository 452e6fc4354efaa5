//! A family member's copy of their data (GDPR art. 15, issue 20): asked in the portal, produced by the
//! director as a PDF and JSON; what is withheld from the member is left out of their copy, and the
//! director sees what and why. Only the director produces it.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, TestApp};
use samenspel::db;
use samenspel::domain::family::PersonRole;
use samenspel::domain::portal::Category;
use samenspel::record;
use samenspel::schema::data_requests;

/// A file as downloaded: status, type and bytes.
async fn fetch(client: &Client, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = client.http.get(client.url(path)).send().await.unwrap();
    let status = res.status();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, kind, res.bytes().await.unwrap().to_vec())
}

const KEPT: &str = "Mark mag niet weten wat er besloten is";
const SECRET_DOCUMENT: &str = "aangifte-onderzoek.pdf";

#[actix_web::test]
async fn a_members_copy_leaves_out_what_is_withheld_and_the_director_sees_why() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let mark = member(&app, &c, "Mark Jansen", PersonRole::Parent, 38);
    let mark_client = family_account(&app, &ahmed, c.jansen, mark, "mark@example.org", "").await;
    db::write(
        &mut app.conn(),
        |conn| -> samenspel::domain::DomainResult<()> {
            let person = samenspel::domain::family::persons(conn, c.jansen)?
                .into_iter()
                .find(|p| p.id == mark)
                .unwrap();
            record::set_withheld(
                conn,
                &c.ahmed,
                c.jansen,
                &person,
                Category::Decisions,
                Some(KEPT),
            )?;
            record::attach_document(
                conn,
                &c.ahmed,
                &samenspel::domain::document::NewDocument {
                    family_id: c.jansen,
                    agenda_item_id: None,
                    name: SECRET_DOCUMENT,
                    content_type: "application/pdf",
                    description: "",
                    withheld_reason: Some("Het onderzoek van de politie loopt nog"),
                    uploaded_by_user_id: c.ahmed.user_id,
                    uploaded_by_organisation_id: c.ahmed.organisation_id,
                    content: b"%PDF-1.4\n% aangifte\n",
                },
            )?;
            Ok(())
        },
    )
    .unwrap();

    // Mark asks in the portal; the portal says the director is making it.
    let asked = mark_client
        .submit("/portaal", "/portaal/inzageverzoek", &[])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert!(
        mark_client
            .get("/portaal")
            .await
            .visible_text()
            .contains("De regisseur maakt die.")
    );
    let request: i64 = data_requests::table
        .filter(data_requests::family_id.eq(c.jansen))
        .select(data_requests::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = format!("/gezinnen/{}/inzageverzoeken/{request}", c.jansen);

    // Only the director produces it: someone involved is refused, someone without a relation finds
    // nothing, and the member cannot open the director's page.
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    for path in [page.clone(), format!("{page}/pdf"), format!("{page}/json")] {
        assert_eq!(
            karin.get(&path).await.status,
            StatusCode::FORBIDDEN,
            "{path}"
        );
        let ruud = signed_in(&app, "ruud@politie.example").await;
        assert_eq!(
            ruud.get(&path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
        assert!(!mark_client.get(&path).await.status.is_success(), "{path}");
    }

    // The director sees what is left out, and why.
    let shown = ahmed.get(&page).await;
    assert_eq!(shown.status, StatusCode::OK);
    let text = shown.visible_text();
    assert!(text.contains(&format!("Besluiten : {KEPT}")), "{text}");
    assert!(
        text.contains(&format!(
            "Document ({SECRET_DOCUMENT}): Het onderzoek van de politie loopt nog"
        )),
        "{text}"
    );

    // The PDF reads back with Mark's data and without what is kept from him.
    let (status, kind, body) = fetch(&ahmed, &format!("{page}/pdf")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/pdf"));
    assert!(body.starts_with(b"%PDF"));
    let read = pdf_extract::extract_text_from_mem(&body).expect("the PDF reads back");
    let flat = read.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "Kopie van uw gegevens",
        "Mark Jansen",
        "Gezinsleden",
        "Acties",
    ] {
        assert!(flat.contains(expected), "{expected} missing: {flat}");
    }
    for left_out in ["Besluiten", SECRET_DOCUMENT, KEPT, "politie loopt"] {
        assert!(
            !flat.contains(left_out),
            "{left_out} in the member's copy: {flat}"
        );
    }

    // The JSON holds the same parts, and no list of what was left out.
    let (status, kind, json) = fetch(&ahmed, &format!("{page}/json")).await;
    assert_eq!(
        (status, kind.as_str()),
        (StatusCode::OK, "application/json")
    );
    let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
    assert_eq!(value["member"], "Mark Jansen");
    let keys: Vec<&str> = value["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert!(
        keys.contains(&"actions") && !keys.contains(&"decisions"),
        "{keys:?}"
    );
    assert!(value.get("left_out").is_none());
    assert!(!String::from_utf8_lossy(&json).contains(SECRET_DOCUMENT));

    // Produced: the portal says so, and the timeline has both events.
    assert!(
        mark_client
            .get("/portaal")
            .await
            .visible_text()
            .contains("De regisseur maakte die op")
    );
    let produced: Option<chrono::NaiveDateTime> = data_requests::table
        .find(request)
        .select(data_requests::produced_at)
        .first(&mut *app.conn())
        .unwrap();
    assert!(produced.is_some());
}
