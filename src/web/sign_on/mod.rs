//! Logging in at an identity provider (OpenID Connect): professionals at their organisation's own
//! ("Inloggen met je organisatie"), family members through the deployment's DigiD broker. The protocol
//! is `auth::oidc`; here are the pages, the login kept while the browser is at the provider (its state
//! in a cookie of this browser and, hashed, in the database with the nonce and PKCE verifier), who may
//! log in, and the session. Nobody gets an account this way: a professional needs an active account of
//! that organisation (matched on a verified email address at the first login, on the provider's
//! subject after it), a family member the account their email address names, whose member's recorded
//! BSN the broker must assert.

pub mod family;
pub mod settings;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::forms::FieldErrors;
use super::middleware::cookie;
use super::{
    AppError, AppState, PageCtx, SESSION_COOKIE, away_to, html, notice_key, safe_return_path,
    see_other,
};
use crate::auth::oidc::{self, Identity, Provider};
use crate::auth::{same_secret, session, token_hash};
use crate::config::Config;
use crate::db::{self, DbConn};
use crate::domain::sign_on::{self, NewPending, Pending};
use crate::domain::user::{self, Role};
use crate::record;

/// The cookie that binds a login at a provider to the browser that began it: it holds the state.
const STATE_COOKIE: &str = "samenspel_sign_on";
/// Where every provider sends the browser back (the redirect URI to register at the provider).
pub const CALLBACK: &str = "/inloggen/terug";

#[derive(Template)]
#[template(path = "auth/sign_on.html")]
struct OrganisationLoginPage {
    ctx: PageCtx,
    email: String,
    organisations: Vec<(i64, String)>,
    chosen: Option<i64>,
    next: String,
    errors: FieldErrors,
    /// A message about the whole login (refused, provider unreachable), already translated.
    problem: Option<String>,
}

impl OrganisationLoginPage {
    fn is_chosen(&self, id: &i64) -> bool {
        self.chosen == Some(*id)
    }
}

#[derive(Template)]
#[template(path = "auth/digid.html")]
struct DigidPage {
    ctx: PageCtx,
    email: String,
    errors: FieldErrors,
    problem: Option<String>,
    notice: Option<&'static str>,
    /// Whether this deployment has a DigiD broker.
    available: bool,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    melding: Option<String>,
}

async fn organisation_page(
    state: &AppState,
    ctx: PageCtx,
    next: String,
) -> Result<OrganisationLoginPage, AppError> {
    let organisations = state
        .db(|conn| Ok(sign_on::organisations_with_sign_on(conn)?))
        .await?;
    Ok(OrganisationLoginPage {
        ctx,
        email: String::new(),
        organisations,
        chosen: None,
        next,
        errors: FieldErrors::default(),
        problem: None,
    })
}

pub async fn show_organisation_login(
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let next = safe_return_path(query.next.as_deref());
    if ctx.user.is_some() {
        return Ok(see_other(&next));
    }
    html(StatusCode::OK, organisation_page(&state, ctx, next).await?)
}

#[derive(Deserialize)]
pub struct OrganisationLoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    organisation: String,
    next: Option<String>,
}

/// The organisation whose provider this login goes to, with that provider: the one picked, or the one
/// of the active professional's account the email address names. None when that has no provider.
fn provider_to_use(
    conn: &mut DbConn,
    config: &Config,
    chosen: Option<i64>,
    email: &str,
) -> Result<Option<(i64, Provider)>, AppError> {
    let organisation_id = match chosen {
        Some(id) => Some(id),
        None if user::is_valid_email(email) => user::find_by_email(conn, email)?
            .filter(|u| u.active && is_staff(u.role()))
            .and_then(|u| u.organisation_id),
        None => None,
    };
    let Some(id) = organisation_id else {
        return Ok(None);
    };
    Ok(oidc::provider_for(conn, config, Some(id))?.map(|p| (id, p)))
}

fn is_staff(role: Role) -> bool {
    matches!(role, Role::Professional | Role::OrgAdmin)
}

