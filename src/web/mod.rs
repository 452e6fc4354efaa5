//! The web layer: routes, the request context every page shares, and the `app` factory.
//!
//! A request flows one way: middleware resolves the visitor (session, language, CSRF) → an extractor
//! hands the handler the signed-in user → policy check → domain call on the blocking pool → page.

pub mod access;
pub mod account;
pub mod actions;
pub mod admin;
pub mod aftercare;
pub mod api;
pub mod api_tokens;
pub mod assets;
pub mod auth;
pub mod board_requests;
pub mod chart;
pub mod complaints;
pub mod data_requests;
mod deadline;
pub mod documents;
pub mod error;
pub mod export_send;
pub mod exports;
pub mod factor_rules;
pub mod families;
pub mod forms;
pub mod health;
pub mod home;
pub mod involvement_requests;
pub mod involvements;
pub mod live;
pub mod login_link;
pub mod measures;
pub mod meetings;
pub mod members;
pub mod middleware;
pub mod monitor;
pub mod notify;
pub mod partnership_keys;
pub mod partnerships;
pub mod phase;
pub mod plan;
pub mod portal;
pub mod portal_complaints;
pub mod portal_involved;
pub mod portal_manage;
pub mod portal_room;
pub mod referrals;
mod routes;
pub mod safety;
pub mod second_step;
pub mod security;
pub mod sessions;
pub mod sign_on;
pub mod signin;
pub mod table_kinds;
pub mod tables;
pub mod top3;
pub mod upload;
pub mod views;

pub use routes::{ASKS, ROUTES};
pub mod webhooks;

use std::future::{Ready, ready};
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, FromRequest, HttpMessage, HttpRequest, web};

use crate::config::Config;
use crate::db::{DbConn, Pool};
use crate::domain::user::{Role, UserWithOrganisation};
use crate::i18n::{I18n, Locale};
use crate::mail::{Mail, Mailer};
pub use error::AppError;

/// Largest request body we read: forms with long texts fit, anything larger is refused before parsing.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub const SESSION_COOKIE: &str = "samenspel_session";
pub const CSRF_COOKIE: &str = "samenspel_csrf";
pub const LANG_COOKIE: &str = "samenspel_lang";

/// What every handler can reach: the pool, the settings and the mailer.
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub mailer: Mailer,
    /// The live meeting rooms of this instance.
    pub live: Arc<crate::live::Hub>,
    /// This instance's operations metrics (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// The time this application reads (the wall clock, unless a test moves it).
    pub clock: crate::time::Clock,
    /// How many passwords this instance has checked at login: what a test of throttling reads.
    pub password_checks: Arc<std::sync::atomic::AtomicU64>,
    /// Writes that arrive together share one transaction and one commit (`db::group`).
    pub writes: crate::db::group::GroupWriter,
}

impl AppState {
    /// Runs database work on the blocking pool; `pool.get()` blocks too, so it happens inside.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let clock = self.clock.clone();
        web::block(move || clock.run(|| f(&mut *pool.get()?))).await?
    }

    /// Runs a write in the next shared transaction (group commit); answers after its commit. For
    /// writes that do all their work in `f` and are often many at once (the chair's steps in a
    /// meeting): on SQLite writers take turns anyway, and on PostgreSQL each would otherwise hold the
    /// event chain's head, one after the other, from its append until its own commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        use crate::db::group::GroupError;
        self.writes.write(f).await.map_err(|e| match e {
            GroupError::Write(e) => e,
            GroupError::Commit(why) => AppError::Internal(anyhow::anyhow!("group commit: {why}")),
        })
    }

    /// After the commit of a change: its meeting events go to the live rooms of this instance now
    /// (other instances hear of them through the database).
    pub fn wake(&self, announced: crate::record::Announced) {
        if !announced.is_empty() {
            self.live.poke();
        }
    }

    /// Sends mail on the blocking pool. A failure is logged and reported, never shown with the address.
    pub async fn send_mail(&self, mail: Mail) -> Result<(), AppError> {
        let mailer = self.mailer.clone();
        let from = self.config.mail_from.clone();
        web::block(move || mailer.send(&from, &mail))
            .await?
            .map_err(|e| AppError::Internal(e.context("sending mail")))
    }

    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.config.base_url, path)
    }
}

/// The signed-in user of a request, as the session middleware found them.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub session_id: i64,
    pub account: UserWithOrganisation,
}

impl SignedIn {
    pub fn id(&self) -> i64 {
        self.account.user.id
    }
    pub fn role(&self) -> Role {
        self.account.user.role()
    }
    pub fn organisation_id(&self) -> Option<i64> {
        self.account.user.organisation_id
    }
}

/// Who is asking, resolved once per request by the session middleware.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub signed_in: Option<SignedIn>,
    pub locale: Locale,
    pub csrf_token: String,
}

impl Visitor {
    fn of(req: &HttpRequest) -> Visitor {
        req.extensions()
            .get::<Visitor>()
            .cloned()
            .unwrap_or_else(|| Visitor {
                signed_in: None,
                locale: Locale::default(),
                csrf_token: String::new(),
            })
    }
}

