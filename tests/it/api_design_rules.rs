//! Our OpenAPI document against the core rules of the Dutch government's API Design Rules (the rules
//! Logius publishes as a Spectral ruleset, which our partners' architects run). Written by us: each
//! check names the rule id it covers, reads the document as served in a production configuration
//! (https), and is shown to fail on a document that breaks its rule.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::api::call;

/// What the checks report: one line per finding, starting with the rule's id.
fn findings(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    doc_openapi(doc, &mut out);
    publish_openapi(doc, &mut out);
    version_header(doc, &mut out);
    uri_version(doc, &mut out);
    paths(doc, &mut out);
    problem_details(doc, &mut out);
    contact(doc, &mut out);
    casing(doc, &mut out);
    out
}

/// `$ref` inside the document ("#/components/responses/Problem"), followed until an object.
fn resolve<'a>(doc: &'a Value, mut v: &'a Value) -> &'a Value {
    for _ in 0..8 {
        let Some(r) = v.get("$ref").and_then(Value::as_str) else {
            return v;
        };
        v = doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or(&Value::Null);
    }
    v
}

/// Every operation as (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if !matches!(
                method.as_str(),
                "parameters" | "summary" | "description" | "servers"
            ) {
                out.push((path.clone(), method.clone(), op));
            }
        }
    }
    out
}

/// Every response of every operation as (where, status, response), references resolved.
fn responses(doc: &Value) -> Vec<(String, String, &Value)> {
    let mut out = Vec::new();
    for (path, method, op) in operations(doc) {
        for (status, r) in op["responses"].as_object().into_iter().flatten() {
            out.push((format!("{method} {path}"), status.clone(), resolve(doc, r)));
        }
    }
    out
}

/// /core/doc-openapi: OpenAPI 3.0 (the ruleset's format), a semver `info.version` (/core/semver),
/// and a description on every operation.
fn doc_openapi(doc: &Value, out: &mut Vec<String>) {
    if !doc["openapi"]
        .as_str()
        .is_some_and(|v| v.starts_with("3.0."))
    {
        out.push("/core/doc-openapi: openapi is not 3.0.x".into());
    }
    let version = doc["info"]["version"].as_str().unwrap_or_default();
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() != 3
        || parts.iter().any(|p| {
            p.is_empty() || p.parse::<u64>().is_err() || (p.len() > 1 && p.starts_with('0'))
        })
    {
        out.push(format!(
            "/core/semver: info.version {version:?} is not semver"
        ));
    }
    for (path, method, op) in operations(doc) {
        if op["description"]
            .as_str()
            .is_none_or(|d| d.trim().is_empty())
        {
            out.push(format!(
                "/core/doc-openapi: {method} {path} has no description"
            ));
        }
    }
}

/// /core/publish-openapi: `/openapi.json` under the versioned server, GET only, answered with
/// `access-control-allow-origin` (the ruleset looks the header up by that exact name).
fn publish_openapi(doc: &Value, out: &mut Vec<String>) {
    let Some(item) = doc["paths"].get("/openapi.json").and_then(Value::as_object) else {
        out.push("/core/publish-openapi: no path /openapi.json".into());
        return;
    };
    let methods: Vec<&String> = item.keys().filter(|k| *k != "parameters").collect();
    if methods != ["get"] {
        out.push(format!(
            "/core/publish-openapi: /openapi.json has {methods:?}, not GET only"
        ));
    }
    for (status, r) in item
        .get("get")
        .and_then(|g| g["responses"].as_object())
        .into_iter()
        .flatten()
    {
        let r = resolve(doc, r);
        if status.starts_with('2') && r["headers"].get("access-control-allow-origin").is_none() {
            out.push(format!(
                "/core/publish-openapi: GET /openapi.json {status} declares no access-control-allow-origin"
            ));
        }
    }
}

/// /core/version-header: every 2xx and 3xx response declares the `API-Version` header.
fn version_header(doc: &Value, out: &mut Vec<String>) {
    for (at, status, r) in responses(doc) {
        if !(status.starts_with('2') || status.starts_with('3')) {
            continue;
        }
        let declared = r["headers"]
            .as_object()
            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("api-version")));
        if !declared {
            out.push(format!(
                "/core/version-header: {at} {status} declares no API-Version"
            ));
        }
    }
}