pub async fn begin_organisation_login(
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<OrganisationLoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let email = form.email.trim().to_string();
    let chosen = form.organisation.trim().parse::<i64>().ok();
    let next = safe_return_path(form.next.as_deref());
    let config = state.config.clone();
    let lookup = email.clone();
    let found = state
        .db(move |conn| provider_to_use(conn, &config, chosen, &lookup))
        .await?;
    let mut page = organisation_page(&state, ctx, next.clone()).await?;
    page.email = email.clone();
    page.chosen = chosen;
    let Some((organisation_id, provider)) = found else {
        let field = if chosen.is_some() || email.is_empty() {
            "organisation"
        } else {
            "email"
        };
        page.errors.add(field, "sign_on.no_provider");
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    };
    let hint = (chosen.is_none() && !email.is_empty()).then_some(email.as_str());
    let keep = Keep {
        organisation_id: Some(organisation_id),
        user_id: None,
        next,
    };
    match go_to_provider(&state, page.ctx.clone(), &provider, hint, keep).await? {
        Some(res) => Ok(res),
        None => {
            page.problem = Some(page.ctx.t("sign_on.unreachable"));
            html(StatusCode::SERVICE_UNAVAILABLE, page)
        }
    }
}

/// What a login keeps until the browser comes back, besides the provider's part.
struct Keep {
    /// None: the DigiD broker.
    organisation_id: Option<i64>,
    /// Families: the account the email address named.
    user_id: Option<i64>,
    next: String,
}

/// Begins the login at the provider and sends the browser there (through a page: see `away_to`), with
/// the state in a cookie of this browser (for ten minutes, only for the login pages). None when the
/// provider cannot be reached.
async fn go_to_provider(
    state: &AppState,
    ctx: PageCtx,
    provider: &Provider,
    hint: Option<&str>,
    keep: Keep,
) -> Result<Option<HttpResponse>, AppError> {
    let start = match oidc::begin(provider, &state.link(CALLBACK), hint).await {
        Ok(start) => start,
        Err(e) => {
            tracing::warn!(issuer = provider.issuer, error = %e, "identity provider not reached");
            return Ok(None);
        }
    };
    let (state_value, nonce, verifier) = (
        start.state.clone(),
        start.nonce.clone(),
        start.pkce_verifier.clone(),
    );
    state
        .db(move |conn| {
            Ok(sign_on::keep_pending(
                conn,
                &NewPending {
                    state_hash: &token_hash(&state_value),
                    organisation_id: keep.organisation_id,
                    user_id: keep.user_id,
                    nonce: &nonce,
                    pkce_verifier: &verifier,
                    next: &keep.next,
                },
            )?)
        })
        .await?;
    let mut res = away_to(ctx, &start.url, "sign_on.away_login")?;
    let mut bound = cookie(
        STATE_COOKIE,
        start.state,
        state.config.secure_cookies,
        SameSite::Lax,
    );
    bound.set_path("/inloggen");
    bound.set_max_age(actix_web::cookie::time::Duration::minutes(
        sign_on::PENDING_MINUTES,
    ));
    res.add_cookie(&bound)
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(Some(res))
}

// ---------------------------------------------------------------------------------------------------
// Families: DigiD through the broker

pub async fn show_digid_login(
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    if ctx.user.is_some() {
        return Ok(see_other("/"));
    }
    html(
        StatusCode::OK,
        DigidPage {
            ctx,
            email: String::new(),
            errors: FieldErrors::default(),
            problem: None,
            notice: digid_notice(query.melding.as_deref()).or(notice_key(query.melding.as_deref())),
            available: state.config.digid.is_some(),
        },
    )
}

fn digid_notice(code: Option<&str>) -> Option<&'static str> {
    (code? == "digid-verplicht").then_some("sign_on.digid_needed")
}

#[derive(Deserialize)]
pub struct DigidForm {
    #[serde(default)]
    email: String,
}

