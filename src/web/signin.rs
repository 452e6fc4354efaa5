//! Finishing a login, for every way in (password, the second step, single sign-on): a session only when
//! the second factor is satisfied or not needed, else a pending login and its next step. And the
//! confirmation of password and code that sensitive actions ask for when the last one is too long ago.
//! No routes: the handlers of those ways share it from here.

use actix_web::cookie::SameSite;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::forms::FieldErrors;
use super::middleware::cookie;
use super::{AppError, AppState, PageCtx, SESSION_COOKIE, SignedIn, html, see_other};
use crate::auth::challenge::{self, Step};
use crate::auth::{second_factor, session};
use crate::db;
use crate::domain::user::{Role, User};

/// The cookie of a pending login (between a right password and the second step).
pub const CHALLENGE_COOKIE: &str = "samenspel_login";

/// Where a pending login is answered with a code, and where a second factor is set up during login.
pub const SECOND_STEP: &str = "/inloggen/tweede-stap";
pub const ENROL_STEP: &str = "/inloggen/tweede-factor";

/// The address login attempts are counted against.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    let info = req.connection_info();
    let address = if state.config.trust_proxy {
        info.realip_remote_addr().map(str::to_string)
    } else {
        req.peer_addr().map(|a| a.ip().to_string())
    };
    address.unwrap_or_else(|| "unknown".into())
}

/// What comes after the first step of a login.
enum Next {
    Session,
    Challenge(Step),
}

/// Finishes a login of `user` whose first step succeeded (a right password, or an identity provider's
/// answer). `second_factor_satisfied`: the second factor is proven already (for single sign-on: the
/// provider asserted multi-factor authentication in `amr`/`acr`); when false, a user with a second
/// factor answers a code first, and one whose organisation or partnership requires one without having
/// it sets one up first, each on a pending login (cookie `CHALLENGE_COOKIE`) — no session before that.
/// When no second step is needed, the session counts as freshly confirmed for sensitive actions unless
/// the factor came from elsewhere (`second_factor_satisfied`). Returns the redirect to `next` (a local
/// path, checked by the caller) with the session cookie, or to the second step.
pub async fn finish_login(
    state: &AppState,
    req: &HttpRequest,
    user: User,
    second_factor_satisfied: bool,
    next: &str,
) -> Result<HttpResponse, AppError> {
    let required_by_default = state.config.second_factor_required;
    let (user_id, return_to) = (user.id, next.to_string());
    let staff = user.role() != Role::Family;
    let started = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let then = if second_factor_satisfied || !staff {
                    Next::Session
                } else if second_factor::active(conn, user_id)?.is_some() {
                    Next::Challenge(Step::Code)
                } else if second_factor::required_for(conn, &user, required_by_default)? {
                    Next::Challenge(Step::Enrol)
                } else {
                    Next::Session
                };
                Ok::<_, AppError>(match then {
                    Next::Session => None,
                    Next::Challenge(step) => {
                        Some((step, challenge::create(conn, user_id, step, &return_to)?))
                    }
                })
            })
        })
        .await?;
    match started {
        None => {
            let confirmed = !second_factor_satisfied;
            let session_cookie = open_session(state, req, user_id, confirmed).await?;
            with_session(see_other(next), state, session_cookie)
        }
        Some((step, token)) => {
            let mut res = see_other(match step {
                Step::Code => SECOND_STEP,
                Step::Enrol => ENROL_STEP,
            });
            res.add_cookie(&cookie(
                CHALLENGE_COOKIE,
                token,
                state.config.secure_cookies,
                SameSite::Strict,
            ))
            .map_err(|e| AppError::Internal(e.into()))?;
            Ok(res)
        }
    }
}

/// Starts a session for `user_id` in this browser (its earlier session, if any, ends: a token planted
/// before login is worth nothing after it) and returns the token for the session cookie.
pub async fn open_session(
    state: &AppState,
    req: &HttpRequest,
    user_id: i64,
    confirmed: bool,
) -> Result<String, AppError> {
    let previous = PageCtx::from_request(req).user.map(|u| u.session_id);
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let staff_max = state.config.session_max;
    let family_max = staff_max.min(session::FAMILY_MAX);
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                if let Some(old) = previous {
                    session::delete(conn, old)?;
                }
                let family = crate::domain::user::find(conn, user_id)?
                    .is_some_and(|u| u.role() == Role::Family);
                let how = session::Start {
                    confirmed,
                    user_agent: user_agent.as_deref(),
                };
                let max = if family { family_max } else { staff_max };
                Ok(session::start(conn, user_id, max, how)?)
            })
        })
        .await
}

