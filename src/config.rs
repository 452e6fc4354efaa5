//! Settings read from environment variables, each with a documented default.
//!
//! A bad value stops start-up with one line that names the variable; nothing here panics.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::db::DatabaseUrl;

/// Every variable Samenspel reads, with its default and meaning; printed by `samenspel --help`.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "SAMENSPEL_BIND",
        "127.0.0.1:8080",
        "address and port to listen on",
    ),
    (
        "DATABASE_URL",
        "sqlite://data/samenspel.db",
        "sqlite://PATH (embedded) or postgres://USER:PASS@HOST/DB",
    ),
    (
        "SAMENSPEL_BASE_URL",
        "http://<SAMENSPEL_BIND>",
        "public address used in links in emails",
    ),
    (
        "SMTP_URL",
        "(none: file outbox)",
        "smtp://user:pass@host:587 (STARTTLS required) or smtps://host (TLS); plain only with ?tls=none to localhost",
    ),
    (
        "SAMENSPEL_OUTBOX_DIR",
        "data/outbox",
        "where mail is written as .eml files when SMTP_URL is unset",
    ),
    (
        "MAIL_FROM",
        "Samenspel <noreply@samenspel.invalid>",
        "sender address of all mail",
    ),
    (
        "SAMENSPEL_SECURE_COOKIES",
        "false",
        "true behind TLS: cookies get Secure and responses send HSTS",
    ),
    (
        "SAMENSPEL_TRUST_PROXY",
        "false",
        "true behind a load balancer: take the client address from X-Forwarded-For",
    ),
    (
        "SAMENSPEL_SESSION_IDLE_MINUTES",
        "60",
        "a session ends after this long without requests",
    ),
    (
        "SAMENSPEL_SESSION_MAX_HOURS",
        "12",
        "a session ends this long after login, whatever happens",
    ),
    (
        "SAMENSPEL_BODY_DEADLINE_SECONDS",
        "10",
        "a request body that has not fully arrived this long after the request is refused (408)",
    ),
    (
        "SAMENSPEL_LIVE_SOCKETS_PER_SESSION",
        "5",
        "live meeting connections one login may hold (per instance); the oldest is closed beyond it",
    ),
    (
        "SAMENSPEL_LIVE_SOCKETS_PER_USER",
        "20",
        "live meeting connections one user may hold over all logins (per instance)",
    ),
    (
        "SAMENSPEL_DB_POOL_SIZE",
        "10",
        "database connections per instance",
    ),
    (
        "SAMENSPEL_LOG",
        "info",
        "log filter, e.g. info or samenspel=debug,actix_web=info",
    ),
    ("SAMENSPEL_LOG_FORMAT", "text", "text or json"),
    (
        "SAMENSPEL_OIN",
        "00000000000000000000",
        "the 20-digit OIN of the organisation running Samenspel, the source of its CloudEvents",
    ),
    (
        "SAMENSPEL_API_RATE_LIMIT",
        "300",
        "API requests per minute per organisation, over all instances together",
    ),
    (
        "SAMENSPEL_WEBHOOK_RETRY_SECONDS",
        "30",
        "first wait before a failed webhook delivery is tried again; doubles per attempt",
    ),
    (
        "SAMENSPEL_API_CONTACT_NAME",
        "Beheer Samenspel",
        "contact named in the partner API's OpenAPI document (info.contact.name)",
    ),
    (
        "SAMENSPEL_API_CONTACT_URL",
        "<SAMENSPEL_BASE_URL>",
        "web page for partners with questions about the API (info.contact.url)",
    ),
    (
        "SAMENSPEL_API_CONTACT_EMAIL",
        "the address of MAIL_FROM",
        "email address for partners with questions about the API (info.contact.email)",
    ),
    (
        "SAMENSPEL_DOCUMENT_MAX_MB",
        "10",
        "largest document a professional may attach, in megabytes (1 to 100)",
    ),
    (
        "SAMENSPEL_METRICS_TOKEN",
        "(unset: /metrics is off)",
        "a secret of at least 16 characters; /metrics then answers to Authorization: Bearer <it>",
    ),
    (
        "SAMENSPEL_WEBHOOK_ALLOW_HTTP",
        "false",
        "development only: webhooks to plain http and to addresses inside the own network",
    ),
    (
        "SAMENSPEL_SECOND_FACTOR",
        "required",
        "required or optional: whether staff of an organisation that set no rule of its own need a second factor",
    ),
    (
        "SAMENSPEL_DIGID_ISSUER",
        "(none: no DigiD)",
        "the issuer URL of the DigiD broker (OpenID Connect) through which family members log in",
    ),
    (
        "SAMENSPEL_DIGID_CLIENT_ID",
        "(none)",
        "Samenspel's client id at the DigiD broker; required with SAMENSPEL_DIGID_ISSUER",
    ),
    (
        "SAMENSPEL_DIGID_CLIENT_SECRET",
        "(none)",
        "Samenspel's client secret at the DigiD broker; required with SAMENSPEL_DIGID_ISSUER",
    ),
    (
        "SAMENSPEL_DIGID_BSN_CLAIM",
        "bsn",
        "the ID token claim in which the broker asserts the BSN",
    ),
    (
        "SAMENSPEL_DIGID_SCOPES",
        "(none)",
        "scopes to ask the broker for besides openid, separated by spaces (the one that gives the BSN)",
    ),
    (
        "SAMENSPEL_OIDC_ALLOW_HTTP",
        "false",
        "development and tests only: identity providers (issuers) at plain http:// addresses",
    ),
];

