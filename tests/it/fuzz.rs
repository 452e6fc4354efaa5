//! Hostile input to every form and API endpoint (the routes come from the app itself): malformed,
//! oversized, wrongly encoded and hostile values (script tags, SQL fragments, null bytes, 1 MB fields,
//! invalid UTF-8, wrong content types), sent by an actor who may use the route. Never a 5xx, and a
//! refused request leaves every record as it was. Texts that are accepted come back escaped.
//!
//! The cases are drawn from a fixed seed, so a failure can be replayed. A longer run:
//! `SAMENSPEL_FUZZ_CASES=200 SAMENSPEL_FUZZ_SEED=7 cargo test --test it fuzz -- --nocapture`.

use reqwest::StatusCode;

use crate::common::access::{ACTORS, Actor, Context, allowed};
use crate::common::actors::{World, digest, world};

/// A small, fixed generator (xorshift64*): the same seed gives the same cases everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const SCRIPT: &str = "<script>alert('samenspel')</script>";

/// Values as they would be percent-encoded in a form body; some on purpose not valid UTF-8.
fn hostile_values() -> Vec<String> {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    vec![
        enc(SCRIPT),
        enc("\"><img src=x onerror=alert(1)>"),
        enc("'; DROP TABLE families; --"),
        enc("1 OR 1=1"),
        enc("Robert'); DELETE FROM decisions WHERE ('1'='1"),
        "%00".into(),
        enc("tekst\0met nul"),
        "%FF%FE%FD".into(),
        "%C3%28".into(),
        "%ED%A0%80".into(),
        enc("\u{202E}gnidaerfeD"),
        enc("👨‍👩‍👧‍👦 Zoë café"),
        enc("-1"),
        enc("0"),
        enc("99999999999999999999999999"),
        enc("1e309"),
        enc("NaN"),
        enc("2026-02-30"),
        enc("0000-00-00"),
        enc("31-12-2026"),
        enc("   "),
        String::new(),
        enc("../../../../etc/passwd"),
        enc("javascript:alert(1)"),
        enc("%n%s%x"),
        "x".repeat(1_000_000),
        enc(&"Lange tekst. ".repeat(2_000)),
    ]
}

/// Every field name the app's forms use, read from the templates.
fn field_names() -> Vec<String> {
    let mut names = std::collections::BTreeSet::new();
    let dir = format!("{}/templates", env!("CARGO_MANIFEST_DIR"));
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(path) = stack.pop() {
        for entry in std::fs::read_dir(&path).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                for part in text.split("name=\"").skip(1) {
                    if let Some(name) = part.split('"').next()
                        && !name.is_empty()
                        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                        && name != "csrf_token"
                    {
                        names.insert(name.to_string());
                    }
                }
            }
        }
    }
    assert!(
        names.len() > 40,
        "the templates name only {} fields",
        names.len()
    );
    names.into_iter().collect()
}

