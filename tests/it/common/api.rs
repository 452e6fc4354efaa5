//! Calls to the partner API, as a partner's system makes them: with a token an organisation admin made
//! on the admin page, answers read as JSON or problem+json.

use reqwest::StatusCode;

use super::{Client, TestApp};

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

/// An organisation admin of `organisation` makes a token on the admin page; returns the secret.
pub async fn make_token(app: &TestApp, admin: &Client, name: &str) -> String {
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
    let _ = app;
    secret
}

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