#[derive(Clone, Debug)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    pub base_url: String,
    pub mail: MailConfig,
    pub mail_from: String,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub session_idle: Duration,
    pub session_max: Duration,
    /// How long a request body may take to arrive.
    pub body_deadline: Duration,
    /// Live meeting connections per login and per user (per instance).
    pub live_sockets_per_session: usize,
    pub live_sockets_per_user: usize,
    pub pool_size: u32,
    pub log_filter: String,
    pub log_json: bool,
    /// The OIN in `urn:nld:oin:<OIN>:systeem:samenspel`, the source of every CloudEvent.
    pub oin: String,
    /// API requests per minute per organisation, over all instances.
    pub api_rate_limit: u32,
    /// The first wait before a failed webhook delivery is tried again; it doubles per attempt.
    pub webhook_retry_seconds: u64,
    /// Webhook addresses may use plain http (for development and tests); otherwise https only.
    pub webhook_allow_http: bool,
    /// Who partners reach with questions about the API, in the OpenAPI document.
    pub api_contact: ApiContact,
    /// The largest document a professional may attach, in bytes.
    pub document_max_bytes: usize,
    /// The secret `/metrics` asks for; None: `/metrics` is off.
    pub metrics_token: Option<String>,
    /// Staff of an organisation without a rule of its own (and system admins) must use a second
    /// factor (`SAMENSPEL_SECOND_FACTOR=required`, the default).
    pub second_factor_required: bool,
    /// The DigiD broker families log in through, when there is one.
    pub digid: Option<DigidConfig>,
    /// Identity providers may be at plain http addresses (development and tests); otherwise https only.
    pub oidc_allow_http: bool,
}

/// The OpenAPI document's `info.contact`.
#[derive(Clone, Debug)]
pub struct ApiContact {
    pub name: String,
    pub url: String,
    pub email: String,
}

/// The deployment's DigiD broker: an OpenID Connect provider that asserts a BSN.
#[derive(Clone, Debug)]
pub struct DigidConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// The ID token claim that carries the BSN.
    pub bsn_claim: String,
    /// Scopes besides `openid`.
    pub scopes: Vec<String>,
}

#[derive(Clone, Debug)]
pub enum MailConfig {
    Smtp(String),
    Outbox(PathBuf),
    /// Keeps sent mail in memory; tests read it back.
    Capture,
}

/// A configuration error: which variable, and what is wrong with it.
#[derive(Debug)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

