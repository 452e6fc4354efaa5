//! API tokens of partner organisations: read-only, shown once when made, stored as their SHA-256,
//! revocable. A token acts for its organisation, never for a person.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{api_tokens, users};

/// Tokens start with this, so a leaked one is recognisable in logs and scanners.
pub const PREFIX: &str = "ssp_";
/// How long a token works: a forgotten integration stops by itself; the admin makes a new token.
pub const VALID_DAYS: i64 = 365;

#[derive(Clone, Debug)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
}

impl TokenView {
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|e| e <= super::now())
    }
}

/// Makes a token for the organisation and returns (id, the secret to show once).
pub fn create(
    conn: &mut DbConn,
    organisation_id: i64,
    name: &str,
    by: i64,
) -> QueryResult<(i64, String)> {
    let secret = format!("{PREFIX}{}", crate::auth::random_token());
    let id = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::organisation_id.eq(organisation_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(crate::auth::token_hash(&secret)),
            api_tokens::created_by_user_id.eq(by),
            api_tokens::created_at.eq(super::now()),
            api_tokens::expires_at.eq(Some(super::now() + chrono::Duration::days(VALID_DAYS))),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    Ok((id, secret))
}

type TokenRow = (
    i64,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

pub fn list(conn: &mut DbConn, organisation_id: i64) -> QueryResult<Vec<TokenView>> {
    let rows: Vec<TokenRow> = api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::created_by_user_id)))
        .filter(api_tokens::organisation_id.eq(organisation_id))
        .order(api_tokens::id.desc())
        .select((
            api_tokens::id,
            api_tokens::name,
            users::name,
            api_tokens::created_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
            api_tokens::expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, created_by, created_at, last_used_at, revoked_at, expires_at)| TokenView {
                id,
                name,
                created_by,
                created_at,
                last_used_at,
                revoked_at,
                expires_at,
            },
        )
        .collect())
}

/// Revokes a token of the organisation; 0 when there is no such live token.
pub fn revoke(conn: &mut DbConn, organisation_id: i64, id: i64) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::organisation_id.eq(organisation_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(Some(super::now())))
    .execute(conn)
}

/// The live (not revoked, not expired) token with this secret: (token id, organisation id). Marks it
/// used (at most once a minute).
pub fn authenticate(conn: &mut DbConn, secret: &str) -> QueryResult<Option<(i64, i64)>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let found: Option<(i64, i64, Option<NaiveDateTime>)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(crate::auth::token_hash(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(super::now()))
        .select((
            api_tokens::id,
            api_tokens::organisation_id,
            api_tokens::last_used_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, organisation_id, last_used)) = found else {
        return Ok(None);
    };
    let now = super::now();
    if last_used.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        // A hint for the admin, not worth failing a read for (a busy database may refuse the write).
        if let Err(e) = crate::db::write(conn, |conn| {
            diesel::update(api_tokens::table.find(id))
                .set(api_tokens::last_used_at.eq(Some(now)))
                .execute(conn)
        }) {
            tracing::debug!(token = id, error = %e, "last use of an API token not recorded");
        }
    }
    Ok(Some((id, organisation_id)))
}