/// Sends a raw body with a content type as `actor`, with the actor's CSRF token for forms.
async fn send_raw(
    w: &World,
    actor: Actor,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> StatusCode {
    let client = &w.clients[&actor];
    let mut request = client.http.post(client.url(path)).body(body);
    if !content_type.is_empty() {
        request = request.header("content-type", content_type);
    }
    if let Some(token) = w.tokens.get(&actor) {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("an answer").status()
}

async fn csrf(w: &World, actor: Actor) -> String {
    let client = &w.clients[&actor];
    let from = if matches!(actor, Actor::FamilyHere | Actor::FamilyElsewhere) {
        "/portaal"
    } else if matches!(
        actor,
        Actor::Anonymous | Actor::TokenParty | Actor::TokenOutsider
    ) {
        "/inloggen"
    } else {
        "/account"
    };
    client.get(from).await.csrf()
}

#[actix_web::test]
async fn hostile_input_to_every_form_and_api_endpoint_never_gets_a_5xx_or_a_partial_write() {
    let cases: usize = std::env::var("SAMENSPEL_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let seed: u64 = std::env::var("SAMENSPEL_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_261_123);
    let mut rng = Rng(seed | 1);
    let w = world().await;
    let names = field_names();
    let values = hostile_values();
    let mut problems = Vec::new();
    let mut sent = 0;

    let routes: Vec<(&str, &str)> = samenspel::web::ROUTES
        .iter()
        .chain(samenspel::web::api::ROUTES.iter())
        .copied()
        .filter(|(m, p)| {
            // Routes that only end something (a session, a key, a meeting) take no input to fuzz.
            *m == "POST"
                && !p.ends_with("/intrekken")
                && !p.ends_with("/verwijderen")
                && !p.ends_with("/beeindigen")
                && !p.ends_with("/sluiten")
                && *p != "/uitloggen"
                && *p != "/snel-weg"
        })
        .collect();
    assert!(routes.len() > 50, "only {} routes to fuzz", routes.len());
    for (method, route) in &routes {
        let path = w.address(method, route, Context::Here);
        // Someone who may use the route, so the input is what gets judged.
        let actor = ACTORS
            .iter()
            .copied()
            .find(|a| allowed(method, route, *a))
            .unwrap_or(Actor::Anonymous);
        let token = csrf(&w, actor).await;
        for _ in 0..cases {
            let mut fields: Vec<(String, String)> = Vec::new();
            for _ in 0..1 + rng.below(6) {
                let name = if rng.below(5) == 0 {
                    format!("onbekend_{}", rng.below(100))
                } else {
                    rng.pick(&names).clone()
                };
                fields.push((name, rng.pick(&values).clone()));
            }
            let form_body = |with_token: bool| {
                let mut parts: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if with_token {
                    parts.push(format!("csrf_token={token}"));
                }
                parts.join("&").into_bytes()
            };
            let (content_type, body) = if route.starts_with("/api/") {
                let json: Vec<String> = fields
                    .iter()
                    .map(|(k, v)| format!("\"{k}\": \"{}\"", v.replace('%', "\\u0025")))
                    .collect();
                match rng.below(4) {
                    0 => (
                        "application/json",
                        format!("{{{}}}", json.join(",")).into_bytes(),
                    ),
                    1 => (
                        "application/json",
                        b"{\"burgerservicenummer\": [1, {\"a\": null}]".to_vec(),
                    ),
                    2 => ("text/plain", form_body(false)),
                    _ => ("application/json", vec![0xFF, 0xFE, b'{', b'}']),
                }
            } else {
                match rng.below(6) {
                    0 => ("multipart/form-data; boundary=xyz", form_body(true)),
                    1 => ("application/json", form_body(true)),
                    2 => ("", form_body(true)),
                    _ => ("application/x-www-form-urlencoded", form_body(true)),
                }
            };
            // A form sent back with its problems shows the family again, and that showing is logged
            // (no family data leaves without its access-log row): the log may grow, nothing else.
            let records = |w: &World| {
                let mut d = digest(&w.app);
                d.remove(1);
                d
            };
            let before = records(&w);
            let status = send_raw(&w, actor, &path, content_type, body).await;
            sent += 1;
            let described = format!(
                "POST {path} as {actor:?} ({content_type}) with {:?}",
                fields
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.chars().take(40).collect::<String>()))
                    .collect::<Vec<_>>()
            );
            if status.is_server_error() {
                problems.push(format!("{status} for {described}"));
            } else if status.is_client_error() && before != records(&w) {
                problems.push(format!(
                    "{status} but the database changed, for {described}"
                ));
            }
        }
    }
    // Hostile query strings on every GET of the API.
    for (method, route) in samenspel::web::api::ROUTES {
        if *method != "GET" {
            continue;
        }
        let path = w.address(method, route, Context::Here);
        for _ in 0..cases {
            let name = rng
                .pick(&["page", "pageSize", "sort", "after", "limit", "x"])
                .to_string();
            let value = rng.pick(&values).chars().take(5000).collect::<String>();
            let url = format!("{path}?{name}={value}");
            let client = &w.clients[&Actor::TokenParty];
            let status = client
                .http
                .get(client.url(&url))
                .bearer_auth(&w.tokens[&Actor::TokenParty])
                .send()
                .await
                .unwrap()
                .status();
            sent += 1;
            if status.is_server_error() {
                problems.push(format!("{status} for GET {url}"));
            }
        }
    }
    println!("{sent} hostile requests (seed {seed}, {cases} per route)");

    // What was accepted comes back escaped: no page carries the script as markup.
    for (actor, path) in [
        (Actor::Director, format!("/gezinnen/{}", w.here.family)),
        (
            Actor::Director,
            format!("/gezinnen/{}/plan/versies", w.here.family),
        ),
        (Actor::Chair, format!("/bijeenkomsten/{}", w.a.next_meeting)),
        (
            Actor::Chair,
            format!(
                "/bijeenkomsten/{}/punten/{}",
                w.a.next_meeting, w.here.next_item
            ),
        ),
        (Actor::FamilyHere, "/portaal".to_string()),
        (Actor::OrgAdmin, "/beheer/webhooks".to_string()),
        (Actor::Chair, "/overleggen".to_string()),
    ] {
        let page = w.clients[&actor].get(&path).await;
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "{path}: {}",
            page.status
        );
        if page.body.contains(SCRIPT) {
            problems.push(format!("{path} shows the script unescaped"));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems in {sent} requests:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