fn bad(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, so tests can pass their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        let bind = vars.bind()?;
        let database_url = DatabaseUrl::parse(
            &vars
                .get("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/samenspel.db".to_string()),
        )
        .map_err(|problem| bad("DATABASE_URL", problem))?;
        let base_url = vars.base_url(bind)?;
        let mail = vars.mail()?;
        let mail_from = vars.mail_from()?;
        let (log_filter, log_json) = vars.log()?;
        let api_contact = vars.api_contact(&base_url, &mail_from)?;

        Ok(Config {
            bind,
            database_url,
            base_url,
            mail,
            mail_from,
            secure_cookies: vars.flag("SAMENSPEL_SECURE_COOKIES")?,
            trust_proxy: vars.flag("SAMENSPEL_TRUST_PROXY")?,
            session_idle: Duration::from_secs(
                60 * vars.number("SAMENSPEL_SESSION_IDLE_MINUTES", 60, 24 * 60)?,
            ),
            session_max: Duration::from_secs(
                3600 * vars.number("SAMENSPEL_SESSION_MAX_HOURS", 12, 24 * 7)?,
            ),
            body_deadline: Duration::from_secs(vars.number(
                "SAMENSPEL_BODY_DEADLINE_SECONDS",
                10,
                600,
            )?),
            live_sockets_per_session: vars.number("SAMENSPEL_LIVE_SOCKETS_PER_SESSION", 5, 1000)?
                as usize,
            live_sockets_per_user: vars.number("SAMENSPEL_LIVE_SOCKETS_PER_USER", 20, 10_000)?
                as usize,
            pool_size: vars.number("SAMENSPEL_DB_POOL_SIZE", 10, 200)? as u32,
            log_filter,
            log_json,
            oin: vars.oin()?,
            api_rate_limit: vars.number("SAMENSPEL_API_RATE_LIMIT", 300, 100_000)? as u32,
            webhook_retry_seconds: vars.number("SAMENSPEL_WEBHOOK_RETRY_SECONDS", 30, 3600)?,
            webhook_allow_http: vars.flag("SAMENSPEL_WEBHOOK_ALLOW_HTTP")?,
            api_contact,
            metrics_token: vars.metrics_token()?,
            document_max_bytes: vars.number("SAMENSPEL_DOCUMENT_MAX_MB", 10, 100)? as usize
                * 1_000_000,
            second_factor_required: vars.second_factor()?,
            digid: vars.digid()?,
            oidc_allow_http: vars.flag("SAMENSPEL_OIDC_ALLOW_HTTP")?,
        })
    }
}

