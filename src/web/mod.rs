//! The web layer: routes, the request context every page shares, and the `app` factory.
//!
//! A request flows one way: middleware resolves the visitor (session, language, CSRF) → an extractor
//! hands the handler the signed-in user → policy check → domain call on the blocking pool → page.

pub mod access;
pub mod account;
pub mod actions;
pub mod admin;
pub mod api;
pub mod api_tokens;
pub mod assets;
pub mod auth;
pub mod chart;
pub mod error;
pub mod export_send;
pub mod exports;
pub mod families;
pub mod forms;
pub mod health;
pub mod home;
pub mod involvements;
pub mod live;
pub mod login_link;
pub mod meetings;
pub mod members;
pub mod middleware;
pub mod notify;
pub mod phase;
pub mod plan;
pub mod portal;
pub mod portal_manage;
pub mod referrals;
pub mod safety;
pub mod table_kinds;
pub mod tables;
pub mod views;
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
    /// Requests per API token in the current minute (per instance).
    pub api_limits: Arc<api::RateLimits>,
    /// The time this application reads (the wall clock, unless a test moves it).
    pub clock: crate::time::Clock,
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
    AppError::LoginRequired {
        next: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
    }
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

/// A local path to return to after a form; anything else (another host, `//evil`) becomes `/`.
pub fn safe_return_path(candidate: Option<&str>) -> String {
    match candidate {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
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
        "account-gewijzigd" => Some("notice.account_updated"),
        "account-gedeactiveerd" => Some("notice.account_deactivated"),
        "account-geactiveerd" => Some("notice.account_activated"),
        "organisatie-toegevoegd" => Some("notice.organisation_created"),
        "sessie-verlopen" => Some("notice.session_expired"),
        "agenda-ingetrokken" => Some("calendar.revoked"),
        _ => None,
    }
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
        .app_data(web::PayloadConfig::new(BODY_LIMIT))
        .configure(api::configure)
        .configure(routes)
        .default_service(web::to(not_found))
        .wrap(actix_web::middleware::from_fn(middleware::session))
        .wrap(actix_web::middleware::from_fn(middleware::error_pages))
        .wrap(actix_web::middleware::from_fn(middleware::security_headers))
        .wrap(actix_web::middleware::from_fn(middleware::request_log))
}

macro_rules! page_routes {
    ($(($method:ident, $path:literal, $handler:path)),+ $(,)?) => {
        /// Every route outside /api as (method, path), exactly as registered by `routes`: the
        /// authorization matrix and the bad-input test take their list from here.
        pub const ROUTES: &[(&str, &str)] = &[$((stringify!($method), $path)),+];

        fn routes(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, page_routes!(@method $method).to($handler));)+
        }
    };
    (@method GET) => { web::get() };
    (@method POST) => { web::post() };
}

