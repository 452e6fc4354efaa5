//! Calendar feeds: a secret address per user that a calendar app subscribes to. Only the SHA-256 of the
//! secret is stored; a new feed replaces the old one, and revoking makes the old address answer 404.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::calendar_feeds;

/// Makes a new feed for the user (revoking any earlier one) and returns its secret, to show once.
pub fn create(conn: &mut DbConn, user_id: i64) -> QueryResult<String> {
    revoke(conn, user_id)?;
    let token = crate::auth::random_token();
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::user_id.eq(user_id),
            calendar_feeds::token_hash.eq(crate::auth::token_hash(&token)),
            calendar_feeds::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(token)
}

pub fn revoke(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        calendar_feeds::table
            .filter(calendar_feeds::user_id.eq(user_id))
            .filter(calendar_feeds::revoked_at.is_null()),
    )
    .set(calendar_feeds::revoked_at.eq(Some(super::now())))
    .execute(conn)
}

/// Whether the user has a feed that works.
pub fn is_active(conn: &mut DbConn, user_id: i64) -> QueryResult<bool> {
    let n: i64 = calendar_feeds::table
        .filter(calendar_feeds::user_id.eq(user_id))
        .filter(calendar_feeds::revoked_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The user whose live feed has this secret.
pub fn user_for(conn: &mut DbConn, token: &str) -> QueryResult<Option<i64>> {
    calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(crate::auth::token_hash(token)))
        .filter(calendar_feeds::revoked_at.is_null())
        .select(calendar_feeds::user_id)
        .first(conn)
        .optional()
}
