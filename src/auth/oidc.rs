//! OpenID Connect, for logging in at an identity provider: an organisation's own, or the DigiD broker
//! families log in through. Authorization code flow with PKCE, state and nonce; discovery from the
//! issuer; the ID token's signature (against the provider's published keys), issuer, audience, expiry
//! and nonce are checked by the `openidconnect` crate. Nothing of web here: the handlers keep the
//! login while the browser is at the provider, and start the session.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::LazyLock;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreResponseType,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthenticationFlow, AuthorizationCode, Client, ClientId, ClientSecret,
    CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdToken,
    IdTokenFields, IssuerUrl, LogoutRequest, Nonce, PkceCodeChallenge, PkceCodeVerifier,
    PostLogoutRedirectUrl, ProviderMetadataWithLogout, RedirectUrl, Scope, StandardErrorResponse,
    StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

use diesel::QueryResult;

use crate::config::{Config, DigidConfig};
use crate::db::DbConn;
use crate::domain::sign_on::{self, OrganisationSignOn};

/// One identity provider as configured: an organisation's, or the families' DigiD broker.
#[derive(Clone, Debug)]
pub struct Provider {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
    /// An `acr` value that counts as a second factor, besides the `amr` values in `MFA_METHODS`.
    pub mfa_acr: Option<String>,
    /// Plain http issuers are allowed (development and tests).
    pub allow_http: bool,
}

/// The claims of the ID token beyond the standard ones (a broker's BSN claim, for one).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    pub claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type Fields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OurIdToken = IdToken<
    OtherClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

impl Provider {
    /// An organisation's provider, as its admin set it.
    pub fn of_organisation(settings: &OrganisationSignOn, config: &Config) -> Provider {
        Provider {
            issuer: settings.issuer.clone(),
            client_id: settings.client_id.clone(),
            client_secret: settings.client_secret.clone(),
            scopes: vec!["email".into()],
            mfa_acr: settings.mfa_acr.clone(),
            allow_http: config.oidc_allow_http,
        }
    }

    /// The deployment's DigiD broker, for families.
    pub fn digid(digid: &DigidConfig, config: &Config) -> Provider {
        Provider {
            issuer: digid.issuer.clone(),
            client_id: digid.client_id.clone(),
            client_secret: digid.client_secret.clone(),
            scopes: digid.scopes.clone(),
            mfa_acr: None,
            allow_http: config.oidc_allow_http,
        }
    }
}

/// The provider of an organisation or, for None, the DigiD broker; None when it is not (or no
/// longer) set.
pub fn provider_for(
    conn: &mut DbConn,
    config: &Config,
    organisation_id: Option<i64>,
) -> QueryResult<Option<Provider>> {
    Ok(match organisation_id {
        Some(id) => {
            sign_on::of_organisation(conn, id)?.map(|s| Provider::of_organisation(&s, config))
        }
        None => config.digid.as_ref().map(|d| Provider::digid(d, config)),
    })
}

/// The provider a session began at and its ID token, when it began at one.
pub fn session_provider(
    conn: &mut DbConn,
    config: &Config,
    session_id: i64,
) -> QueryResult<Option<(Provider, String)>> {
    let Some((organisation_id, id_token)) = sign_on::session(conn, session_id)? else {
        return Ok(None);
    };
    Ok(provider_for(conn, config, organisation_id)?.map(|p| (p, id_token)))
}

/// Why a login at a provider did not work.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the issuer is not an https address: {0}")]
    Issuer(String),
    #[error("the provider could not be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("the provider refused the code: {0}")]
    Exchange(String),
    #[error("the ID token was refused: {0}")]
    Token(String),
}

/// The HTTP client for providers: never follows a redirect (as the crate asks, against SSRF), gives up
/// after ten seconds.
static HTTP: LazyLock<reqwest::Client> = LazyLock::new(|| {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
});

/// The issuer as a URL: https (or http when allowed), no query or fragment.
pub fn issuer_url(issuer: &str, allow_http: bool) -> Result<IssuerUrl, OidcError> {
    let parsed = url::Url::parse(issuer).map_err(|_| OidcError::Issuer(issuer.into()))?;
    let scheme_ok = parsed.scheme() == "https" || (allow_http && parsed.scheme() == "http");
    if !scheme_ok
        || parsed.host_str().is_none()
        || parsed.query().is_some()
        || parsed.fragment().is_some()
        || !parsed.username().is_empty()
    {
        return Err(OidcError::Issuer(issuer.into()));
    }
    IssuerUrl::new(issuer.to_string()).map_err(|_| OidcError::Issuer(issuer.into()))
}