/// The environment as the settings read it: values trimmed, an empty value counts as unset.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    }

    fn flag(&self, name: &'static str) -> Result<bool, ConfigError> {
        match self.get(name).as_deref() {
            None => Ok(false),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(bad(name, format!("'{v}' is not true or false"))),
        }
    }

    fn number(&self, name: &'static str, default: u64, max: u64) -> Result<u64, ConfigError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(bad(
                    name,
                    format!("'{v}' is not a whole number from 1 to {max}"),
                )),
            },
        }
    }

    fn bind(&self) -> Result<SocketAddr, ConfigError> {
        Ok(match self.get("SAMENSPEL_BIND") {
            Some(v) => v.parse::<SocketAddr>().map_err(|_| {
                bad(
                    "SAMENSPEL_BIND",
                    format!("'{v}' is not an address with a port, such as 127.0.0.1:8080"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        })
    }

    /// The address users reach us at, without a trailing slash; by default the bind address.
    fn base_url(&self, bind: SocketAddr) -> Result<String, ConfigError> {
        Ok(match self.get("SAMENSPEL_BASE_URL") {
            Some(v) => {
                let parsed = url::Url::parse(&v)
                    .map_err(|_| bad("SAMENSPEL_BASE_URL", format!("'{v}' is not a URL")))?;
                if !matches!(parsed.scheme(), "http" | "https") {
                    return Err(bad(
                        "SAMENSPEL_BASE_URL",
                        "must start with http:// or https://",
                    ));
                }
                v.trim_end_matches('/').to_string()
            }
            None => format!("http://{bind}"),
        })
    }

    /// SMTP when a server is named, else `.eml` files in the outbox folder.
    fn mail(&self) -> Result<MailConfig, ConfigError> {
        Ok(match self.get("SMTP_URL") {
            Some(v) => {
                // Checked (and its TLS rule made explicit) at start, so a wrong address stops the
                // server with the reason rather than failing at the first mail.
                smtp_url(&v).map_err(|e| bad("SMTP_URL", e))?;
                MailConfig::Smtp(v)
            }
            None => MailConfig::Outbox(PathBuf::from(
                self.get("SAMENSPEL_OUTBOX_DIR")
                    .unwrap_or_else(|| "data/outbox".to_string()),
            )),
        })
    }

    fn mail_from(&self) -> Result<String, ConfigError> {
        let mail_from = self
            .get("MAIL_FROM")
            .unwrap_or_else(|| "Samenspel <noreply@samenspel.invalid>".into());
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad(
                "MAIL_FROM",
                format!("'{mail_from}' is not an email address"),
            ));
        }
        Ok(mail_from)
    }

    /// The API's contact: a name, a web address and an email address, by default the base URL and the
    /// address mail comes from.
    fn api_contact(&self, base_url: &str, mail_from: &str) -> Result<ApiContact, ConfigError> {
        let url = self
            .get("SAMENSPEL_API_CONTACT_URL")
            .unwrap_or_else(|| base_url.to_string());
        if !url::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            return Err(bad(
                "SAMENSPEL_API_CONTACT_URL",
                format!("'{url}' is not an http(s) URL"),
            ));
        }
        let email = match self.get("SAMENSPEL_API_CONTACT_EMAIL") {
            Some(e) => e.parse::<lettre::Address>().map_err(|_| {
                bad(
                    "SAMENSPEL_API_CONTACT_EMAIL",
                    format!("'{e}' is not an email address"),
                )
            })?,
            None => mail_from
                .parse::<lettre::message::Mailbox>()
                .map(|m| m.email)
                .map_err(|_| bad("MAIL_FROM", "is not an email address"))?,
        };
        Ok(ApiContact {
            name: self
                .get("SAMENSPEL_API_CONTACT_NAME")
                .unwrap_or_else(|| "Beheer Samenspel".to_string()),
            url,
            email: email.to_string(),
        })
    }

    /// The secret for `/metrics`, long enough not to be guessed.
    fn metrics_token(&self) -> Result<Option<String>, ConfigError> {
        match self.get("SAMENSPEL_METRICS_TOKEN") {
            Some(t) if t.chars().count() < 16 || t.contains(char::is_whitespace) => Err(bad(
                "SAMENSPEL_METRICS_TOKEN",
                "must be at least 16 characters, without spaces",
            )),
            other => Ok(other),
        }
    }

    /// Whether a second factor is required where nobody chose: `required` (the default) or `optional`.
    fn second_factor(&self) -> Result<bool, ConfigError> {
        match self.get("SAMENSPEL_SECOND_FACTOR").as_deref() {
            None | Some("required") => Ok(true),
            Some("optional") => Ok(false),
            Some(v) => Err(bad(
                "SAMENSPEL_SECOND_FACTOR",
                format!("'{v}' is not required or optional"),
            )),
        }
    }

    /// The log filter, and whether to log JSON (the format is checked first).
    fn log(&self) -> Result<(String, bool), ConfigError> {
        let log_json = match self.get("SAMENSPEL_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(v) => {
                return Err(bad(
                    "SAMENSPEL_LOG_FORMAT",
                    format!("'{v}' is not text or json"),
                ));
            }
        };
        let log_filter = self
            .get("SAMENSPEL_LOG")
            .unwrap_or_else(|| "info".to_string());
        if tracing_subscriber::EnvFilter::try_new(&log_filter).is_err() {
            return Err(bad(
                "SAMENSPEL_LOG",
                format!("'{log_filter}' is not a log filter"),
            ));
        }
        Ok((log_filter, log_json))
    }

    /// The DigiD broker: all three of issuer, client id and secret, or none of them.
    fn digid(&self) -> Result<Option<DigidConfig>, ConfigError> {
        let issuer = self.get("SAMENSPEL_DIGID_ISSUER");
        let client_id = self.get("SAMENSPEL_DIGID_CLIENT_ID");
        let client_secret = self.get("SAMENSPEL_DIGID_CLIENT_SECRET");
        let Some(issuer) = issuer else {
            if client_id.is_some() || client_secret.is_some() {
                return Err(bad(
                    "SAMENSPEL_DIGID_ISSUER",
                    "is required with a DigiD client id or secret",
                ));
            }
            return Ok(None);
        };
        if !matches!(
            url::Url::parse(&issuer)
                .map(|u| u.scheme().to_string())
                .as_deref(),
            Ok("https" | "http")
        ) {
            return Err(bad(
                "SAMENSPEL_DIGID_ISSUER",
                format!("'{issuer}' is not a URL"),
            ));
        }
        let client_id = client_id.ok_or_else(|| {
            bad(
                "SAMENSPEL_DIGID_CLIENT_ID",
                "is required with a DigiD issuer",
            )
        })?;
        let client_secret = client_secret.ok_or_else(|| {
            bad(
                "SAMENSPEL_DIGID_CLIENT_SECRET",
                "is required with a DigiD issuer",
            )
        })?;
        Ok(Some(DigidConfig {
            issuer,
            client_id,
            client_secret,
            bsn_claim: self
                .get("SAMENSPEL_DIGID_BSN_CLAIM")
                .unwrap_or_else(|| "bsn".into()),
            scopes: self
                .get("SAMENSPEL_DIGID_SCOPES")
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default(),
        }))
    }

    fn oin(&self) -> Result<String, ConfigError> {
        match self.get("SAMENSPEL_OIN") {
            Some(v) if v.len() == 20 && v.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
            Some(v) => Err(bad(
                "SAMENSPEL_OIN",
                format!("'{v}' is not an OIN of 20 digits"),
            )),
            None => Ok("00000000000000000000".into()),
        }
    }
}

