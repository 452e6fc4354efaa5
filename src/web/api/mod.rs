//! The partner API under `/api/v1`: organisation tokens (Bearer), rate limits with `RateLimit-*`
//! headers, errors as `application/problem+json`, `API-Version` on every answer, and the OpenAPI
//! document. Every route is listed once in `api_routes!`, which both registers it and names it in
//! `ROUTES`, so the test that compares the served routes with the OpenAPI document cannot be fooled by
//! a route registered somewhere else.
//!
//! Served so far: the generic event feed (`GET /api/v1/events?after=<id>`, CloudEvents 1.0 in the NL
//! GOV profile, cut to what the organisation may see) and `GET /api/v1/openapi.json`.

pub mod board;
pub mod inzage;
pub mod plain;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use crate::db;
use crate::domain::api_rate;
use crate::events::{cloud, visibility};

/// The version in every answer's `API-Version` header and in the OpenAPI document.
pub const API_VERSION: &str = "1.0.0";

// ---------------------------------------------------------------------------------------------------
// Errors

/// An API error as RFC 9457 problem details.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    /// Seconds until a rate limit resets, for `Retry-After`.
    pub retry_after: Option<u64>,
    /// The methods the address does answer, for `Allow` (a 405).
    pub allow: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            title,
            detail: detail.into(),
            retry_after: None,
            allow: None,
        }
    }
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "Ongeldig verzoek", detail)
    }
    /// A live key that no coordinator approved yet: it reads nothing.
    pub fn waiting_for_approval() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Sleutel nog niet goedgekeurd",
            "Deze API-sleutel wacht op goedkeuring door de coördinator van het \
             samenwerkingsverband. Tot die goedkeuring geeft de sleutel geen gegevens. Vraag de \
             coördinator van het samenwerkingsverband van je organisatie om de sleutel goed te keuren.",
        )
    }
    /// The address exists, but not for this method (UitkomstOverleg.yaml declares 405).
    pub fn method_not_allowed(allowed: &[&str]) -> ApiError {
        let allow = allowed.join(", ");
        let mut e = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "Methode niet toegestaan",
            format!("Dit adres kent alleen {allow}."),
        );
        e.allow = Some(allow);
        e
    }
    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Niet gevonden",
            "Deze resource bestaat niet, of je organisatie mag haar niet zien.",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.title,
            self.detail
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let Some(seconds) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let Some(allow) = &self.allow {
            res.insert_header((header::ALLOW, allow.as_str()));
        }
        res.body(
            json!({
                "type": "about:blank",
                "title": self.title,
                "status": self.status.as_u16(),
                "detail": self.detail,
            })
            .to_string(),
        )
    }
}

impl From<super::AppError> for ApiError {
    fn from(e: super::AppError) -> ApiError {
        match e {
            super::AppError::NotFound => ApiError::not_found(),
            super::AppError::Forbidden => ApiError::not_found(),
            other => {
                tracing::error!(error = ?other, "API request failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Interne fout",
                    "Er ging iets mis aan onze kant.",
                )
            }
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        super::AppError::from(e).into()
    }
}

// ---------------------------------------------------------------------------------------------------
// Tokens and rate limits

/// What the limiter said about this request, for the `RateLimit-*` headers.
#[derive(Clone, Copy, Debug)]
struct RateState {
    limit: u32,
    remaining: u32,
    reset: u64,
}

impl RateState {
    /// The state after `count`, and whether this request goes over `limit`.
    fn of(count: &api_rate::Count, limit: u32) -> (RateState, bool) {
        let used = u32::try_from(count.requests).unwrap_or(u32::MAX);
        (
            RateState {
                limit,
                remaining: limit.saturating_sub(used),
                reset: count.reset_seconds(),
            },
            used > limit,
        )
    }
}

/// The organisation behind a valid API token; every API handler that reads data takes one.
#[derive(Clone, Copy, Debug)]
pub struct Partner {
    pub token_id: i64,
    pub organisation_id: i64,
}

impl FromRequest for Partner {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let secret = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, secret) = v.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| secret.trim())
            })
            // The shape of our tokens: anything else is refused without asking the database.
            .filter(|s| {
                s.strip_prefix(crate::domain::api_token::PREFIX)
                    .is_some_and(|rest| {
                        rest.len() == 43
                            && rest
                                .bytes()
                                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    })
            })
            .map(str::to_string);
        let req = req.clone();
        Box::pin(async move {
            let unauthorized = || {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "Niet aangemeld",
                    "Stuur een geldige API-sleutel mee: Authorization: Bearer <sleutel>.",
                )
            };
            let (Some(state), Some(secret)) = (state, secret) else {
                return Err(unauthorized());
            };
            // The limit is per organisation, so more tokens do not mean more requests; it is counted
            // in the database, so more instances do not mean more requests either.
            let found = state
                .db(move |conn| {
                    let Some(token) = crate::domain::api_token::authenticate(conn, &secret)? else {
                        return Ok(None);
                    };
                    let count = if token.approved {
                        Some(db::write(conn, |conn| {
                            api_rate::count_request(conn, token.organisation_id)
                        })?)
                    } else {
                        None
                    };
                    Ok(Some((token, count)))
                })
                .await?;
            let Some((token, count)) = found else {
                return Err(unauthorized());
            };
            let Some(count) = count else {
                return Err(ApiError::waiting_for_approval());
            };
            let (token_id, organisation_id) = (token.id, token.organisation_id);
            let (rate, over) = RateState::of(&count, state.config.api_rate_limit);
            req.extensions_mut().insert(rate);
            if over {
                let mut e = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Te veel verzoeken",
                    format!(
                        "Deze sleutel mag {} verzoeken per minuut doen. Probeer het over {} seconden opnieuw.",
                        rate.limit, rate.reset
                    ),
                );
                e.retry_after = Some(rate.reset);
                return Err(e);
            }
            Ok(Partner {
                token_id,
                organisation_id,
            })
        })
    }
}

