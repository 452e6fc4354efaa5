//! The partner API: tokens made by an organisation admin, the event feed as CloudEvents (checked with
//! the CloudEvents SDK), need to know per organisation, problem+json for every bad request, rate limits,
//! and an OpenAPI document that lists exactly the routes the app serves.

use reqwest::StatusCode;
use samenspel::domain::user::Role;

use crate::common::api::{Answer, assert_problem, call, make_token, regex_like_source};
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, TestApp};

/// Petra, admin of `organisation`, and a token she made for it.
pub(crate) async fn admin_with_token(app: &TestApp, organisation: &str) -> (Client, String) {
    app.user(
        "petra@vt.example",
        "Petra de Graaf",
        Role::OrgAdmin,
        Some(organisation),
    );
    let petra = signed_in(app, "petra@vt.example").await;
    let token = make_token(app, &petra, "Test").await;
    (petra, token)
}

#[actix_web::test]
async fn a_partner_reads_its_events_as_cloudevents_and_nothing_of_other_families() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    run_meeting(&app, &c, false).await;
    let (_, token) = admin_with_token(&app, "Veilig Thuis Zuid-Holland Zuid").await;
    // A professional does not manage API keys.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    assert_eq!(
        ahmed.get("/beheer/api-sleutels").await.status,
        StatusCode::FORBIDDEN
    );

    let feed = call(&app, "/api/v1/events", Some(&token)).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert_eq!(
        feed.header("content-type"),
        "application/cloudevents-batch+json"
    );
    assert_eq!(feed.header("api-version"), "1.0.0");
    assert!(feed.header("ratelimit-limit").parse::<u32>().is_ok());
    assert!(feed.header("ratelimit-remaining").parse::<u32>().is_ok());
    let batch = feed.json();
    let events = batch.as_array().expect("a batch");
    assert!(!events.is_empty());
    let jansen = samenspel::domain::family::find(&mut app.conn(), c.jansen)
        .unwrap()
        .unwrap();
    let bakker = samenspel::domain::family::find(&mut app.conn(), c.bakker)
        .unwrap()
        .unwrap();
    let source = regex_like_source();
    for e in events {
        // An independent CloudEvents implementation reads every event.
        let parsed: cloudevents::Event = serde_json::from_value(e.clone())
            .unwrap_or_else(|err| panic!("not a CloudEvent ({err}): {e}"));
        use cloudevents::AttributesReader;
        assert_eq!(parsed.specversion().to_string(), "1.0");
        assert!(source(parsed.source().as_str()), "{}", parsed.source());
        assert!(parsed.ty().starts_with("nl.samenspel."), "{}", parsed.ty());
        assert!(parsed.time().is_some());
        assert_eq!(
            parsed.subject(),
            Some(format!("zaak/{}", jansen.case_number).as_str())
        );
        // Thin data: no names of people.
        for name in ["Jansen", "Ahmed", "Karin", "Sandra"] {
            assert!(!e["data"].to_string().contains(name), "{e}");
        }
        assert!(
            !e.to_string().contains(&bakker.case_number),
            "Bakker is not Veilig Thuis's family"
        );
    }
    // One event by its dataref; the cursor continues after the last.
    let first = &events[0];
    let dataref = first["dataref"]
        .as_str()
        .unwrap()
        .trim_start_matches(&app.base_url)
        .to_string();
    let one = call(&app, &dataref, Some(&token)).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()["id"], first["id"]);
    let link = feed.header("link").to_string();
    assert!(
        link.contains("&limit=100>"),
        "the next page keeps the page size: {link}"
    );
    let next = next_page(&app, &link);
    let rest = call(&app, &next, Some(&token)).await;
    assert_eq!(
        rest.json().as_array().unwrap().len(),
        0,
        "nothing after the last event"
    );
    // Bakker's events: 404, as if they do not exist.
    let bakker_event = {
        use diesel::prelude::*;
        use samenspel::schema::events::dsl::*;
        events
            .filter(family_id.eq(c.bakker))
            .select(id)
            .first::<i64>(&mut app.conn())
            .unwrap()
    };
    assert_problem(
        &call(
            &app,
            &format!("/api/v1/events/{bakker_event}"),
            Some(&token),
        )
        .await,
        StatusCode::NOT_FOUND,
    );
}