/// The SMTP address as the transport gets it, with its TLS rule made explicit: `smtps://` is implicit
/// TLS; `smtp://` requires STARTTLS (a server that does not offer it gets nothing, not the password and
/// not the mail); plain SMTP only with `?tls=none` to a relay on this machine. Anything else is refused
/// with the reason.
pub fn smtp_url(configured: &str) -> Result<String, String> {
    let mut url =
        url::Url::parse(configured).map_err(|_| format!("'{configured}' is not a URL"))?;
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    // An smtp:// address has an opaque host to the URL parser: compare its text.
    let local = matches!(
        url.host_str(),
        Some("localhost" | "127.0.0.1" | "[::1]" | "::1")
    );
    match (url.scheme(), tls.as_deref()) {
        ("smtps", None) => {}
        ("smtp", None) => {
            url.query_pairs_mut().append_pair("tls", "required");
        }
        ("smtp", Some("required")) => {}
        ("smtp", Some("none")) if local => {
            // Plain SMTP is what lettre does without a tls parameter.
            url.set_query(None);
        }
        ("smtp", Some("none")) => {
            return Err(
                "tls=none (plain SMTP) is only for a relay on this machine (localhost)".into(),
            );
        }
        ("smtp" | "smtps", Some(other)) => {
            return Err(format!(
                "tls={other} is not allowed: smtp:// always requires STARTTLS, smtps:// is TLS"
            ));
        }
        _ => return Err("must start with smtp:// or smtps://".into()),
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert!(matches!(c.database_url, DatabaseUrl::Sqlite(ref p) if p == "data/samenspel.db"));
        assert!(matches!(c.mail, MailConfig::Outbox(ref p) if p == &PathBuf::from("data/outbox")));
        assert!(!c.secure_cookies);
        assert_eq!(c.session_idle, Duration::from_secs(3600));
    }

    #[test]
    fn the_digid_broker_needs_all_three_settings() {
        assert!(config(&[]).unwrap().digid.is_none());
        let issuer = ("SAMENSPEL_DIGID_ISSUER", "https://broker.example");
        let id = ("SAMENSPEL_DIGID_CLIENT_ID", "samenspel");
        let secret = ("SAMENSPEL_DIGID_CLIENT_SECRET", "geheim");
        let named = |pairs: &[(&str, &str)]| config(pairs).unwrap_err().variable;
        assert_eq!(named(&[issuer, secret]), "SAMENSPEL_DIGID_CLIENT_ID");
        assert_eq!(named(&[issuer, id]), "SAMENSPEL_DIGID_CLIENT_SECRET");
        assert_eq!(named(&[id, secret]), "SAMENSPEL_DIGID_ISSUER");
        let digid = config(&[issuer, id, secret]).unwrap().digid.unwrap();
        assert_eq!(digid.bsn_claim, "bsn");
        assert!(digid.scopes.is_empty());
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("DATABASE_URL", "mysql://x"),
            ("SAMENSPEL_BIND", "localhost"),
            ("SAMENSPEL_SECURE_COOKIES", "maybe"),
            ("SAMENSPEL_SESSION_IDLE_MINUTES", "0"),
            ("SMTP_URL", "http://mail"),
            ("SMTP_URL", "smtp://user:pass@mail.example:587?tls=none"),
            (
                "SMTP_URL",
                "smtp://user:pass@mail.example:587?tls=opportunistic",
            ),
            ("MAIL_FROM", "not an address"),
            ("SAMENSPEL_LOG_FORMAT", "xml"),
            ("SAMENSPEL_BASE_URL", "ftp://x"),
            ("SAMENSPEL_DIGID_ISSUER", "broker.example"),
            ("SAMENSPEL_OIDC_ALLOW_HTTP", "soms"),
        ] {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.variable, var, "{value}");
            assert!(err.to_string().starts_with(var));
        }
    }
}
