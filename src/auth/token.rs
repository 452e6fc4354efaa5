//! Single-use, expiring tokens for invitations and password resets, sent by email.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::{now, user::User};
use crate::schema::{user_tokens, users};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
    /// A one-time login for a family member, instead of a password.
    LoginLink,
}

/// The tokens that lead to choosing a password.
pub const SET_PASSWORD: &[Purpose] = &[Purpose::Invitation, Purpose::PasswordReset];

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
            Purpose::LoginLink => "login_link",
        }
    }

    /// How long a link stays valid: an invitation a week, a reset an hour.
    pub fn lifetime(self) -> chrono::Duration {
        match self {
            Purpose::Invitation => chrono::Duration::days(7),
            Purpose::PasswordReset => chrono::Duration::hours(1),
            Purpose::LoginLink => chrono::Duration::minutes(15),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = user_tokens)]
struct NewToken<'a> {
    token_hash: &'a str,
    user_id: i64,
    purpose: &'a str,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// Issues a token for `user_id`; earlier unused tokens of the same purpose stop working.
pub fn issue(conn: &mut DbConn, user_id: i64, purpose: Purpose) -> QueryResult<String> {
    let token = super::random_token();
    let now = now();
    diesel::update(
        user_tokens::table
            .filter(user_tokens::user_id.eq(user_id))
            .filter(user_tokens::purpose.eq(purpose.code()))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(now))
    .execute(conn)?;
    diesel::insert_into(user_tokens::table)
        .values(NewToken {
            token_hash: &super::token_hash(&token),
            user_id,
            purpose: purpose.code(),
            created_at: now,
            expires_at: now + purpose.lifetime(),
        })
        .execute(conn)?;
    Ok(token)
}

/// Whether a token of `purpose` was issued to the user after `since` (to not send links in a stream).
pub fn issued_since(
    conn: &mut DbConn,
    user_id: i64,
    purpose: Purpose,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    let n: i64 = user_tokens::table
        .filter(user_tokens::user_id.eq(user_id))
        .filter(user_tokens::purpose.eq(purpose.code()))
        .filter(user_tokens::created_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The user a valid token of one of `purposes` belongs to (unused, unexpired), without using it up.
pub fn peek(conn: &mut DbConn, token: &str, purposes: &[Purpose]) -> QueryResult<Option<User>> {
    let codes: Vec<&str> = purposes.iter().map(|p| p.code()).collect();
    user_tokens::table
        .inner_join(users::table)
        .filter(user_tokens::token_hash.eq(super::token_hash(token)))
        .filter(user_tokens::purpose.eq_any(codes))
        .filter(user_tokens::used_at.is_null())
        .filter(user_tokens::expires_at.gt(now()))
        .filter(users::active.eq(true))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Uses the token up and returns its user; None when it is unknown, used or expired. Call inside the
/// transaction that sets the password, so a token is never spent without effect.
pub fn consume(conn: &mut DbConn, token: &str, purposes: &[Purpose]) -> QueryResult<Option<User>> {
    let Some(user) = peek(conn, token, purposes)? else {
        return Ok(None);
    };
    let spent = diesel::update(
        user_tokens::table
            .filter(user_tokens::token_hash.eq(super::token_hash(token)))
            .filter(user_tokens::used_at.is_null()),
    )
    .set(user_tokens::used_at.eq(now()))
    .execute(conn)?;
    Ok((spent == 1).then_some(user))
}