/// /core/uri-version: the major version in the server URL (`…/v1`); and in production the server is
/// https (the ruleset's servers-use-https).
fn uri_version(doc: &Value, out: &mut Vec<String>) {
    let servers = doc["servers"].as_array().cloned().unwrap_or_default();
    if servers.is_empty() {
        out.push("/core/uri-version: no servers".into());
    }
    for s in servers {
        let url = s["url"].as_str().unwrap_or_default();
        let last = url
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let versioned = last
            .strip_prefix('v')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !versioned {
            out.push(format!(
                "/core/uri-version: server {url} does not end in /v<major>"
            ));
        }
        if !url.starts_with("https://") {
            out.push(format!("servers-use-https: server {url} is not https"));
        }
    }
}

/// /core/no-trailing-slash, /core/http-methods (only GET, POST, PUT, PATCH, DELETE documented) and
/// kebab-case paths (the ruleset's paths-kebab-case: lower case words with hyphens, `{lowercase}`
/// parameters; /openapi.json excepted).
fn paths(doc: &Value, out: &mut Vec<String>) {
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        if path.len() > 1 && path.ends_with('/') {
            out.push(format!("/core/no-trailing-slash: {path}"));
        }
        for key in item.as_object().into_iter().flatten().map(|(k, _)| k) {
            let standard = [
                "get",
                "post",
                "put",
                "patch",
                "delete",
                "parameters",
                "summary",
                "description",
            ];
            if !standard.contains(&key.as_str()) {
                out.push(format!("/core/http-methods: {key} {path}"));
            }
        }
        if path == "/openapi.json" {
            continue;
        }
        let kebab = path.split('/').skip(1).all(|segment| {
            let word =
                |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
            match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase()),
                None => word(segment),
            }
        });
        if !kebab {
            out.push(format!("paths-kebab-case: {path}"));
        }
    }
}

/// Errors as problem details: every 4xx and 5xx response is application/problem+json (RFC 9457, the
/// ruleset's use-problem-schema).
fn problem_details(doc: &Value, out: &mut Vec<String>) {
    for (at, status, r) in responses(doc) {
        if !(status.starts_with('4') || status.starts_with('5')) {
            continue;
        }
        let content = r["content"].as_object();
        if !content.is_some_and(|c| c.contains_key("application/problem+json")) {
            out.push(format!(
                "use-problem-schema: {at} {status} is not application/problem+json"
            ));
        }
    }
}

/// /core/doc-openapi-contact: `info.contact` with a name, a url and an email.
fn contact(doc: &Value, out: &mut Vec<String>) {
    for field in ["name", "url", "email"] {
        if doc["info"]["contact"][field]
            .as_str()
            .is_none_or(|v| v.trim().is_empty())
        {
            out.push(format!(
                "/core/doc-openapi-contact: info.contact.{field} is missing"
            ));
        }
    }
}

/// The ruleset's naming warnings: schema names in PascalCase (schema-camel-case) and properties in
/// lowerCamelCase (property-casing), wherever a `properties` object is.
fn casing(doc: &Value, out: &mut Vec<String>) {
    fn camel(name: &str, upper_first: bool) -> bool {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() && c.is_ascii_uppercase() == upper_first)
            && chars.all(|c| c.is_ascii_alphanumeric())
    }
    for name in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, _)| k)
    {
        if !camel(name, true) {
            out.push(format!("schema-camel-case: {name}"));
        }
    }
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    if k == "properties"
                        && let Some(props) = child.as_object()
                    {
                        for name in props.keys().filter(|n| !camel(n, false)) {
                            out.push(format!("property-casing: {name}"));
                        }
                    }
                    walk(child, out);
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(doc, out);
}

const PRODUCTION: &[(&str, &str)] = &[
    ("SAMENSPEL_BASE_URL", "https://samenspel.zhz.example"),
    (
        "SAMENSPEL_API_CONTACT_NAME",
        "Servicedesk Samenspel Zuid-Holland Zuid",
    ),
    (
        "SAMENSPEL_API_CONTACT_EMAIL",
        "servicedesk@samenspel.zhz.example",
    ),
];

