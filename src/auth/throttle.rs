//! Login throttling per account and per client address, kept in the database so every instance agrees.
//!
//! An attempt is reserved before its password is checked: one statement per counter adds the attempt and
//! checks the limit at once, so however many requests arrive together, no more passwords are checked
//! than the limits allow. A success gives its reservations back: the account's count starts again and
//! the address's loses that one, so only failures count, as they always did. The same counters allow
//! one password reset mail per address per `reset_interval`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use crate::db::DbConn;
use crate::domain::now;
use crate::schema::{login_attempts, login_counters};

/// Failed attempts within the window after which an account is refused, even with the right password.
pub const ACCOUNT_LIMIT: i64 = 5;
/// Failed attempts from one address within the window, over all accounts.
pub const ADDRESS_LIMIT: i64 = 20;
pub fn window() -> chrono::Duration {
    chrono::Duration::minutes(15)
}

/// One password reset mail per address within this time; asking again sooner sends nothing.
pub fn reset_interval() -> chrono::Duration {
    chrono::Duration::minutes(5)
}

const ACCOUNT: &str = "account";
const ADDRESS: &str = "address";
const RESET: &str = "reset";

/// A login attempt allowed to check its password: one place in the account's and the address's counts.
#[derive(Debug)]
pub struct Reserved {
    account_key: String,
    address: String,
}

/// Reserves an attempt for the account and the address, before the password is checked. Call inside a
/// write transaction. `Err` holds when the lock lifts: the account or the address is at its limit (and
/// then nothing is counted).
pub fn reserve(
    conn: &mut DbConn,
    account_key: &str,
    address: &str,
) -> QueryResult<Result<Reserved, NaiveDateTime>> {
    if !take(conn, ADDRESS, address, ADDRESS_LIMIT, window())? {
        return Ok(Err(lifts_at(conn, ADDRESS, address, window())?));
    }
    if !take(conn, ACCOUNT, account_key, ACCOUNT_LIMIT, window())? {
        give_back(conn, ADDRESS, address)?;
        return Ok(Err(lifts_at(conn, ACCOUNT, account_key, window())?));
    }
    Ok(Ok(Reserved {
        account_key: account_key.to_string(),
        address: address.to_string(),
    }))
}

impl Reserved {
    /// The password was right: the account starts counting again and the address keeps no count of it.
    pub fn succeeded(self, conn: &mut DbConn) -> QueryResult<()> {
        // The address first, in the order `reserve` takes them: no two transactions wait in a circle.
        give_back(conn, ADDRESS, &self.address)?;
        diesel::delete(
            login_counters::table
                .filter(login_counters::scope.eq(ACCOUNT))
                .filter(login_counters::subject.eq(&self.account_key)),
        )
        .execute(conn)?;
        Ok(())
    }

    /// No password was checked after all (the password workers were busy): both places are given back.
    pub fn release(self, conn: &mut DbConn) -> QueryResult<()> {
        give_back(conn, ADDRESS, &self.address)?;
        give_back(conn, ACCOUNT, &self.account_key)
    }
}

/// Whether a reset mail may go to this address now (one per `reset_interval`), counted at once, known
/// address or not.
pub fn reserve_reset_mail(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    take(conn, RESET, email, 1, reset_interval())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    attempts: i64,
}

/// Counts one more for `subject` when it is under `limit` within its window, in one statement: a row
/// whose window has passed starts a new one. Whether it was counted.
fn take(
    conn: &mut DbConn,
    scope: &str,
    subject: &str,
    limit: i64,
    window: chrono::Duration,
) -> QueryResult<bool> {
    const SQL: &str = "INSERT INTO login_counters (scope, subject, window_start, attempts) \
         VALUES ($1, $2, $3, 1) ON CONFLICT (scope, subject) DO UPDATE SET \
         attempts = CASE WHEN login_counters.window_start <= $4 THEN 1 \
             ELSE login_counters.attempts + 1 END, \
         window_start = CASE WHEN login_counters.window_start <= $4 THEN $3 \
             ELSE login_counters.window_start END \
         WHERE login_counters.window_start <= $4 OR login_counters.attempts < $5 \
         RETURNING attempts";
    let now = now();
    let expired = now - window;
    macro_rules! bound {
        ($sql:expr) => {
            diesel::sql_query($sql)
                .bind::<Text, _>(scope)
                .bind::<Text, _>(subject)
                .bind::<Timestamp, _>(now)
                .bind::<Timestamp, _>(expired)
                .bind::<BigInt, _>(limit)
        };
    }
    let counted: Vec<Count> = match conn {
        DbConn::Postgres(c) => bound!(SQL).load(c)?,
        // SQLite numbers its parameters ?1, ?2 …
        DbConn::Sqlite(c) => bound!(SQL.replace('$', "?")).load(c)?,
    };
    Ok(counted.first().is_some_and(|c| c.attempts <= limit))
}

/// Gives one counted attempt back.
fn give_back(conn: &mut DbConn, scope: &str, subject: &str) -> QueryResult<()> {
    diesel::update(
        login_counters::table
            .filter(login_counters::scope.eq(scope))
            .filter(login_counters::subject.eq(subject))
            .filter(login_counters::attempts.gt(0)),
    )
    .set(login_counters::attempts.eq(login_counters::attempts - 1))
    .execute(conn)?;
    Ok(())
}

/// When the window of a counter at its limit passes.
fn lifts_at(
    conn: &mut DbConn,
    scope: &str,
    subject: &str,
    window: chrono::Duration,
) -> QueryResult<NaiveDateTime> {
    let start: Option<NaiveDateTime> = login_counters::table
        .filter(login_counters::scope.eq(scope))
        .filter(login_counters::subject.eq(subject))
        .select(login_counters::window_start)
        .first(conn)
        .optional()?;
    Ok(start.unwrap_or_else(now) + window)
}

#[derive(Insertable)]
#[diesel(table_name = login_attempts)]
struct NewAttempt<'a> {
    account_key: &'a str,
    address: &'a str,
    succeeded: bool,
    attempted_at: NaiveDateTime,
}

/// Keeps a checked attempt on record (who tried, from where, whether it worked).
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

/// Forgets attempts and counters older than a day; run now and then.
pub fn prune(conn: &mut DbConn) -> QueryResult<usize> {
    let day_ago = now() - chrono::Duration::days(1);
    let attempts =
        diesel::delete(login_attempts::table.filter(login_attempts::attempted_at.lt(day_ago)))
            .execute(conn)?;
    let counters =
        diesel::delete(login_counters::table.filter(login_counters::window_start.lt(day_ago)))
            .execute(conn)?;
    Ok(attempts + counters)
}