/// The context a page template needs: language, the signed-in user for the header, the CSRF token
/// for its forms, and where it is (for the language switch and the navigation).
#[derive(Clone, Debug)]
pub struct PageCtx {
    pub i18n: I18n,
    pub user: Option<SignedIn>,
    pub csrf: String,
    pub path: String,
}

impl PageCtx {
    pub fn from_request(req: &HttpRequest) -> PageCtx {
        let visitor = Visitor::of(req);
        PageCtx {
            i18n: I18n::new(visitor.locale),
            user: visitor.signed_in,
            csrf: visitor.csrf_token,
            path: req
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
        }
    }

    pub fn t(&self, key: &str) -> String {
        self.i18n.t(key)
    }

    /// Where the portal's quick exit goes (`QUICK_EXIT_TO`).
    pub fn quick_exit_to(&self) -> &'static str {
        QUICK_EXIT_TO
    }

    /// Whether the visitor is a family member (the portal's layout, with the quick exit).
    pub fn is_family(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role() == crate::domain::user::Role::Family)
    }

    /// The text of a coded value: `t_of("plan.part", "goals")` is `t("plan.part.goals")`.
    pub fn t_of(&self, prefix: &str, code: &str) -> String {
        self.i18n.t(&format!("{prefix}.{code}"))
    }

    /// "23-11-2026 09:15" in Amsterdam time.
    pub fn datetime(&self, utc: impl Value<chrono::NaiveDateTime>) -> String {
        crate::time::date_time(utc.value())
    }

    /// "23-11-2026"
    pub fn date(&self, day: impl Value<chrono::NaiveDate>) -> String {
        day.value().format("%d-%m-%Y").to_string()
    }

    pub fn is_admin(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| matches!(u.role(), Role::OrgAdmin | Role::SystemAdmin))
    }

    /// The navigation entry for `prefix` is the current page.
    pub fn current(&self, prefix: &str) -> bool {
        if prefix == "/" {
            self.path == "/" || self.path.starts_with("/?")
        } else {
            self.path.starts_with(prefix)
        }
    }
}

impl FromRequest for PageCtx {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(PageCtx::from_request(req)))
    }
}

/// A value a template may hand over as itself or behind one or two references.
pub trait Value<T> {
    fn value(&self) -> T;
}
impl<T: Copy> Value<T> for T {
    fn value(&self) -> T {
        *self
    }
}
impl<T: Copy> Value<T> for &T {
    fn value(&self) -> T {
        **self
    }
}
impl<T: Copy> Value<T> for &&T {
    fn value(&self) -> T {
        ***self
    }
}

/// A handler that takes `CurrentUser` only runs for a signed-in user; others are sent to the login page.
pub struct CurrentUser(pub SignedIn);

fn login_required(req: &HttpRequest) -> AppError {
    let asked = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    // After logging in, a file (a PDF from a mail) would download behind the login form, which stays
    // on screen as if nothing happened: the page that offers it comes in between.
    let next = if req.method() == actix_web::http::Method::GET && is_download(&asked) {
        download_page(&asked)
    } else {
        asked
    };
    AppError::LoginRequired { next }
}

/// Whether `path` names a file to download (an export) rather than a page: its last part ends in
/// .pdf, .xlsx, .csv or .ics, or is `pdf` (the family's plans).
pub fn is_download(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let last = path.rsplit('/').next().unwrap_or_default();
    last == "pdf"
        || [".pdf", ".xlsx", ".csv", ".ics"]
            .iter()
            .any(|ext| last.ends_with(ext))
}

/// The page that offers the download at `path` after login (`auth::show_download`).
pub fn download_page(path: &str) -> String {
    format!(
        "/downloaden?bestand={}",
        url::form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
    )
}

/// Staff only: a family account gets 404 on every professional page (it has the portal).
impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Visitor::of(req).signed_in {
            Some(user) if user.role() == crate::domain::user::Role::Family => {
                Err(AppError::NotFound)
            }
            Some(user) => Ok(CurrentUser(user)),
            None => Err(login_required(req)),
        })
    }
}

/// Anyone signed in, staff or family: for logging out and for the start page, which sends a family
/// account on to the portal.
pub struct AnySignedIn(pub SignedIn);

impl FromRequest for AnySignedIn {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Visitor::of(req).signed_in {
            Some(user) => Ok(AnySignedIn(user)),
            None => Err(login_required(req)),
        })
    }
}

/// A family member signed in to the portal; staff get 404 on portal pages.
pub struct FamilyUser(pub SignedIn);

impl FromRequest for FamilyUser {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match Visitor::of(req).signed_in {
            Some(user) if user.role() == crate::domain::user::Role::Family => Ok(FamilyUser(user)),
            Some(_) => Err(AppError::NotFound),
            None => Err(login_required(req)),
        })
    }
}

/// Where the portal's quick exit goes: a neutral page that says nothing about help or the family.
pub const QUICK_EXIT_TO: &str = "https://www.google.nl/search?q=weer";