#[actix_web::test]
async fn bad_requests_get_problem_json_never_a_5xx() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_API_RATE_LIMIT", "1000")]).await;
    let (petra, token) = admin_with_token(&app, "Veilig Thuis").await;

    assert_problem(
        &call(&app, "/api/v1/events", None).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_eq!(
        call(&app, "/api/v1/events", None)
            .await
            .header("www-authenticate"),
        "Bearer"
    );
    assert_problem(
        &call(&app, "/api/v1/events", Some("ssp_onzin")).await,
        StatusCode::UNAUTHORIZED,
    );
    assert_problem(
        &call(&app, "/api/v1/events", Some("geen-sleutel")).await,
        StatusCode::UNAUTHORIZED,
    );
    for bad in [
        "/api/v1/events?after=abc",
        "/api/v1/events?after=-1",
        "/api/v1/events?after=99999999999999999999999",
        "/api/v1/events?limit=0",
        "/api/v1/events?limit=100000",
        "/api/v1/events?onbekend=1",
        "/api/v1/events?after=%FF%FE",
    ] {
        assert_problem(
            &call(&app, bad, Some(&token)).await,
            StatusCode::BAD_REQUEST,
        );
    }
    for missing in [
        "/api/v1/events/abc",
        "/api/v1/events/999999",
        "/api/v1/bestaat-niet",
        "/api/v2/events",
    ] {
        assert_problem(
            &call(&app, missing, Some(&token)).await,
            StatusCode::NOT_FOUND,
        );
    }
    // A huge or strange body to a read-only route is refused too.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/events"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("x".repeat(2_000_000))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());

    // A token past its year stops working; the list says so.
    let second = make_token(&app, &petra, "Tweede").await;
    assert_eq!(
        call(&app, "/api/v1/events", Some(&second)).await.status,
        StatusCode::OK
    );
    {
        use diesel::prelude::*;
        use samenspel::schema::api_tokens::dsl::*;
        diesel::update(api_tokens.filter(name.eq("Tweede")))
            .set(expires_at.eq(Some(
                samenspel::domain::now() - chrono::Duration::minutes(1),
            )))
            .execute(&mut app.conn())
            .unwrap();
    }
    assert_problem(
        &call(&app, "/api/v1/events", Some(&second)).await,
        StatusCode::UNAUTHORIZED,
    );
    assert!(
        petra
            .get("/beheer/api-sleutels")
            .await
            .visible_text()
            .contains("Verlopen op")
    );

    // A revoked token stops working at once.
    let id = {
        use diesel::prelude::*;
        use samenspel::schema::api_tokens::dsl::*;
        api_tokens
            .filter(name.eq("Test"))
            .select(id)
            .first::<i64>(&mut app.conn())
            .unwrap()
    };
    let page = petra
        .submit(
            "/beheer/api-sleutels",
            &format!("/beheer/api-sleutels/{id}/intrekken"),
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_problem(
        &call(&app, "/api/v1/events", Some(&token)).await,
        StatusCode::UNAUTHORIZED,
    );
}

#[actix_web::test]
async fn a_token_over_its_rate_limit_gets_429_with_the_headers() {
    let app = TestApp::spawn_with(&[("SAMENSPEL_API_RATE_LIMIT", "3")]).await;
    let (_, token) = admin_with_token(&app, "Veilig Thuis").await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let a = call(&app, "/api/v1/events", Some(&token)).await;
        assert_eq!(a.status, StatusCode::OK);
        remaining.push(a.header("ratelimit-remaining").to_string());
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let over = call(&app, "/api/v1/events", Some(&token)).await;
    assert_problem(&over, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        over.header("retry-after")
            .parse::<u64>()
            .is_ok_and(|s| (1..=60).contains(&s))
    );
    assert_eq!(over.header("ratelimit-remaining"), "0");
    assert_eq!(over.header("ratelimit-limit"), "3");
}

/// Three instances behind a balancer share one limit per organisation: 300 requests a minute in total,
/// not 900. The count is in the database, so it holds whichever instance a request reaches.
#[actix_web::test]
async fn the_rate_limit_holds_across_instances() {
    let app = TestApp::spawn().await;
    let (_, token) = admin_with_token(&app, "Veilig Thuis").await;
    let (second, third) = (app.second_instance(), app.second_instance());
    let bases = [app.url(""), second.base_url.clone(), third.base_url.clone()];
    let http = reqwest::Client::new();
    let get = |base: &str| {
        http.get(format!(
            "{}/api/v1/events?limit=1",
            base.trim_end_matches('/')
        ))
        .bearer_auth(&token)
        .send()
    };
    let mut answered = [0; 3];
    for n in 0..300 {
        let res = get(&bases[n % 3]).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "request {n}");
        answered[n % 3] += 1;
        if n == 299 {
            assert_eq!(res.headers()["ratelimit-remaining"], "0");
        }
    }
    assert_eq!(answered, [100, 100, 100]);
    for base in &bases {
        let res = get(base).await.unwrap();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "{base}");
        assert_eq!(res.headers()["ratelimit-limit"], "300");
    }
    // A minute later the organisation reads again, on every instance.
    app.clock.advance(chrono::Duration::seconds(61));
    for base in &bases {
        assert_eq!(get(base).await.unwrap().status(), StatusCode::OK, "{base}");
    }
}