/// The provider's metadata and keys, from its discovery document. The document's issuer must be the
/// configured one exactly (the crate checks).
pub async fn discover(provider: &Provider) -> Result<ProviderMetadataWithLogout, OidcError> {
    let issuer = issuer_url(&provider.issuer, provider.allow_http)?;
    ProviderMetadataWithLogout::discover_async(issuer, &*HTTP)
        .await
        .map_err(|e| OidcError::Provider(error_chain(&e)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn client(
    metadata: ProviderMetadataWithLogout,
    provider: &Provider,
    redirect: &str,
) -> Result<OidcClient, OidcError> {
    let redirect =
        RedirectUrl::new(redirect.to_string()).map_err(|e| OidcError::Provider(e.to_string()))?;
    Ok(OidcClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(redirect))
}

/// A login that begins: where to send the browser, and what to keep until it comes back.
#[derive(Debug)]
pub struct Start {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

/// Begins a login at the provider: a fresh state, nonce and PKCE verifier (S256), and the
/// authorization address with them. `login_hint`: the email address typed, if any.
pub async fn begin(
    provider: &Provider,
    redirect: &str,
    login_hint: Option<&str>,
) -> Result<Start, OidcError> {
    let client = client(discover(provider).await?, provider, redirect)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in &provider.scopes {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    if let Some(hint) = login_hint {
        request = request.add_extra_param("login_hint", hint.to_string());
    }
    let (url, state, nonce) = request.url();
    Ok(Start {
        url: url.to_string(),
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
    })
}

/// Who the provider says logged in, from a verified ID token.
#[derive(Clone, Debug)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    /// The provider asserts that the email address is the user's (`email_verified`).
    pub email_verified: bool,
    pub amr: Vec<String>,
    pub acr: Option<String>,
    pub other: HashMap<String, serde_json::Value>,
    /// The ID token as received: the hint for signing out at the provider.
    pub id_token: String,
}

impl Identity {
    /// A claim beyond the standard ones as text (a number is taken as its digits).
    pub fn claim(&self, name: &str) -> Option<String> {
        match self.other.get(name)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// Authentication methods (`amr`, RFC 8176) that are a second factor or include one.
pub const MFA_METHODS: &[&str] = &["mfa", "otp", "hwk", "sc"];

/// Whether the provider asserted a second factor: an `amr` value of `MFA_METHODS`, or the `acr` the
/// organisation named for it.
pub fn second_factor_asserted(identity: &Identity, mfa_acr: Option<&str>) -> bool {
    identity
        .amr
        .iter()
        .any(|m| MFA_METHODS.contains(&m.as_str()))
        || mfa_acr.is_some_and(|acr| identity.acr.as_deref() == Some(acr))
}

/// Finishes a login: exchanges the code (with the PKCE verifier and the client secret) and verifies the
/// ID token against the provider's keys and the nonce kept for this login.
pub async fn finish(
    provider: &Provider,
    redirect: &str,
    code: &str,
    pkce_verifier: &str,
    nonce: &str,
) -> Result<Identity, OidcError> {
    let client = client(discover(provider).await?, provider, redirect)?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| OidcError::Provider(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_string()))
        .request_async(&*HTTP)
        .await
        .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| OidcError::Token("no ID token".into()))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_string()))
        .map_err(|e| OidcError::Token(error_chain(&e)))?;
    Ok(Identity {
        subject: claims.subject().to_string(),
        email: claims.email().map(|e| e.to_string()),
        email_verified: claims.email_verified() == Some(true),
        amr: claims
            .auth_method_refs()
            .map(|amr| amr.iter().map(|m| m.to_string()).collect())
            .unwrap_or_default(),
        acr: claims.auth_context_ref().map(|a| a.to_string()),
        other: claims.additional_claims().claims.clone(),
        id_token: id_token.to_string(),
    })
}

/// Where to send the browser to sign out at the provider too (RP-initiated logout), when it offers an
/// `end_session_endpoint`; it comes back to `after`. None when it offers none or cannot be reached.
pub async fn logout_url(provider: &Provider, id_token: &str, after: &str) -> Option<String> {
    let metadata = match discover(provider).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(issuer = provider.issuer, error = %e, "no sign-out at the provider");
            return None;
        }
    };
    let endpoint = metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()?;
    let mut request = LogoutRequest::from(endpoint)
        .set_client_id(ClientId::new(provider.client_id.clone()))
        .set_state(CsrfToken::new_random());
    if let Ok(hint) = OurIdToken::from_str(id_token) {
        request = request.set_id_token_hint(&hint);
    }
    if let Ok(after) = PostLogoutRedirectUrl::new(after.to_string()) {
        request = request.set_post_logout_redirect_uri(after);
    }
    Some(request.http_get_url().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(amr: &[&str], acr: Option<&str>) -> Identity {
        Identity {
            subject: "s".into(),
            email: None,
            email_verified: false,
            amr: amr.iter().map(|m| m.to_string()).collect(),
            acr: acr.map(str::to_string),
            other: HashMap::new(),
            id_token: String::new(),
        }
    }

    #[test]
    fn a_second_factor_is_an_mfa_method_or_the_named_acr() {
        assert!(second_factor_asserted(
            &identity(&["pwd", "mfa"], None),
            None
        ));
        assert!(second_factor_asserted(&identity(&["otp"], None), None));
        assert!(second_factor_asserted(&identity(&["hwk"], None), None));
        assert!(!second_factor_asserted(&identity(&["pwd"], None), None));
        assert!(!second_factor_asserted(&identity(&[], None), None));
        let acr = Some("urn:example:loa:high");
        assert!(second_factor_asserted(&identity(&["pwd"], acr), acr));
        assert!(!second_factor_asserted(
            &identity(&["pwd"], Some("urn:example:loa:low")),
            acr
        ));
        // Without a named acr, an acr alone proves nothing.
        assert!(!second_factor_asserted(&identity(&[], acr), None));
    }

    #[test]
    fn issuers_are_https_unless_http_is_allowed() {
        assert!(issuer_url("https://login.example.nl", false).is_ok());
        assert!(issuer_url("https://login.example.nl/realms/zorg", false).is_ok());
        assert!(issuer_url("http://127.0.0.1:9000", false).is_err());
        assert!(issuer_url("http://127.0.0.1:9000", true).is_ok());
        for bad in [
            "idp.example.nl",
            "ftp://login.example.nl",
            "https://login.example.nl/?x=1",
            "https://login.example.nl/#x",
            "https://user@login.example.nl",
            "<script>",
        ] {
            assert!(issuer_url(bad, true).is_err(), "{bad}");
        }
    }
}