/// A local path to return to after a form or login: one `/` followed by anything but another `/` or a
/// backslash, with no control character (browsers drop a tab or newline, so `/<tab>/evil` would lead to
/// `//evil`), no backslash and no `://` anywhere. Anything else becomes `/`.
pub fn safe_return_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(p)
            if p.starts_with('/')
                && p.chars().nth(1).is_some_and(|c| c != '/' && c != '\\')
                && !p.chars().any(char::is_control)
                && !p.contains('\\')
                && !p.contains("://") =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Renders a page with a status.
pub fn html(
    status: actix_web::http::StatusCode,
    page: impl askama::Template,
) -> Result<actix_web::HttpResponse, AppError> {
    Ok(actix_web::HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(page.render()?))
}

/// Short messages shown on top of a page after a redirect; the query names one of these, nothing else.
pub fn notice_key(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "uitgelogd" => Some("notice.logged_out"),
        "wachtwoord-ingesteld" => Some("notice.password_set"),
        "wachtwoord-gewijzigd" => Some("notice.password_changed"),
        "uitnodiging-verstuurd" => Some("notice.invitation_sent"),
        "uitnodiging-ingetrokken" => Some("notice.invitation_withdrawn"),
        "actie-gedaan" => Some("notice.action_done"),
        "actie-vervallen" => Some("notice.action_cancelled"),
        "actie-overgedragen" => Some("notice.action_reassigned"),
        "regisseur-benoemd" => Some("notice.director_appointed"),
        "regisseur-blijft-uitgenodigd" => Some("notice.director_stays_invited"),
        "account-gewijzigd" => Some("notice.account_updated"),
        "account-gedeactiveerd" => Some("notice.account_deactivated"),
        "account-geactiveerd" => Some("notice.account_activated"),
        "organisatie-toegevoegd" => Some("notice.organisation_created"),
        "sessie-verlopen" => Some("notice.session_expired"),
        "inloggen-verlopen" => Some("notice.login_expired"),
        "tweede-factor-verwijderd" => Some("notice.second_factor_removed"),
        "tweede-factor-hersteld" => Some("notice.second_factor_reset"),
        "geen-tweede-factor" => Some("notice.no_second_factor"),
        "sessies-beeindigd" => Some("notice.sessions_ended"),
        "regel-opgeslagen" => Some("notice.rule_saved"),
        "agenda-ingetrokken" => Some("calendar.revoked"),
        _ => None,
    }
}

#[derive(askama::Template)]
#[template(path = "auth/away.html")]
struct AwayPage {
    ctx: PageCtx,
    url: String,
    title_key: &'static str,
}

/// A page that sends the browser on to another site (an identity provider) at once and offers the
/// link: the answer to a form may not redirect to another site, as the CSP's `form-action` names this
/// site only.
pub fn away_to(
    ctx: PageCtx,
    url: &str,
    title_key: &'static str,
) -> Result<actix_web::HttpResponse, AppError> {
    html(
        actix_web::http::StatusCode::OK,
        AwayPage {
            ctx,
            url: url.to_string(),
            title_key,
        },
    )
}

/// Where to sign out at the identity provider too: its end-session endpoint when the session began at
/// a provider that offers one (RP-initiated logout; it sends the browser back to the login page).
/// Asked before the session ends.
pub async fn provider_sign_out(
    state: &AppState,
    session_id: i64,
) -> Result<Option<String>, AppError> {
    const LOGGED_OUT: &str = "/inloggen?melding=uitgelogd";
    let config = state.config.clone();
    let found = state
        .db(move |conn| {
            Ok(crate::auth::oidc::session_provider(
                conn, &config, session_id,
            )?)
        })
        .await?;
    let Some((provider, id_token)) = found else {
        return Ok(None);
    };
    let after = state.link(LOGGED_OUT);
    Ok(crate::auth::oidc::logout_url(&provider, &id_token, &after).await)
}

pub fn see_other(location: &str) -> actix_web::HttpResponse {
    actix_web::HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.to_string()))
        .finish()
}

/// The application with all routes and middleware; used by `main` and by the tests.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .app_data(forms::form_config())
        .app_data(forms::query_config())
        .app_data(forms::path_config())
        .app_data(web::PayloadConfig::new(BODY_LIMIT))
        .configure(api::configure)
        .configure(routes::routes)
        .default_service(web::to(not_found))
        .wrap(actix_web::middleware::from_fn(middleware::session))
        .wrap(actix_web::middleware::from_fn(deadline::body_deadline))
        .wrap(actix_web::middleware::from_fn(middleware::error_pages))
        .wrap(actix_web::middleware::from_fn(middleware::security_headers))
        .wrap(actix_web::middleware::from_fn(middleware::request_log))
        .wrap(actix_web::middleware::from_fn(middleware::metrics))
}

async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(safe_return_path(Some("/account?x=1")), "/account?x=1");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "account",
            "/\\evil",
            "/x?u=http://e",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/x\r\nSet-Cookie: a=b",
            "/\u{7f}x",
            "/\u{85}x",
            "",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
