//! The web layer: routes, the request context every page shares, and the `app` factory.
//!
//! A request flows one way: middleware resolves the visitor (session, language, CSRF) → an extractor
//! hands the handler the signed-in user → policy check → domain call on the blocking pool → page.

pub mod account;
pub mod actions;
pub mod admin;
pub mod api;
pub mod api_tokens;
pub mod assets;
pub mod auth;
pub mod chart;
pub mod error;
pub mod exports;
pub mod families;
pub mod forms;
pub mod health;
pub mod home;
pub mod inzage;
pub mod live;
pub mod login_link;
pub mod meetings;
pub mod middleware;
pub mod plan;
pub mod portal;
pub mod safety;
pub mod tables;
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
}

impl AppState {
    /// Runs database work on the blocking pool; `pool.get()` blocks too, so it happens inside.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let live = self.live.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            let result = f(&mut conn);
            // After the commit: wake the live dispatcher if meeting events were written.
            if crate::live::take_appended() {
                live.poke();
            }
            result
        })
        .await?
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

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(health::alive))
        .route("/readyz", web::get().to(health::ready))
        .route("/static/{path:.*}", web::get().to(assets::serve))
        .route("/", web::get().to(home::show_home))
        .route("/inloggen", web::get().to(auth::show_login))
        .route("/inloggen", web::post().to(auth::login))
        .route("/inloggen/link", web::get().to(login_link::show_request))
        .route("/inloggen/link", web::post().to(login_link::request_link))
        .route(
            "/inloggen/link/{token}",
            web::get().to(login_link::show_use),
        )
        .route(
            "/inloggen/link/{token}",
            web::post().to(login_link::use_link),
        )
        .route("/uitloggen", web::post().to(auth::logout))
        .route(
            "/wachtwoord-vergeten",
            web::get().to(auth::show_forgot_password),
        )
        .route(
            "/wachtwoord-vergeten",
            web::post().to(auth::request_password_reset),
        )
        .route(
            "/wachtwoord-instellen/{token}",
            web::get().to(auth::show_set_password),
        )
        .route(
            "/wachtwoord-instellen/{token}",
            web::post().to(auth::set_password),
        )
        .route("/taal", web::post().to(account::choose_language))
        .route("/account", web::get().to(account::show_account))
        .route(
            "/account/agenda",
            web::post().to(account::create_calendar_feed),
        )
        .route(
            "/account/agenda/intrekken",
            web::post().to(account::revoke_calendar_feed),
        )
        .route(
            "/account/wachtwoord",
            web::post().to(account::change_password),
        )
        .route(
            "/beheer/api-sleutels",
            web::get().to(api_tokens::show_tokens),
        )
        .route(
            "/beheer/api-sleutels",
            web::post().to(api_tokens::create_token),
        )
        .route(
            "/beheer/api-sleutels/{id}/intrekken",
            web::post().to(api_tokens::revoke_token),
        )
        .route("/beheer/webhooks", web::get().to(webhooks::show_webhooks))
        .route("/beheer/webhooks", web::post().to(webhooks::create_webhook))
        .route(
            "/beheer/webhooks/{id}",
            web::get().to(webhooks::show_webhook),
        )
        .route(
            "/beheer/webhooks/{id}/intrekken",
            web::post().to(webhooks::revoke_webhook),
        )
        .route(
            "/beheer/webhooks/{id}/afleveringen/{delivery}/opnieuw",
            web::post().to(webhooks::replay_delivery),
        )
        .route("/beheer/gebruikers", web::get().to(admin::list_users))
        .route(
            "/beheer/gebruikers/uitnodigen",
            web::get().to(admin::show_invite),
        )
        .route(
            "/beheer/gebruikers/uitnodigen",
            web::post().to(admin::invite_user),
        )
        .route(
            "/beheer/gebruikers/{id}/opnieuw-uitnodigen",
            web::post().to(admin::reinvite_user),
        )
        .route("/gezinnen", web::get().to(families::list_families))
        .route("/gezinnen", web::post().to(families::create_family))
        .route("/gezinnen/nieuw", web::get().to(families::show_new_family))
        .route("/gezinnen/{id}", web::get().to(families::show_family))
        .route(
            "/gezinnen/{id}/bewerken",
            web::get().to(families::show_edit_family),
        )
        .route(
            "/gezinnen/{id}/bewerken",
            web::post().to(families::update_family),
        )
        .route(
            "/gezinnen/{id}/sluiten",
            web::post().to(families::close_family),
        )
        .route(
            "/gezinnen/{id}/heropenen",
            web::post().to(families::reopen_family),
        )
        .route(
            "/gezinnen/{id}/gezinsleden/nieuw",
            web::get().to(families::show_new_person),
        )
        .route(
            "/gezinnen/{id}/gezinsleden",
            web::post().to(families::add_person),
        )
        .route(
            "/gezinnen/{id}/gezinsleden/{person}/bewerken",
            web::get().to(families::show_edit_person),
        )
        .route(
            "/gezinnen/{id}/gezinsleden/{person}/bewerken",
            web::post().to(families::update_person),
        )
        .route(
            "/gezinnen/{id}/betrokkenen/nieuw",
            web::get().to(families::show_new_involvement),
        )
        .route(
            "/gezinnen/{id}/betrokkenen",
            web::post().to(families::add_involvement),
        )
        .route(
            "/gezinnen/{id}/betrokkenen/{involvement}/beeindigen",
            web::post().to(families::end_involvement),
        )
        .route(
            "/gezinnen/{id}/regie",
            web::get().to(families::show_director_form),
        )
        .route(
            "/gezinnen/{id}/regie",
            web::post().to(families::appoint_director),
        )
        .route(
            "/gezinnen/{id}/opmerkingen",
            web::post().to(families::add_comment),
        )
        .route(
            "/gezinnen/{id}/inzagelog",
            web::get().to(families::show_access_log),
        )
        .route(
            "/gezinnen/{id}/plan/bewerken",
            web::get().to(plan::show_edit_plan),
        )
        .route("/gezinnen/{id}/plan", web::post().to(plan::save_plan))
        .route(
            "/gezinnen/{id}/plan/versies",
            web::get().to(plan::list_plan_versions),
        )
        .route(
            "/gezinnen/{id}/plan/versies/{version}",
            web::get().to(plan::show_plan_version),
        )
        .route("/gezinnen/{id}/fase", web::get().to(safety::show_phase))
        .route("/gezinnen/{id}/fase", web::post().to(safety::change_phase))
        .route(
            "/gezinnen/{id}/veiligheidsschaal",
            web::get().to(safety::show_scale),
        )
        .route(
            "/gezinnen/{id}/veiligheidsschaal",
            web::post().to(safety::record_score),
        )
        .route(
            "/gezinnen/{id}/plannen/{plan}",
            web::get().to(safety::show_plan),
        )
        .route(
            "/gezinnen/{id}/plannen/{plan}",
            web::post().to(safety::save_plan),
        )
        .route(
            "/gezinnen/{id}/plannen/{plan}/bewerken",
            web::get().to(safety::show_edit_plan),
        )
        .route(
            "/gezinnen/{id}/plannen/{plan}/versies/{version}",
            web::get().to(safety::show_plan_version),
        )
        .route(
            "/gezinnen/{id}/plan/pdf",
            web::get().to(exports::family_plan_pdf),
        )
        .route(
            "/gezinnen/{id}/plannen/{plan}/pdf",
            web::get().to(exports::phase_plan_pdf),
        )
        .route(
            "/bijeenkomsten/{id}/besluitenlijst.pdf",
            web::get().to(exports::besluitenlijst),
        )
        .route(
            "/bijeenkomsten/{id}/versturen",
            web::post().to(exports::send_besluitenlijst),
        )
        .route(
            "/bijeenkomsten/{id}/agenda.ics",
            web::get().to(exports::meeting_ics),
        )
        .route(
            "/bijeenkomsten/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
            web::get().to(exports::meeting_actielijst),
        )
        .route(
            "/overleggen/{id}/{file:actielijst\\.(pdf|xlsx|csv)}",
            web::get().to(exports::table_actielijst),
        )
        .route("/agenda/{file}", web::get().to(exports::calendar_feed))
        .route(
            "/controle/{meeting}/{hash}",
            web::get().to(exports::check_reference),
        )
        .route("/portaal", web::get().to(portal::show_portal))
        .route("/portaal/inzage", web::get().to(portal::show_access_log))
        .route(
            "/portaal/veiligheidsschaal",
            web::post().to(portal::record_score),
        )
        .route(
            "/portaal/correctie",
            web::post().to(portal::request_correction),
        )
        .route(
            "/portaal/herstelplan/toestemming",
            web::post().to(portal::set_consent),
        )
        .route(
            "/portaal/punten/{item}/inbreng",
            web::get().to(portal::show_view_form),
        )
        .route(
            "/portaal/punten/{item}/inbreng",
            web::post().to(portal::save_view),
        )
        .route("/gezinnen/{id}/portaal", web::get().to(portal::show_manage))
        .route(
            "/gezinnen/{id}/portaal/uitnodigen",
            web::post().to(portal::invite_member),
        )
        .route(
            "/gezinnen/{id}/portaal/toegang/{account}/{what}",
            web::post().to(portal::manage_account),
        )
        .route(
            "/gezinnen/{id}/portaal/achterhouden",
            web::post().to(portal::set_withheld),
        )
        .route(
            "/gezinnen/{id}/portaal/namen",
            web::post().to(portal::set_names),
        )
        .route(
            "/gezinnen/{id}/portaal/correcties/{request}",
            web::post().to(portal::answer_correction),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/notulen-delen",
            web::post().to(portal::share_minutes),
        )
        .route("/overleggen", web::get().to(tables::list_tables))
        .route("/overleggen", web::post().to(tables::create_table))
        .route("/overleggen/nieuw", web::get().to(tables::show_new_table))
        .route("/overleggen/{id}", web::get().to(tables::show_table))
        .route(
            "/overleggen/{id}/bewerken",
            web::get().to(tables::show_edit_table),
        )
        .route(
            "/overleggen/{id}/bewerken",
            web::post().to(tables::update_table),
        )
        .route("/overleggen/{id}/leden", web::post().to(tables::add_member))
        .route(
            "/overleggen/{id}/leden/{member}/verwijderen",
            web::post().to(tables::remove_member),
        )
        .route(
            "/overleggen/{id}/bijeenkomsten/nieuw",
            web::get().to(tables::show_new_meeting),
        )
        .route(
            "/overleggen/{id}/bijeenkomsten",
            web::post().to(tables::create_meeting),
        )
        .route("/beheer/overlegsoorten", web::get().to(tables::list_kinds))
        .route(
            "/beheer/overlegsoorten/{id}",
            web::post().to(tables::save_kind),
        )
        .route(
            "/gezinnen/{id}/aanmelden",
            web::get().to(tables::choose_table),
        )
        .route(
            "/gezinnen/{id}/aanmelden/{table}",
            web::get().to(tables::show_referral_form),
        )
        .route(
            "/gezinnen/{id}/aanmelden/{table}",
            web::post().to(tables::create_referral),
        )
        .route("/aanmeldingen/{id}", web::get().to(tables::show_referral))
        .route(
            "/aanmeldingen/{id}/antwoord",
            web::post().to(tables::answer_referral),
        )
        .route("/bijeenkomsten/{id}", web::get().to(meetings::show_meeting))
        .route(
            "/bijeenkomsten/{id}/punten",
            web::post().to(meetings::add_topic),
        )
        .route(
            "/bijeenkomsten/{id}/aanmeldingen/{referral}",
            web::post().to(meetings::schedule_referral),
        )
        .route(
            "/bijeenkomsten/{id}/publiceren",
            web::post().to(meetings::publish_agenda),
        )
        .route(
            "/bijeenkomsten/{id}/starten",
            web::post().to(meetings::start_meeting),
        )
        .route(
            "/bijeenkomsten/{id}/sluiten",
            web::post().to(meetings::close_meeting),
        )
        .route(
            "/bijeenkomsten/{id}/aanwezigheid",
            web::post().to(meetings::set_attendance),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}",
            web::get().to(meetings::show_item),
        )
        .route("/bijeenkomsten/{id}/live", web::get().to(live::connect))
        .route(
            "/bijeenkomsten/{id}/{direction}",
            web::post().to(meetings::step),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/verplaatsen/{direction}",
            web::post().to(meetings::move_item),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/tijd",
            web::post().to(meetings::set_time_box),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/huidig",
            web::post().to(meetings::make_current),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/sluiten",
            web::post().to(meetings::close_item),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/notulen",
            web::post().to(meetings::save_minutes),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/besluiten",
            web::post().to(meetings::record_decision),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/acties",
            web::post().to(meetings::add_action),
        )
        .route(
            "/bijeenkomsten/{id}/punten/{item}/uitnodigen",
            web::post().to(meetings::invite_for_item),
        )
        .route("/acties/{id}", web::get().to(actions::show_action))
        .route(
            "/acties/{id}/afronden",
            web::post().to(actions::finish_action),
        )
        .route(
            "/beheer/organisaties",
            web::get().to(admin::list_organisations),
        )
        .route(
            "/beheer/organisaties",
            web::post().to(admin::create_organisation),
        );
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
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
