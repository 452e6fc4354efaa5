//! Calls to the partner API, as a partner's system makes them: with a token an organisation admin made
//! on the admin page and a coordinator approved, answers read as JSON or problem+json.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::{api_token, partnership};
use samenspel::record;

use super::{Client, DEFAULT_PARTNERSHIP, TestApp};

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("JSON ({e}): {}", self.body))
    }
}

pub async fn call(app: &TestApp, path: &str, token: Option<&str>) -> Answer {
    let mut req = reqwest::Client::new().get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    Answer {
        status: res.status(),
        headers: res.headers().clone(),
        body: res.text().await.unwrap(),
    }
}

/// An organisation admin makes a token on the admin page; it waits for a coordinator's approval and
/// reads nothing yet. Returns the secret.
pub async fn make_waiting_token(admin: &Client, name: &str) -> String {
    let page = admin
        .submit(
            "/beheer/api-sleutels",
            "/beheer/api-sleutels",
            &[("name", name)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.visible_text());
    let secret = page.value("#secret").expect("the secret, shown once");
    assert!(secret.starts_with("ssp_"));
    // Shown once: the list afterwards has the name, not the secret.
    let again = admin.get("/beheer/api-sleutels").await;
    assert!(again.visible_text().contains(name) && !again.body.contains(&secret));
    secret
}

/// An organisation admin makes a token on the admin page and a coordinator of the organisation's
/// partnership approves it (`approve_token`), as a partner's system has it; returns the secret.
pub async fn make_token(app: &TestApp, admin: &Client, name: &str) -> String {
    let secret = make_waiting_token(admin, name).await;
    approve_token(app, &secret);
    secret
}

/// The id of the token with this secret.
pub fn token_id(app: &TestApp, secret: &str) -> i64 {
    use samenspel::schema::api_tokens;
    api_tokens::table
        .filter(api_tokens::token_hash.eq(samenspel::auth::token_hash(secret)))
        .select(api_tokens::id)
        .first(&mut app.conn())
        .expect("the token")
}

/// A coordinator of a partnership in which the token's organisation takes part approves it, through
/// the record as the coordinator's page does. A partnership without a coordinator from another
/// organisation gets Hanna Kuiper of the Veiligheidshuis, as in the world of the matrix.
pub fn approve_token(app: &TestApp, secret: &str) {
    let id = token_id(app, secret);
    let mut conn = app.conn();
    let token = api_token::find(&mut conn, id).unwrap().unwrap();
    let mut found = None;
    for of in partnership::of_organisation(&mut conn, token.organisation_id).unwrap() {
        let coordinators = partnership::coordinators(&mut conn, of.id).unwrap();
        for c in coordinators {
            let user = samenspel::domain::user::find(&mut conn, c.user_id)
                .unwrap()
                .unwrap();
            if user.organisation_id != Some(token.organisation_id) && found.is_none() {
                found = Some((of.clone(), user));
            }
        }
    }
    let (of, coordinator) = found.unwrap_or_else(|| {
        assert!(
            partnership::takes_part(&mut conn, DEFAULT_PARTNERSHIP, token.organisation_id).unwrap(),
            "the token's organisation takes part in no partnership with a coordinator"
        );
        let hanna = match samenspel::domain::user::find_by_email(&mut conn, HANNA).unwrap() {
            Some(u) => {
                partnership::add_coordinator(&mut conn, DEFAULT_PARTNERSHIP, u.id).unwrap();
                u.id
            }
            None => app.coordinator(
                HANNA,
                "Hanna Kuiper",
                "Veiligheidshuis Zuid-Holland Zuid",
                DEFAULT_PARTNERSHIP,
            ),
        };
        let hanna = samenspel::domain::user::find(&mut conn, hanna)
            .unwrap()
            .unwrap();
        let of = partnership::find(&mut conn, DEFAULT_PARTNERSHIP)
            .unwrap()
            .unwrap();
        (of, hanna)
    });
    let by = record::who(&mut conn, coordinator.id).unwrap();
    let approved = db::write(&mut conn, |conn| {
        record::approve_api_key(conn, &by, coordinator.role(), &of, &token)
    })
    .unwrap();
    assert!(approved, "the token was waiting");
}

const HANNA: &str = "hanna@veiligheidshuis.example";

pub fn assert_problem(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.body);
    assert_eq!(a.header("content-type"), "application/problem+json");
    let p = a.json();
    assert_eq!(p["status"], status.as_u16());
    assert!(p["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(a.header("api-version"), "1.0.0");
}

/// `urn:nld:oin:<20 digits>:systeem:samenspel`, the NL GOV profile's source.
pub fn regex_like_source() -> impl Fn(&str) -> bool {
    |s: &str| {
        s.strip_prefix("urn:nld:oin:")
            .and_then(|r| r.strip_suffix(":systeem:samenspel"))
            .is_some_and(|oin| oin.len() == 20 && oin.bytes().all(|b| b.is_ascii_digit()))
    }
}