page_routes![
    (GET, "/healthz", health::alive),
    (GET, "/readyz", health::ready),
    (GET, "/static/{path:.*}", assets::serve),
    (GET, "/", home::show_home),
    (GET, "/inloggen", auth::show_login),
    (POST, "/inloggen", auth::login),
    (GET, "/inloggen/link", login_link::show_request),
    (POST, "/inloggen/link", login_link::request_link),
    (GET, "/inloggen/link/{token}", login_link::show_use),
    (POST, "/inloggen/link/{token}", login_link::use_link),
    (POST, "/uitloggen", auth::logout),
    (GET, "/wachtwoord-vergeten", auth::show_forgot_password),
    (POST, "/wachtwoord-vergeten", auth::request_password_reset),
    (
        GET,
        "/wachtwoord-instellen/{token}",
        auth::show_set_password
    ),
    (POST, "/wachtwoord-instellen/{token}", auth::set_password),
    (POST, "/taal", account::choose_language),
    (GET, "/account", account::show_account),
    (POST, "/account/agenda", account::create_calendar_feed),
    (
        POST,
        "/account/agenda/intrekken",
        account::revoke_calendar_feed
    ),
    (POST, "/account/wachtwoord", account::change_password),
    (GET, "/beheer/api-sleutels", api_tokens::show_tokens),
    (POST, "/beheer/api-sleutels", api_tokens::create_token),
    (
        POST,
        "/beheer/api-sleutels/{id}/intrekken",
        api_tokens::revoke_token
    ),
    (GET, "/beheer/webhooks", webhooks::show_webhooks),
    (POST, "/beheer/webhooks", webhooks::create_webhook),
    (GET, "/beheer/webhooks/{id}", webhooks::show_webhook),
    (
        POST,
        "/beheer/webhooks/{id}/intrekken",
        webhooks::revoke_webhook
    ),
    (
        POST,
        "/beheer/webhooks/{id}/afleveringen/{delivery}/opnieuw",
        webhooks::replay_delivery
    ),
    (GET, "/beheer/gebruikers", admin::list_users),
    (GET, "/beheer/gebruikers/uitnodigen", admin::show_invite),
    (POST, "/beheer/gebruikers/uitnodigen", admin::invite_user),
    (
        POST,
        "/beheer/gebruikers/{id}/opnieuw-uitnodigen",
        admin::reinvite_user
    ),
    (
        GET,
        "/beheer/gebruikers/{id}/bewerken",
        admin::show_edit_user
    ),
    (POST, "/beheer/gebruikers/{id}/bewerken", admin::update_user),
    (
        POST,
        "/beheer/gebruikers/{id}/deactiveren",
        admin::deactivate_user
    ),
    (
        POST,
        "/beheer/gebruikers/{id}/activeren",
        admin::activate_user
    ),
    (GET, "/gezinnen", families::list_families),
    (POST, "/gezinnen", families::create_family),
    (GET, "/gezinnen/nieuw", families::show_new_family),
    (GET, "/gezinnen/{id}", families::show_family),
    (GET, "/gezinnen/{id}/bewerken", families::show_edit_family),
    (POST, "/gezinnen/{id}/bewerken", families::update_family),
    (POST, "/gezinnen/{id}/sluiten", families::close_family),
    (POST, "/gezinnen/{id}/heropenen", families::reopen_family),
    (
        GET,
        "/gezinnen/{id}/gezinsleden/nieuw",
        members::show_new_person
    ),
    (POST, "/gezinnen/{id}/gezinsleden", members::add_person),
    (
        GET,
        "/gezinnen/{id}/gezinsleden/{person}/bewerken",
        members::show_edit_person
    ),
    (
        POST,
        "/gezinnen/{id}/gezinsleden/{person}/bewerken",
        members::update_person
    ),
    (
        GET,
        "/gezinnen/{id}/betrokkenen/nieuw",
        involvements::show_new_involvement
    ),
    (
        POST,
        "/gezinnen/{id}/betrokkenen",
        involvements::add_involvement
    ),
    (
        POST,
        "/gezinnen/{id}/betrokkenen/{involvement}/beeindigen",
        involvements::end_involvement
    ),
    (
        GET,
        "/gezinnen/{id}/regie",
        involvements::show_director_form
    ),
    (POST, "/gezinnen/{id}/regie", involvements::appoint_director),
    (POST, "/gezinnen/{id}/opmerkingen", families::add_comment),
    (GET, "/gezinnen/{id}/inzagelog", families::show_access_log),
    (GET, "/gezinnen/{id}/plan/bewerken", plan::show_edit_plan),
    (POST, "/gezinnen/{id}/plan", plan::save_plan),
    (GET, "/gezinnen/{id}/plan/versies", plan::list_plan_versions),
    (
        GET,
        "/gezinnen/{id}/plan/versies/{version}",
        plan::show_plan_version
    ),
    (GET, "/gezinnen/{id}/fase", phase::show_phase),
    (POST, "/gezinnen/{id}/fase", phase::change_phase),
    (GET, "/gezinnen/{id}/veiligheidsschaal", phase::show_scale),
    (
        POST,
        "/gezinnen/{id}/veiligheidsschaal",
        phase::record_score
    ),
    (GET, "/gezinnen/{id}/plannen/{plan}", safety::show_plan),
    (POST, "/gezinnen/{id}/plannen/{plan}", safety::save_plan),
    (
        GET,
        "/gezinnen/{id}/plannen/{plan}/bewerken",
        safety::show_edit_plan
    ),
    (
        GET,
        "/gezinnen/{id}/plannen/{plan}/versies/{version}",
        safety::show_plan_version
    ),
    (GET, "/gezinnen/{id}/plan/pdf", exports::family_plan_pdf),
    (
        GET,
        "/gezinnen/{id}/plannen/{plan}/pdf",
        exports::phase_plan_pdf
    ),
    (
        GET,
        "/bijeenkomsten/{id}/besluitenlijst.pdf",
        exports::besluitenlijst
    ),
    (
        POST,
        "/bijeenkomsten/{id}/versturen",
        export_send::send_besluitenlijst
    ),
    (
        GET,
        "/bijeenkomsten/{id}/agenda.ics",
        export_send::meeting_ics
    ),
    (
        GET,
        "/bijeenkomsten/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
        exports::meeting_actielijst
    ),
    (
        GET,
        "/overleggen/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
        exports::table_actielijst
    ),
    (GET, "/agenda/{file}", export_send::calendar_feed),
    (GET, "/controle/{meeting}/{hash}", exports::check_reference),
    (GET, "/portaal", portal::show_portal),
    (GET, "/portaal/inzage", portal::show_access_log),
    (POST, "/portaal/veiligheidsschaal", portal::record_score),
    (POST, "/portaal/correctie", portal::request_correction),
    (
        POST,
        "/portaal/herstelplan/toestemming",
        portal::set_consent
    ),
    (
        GET,
        "/portaal/punten/{item}/inbreng",
        portal::show_view_form
    ),
    (POST, "/portaal/punten/{item}/inbreng", portal::save_view),
    (GET, "/gezinnen/{id}/portaal", portal_manage::show_manage),
    (
        POST,
        "/gezinnen/{id}/portaal/uitnodigen",
        portal_manage::invite_member
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/toegang/{account}/{what}",
        portal_manage::manage_account
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/achterhouden",
        portal_manage::set_withheld
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/namen",
        portal_manage::set_names
    ),
    (
        POST,
        "/gezinnen/{id}/portaal/correcties/{request}",
        portal_manage::answer_correction
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/notulen-delen",
        portal_manage::share_minutes
    ),
    (GET, "/overleggen", tables::list_tables),
    (POST, "/overleggen", tables::create_table),
    (GET, "/overleggen/nieuw", tables::show_new_table),
    (GET, "/overleggen/{id}", tables::show_table),
    (GET, "/overleggen/{id}/bewerken", tables::show_edit_table),
    (POST, "/overleggen/{id}/bewerken", tables::update_table),
    (POST, "/overleggen/{id}/leden", tables::add_member),
    (
        POST,
        "/overleggen/{id}/leden/{member}/verwijderen",
        tables::remove_member
    ),
    (
        GET,
        "/overleggen/{id}/bijeenkomsten/nieuw",
        meetings::planning::show_new_meeting
    ),
    (
        POST,
        "/overleggen/{id}/bijeenkomsten",
        meetings::planning::create_meeting
    ),
    (GET, "/beheer/overlegsoorten", table_kinds::list_kinds),
    (POST, "/beheer/overlegsoorten/{id}", table_kinds::save_kind),
    (GET, "/gezinnen/{id}/aanmelden", referrals::choose_table),
    (
        GET,
        "/gezinnen/{id}/aanmelden/{table}",
        referrals::show_referral_form
    ),
    (
        POST,
        "/gezinnen/{id}/aanmelden/{table}",
        referrals::create_referral
    ),
    (GET, "/aanmeldingen/{id}", referrals::show_referral),
    (
        POST,
        "/aanmeldingen/{id}/antwoord",
        referrals::answer_referral
    ),
    (GET, "/bijeenkomsten/{id}", meetings::show_meeting),
    (
        POST,
        "/bijeenkomsten/{id}/punten",
        meetings::agenda::add_topic
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanmeldingen/{referral}",
        meetings::agenda::schedule_referral
    ),
    (
        POST,
        "/bijeenkomsten/{id}/publiceren",
        meetings::agenda::publish_agenda
    ),
    (
        POST,
        "/bijeenkomsten/{id}/starten",
        meetings::run::start_meeting
    ),
    (
        POST,
        "/bijeenkomsten/{id}/sluiten",
        meetings::run::close_meeting
    ),
    (
        POST,
        "/bijeenkomsten/{id}/aanwezigheid",
        meetings::run::set_attendance
    ),
    (
        GET,
        "/bijeenkomsten/{id}/punten/{item}",
        meetings::item::show_item
    ),
    (GET, "/bijeenkomsten/{id}/live", live::connect),
    (POST, "/bijeenkomsten/{id}/{direction}", meetings::run::step),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/verplaatsen/{direction}",
        meetings::agenda::move_item
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/tijd",
        meetings::agenda::set_time_box
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/huidig",
        meetings::run::make_current
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/sluiten",
        meetings::run::close_item
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/notulen",
        meetings::item::save_minutes
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/besluiten",
        meetings::decisions::record_decision
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/acties",
        meetings::decisions::add_action
    ),
    (
        POST,
        "/bijeenkomsten/{id}/punten/{item}/uitnodigen",
        meetings::agenda::invite_for_item
    ),
    (GET, "/acties/{id}", actions::show_action),
    (POST, "/acties/{id}/afronden", actions::finish_action),
    (GET, "/beheer/organisaties", admin::list_organisations),
    (POST, "/beheer/organisaties", admin::create_organisation),
];

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
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
