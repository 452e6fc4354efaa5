//! An API key's first use: an organisation admin makes it, and it reads nothing (403, problem+json,
//! no data) until a coordinator of a partnership in which the organisation takes part approves it on
//! the partnership's key page. Nobody else approves: not the key's own organisation admin (not even
//! when she coordinates), not a coordinator of another partnership, not a professional, not the
//! system admin.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::partnership;
use samenspel::schema::{api_tokens, events};

use crate::common::api::{assert_problem, call, make_waiting_token, token_id};
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, GELDERLAND, signed_in};
use crate::common::{Client, DEFAULT_PARTNERSHIP, TestApp};

const WAITING: &str = "Wacht op goedkeuring door de coördinator van het samenwerkingsverband";

fn keys_page(partnership: i64) -> String {
    format!("/beheer/samenwerkingsverbanden/{partnership}/api-sleutels")
}

fn approve_path(partnership: i64, key: i64) -> String {
    format!("{}/{key}/goedkeuren", keys_page(partnership))
}

/// `client` presses "Goedkeuren" for the key on the partnership's key page.
async fn approve_as(client: &Client, partnership: i64, key: i64) -> crate::common::Page {
    client
        .submit(
            &keys_page(partnership),
            &approve_path(partnership, key),
            &[],
        )
        .await
}

/// (approved_at is set, approvals in the event log)
fn approval(app: &TestApp, key: i64) -> (bool, i64) {
    let approved: Option<chrono::NaiveDateTime> = api_tokens::table
        .find(key)
        .select(api_tokens::approved_at)
        .first(&mut app.conn())
        .unwrap();
    let events: i64 = events::table
        .filter(events::kind.eq("api_token.approved"))
        .count()
        .get_result(&mut app.conn())
        .unwrap();
    (approved.is_some(), events)
}

/// Every reading route refuses the waiting key with 403 and says why, without any data.
async fn refused_while_waiting(app: &TestApp, secret: &str, item: i64) {
    for path in [
        "/api/v1/events".to_string(),
        "/api/v1/casusoverleg".to_string(),
        format!("/api/v1/casusoverleg/{item}"),
        "/api/v1/actie".to_string(),
    ] {
        let answer = call(app, &path, Some(secret)).await;
        assert_problem(&answer, StatusCode::FORBIDDEN);
        let problem = answer.json();
        let detail = problem["detail"].as_str().unwrap();
        assert!(
            detail
                .contains("wacht op goedkeuring door de coördinator van het samenwerkingsverband"),
            "{path}: {detail}"
        );
        let keys: Vec<&str> = problem
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(keys.len(), 4, "only the problem, no data: {keys:?}");
        assert!(!answer.body.contains("Jansen") && !answer.body.contains("2026-"));
    }
}

async fn petra_with_a_waiting_key(app: &TestApp) -> (Client, String, i64) {
    let petra = signed_in(app, "petra@vt.example").await;
    let secret = make_waiting_token(&petra, "Registratiesysteem").await;
    let key = token_id(app, &secret);
    (petra, secret, key)
}

#[actix_web::test]
async fn a_new_api_key_is_refused_until_the_partnerships_coordinator_approves_it() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let (_, jansen_item, _) = run_meeting(&app, &c, true).await;
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna Kuiper",
        "Veiligheidshuis Zuid-Holland Zuid",
        DEFAULT_PARTNERSHIP,
    );
    let (petra, secret, key) = petra_with_a_waiting_key(&app).await;
    let page = petra.get("/beheer/api-sleutels").await.visible_text();
    assert!(page.contains(WAITING), "{page}");
    assert!(page.contains("werkt pas als een coördinator"), "{page}");
    assert!(page.contains("op naam van jouw organisatie"), "{page}");
    refused_while_waiting(&app, &secret, jansen_item).await;
    assert_eq!(approval(&app, key), (false, 0));

    // The coordinator finds it on her partnership's key page, by her tables, and approves it.
    let hanna = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let tables = hanna.get("/overleggen").await;
    assert!(tables.body.contains(&keys_page(DEFAULT_PARTNERSHIP)));
    let keys = hanna.get(&keys_page(DEFAULT_PARTNERSHIP)).await;
    assert_eq!(keys.status, StatusCode::OK);
    let waiting = keys.text("#waiting-keys").unwrap_or_default();
    assert!(waiting.contains("Registratiesysteem") && waiting.contains("Goedkeuren"));
    // Without the CSRF token nothing happens.
    let forged = hanna
        .post(&approve_path(DEFAULT_PARTNERSHIP, key), &[])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(approval(&app, key), (false, 0));
    let done = approve_as(&hanna, DEFAULT_PARTNERSHIP, key).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(approval(&app, key), (true, 1), "approved, with its event");
    // Approving again changes nothing.
    approve_as(&hanna, DEFAULT_PARTNERSHIP, key).await;
    assert_eq!(approval(&app, key), (true, 1));

    let feed = call(&app, "/api/v1/events", Some(&secret)).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert!(!feed.json().as_array().unwrap().is_empty());
    let approved = hanna
        .get(&keys_page(DEFAULT_PARTNERSHIP))
        .await
        .text("#approved-keys")
        .unwrap_or_default();
    assert!(
        approved.contains("Registratiesysteem") && approved.contains("door Hanna Kuiper"),
        "{approved}"
    );
    let page = petra.get("/beheer/api-sleutels").await.visible_text();
    assert!(page.contains("Goedgekeurd op") && page.contains("door Hanna Kuiper"));
    assert!(!page.contains(WAITING), "{page}");

    // A revoked key stays refused, approved or not, and a revoked waiting key cannot be approved.
    let second = make_waiting_token(&petra, "Tweede").await;
    let second_id = token_id(&app, &second);
    for id in [key, second_id] {
        let revoked = petra
            .submit(
                "/beheer/api-sleutels",
                &format!("/beheer/api-sleutels/{id}/intrekken"),
                &[],
            )
            .await;
        assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    }
    for token in [&secret, &second] {
        assert_problem(
            &call(&app, "/api/v1/events", Some(token)).await,
            StatusCode::UNAUTHORIZED,
        );
    }
    let late = approve_as(&hanna, DEFAULT_PARTNERSHIP, second_id).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.visible_text().contains("ingetrokken of verlopen"));
    assert_eq!(approval(&app, second_id), (false, 1));
}