#[actix_web::test]
async fn the_openapi_document_is_openapi_3_and_lists_every_api_route() {
    let app = TestApp::spawn().await;
    let doc = call(&app, "/api/v1/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    let parsed: openapiv3::OpenAPI =
        serde_json::from_str(&doc.body).expect("a valid OpenAPI 3 document");
    assert!(parsed.openapi.starts_with("3."));
    assert_eq!(parsed.info.version, samenspel::web::api::API_VERSION);
    // Paths are relative to the server, which carries the major version (/core/uri-version).
    let server = url::Url::parse(&parsed.servers[0].url).expect("an absolute server URL");
    assert_eq!(server.path(), "/api/v1");
    let mut documented = Vec::new();
    for (path, item) in &parsed.paths.paths {
        let item = item.as_item().expect("inline path items");
        for (method, _) in item.iter() {
            documented.push((method.to_uppercase(), format!("{}{path}", server.path())));
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = samenspel::web::api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    assert_eq!(
        served, documented,
        "every route the app serves under /api is documented, and no other"
    );
    // And each documented route answers (not the router's 404).
    for (method, path) in &served {
        let url = app.url(&path.replace("{id}", "1"));
        let a = match method.as_str() {
            "POST" => reqwest::Client::new()
                .post(url)
                .json(&serde_json::json!({})),
            _ => reqwest::Client::new().get(url),
        }
        .send()
        .await
        .unwrap();
        let a = Answer {
            status: a.status(),
            headers: a.headers().clone(),
            body: String::new(),
        };
        assert_ne!(a.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert!(
            a.status == StatusCode::OK || a.status == StatusCode::UNAUTHORIZED,
            "{path}: {}",
            a.status
        );
    }
}

/// An address the API has, called with a method it does not answer there: 405 with `Allow` and
/// problem+json, as UitkomstOverleg.yaml declares (not the 404 of an address that does not exist).
#[actix_web::test]
async fn a_wrong_method_gets_405_with_allow_and_problem_details() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    for (method, path, allow) in [
        (reqwest::Method::POST, "/api/v1/casusoverleg", "GET, HEAD"),
        (reqwest::Method::DELETE, "/api/v1/events/7", "GET, HEAD"),
        (
            reqwest::Method::GET,
            "/api/v1/uitkomsten-overleg/query",
            "POST",
        ),
        (reqwest::Method::PUT, "/api/v1/openapi.json", "GET, HEAD"),
    ] {
        let res = http
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 405, "{method} {path}");
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header("allow"), allow, "{method} {path}");
        assert_eq!(header("content-type"), "application/problem+json");
        assert_eq!(header("api-version"), samenspel::web::api::API_VERSION);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["status"], 405);
        assert!(body["detail"].as_str().unwrap().contains(allow), "{body}");
    }
    // HEAD answers where GET does: the same status and headers, no body.
    let head = http
        .head(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(
        head.headers().get("api-version").unwrap(),
        samenspel::web::api::API_VERSION
    );
    assert!(head.bytes().await.unwrap().is_empty());
    let head = http.head(app.url("/api/v1/events")).send().await.unwrap();
    assert_eq!(head.status().as_u16(), 401);
    // An address the API does not have stays a 404.
    let res = http
        .post(app.url("/api/v1/bestaat-niet"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
}

/// A partner's developer sends a body or a query string that does not fit: the 400 says which field
/// and why in plain words, never the parser's own message with our type names in it.
#[actix_web::test]
async fn bad_input_gets_a_400_in_plain_words() {
    let app = TestApp::spawn().await;
    let (_, token) = admin_with_token(&app, "Veilig Thuis").await;
    let http = reqwest::Client::new();
    let post = |body: &'static str| {
        http.post(app.url("/api/v1/uitkomsten-overleg/query"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, says) in [
        (
            "[]",
            "De inhoud moet een JSON-object (tussen { en }) zijn, maar is een lijst.",
        ),
        (
            r#"{"burgerservicenummer": 123456782}"#,
            "Het veld burgerservicenummer moet tekst zijn, maar is een getal.",
        ),
        (
            r#"{"bsn": "123456782"}"#,
            "Het veld bsn kennen we niet. Mogelijke velden: burgerservicenummer, beschikbaarVanaf, beschikbaarTot.",
        ),
        (
            r#"{"beschikbaarVanaf": "#,
            "De inhoud is geen geldige JSON (regel 1, teken 21).",
        ),
    ] {
        let res = post(body).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        let problem: serde_json::Value = res.json().await.unwrap();
        let detail = problem["detail"].as_str().unwrap();
        assert_eq!(detail, says, "{body}");
    }
    let feed = call(&app, "/api/v1/events?onbekend=1", Some(&token)).await;
    assert_eq!(feed.status, StatusCode::BAD_REQUEST);
    let problem: serde_json::Value = serde_json::from_str(&feed.body).unwrap();
    assert_eq!(
        problem["detail"],
        "Het veld onbekend kennen we niet. Mogelijke velden: after, limit."
    );
}

/// The address of the next page in a feed's `Link` header, without the server.
fn next_page(app: &TestApp, link: &str) -> String {
    link.trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .trim_start_matches(&app.base_url)
        .to_string()
}

/// The event ids of the feed read from `after=0` with pages of `limit`, following each page's link.
async fn feed_ids(app: &TestApp, token: &str, limit: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut next = format!("/api/v1/events?after=0&limit={limit}");
    loop {
        let page = call(app, &next, Some(token)).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let events = page.json();
        let events = events.as_array().unwrap().clone();
        if events.is_empty() {
            return ids;
        }
        assert!(events.len() <= limit);
        ids.extend(
            events
                .iter()
                .map(|e| e["id"].as_str().unwrap().parse::<i64>().unwrap()),
        );
        next = next_page(app, page.header("link"));
    }
}

#[actix_web::test]
async fn the_feed_read_one_event_at_a_time_skips_long_runs_of_other_families_events() {
    use diesel::prelude::*;
    use samenspel::events::{Actor, EventKind, NewEvent, append};
    use samenspel::schema::events;
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    run_meeting(&app, &c, false).await;
    let (_, token) = admin_with_token(&app, "Veilig Thuis Zuid-Holland Zuid").await;
    // Runs of Bakker's events (not Veilig Thuis's family) between Jansen's, longer than what the
    // feed reads of the log at once for a page of one.
    let system = Actor {
        user_id: None,
        organisation_id: None,
    };
    for round in 0..6 {
        for (family, times) in [(c.bakker, 9 + round), (c.jansen, 1)] {
            for _ in 0..times {
                let new = NewEvent {
                    family_id: Some(family),
                    kind: EventKind::FamilyUpdated,
                    subject_type: "family",
                    subject_id: Some(family),
                    data: serde_json::json!({}),
                    meeting_id: None,
                };
                append(&mut app.conn(), system, new).unwrap();
            }
        }
    }
    let ids_of = |family: i64| -> Vec<i64> {
        events::table
            .filter(events::family_id.eq(family))
            .order(events::id.asc())
            .select(events::id)
            .load(&mut app.conn())
            .unwrap()
    };
    let (jansen, bakker) = (ids_of(c.jansen), ids_of(c.bakker));
    let at_once = feed_ids(&app, &token, 500).await;
    let one_by_one = feed_ids(&app, &token, 1).await;
    assert_eq!(one_by_one, at_once, "the same events, page size aside");
    for id in &jansen {
        assert!(at_once.contains(id), "Jansen's event {id} is missing");
    }
    for id in &bakker {
        assert!(!at_once.contains(id), "Bakker's event {id} leaked");
    }
    assert!(at_once.windows(2).all(|w| w[0] < w[1]), "oldest first");
}