#[actix_web::test]
async fn the_openapi_document_passes_the_api_design_rules_core() {
    let app = TestApp::spawn_with(PRODUCTION).await;
    let served = call(&app, "/api/v1/openapi.json", None).await;
    assert_eq!(served.status, StatusCode::OK);
    // /core/publish-openapi: public, readable from any website; /core/version-header: sent too.
    assert_eq!(served.header("access-control-allow-origin"), "*");
    assert_eq!(
        served.header("api-version"),
        samenspel::web::api::API_VERSION
    );
    let doc: Value = serde_json::from_str(&served.body).unwrap();
    assert_eq!(findings(&doc), Vec::<String>::new());
    assert_eq!(
        doc["servers"][0]["url"],
        "https://samenspel.zhz.example/api/v1"
    );
    assert_eq!(
        doc["info"]["contact"],
        json!({
            "name": "Servicedesk Samenspel Zuid-Holland Zuid",
            "url": "https://samenspel.zhz.example",
            "email": "servicedesk@samenspel.zhz.example",
        })
    );
    // The data addresses allow no other website to read them.
    let data = call(&app, "/api/v1/events", None).await;
    assert_eq!(data.header("access-control-allow-origin"), "");
}

/// A change that breaks one rule.
type Break = Box<dyn Fn(&mut Value)>;

/// The checks are not a formality: each one finds the break it is about.
#[actix_web::test]
async fn each_rule_check_finds_a_document_that_breaks_it() {
    let app = TestApp::spawn_with(PRODUCTION).await;
    let doc: Value =
        serde_json::from_str(&call(&app, "/api/v1/openapi.json", None).await.body).unwrap();
    let breaks: Vec<(&str, Break)> = vec![
        (
            "/core/doc-openapi:",
            Box::new(|d| d["openapi"] = json!("2.0")),
        ),
        (
            "/core/semver:",
            Box::new(|d| d["info"]["version"] = json!("1.0")),
        ),
        (
            "/core/doc-openapi:",
            Box::new(|d| d["paths"]["/events"]["get"]["description"] = json!("")),
        ),
        (
            "/core/publish-openapi:",
            Box::new(|d| {
                d["paths"]["/openapi.json"]["get"]["responses"]["200"]["headers"]
                    .as_object_mut()
                    .unwrap()
                    .remove("access-control-allow-origin");
            }),
        ),
        (
            "/core/publish-openapi:",
            Box::new(|d| d["paths"]["/openapi.json"]["post"] = json!({"responses": {}})),
        ),
        (
            "/core/version-header:",
            Box::new(|d| {
                d["paths"]["/zaak"]["get"]["responses"]["200"]["headers"]
                    .as_object_mut()
                    .unwrap()
                    .remove("API-Version");
            }),
        ),
        (
            "/core/uri-version:",
            Box::new(|d| d["servers"][0]["url"] = json!("https://samenspel.zhz.example/api")),
        ),
        (
            "servers-use-https:",
            Box::new(|d| d["servers"][0]["url"] = json!("http://samenspel.zhz.example/api/v1")),
        ),
        (
            "/core/no-trailing-slash:",
            Box::new(|d| d["paths"]["/zaak/"] = d["paths"]["/zaak"].clone()),
        ),
        (
            "/core/http-methods:",
            Box::new(|d| d["paths"]["/zaak"]["head"] = json!({"responses": {}})),
        ),
        (
            "paths-kebab-case:",
            Box::new(|d| d["paths"]["/uitkomstenOverleg"] = d["paths"]["/zaak"].clone()),
        ),
        (
            "use-problem-schema:",
            Box::new(|d| {
                d["components"]["responses"]["Problem"]["content"] =
                    json!({"application/json": {"schema": {"type": "object"}}});
            }),
        ),
        (
            "schema-camel-case:",
            Box::new(|d| d["components"]["schemas"]["uitkomst_lijst"] = json!({"type": "object"})),
        ),
        (
            "property-casing:",
            Box::new(|d| {
                d["components"]["schemas"]["QueryRequest"]["properties"]["beschikbaar_vanaf"] =
                    json!({"type": "string"});
            }),
        ),
        (
            "/core/doc-openapi-contact:",
            Box::new(|d| {
                d["info"]["contact"]
                    .as_object_mut()
                    .unwrap()
                    .remove("email");
            }),
        ),
    ];
    for (rule, break_it) in breaks {
        let mut broken = doc.clone();
        break_it(&mut broken);
        let found = findings(&broken);
        assert!(
            found.iter().any(|f| f.starts_with(rule)),
            "{rule} not found in {found:?}"
        );
    }
}
