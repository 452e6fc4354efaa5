//! A real OpenID Connect provider for the tests: `oidc-provider` from the npm registry, run on this
//! machine's Node.js by tests/oidc/provider.mjs (installed there by `.ci/run` with `npm ci`). Each test
//! starts its own; it stops with the test. Without the installed provider a test says it did not run,
//! unless `SAMENSPEL_REQUIRE_BROWSER=1` (as in CI) or `SAMENSPEL_REQUIRE_OIDC=1`, which make that a
//! failure.
//!
//! The browser's part at the provider (its login page, the consent, its sign-out page) is done by the
//! test's HTTP client, following the provider's own redirects and forms.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde_json::{Value, json};

use super::Client;

/// Samenspel's client at the test providers.
pub const CLIENT_ID: &str = "samenspel";
pub const CLIENT_SECRET: &str = "een-geheim-van-de-test-provider";
/// Every test account's password at the provider.
pub const PROVIDER_PASSWORD: &str = "wachtwoord-bij-de-provider";

/// A running provider: its issuer address; the process ends when this is dropped.
pub struct Provider {
    pub issuer: String,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<std::process::ChildStdout>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

fn required() -> bool {
    ["SAMENSPEL_REQUIRE_BROWSER", "SAMENSPEL_REQUIRE_OIDC"]
        .iter()
        .any(|v| std::env::var(v).is_ok_and(|v| v == "1"))
}

/// Starts a provider (not yet serving: see `serve`), or None when it is not installed here and not
/// required.
pub fn start() -> Option<Provider> {
    let installed = dir()
        .join("node_modules/oidc-provider/package.json")
        .exists();
    let node = Command::new("node").arg("--version").output().is_ok();
    if !installed || !node {
        let why = "the OpenID provider for the tests is not installed (run `npm ci` in tests/oidc)";
        assert!(!required(), "{why}");
        eprintln!("skipped: {why}");
        return None;
    }
    let mut child = Command::new("node")
        .arg("provider.mjs")
        .current_dir(dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start node");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the provider's address");
    let issuer = line
        .trim()
        .strip_prefix("listening ")
        .unwrap_or_else(|| panic!("the provider said {line:?}"))
        .to_string();
    Some(Provider {
        issuer,
        stdin: child.stdin.take(),
        child,
        stdout,
    })
}

impl Provider {
    /// Starts serving for Samenspel at `app` (its callback and the page after signing out), with
    /// these accounts (login name → password, claims, amr) and, if asked, a tampering token endpoint.
    pub fn serve(&mut self, app: &str, accounts: Value, tamper: &str) {
        let settings = json!({
            "clients": [{
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [format!("{app}/inloggen/terug")],
                "post_logout_redirect_uris": [format!("{app}/inloggen?melding=uitgelogd")],
            }],
            "accounts": accounts,
            "tamper": tamper,
        });
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{settings}").unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the provider did not start");
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test account at the provider: these claims, these authentication methods.
pub fn account(claims: Value, amr: &[&str]) -> Value {
    json!({"password": PROVIDER_PASSWORD, "claims": claims, "amr": amr})
}

/// An absolute address from a Location that may be relative to `base`.
fn absolute(base: &str, location: &str) -> String {
    url::Url::parse(base)
        .unwrap()
        .join(location)
        .unwrap()
        .to_string()
}

/// The value of the first `name="..."` attribute's input in a page: a form field's value.
fn field(body: &str, name: &str) -> Option<String> {
    let html = scraper::Html::parse_document(body);
    let sel = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    html.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_string))
}

/// The browser at the provider: from `start` (the authorization address Samenspel sent it to), through
/// the provider's login page (as `login`) and its consent, to the address the provider sends it back
/// to at Samenspel. `login` None: the provider must not ask (its session still stands).
pub async fn through_provider(
    client: &Client,
    provider: &Provider,
    start: &str,
    login: Option<&str>,
) -> String {
    let mut url = start.to_string();
    let mut logged_in = false;
    for _ in 0..12 {
        if !url.starts_with(&provider.issuer) {
            return url;
        }
        let res = client.http.get(&url).send().await.unwrap();
        let status = res.status();
        if let Some(location) = res.headers().get(LOCATION) {
            url = absolute(&url, location.to_str().unwrap());
            continue;
        }
        let body = res.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "at the provider {url}: {body}");
        let (action, form) = if body.contains("/login\"") {
            let login = login.expect("the provider asks to log in");
            assert!(!logged_in, "the provider refused the login: {body}");
            logged_in = true;
            (
                "login",
                vec![("login", login), ("password", PROVIDER_PASSWORD)],
            )
        } else {
            ("consent", vec![])
        };
        let uid = url
            .split("/interaction/")
            .nth(1)
            .expect("an interaction page")
            .split(['/', '?'])
            .next()
            .unwrap()
            .to_string();
        let post = format!("{}/interaction/{uid}/{action}", provider.issuer);
        let res = client.http.post(&post).form(&form).send().await.unwrap();
        let location = res
            .headers()
            .get(LOCATION)
            .unwrap_or_else(|| panic!("the provider answered {} to {post}", res.status()));
        url = absolute(&post, location.to_str().unwrap());
    }
    panic!("the provider kept the browser: {url}");
}

/// The browser at the provider's sign-out page (RP-initiated logout): confirms, and returns where the
/// provider sends it back to.
pub async fn sign_out_at_provider(client: &Client, start: &str) -> String {
    let res = client.http.get(start).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the provider's sign-out page");
    let body = res.text().await.unwrap();
    let xsrf = field(&body, "xsrf").expect("the sign-out form");
    let confirm = absolute(start, "/session/end/confirm");
    let res = client
        .http
        .post(&confirm)
        .form(&[("xsrf", xsrf.as_str()), ("logout", "yes")])
        .send()
        .await
        .unwrap();
    let location = res.headers().get(LOCATION).expect("back to Samenspel");
    absolute(&confirm, location.to_str().unwrap())
}