/// Adds `API-Version` and, for token requests, the `RateLimit-*` headers to every API answer.
pub async fn api_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    let rate = res.request().extensions().get::<RateState>().copied();
    let headers = res.headers_mut();
    headers.insert(
        header::HeaderName::from_static("api-version"),
        HeaderValue::from_static(API_VERSION),
    );
    if let Some(rate) = rate {
        for (name, value) in [
            ("ratelimit-limit", rate.limit.to_string()),
            ("ratelimit-remaining", rate.remaining.to_string()),
            ("ratelimit-reset", rate.reset.to_string()),
        ] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(header::HeaderName::from_static(name), v);
            }
        }
    }
    Ok(res)
}

// ---------------------------------------------------------------------------------------------------
// Routes

macro_rules! api_routes {
    ($(($method:ident, $path:literal, $handler:path $(, [$($ask:expr),+])?)),+ $(,)?) => {
        /// Every API route as (method, path), exactly as registered by `configure`.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),+];

        /// What each API route asks the policy, as (method, path, asks); None for one that names none.
        pub const ASKS: &[(&str, &str, Option<&[crate::policy::Ask]>)] =
            &[$((stringify!($method), $path, api_routes!(@ask $($($ask),+)?))),+];

        /// Registers the API routes, its headers, its error format for bad query strings and bodies, and
        /// a problem+json 404 for any other address under /api.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            cfg.service(
                web::scope("/api")
                    .app_data(web::QueryConfig::default().error_handler(|e, _| {
                        plain::query_string(&e).into()
                    }))
                    .app_data(web::PathConfig::default().error_handler(|_, _| {
                        ApiError::not_found().into()
                    }))
                    .app_data(web::JsonConfig::default().limit(64 * 1024).error_handler(|e, _| {
                        plain::json_payload(&e).into()
                    }))
                    $(.route(
                        $path.trim_start_matches("/api"),
                        api_routes!(@method $method).to($handler),
                    ))+
                    .default_service(web::to(|req: actix_web::HttpRequest| async move {
                        Err::<HttpResponse, ApiError>(no_route(req.path()))
                    }))
                    .wrap(actix_web::middleware::from_fn(api_headers)),
            );
        }
    };
    // HEAD answers wherever GET does, with the same headers and no body (RFC 9110).
    (@method GET) => {
        web::route().guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
    };
    (@method POST) => { web::post() };
    (@ask) => { None };
    (@ask $($ask:expr),+) => { Some(&[$($ask),+]) };
}

/// The answer for an address no route takes: 405 with `Allow` when the address is a route for other
/// methods, else 404.
fn no_route(path: &str) -> ApiError {
    let mut allowed: Vec<&str> = ROUTES
        .iter()
        .filter(|(_, route)| actix_web::dev::ResourceDef::new(*route).is_match(path))
        .flat_map(|(method, _)| match *method {
            "GET" => vec!["GET", "HEAD"],
            other => vec![other],
        })
        .collect();
    allowed.dedup();
    if allowed.is_empty() {
        ApiError::not_found()
    } else {
        ApiError::method_not_allowed(&allowed)
    }
}

use crate::policy::Ask::{Nothing, PartnerApi};

