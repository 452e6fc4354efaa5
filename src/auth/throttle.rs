//! Login throttling per account and per client address, kept in the database so every instance agrees.

use chrono::NaiveDateTime;
use diesel::dsl::min;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::now;
use crate::schema::login_attempts;

/// Failed attempts within the window after which an account is refused, even with the right password.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Failed attempts from one address within the window, over all accounts.
pub const ADDRESS_LIMIT: i64 = 20;
pub fn window() -> chrono::Duration {
    chrono::Duration::minutes(15)
}

#[derive(Insertable)]
#[diesel(table_name = login_attempts)]
struct NewAttempt<'a> {
    account_key: &'a str,
    address: &'a str,
    succeeded: bool,
    attempted_at: NaiveDateTime,
}

pub fn record(
    conn: &mut DbConn,
    account_key: &str,
    address: &str,
    succeeded: bool,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values(NewAttempt {
            account_key,
            address,
            succeeded,
            attempted_at: now(),
        })
        .execute(conn)?;
    Ok(())
}

/// When the account or the address may try again, if it is locked now.
///
/// An account counts its failures since its last success within the window; an address counts all its
/// failures within the window. The lock lifts when the oldest counted failure leaves the window.
pub fn locked_until(
    conn: &mut DbConn,
    account_key: &str,
    address: &str,
) -> QueryResult<Option<NaiveDateTime>> {
    let now = now();
    let since = now - window();
    let last_success: Option<NaiveDateTime> = login_attempts::table
        .filter(login_attempts::account_key.eq(account_key))
        .filter(login_attempts::succeeded.eq(true))
        .filter(login_attempts::attempted_at.gt(since))
        .select(diesel::dsl::max(login_attempts::attempted_at))
        .first(conn)?;
    let account_since = last_success.map_or(since, |t| t.max(since));

    let account_failures = login_attempts::table
        .filter(login_attempts::account_key.eq(account_key))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(account_since));
    let address_failures = login_attempts::table
        .filter(login_attempts::address.eq(address))
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(since));

    let mut until: Option<NaiveDateTime> = None;
    if account_failures.count().get_result::<i64>(conn)? >= ACCOUNT_LIMIT {
        let oldest: Option<NaiveDateTime> = account_failures
            .select(min(login_attempts::attempted_at))
            .first(conn)?;
        until = oldest.map(|t| t + window());
    }
    if address_failures.count().get_result::<i64>(conn)? >= ADDRESS_LIMIT {
        let oldest: Option<NaiveDateTime> = address_failures
            .select(min(login_attempts::attempted_at))
            .first(conn)?;
        until = until.max(oldest.map(|t| t + window()));
    }
    Ok(until)
}

/// Forgets attempts older than a day; run now and then.
pub fn prune(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(
        login_attempts::table
            .filter(login_attempts::attempted_at.lt(now() - chrono::Duration::days(1))),
    )
    .execute(conn)
}