/// Sends a family member to the DigiD broker. The account the email address names (an active family
/// account, or none) is kept with the login: the answer is the same either way, and the BSN the
/// broker asserts is checked against that account's member when the browser comes back.
pub async fn begin_digid_login(
    ctx: PageCtx,
    state: web::Data<AppState>,
    form: web::Form<DigidForm>,
) -> Result<HttpResponse, AppError> {
    let email = form.into_inner().email.trim().to_string();
    let mut page = DigidPage {
        ctx,
        email: email.clone(),
        errors: FieldErrors::default(),
        problem: None,
        notice: None,
        available: state.config.digid.is_some(),
    };
    let Some(digid) = state.config.digid.as_ref() else {
        return html(StatusCode::NOT_FOUND, page);
    };
    if !user::is_valid_email(&email) {
        page.errors.add("email", "forgot.email_invalid");
        return html(StatusCode::UNPROCESSABLE_ENTITY, page);
    }
    let provider = Provider::digid(digid, &state.config);
    let user_id = state
        .db(move |conn| {
            Ok(user::find_by_email(conn, &email)?
                .filter(|u| u.active && u.role() == Role::Family)
                .map(|u| u.id))
        })
        .await?;
    let keep = Keep {
        organisation_id: None,
        user_id,
        next: "/portaal".into(),
    };
    match go_to_provider(&state, page.ctx.clone(), &provider, None, keep).await? {
        Some(res) => Ok(res),
        None => {
            page.problem = Some(page.ctx.t("sign_on.unreachable"));
            html(StatusCode::SERVICE_UNAVAILABLE, page)
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// Back from the provider

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
}

/// The provider sends the browser back here. The state must be the one this browser's cookie holds and
/// a login kept for it (used once, within ten minutes); the code is exchanged and the ID token checked
/// (`oidc::finish`); then the account is found as the provider's kind requires, and the session starts.
/// Anything else: the login page again with what went wrong, and no session.
pub async fn callback(
    req: HttpRequest,
    ctx: PageCtx,
    state: web::Data<AppState>,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let query = query.into_inner();
    let pending = take_pending(&req, &state, query.state.as_deref()).await?;
    let Some(pending) = pending else {
        return refused(&state, ctx, None, "sign_on.failed").await;
    };
    let family = pending.organisation_id.is_none();
    let config = state.config.clone();
    let organisation_id = pending.organisation_id;
    let provider = state
        .db(move |conn| Ok(oidc::provider_for(conn, &config, organisation_id)?))
        .await?;
    let (Some(provider), Some(code)) = (provider, query.code) else {
        return refused(&state, ctx, Some(family), "sign_on.failed").await;
    };
    let verified = oidc::finish(
        &provider,
        &state.link(CALLBACK),
        &code,
        &pending.pkce_verifier,
        &pending.nonce,
    )
    .await;
    let identity = match verified {
        Ok(identity) => identity,
        Err(e) => {
            tracing::warn!(issuer = provider.issuer, error = %e, "login at a provider refused");
            return refused(&state, ctx, Some(family), "sign_on.failed").await;
        }
    };
    let second_factor = oidc::second_factor_asserted(&identity, provider.mfa_acr.as_deref());
    let previous = ctx.user.as_ref().map(|u| u.session_id);
    let next = pending.next.clone();
    let config = state.config.clone();
    let started = state
        .db(move |conn| {
            db::write(conn, |conn| {
                let login = Login {
                    pending: &pending,
                    provider: &provider,
                    identity: &identity,
                    previous,
                    second_factor,
                };
                admit(conn, &config, login)
            })
        })
        .await?;
    match started {
        Ok(Admitted::Session(user_id, token)) => {
            signed_in(&state, user_id, token, &next, second_factor)
        }
        // The provider asserted no second factor and the account has or needs one of ours: the same
        // second step as after a password (the session starts there).
        Ok(Admitted::SecondStep(user)) => {
            let mut res =
                crate::web::signin::finish_login(&state, &req, *user, false, &next).await?;
            res.add_removal_cookie(&state_cookie_removal())
                .map_err(|e| AppError::Internal(e.into()))?;
            Ok(res)
        }
        Err(problem) => refused(&state, ctx, Some(family), problem).await,
    }
}

/// The login kept for this state, taken (so it works once), when the state is the one this browser's
/// cookie holds.
async fn take_pending(
    req: &HttpRequest,
    state: &AppState,
    sent: Option<&str>,
) -> Result<Option<Pending>, AppError> {
    let held = req.cookie(STATE_COOKIE).map(|c| c.value().to_string());
    let (Some(sent), Some(held)) = (sent, held) else {
        return Ok(None);
    };
    if !same_secret(sent, &held) {
        return Ok(None);
    }
    let hash = token_hash(sent);
    state
        .db(move |conn| db::write(conn, |conn| Ok(sign_on::take_pending(conn, &hash)?)))
        .await
}

/// A login back from its provider, verified.
struct Login<'a> {
    pending: &'a Pending,
    provider: &'a Provider,
    identity: &'a Identity,
    /// The session this browser had before, if any.
    previous: Option<i64>,
    second_factor: bool,
}

/// What a verified login at a provider leads to.
enum Admitted {
    /// A session (user id, token).
    Session(i64, String),
    /// Our second step first: the provider asserted no second factor, and the account has one or must.
    SecondStep(Box<user::User>),
}

/// Finds the account the provider's identity may log in to and starts its session (or sends it to
/// the second step); the text key of the refusal otherwise (a refusal may still write its event, so
/// the transaction commits).
fn admit(
    conn: &mut DbConn,
    config: &Config,
    login: Login<'_>,
) -> Result<Result<Admitted, &'static str>, AppError> {
    let Login {
        pending,
        provider,
        identity,
        previous,
        second_factor,
    } = login;
    let found = match pending.organisation_id {
        Some(organisation_id) => professional(conn, organisation_id, &provider.issuer, identity)?,
        None => family_member(conn, config, pending.user_id, identity)?,
    };
    let Some(user_id) = found else {
        return Ok(Err(if pending.organisation_id.is_some() {
            "sign_on.no_account"
        } else {
            "sign_on.digid_refused"
        }));
    };
    if pending.organisation_id.is_some() && !second_factor {
        let account = user::find(conn, user_id)?.ok_or(AppError::NotFound)?;
        let has = crate::auth::second_factor::active(conn, user_id)?.is_some();
        if has
            || crate::auth::second_factor::required_for(
                conn,
                &account,
                config.second_factor_required,
            )?
        {
            return Ok(Ok(Admitted::SecondStep(Box::new(account))));
        }
    }
    let max_age = if pending.organisation_id.is_some() {
        config.session_max
    } else {
        config.session_max.min(session::FAMILY_MAX)
    };
    let token = start_session(conn, user_id, previous, max_age, second_factor)?;
    let session_id = sign_on::session_id(conn, &token_hash(&token))?;
    sign_on::keep_session(
        conn,
        session_id,
        pending.organisation_id,
        &identity.id_token,
    )?;
    Ok(Ok(Admitted::Session(user_id, token)))
}