/// The attack: the organisation admin approves her own key by posting the coordinator's form, also
/// once she coordinates the partnership herself; a coordinator of another partnership, a professional
/// and the system admin try the same. The key stays unapproved and reads nothing.
#[actix_web::test]
async fn an_org_admin_cannot_approve_her_own_api_key_nor_can_anyone_but_the_coordinator() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let gelderland = app.partnership(GELDERLAND);
    app.coordinator(
        "gert@veiligheidshuis-gelderland.example",
        "Gert Jansen",
        "Veiligheidshuis Gelderland",
        gelderland,
    );
    let (petra, secret, key) = petra_with_a_waiting_key(&app).await;
    let gert = signed_in(&app, "gert@veiligheidshuis-gelderland.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let admin = signed_in(&app, "beheer@samenspel.example").await;
    for (who, client) in [
        ("the key's own admin", &petra),
        ("a coordinator of another partnership", &gert),
        ("a professional", &ahmed),
        ("the system admin", &admin),
    ] {
        cannot_approve(who, client, [DEFAULT_PARTNERSHIP, gelderland], key).await;
    }
    assert_eq!(approval(&app, key), (false, 0));

    // Petra becomes a coordinator of the partnership: she sees her key but still cannot approve it.
    let petra_id = samenspel::domain::user::find_by_email(&mut app.conn(), "petra@vt.example")
        .unwrap()
        .unwrap()
        .id;
    partnership::add_coordinator(&mut app.conn(), DEFAULT_PARTNERSHIP, petra_id).unwrap();
    let page = petra.get(&keys_page(DEFAULT_PARTNERSHIP)).await;
    assert_eq!(page.status, StatusCode::OK);
    let waiting = page.text("#waiting-keys").unwrap_or_default();
    assert!(waiting.contains("Registratiesysteem") && !waiting.contains("Goedkeuren"));
    let status = approve_as(&petra, DEFAULT_PARTNERSHIP, key).await.status;
    assert!(matches!(status.as_u16(), 403 | 404), "{status}");
    assert_eq!(approval(&app, key), (false, 0));
    refused_while_waiting(&app, &secret, c.jansen).await;
}

/// `who` neither approves the key through these partnerships nor sees it on their key pages.
async fn cannot_approve(who: &str, client: &Client, partnerships: [i64; 2], key: i64) {
    for of in partnerships {
        let status = client
            .submit("/account", &approve_path(of, key), &[])
            .await
            .status;
        assert!(
            matches!(status.as_u16(), 403 | 404),
            "{who} via {of}: {status}"
        );
        // Only his own partnership's page opens for the other coordinator, without the key.
        let page = client.get(&keys_page(of)).await;
        assert!(
            matches!(page.status.as_u16(), 403 | 404)
                || (page.status == StatusCode::OK && !page.body.contains("Registratiesysteem")),
            "{who}, page of {of}: {}",
            page.status
        );
    }
}

/// Keys made before approval existed keep working: migration 000016 approves them (without an
/// approver), and the admin's page says so. Reverting it and running it again on a database with
/// keys works on both engines.
#[actix_web::test]
async fn keys_made_before_approval_existed_keep_working() {
    let app = TestApp::spawn().await;
    Cast::with_jansens_past(&app);
    let (petra, secret, key) = petra_with_a_waiting_key(&app).await;
    assert_problem(
        &call(&app, "/api/v1/events", Some(&secret)).await,
        StatusCode::FORBIDDEN,
    );
    let mut conn = app.conn();
    // Back to before migration 000016 (and the later ones), then forward again.
    let mut reverted = Vec::new();
    while !reverted
        .last()
        .is_some_and(|r: &String| r.ends_with("000016"))
    {
        reverted.push(samenspel::db::revert_last(&mut conn).unwrap());
        assert!(reverted.len() < 20, "{reverted:?}");
    }
    let ran = samenspel::db::migrate(&mut conn).unwrap();
    assert_eq!(ran.len(), reverted.len(), "{ran:?}");
    drop(conn);
    assert_eq!(approval(&app, key), (true, 0), "approved by the migration");
    let feed = call(&app, "/api/v1/events", Some(&secret)).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    let page = petra.get("/beheer/api-sleutels").await.visible_text();
    assert!(
        page.contains("Goedgekeurd op")
            && page.contains("bestond al voordat goedkeuring nodig was"),
        "{page}"
    );
}
