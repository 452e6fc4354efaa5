//! API tokens of partner organisations: read-only, shown once when made, stored as their SHA-256,
//! revocable. A token acts for its organisation, never for a person. A new token reads nothing until
//! a coordinator of a partnership its organisation takes part in approves it (`approved_at`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{api_tokens, organisations, partnership_organisations, users};

/// Tokens start with this, so a leaked one is recognisable in logs and scanners.
pub const PREFIX: &str = "ssp_";
/// How long a token works: a forgotten integration stops by itself; the admin makes a new token.
pub const VALID_DAYS: i64 = 365;

/// A token as the lists show it: the token, and the names and times around it.
#[derive(Clone, Debug)]
pub struct TokenView {
    pub token: Token,
    /// The organisation the token reads for.
    pub organisation: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    /// The name of who approved it; none for a token approved by migration 000016.
    pub approver: Option<String>,
}

impl std::ops::Deref for TokenView {
    type Target = Token;
    fn deref(&self) -> &Token {
        &self.token
    }
}

/// A token as the approval sees it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct Token {
    pub id: i64,
    pub organisation_id: i64,
    pub name: String,
    pub created_by_user_id: i64,
    pub revoked_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    /// The coordinator who approved it (none for a token approved by migration 000016).
    pub approved_by: Option<i64>,
}

impl Token {
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|e| e <= super::now())
    }

    /// Revoked or past its year: it works for nobody, and is not approved any more.
    pub fn ended(&self) -> bool {
        self.revoked_at.is_some() || self.expired()
    }

    /// Live, and not approved yet.
    pub fn waiting(&self) -> bool {
        self.approved_at.is_none() && !self.ended()
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

type TokenRow = (Token, String, String, NaiveDateTime, Option<NaiveDateTime>);

/// The tokens of these organisations, newest first, with who made and who approved them.
fn views(conn: &mut DbConn, organisation_ids: &[i64]) -> QueryResult<Vec<TokenView>> {
    let rows: Vec<TokenRow> = api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::created_by_user_id)))
        .inner_join(organisations::table.on(organisations::id.eq(api_tokens::organisation_id)))
        .filter(api_tokens::organisation_id.eq_any(organisation_ids))
        .order(api_tokens::id.desc())
        .select((
            Token::as_select(),
            organisations::name,
            users::name,
            api_tokens::created_at,
            api_tokens::last_used_at,
        ))
        .load(conn)?;
    let approvers: Vec<i64> = rows.iter().filter_map(|r| r.0.approved_by).collect();
    let names: Vec<(i64, String)> = users::table
        .filter(users::id.eq_any(&approvers))
        .select((users::id, users::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(token, organisation, created_by, created_at, last_used_at)| TokenView {
                approver: names
                    .iter()
                    .find(|(id, _)| Some(*id) == token.approved_by)
                    .map(|(_, name)| name.clone()),
                token,
                organisation,
                created_by,
                created_at,
                last_used_at,
            },
        )
        .collect())
}

pub fn list(conn: &mut DbConn, organisation_id: i64) -> QueryResult<Vec<TokenView>> {
    views(conn, &[organisation_id])
}

/// The tokens of the organisations that take part in the partnership (the coordinator's page).
pub fn of_partnership(conn: &mut DbConn, partnership_id: i64) -> QueryResult<Vec<TokenView>> {
    let taking_part: Vec<i64> = partnership_organisations::table
        .filter(partnership_organisations::partnership_id.eq(partnership_id))
        .select(partnership_organisations::organisation_id)
        .load(conn)?;
    views(conn, &taking_part)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Token>> {
    api_tokens::table
        .find(id)
        .select(Token::as_select())
        .first(conn)
        .optional()
}

/// Approves a token that is live and not approved yet; 0 when there is no such token.
pub fn approve(conn: &mut DbConn, id: i64, by: i64) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::approved_at.is_null())
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set((
        api_tokens::approved_at.eq(Some(super::now())),
        api_tokens::approved_by.eq(Some(by)),
    ))
    .execute(conn)
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

/// A live token, as the API sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Authenticated {
    pub id: i64,
    pub organisation_id: i64,
    /// A coordinator approved it; until then it reads nothing.
    pub approved: bool,
}

/// The live (not revoked, not expired) token with this secret. Marks an approved one used (at most
/// once a minute); a token waiting for approval is not used, as it reads nothing.
pub fn authenticate(conn: &mut DbConn, secret: &str) -> QueryResult<Option<Authenticated>> {
    if !secret.starts_with(PREFIX) {
        return Ok(None);
    }
    let found: Option<(i64, i64, Option<NaiveDateTime>, Option<NaiveDateTime>)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(crate::auth::token_hash(secret)))
        .filter(api_tokens::revoked_at.is_null())
        .filter(api_tokens::expires_at.gt(super::now()))
        .select((
            api_tokens::id,
            api_tokens::organisation_id,
            api_tokens::last_used_at,
            api_tokens::approved_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, organisation_id, last_used, approved_at)) = found else {
        return Ok(None);
    };
    let token = Authenticated {
        id,
        organisation_id,
        approved: approved_at.is_some(),
    };
    let now = super::now();
    if token.approved && last_used.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        // A hint for the admin, not worth failing a read for (a busy database may refuse the write).
        if let Err(e) = crate::db::write(conn, |conn| {
            diesel::update(api_tokens::table.find(id))
                .set(api_tokens::last_used_at.eq(Some(now)))
                .execute(conn)
        }) {
            tracing::debug!(token = id, error = %e, "last use of an API token not recorded");
        }
    }
    Ok(Some(token))
}