/// Starts the session of a login at a provider, as the password login does: a new session (a token
/// planted before the login is worth nothing after it). `second_factor_satisfied`: the provider
/// asserted a second factor (`oidc::second_factor_asserted`); without it, an account that has or
/// needs our second factor went to the second step instead (`admit`).
fn start_session(
    conn: &mut DbConn,
    user_id: i64,
    previous: Option<i64>,
    max_age: std::time::Duration,
    second_factor_satisfied: bool,
) -> Result<String, AppError> {
    if let Some(old) = previous {
        session::delete(conn, old)?;
    }
    tracing::debug!(user_id, second_factor_satisfied, "session from a provider");
    // A login at the provider just now is a fresh authentication: sensitive actions do not ask again
    // for the next minutes (an account without a password here has no other way to confirm).
    let how = session::Start {
        confirmed: true,
        user_agent: None,
    };
    Ok(session::start(conn, user_id, max_age, how)?)
}

/// The account of this organisation the identity logs in to: the one linked to its subject, or (at its
/// first login) the active account whose address the provider asserts as verified, which is then
/// linked. An account linked to another subject of this provider is not taken over by an address.
fn professional(
    conn: &mut DbConn,
    organisation_id: i64,
    issuer: &str,
    identity: &Identity,
) -> Result<Option<i64>, AppError> {
    let of_organisation = |u: &user::User| {
        u.active && is_staff(u.role()) && u.organisation_id == Some(organisation_id)
    };
    if let Some(user_id) = sign_on::linked_user(conn, issuer, &identity.subject)? {
        let account = user::find(conn, user_id)?;
        return Ok(account.filter(of_organisation).map(|u| u.id));
    }
    let email = match (&identity.email, identity.email_verified) {
        (Some(email), true) => email,
        _ => return Ok(None),
    };
    let Some(account) = user::find_by_email(conn, email)?.filter(of_organisation) else {
        return Ok(None);
    };
    if sign_on::subject_of(conn, account.id, issuer)?.is_some() {
        return Ok(None);
    }
    record::link_sign_on(conn, account.id, issuer, &identity.subject)?;
    Ok(Some(account.id))
}