/// Adds the session cookie to an answer, and removes the pending login's cookie.
pub fn with_session(
    mut res: HttpResponse,
    state: &AppState,
    token: String,
) -> Result<HttpResponse, AppError> {
    let secure = state.config.secure_cookies;
    let mut removal = cookie(CHALLENGE_COOKIE, String::new(), secure, SameSite::Strict);
    removal.make_removal();
    for c in [
        cookie(SESSION_COOKIE, token, secure, SameSite::Lax),
        removal,
    ] {
        res.add_cookie(&c)
            .map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(res)
}

/// The page that asks for password and code before a sensitive action, and goes on to it afterwards:
/// to `return_to` by GET, or for a form (`method` "post") by sending the fields it carries again.
#[derive(Template)]
#[template(path = "account/confirm.html")]
pub struct ConfirmPage {
    pub ctx: PageCtx,
    pub return_to: String,
    pub method: String,
    /// The fields of the form that asked, sent on after the confirmation.
    pub carried: Vec<(String, String)>,
    /// Whether to ask for a code (the user has a second factor).
    pub asks_code: bool,
    pub errors: FieldErrors,
    /// A message about the whole form (throttled), already translated.
    pub problem: Option<String>,
}

/// Whether the session's user confirmed password and code within the last minutes
/// (`session::confirmation_lasts`).
pub async fn confirmed_recently(state: &AppState, user: &SignedIn) -> Result<bool, AppError> {
    let session_id = user.session_id;
    state
        .db(move |conn| Ok(session::recently_confirmed(conn, session_id)?))
        .await
}

/// None when the session's confirmation is recent; otherwise the answer that asks for it first and
/// then goes on: for a GET (`carried` None) a redirect to the confirm page that returns to
/// `return_to`; for a form the confirm page itself, carrying the form's fields to send them again.
pub async fn confirm_first(
    state: &AppState,
    ctx: &PageCtx,
    user: &SignedIn,
    return_to: &str,
    carried: Option<Vec<(String, String)>>,
) -> Result<Option<HttpResponse>, AppError> {
    if confirmed_recently(state, user).await? {
        return Ok(None);
    }
    let Some(carried) = carried else {
        let to = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect::<String>();
        return Ok(Some(see_other(&format!("/account/bevestigen?terug={to}"))));
    };
    let user_id = user.id();
    let asks_code = state
        .db(move |conn| Ok(second_factor::active(conn, user_id)?.is_some()))
        .await?;
    let page = ConfirmPage {
        ctx: ctx.clone(),
        return_to: return_to.to_string(),
        method: "post".into(),
        carried,
        asks_code,
        errors: FieldErrors::default(),
        problem: None,
    };
    Ok(Some(html(StatusCode::OK, page)?))
}

/// Setting up a second factor: the QR code and the secret as text, and a field for the first code.
/// During login (`during_login`) it answers the pending login; from the account page, the session.
#[derive(Template)]
#[template(path = "account/enrol.html")]
pub struct EnrolPage {
    pub ctx: PageCtx,
    pub action: String,
    /// The secret in groups of four, for typing into the app.
    pub secret: String,
    /// The QR code of the `otpauth://` address, an SVG element drawn here.
    pub qr_svg: String,
    pub during_login: bool,
    pub errors: FieldErrors,
    pub problem: Option<String>,
}

impl EnrolPage {
    pub fn new(
        ctx: PageCtx,
        action: &str,
        factor: &second_factor::SecondFactor,
        email: &str,
    ) -> EnrolPage {
        let svg = second_factor::qr_svg(&factor.uri(email));
        // The drawing as an image with its name for screen readers, without the XML prologue.
        let start = svg.find("<svg").unwrap_or(0);
        let label = ctx.t("enrol.qr_label");
        let qr_svg = svg[start..].replacen(
            "<svg",
            &format!(
                "<svg role=\"img\" aria-label=\"{}\"",
                crate::mail::escape_html(&label)
            ),
            1,
        );
        EnrolPage {
            action: action.to_string(),
            secret: factor.secret_grouped(),
            qr_svg,
            during_login: action == ENROL_STEP,
            errors: FieldErrors::default(),
            problem: None,
            ctx,
        }
    }
}

/// The recovery codes, shown this once, and the way on.
#[derive(Template)]
#[template(path = "account/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub ctx: PageCtx,
    pub codes: Vec<String>,
    pub next: String,
}