api_routes![
    (GET, "/api/v1/openapi.json", openapi, [Nothing]),
    (GET, "/api/v1/events", event_feed, [PartnerApi]),
    (GET, "/api/v1/events/{id}", one_event, [PartnerApi]),
    (
        GET,
        "/api/v1/casusoverleg",
        inzage::casusoverleg_list,
        [PartnerApi]
    ),
    (
        GET,
        "/api/v1/casusoverleg/{id}",
        inzage::casusoverleg_one,
        [PartnerApi]
    ),
    (GET, "/api/v1/besluit", inzage::besluit_list, [PartnerApi]),
    (
        GET,
        "/api/v1/besluit/{id}",
        inzage::besluit_one,
        [PartnerApi]
    ),
    (GET, "/api/v1/actie", inzage::actie_list, [PartnerApi]),
    (GET, "/api/v1/actie/{id}", inzage::actie_one, [PartnerApi]),
    (GET, "/api/v1/zaak", inzage::zaak_list, [PartnerApi]),
    (GET, "/api/v1/zaak/{id}", inzage::zaak_one, [PartnerApi]),
    (
        POST,
        "/api/v1/uitkomsten-overleg/query",
        inzage::query_outcomes,
        [PartnerApi]
    ),
    (
        GET,
        "/api/v1/verzoeken-onderzoek/{id}",
        board::verzoek_onderzoek,
        [PartnerApi]
    ),
];

// ---------------------------------------------------------------------------------------------------
// The OpenAPI document

/// The document, as written by hand in `static/openapi.json` (so it is a contract, not a dump of the
/// code), with this server's address (the major version in it, as the API Design Rules ask) and the
/// contact from the settings filled in. The document is public: any website may read it
/// (`Access-Control-Allow-Origin: *`); the data addresses send no CORS headers.
pub async fn openapi(state: web::Data<AppState>) -> HttpResponse {
    let mut doc: Value = serde_json::from_str(OPENAPI).unwrap_or_else(|_| json!({}));
    let config = &state.config;
    doc["servers"][0]["url"] = json!(format!("{}/api/v1", config.base_url.trim_end_matches('/')));
    doc["info"]["contact"] = json!({
        "name": config.api_contact.name,
        "url": config.api_contact.url,
        "email": config.api_contact.email,
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(doc.to_string())
}

pub const OPENAPI: &str = include_str!("../../../static/openapi.json");

// ---------------------------------------------------------------------------------------------------
// The event feed

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// The id of the last event the partner has; the feed continues after it.
    after: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/events?after=<id>&limit=<n>`: the organisation's events after the cursor, oldest
/// first, as a CloudEvents JSON batch; `Link: <...>; rel="next"` carries the cursor to continue from.
pub async fn event_feed(
    partner: Partner,
    state: web::Data<AppState>,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let after =
        match query.after.as_deref() {
            None | Some("") => 0,
            Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                ApiError::bad_request("after moet een eventnummer zijn (0 of meer).")
            })?,
        };
    let limit = match query.limit.as_deref() {
        None | Some("") => 100,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| ApiError::bad_request("limit moet een getal van 1 tot 500 zijn."))?,
    };
    let (oin, base_url) = (state.config.oin.clone(), state.config.base_url.clone());
    let (batch, last) = state
        .db(move |conn| {
            let rows = visibility::after(conn, partner.organisation_id, after, limit)?;
            let mut families: Vec<i64> = rows.iter().filter_map(|e| e.family_id).collect();
            families.sort_unstable();
            families.dedup();
            let cases = crate::domain::family::case_numbers(conn, &families)?;
            let mut batch = Vec::with_capacity(rows.len());
            for e in &rows {
                // A family no longer there: an empty case number.
                let case = e
                    .family_id
                    .map(|f| cases.get(&f).cloned().unwrap_or_default());
                batch.push(cloud::cloud_event(e, &oin, &base_url, case.as_deref()));
            }
            Ok((batch, rows.last().map_or(after, |e| e.id)))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/cloudevents-batch+json")
        .insert_header((
            header::LINK,
            format!(
                "<{}/api/v1/events?after={last}&limit={limit}>; rel=\"next\"",
                state.config.base_url.trim_end_matches('/')
            ),
        ))
        .body(Value::Array(batch).to_string()))
}

/// The number in an address's `{id}`; anything else is an id that does not exist (404).
pub fn path_id(path: web::Path<String>) -> Result<i64, ApiError> {
    path.into_inner()
        .parse::<i64>()
        .map_err(|_| ApiError::not_found())
}

/// `GET /api/v1/events/{id}`: one event of the feed (the `dataref` of the `nl.samenspel.*` events); 404
/// when the organisation may not see it.
pub async fn one_event(
    partner: Partner,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(path)?;
    let (oin, base_url) = (state.config.oin.clone(), state.config.base_url.clone());
    let event = state
        .db(move |conn| {
            let Some(e) = visibility::one(conn, partner.organisation_id, id)? else {
                return Err(super::AppError::NotFound);
            };
            Ok(cloud::render_event(conn, &e, &oin, &base_url)?)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/cloudevents+json")
        .body(event.to_string()))
}