/// The family account named at the start, when the BSN the broker asserts is its member's recorded
/// BSN. A mismatch is written on the family's timeline for the director.
fn family_member(
    conn: &mut DbConn,
    config: &Config,
    user_id: Option<i64>,
    identity: &Identity,
) -> Result<Option<i64>, AppError> {
    let Some(digid) = config.digid.as_ref() else {
        return Ok(None);
    };
    let Some(account) = user_id
        .map(|id| user::find(conn, id))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    if !account.active || account.role() != Role::Family {
        return Ok(None);
    }
    if crate::domain::portal::access(conn, account.id)?.is_none() {
        return Ok(None);
    }
    let Some(member) = sign_on::member_of(conn, account.id)? else {
        return Ok(None);
    };
    let asserted = identity.claim(&digid.bsn_claim);
    if let (Some(asserted), Some(recorded)) = (asserted, &member.bsn)
        && same_bsn(&asserted, recorded)
    {
        return Ok(Some(account.id));
    }
    record::digid_refused(
        conn,
        account.id,
        member.family_id,
        (member.person_id, &member.name),
    )?;
    Ok(None)
}

/// Two BSNs are the same number: digits only, a leading zero a broker may have dropped restored.
fn same_bsn(asserted: &str, recorded: &str) -> bool {
    let digits = |s: &str| -> Option<String> {
        let d: String = s.trim().chars().collect();
        (!d.is_empty() && d.len() <= 9 && d.bytes().all(|b| b.is_ascii_digit()))
            .then(|| format!("{d:0>9}"))
    };
    match (digits(asserted), digits(recorded)) {
        (Some(a), Some(r)) => same_secret(&a, &r),
        _ => false,
    }
}

fn signed_in(
    state: &AppState,
    user_id: i64,
    token: String,
    next: &str,
    second_factor: bool,
) -> Result<HttpResponse, AppError> {
    tracing::info!(user_id, second_factor, "logged in at an identity provider");
    let mut res = see_other(next);
    res.add_cookie(&cookie(
        SESSION_COOKIE,
        token,
        state.config.secure_cookies,
        SameSite::Lax,
    ))
    .map_err(|e| AppError::Internal(e.into()))?;
    res.add_removal_cookie(&state_cookie_removal())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

fn state_cookie_removal() -> Cookie<'static> {
    let mut removal = Cookie::new(STATE_COOKIE, "");
    removal.set_path("/inloggen");
    removal
}

/// The login page of the provider's kind again, with what went wrong (401), and no session. `family`:
/// None when it is not known which kind of login this was.
async fn refused(
    state: &AppState,
    ctx: PageCtx,
    family: Option<bool>,
    problem: &'static str,
) -> Result<HttpResponse, AppError> {
    let text = ctx.t(problem);
    let mut res = if family == Some(true) {
        html(
            StatusCode::UNAUTHORIZED,
            DigidPage {
                ctx,
                email: String::new(),
                errors: FieldErrors::default(),
                problem: Some(text),
                notice: None,
                available: state.config.digid.is_some(),
            },
        )?
    } else {
        let mut page = organisation_page(state, ctx, "/".into()).await?;
        page.problem = Some(text);
        html(StatusCode::UNAUTHORIZED, page)?
    };
    res.add_removal_cookie(&state_cookie_removal())
        .map_err(|e| AppError::Internal(e.into()))?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::same_bsn;

    #[test]
    fn a_bsn_matches_only_the_same_number() {
        assert!(same_bsn("999990019", "999990019"));
        assert!(same_bsn(" 99990019", "099990019"));
        assert!(!same_bsn("999990020", "999990019"));
        assert!(!same_bsn("", "999990019"));
        assert!(!same_bsn("9999900190", "999990019"));
        assert!(!same_bsn("99999001a", "99999001a"));
    }
}
