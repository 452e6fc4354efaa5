//! The step between a right password and a session: a pending login, bound to the browser by a cookie
//! of its own (the database keeps only its hash), answered with a code or by setting up a second factor.
//! It opens nothing by itself, lasts a few minutes and takes a few wrong answers.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::now;
use crate::domain::user::User;
use crate::schema::{login_challenges, users};

/// Wrong answers one pending login takes before it is gone (the account's throttle counts too).
pub const MAX_ATTEMPTS: i32 = 5;

pub fn lifetime() -> chrono::Duration {
    chrono::Duration::minutes(10)
}

/// What the pending login waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// A code of the second factor (or a recovery code).
    Code,
    /// Setting up a second factor, which the account's organisation requires.
    Enrol,
}

impl Step {
    fn code(self) -> &'static str {
        match self {
            Step::Code => "code",
            Step::Enrol => "enrol",
        }
    }
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = login_challenges)]
pub struct Challenge {
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    pub step: String,
    /// Where the login goes afterwards (a local path, checked when it was asked for).
    pub return_to: String,
    pub attempts: i32,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl Challenge {
    pub fn step(&self) -> Step {
        if self.step == Step::Enrol.code() {
            Step::Enrol
        } else {
            Step::Code
        }
    }
}

/// Starts a pending login for the user; returns the token for its cookie.
pub fn create(conn: &mut DbConn, user_id: i64, step: Step, return_to: &str) -> QueryResult<String> {
    let token = super::random_token();
    let now = now();
    diesel::insert_into(login_challenges::table)
        .values((
            login_challenges::token_hash.eq(super::token_hash(&token)),
            login_challenges::user_id.eq(user_id),
            login_challenges::step.eq(step.code()),
            login_challenges::return_to.eq(return_to),
            login_challenges::attempts.eq(0),
            login_challenges::created_at.eq(now),
            login_challenges::expires_at.eq(now + lifetime()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The pending login of `token` and its (active) user, while it lasts and has answers left.
pub fn find(conn: &mut DbConn, token: &str) -> QueryResult<Option<(Challenge, User)>> {
    login_challenges::table
        .inner_join(users::table)
        .filter(login_challenges::token_hash.eq(super::token_hash(token)))
        .filter(login_challenges::expires_at.gt(now()))
        .filter(login_challenges::attempts.lt(MAX_ATTEMPTS))
        .filter(users::active.eq(true))
        .select((Challenge::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// Counts a wrong answer; true while the pending login has answers left.
pub fn count_wrong(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    diesel::update(login_challenges::table.find(id))
        .set(login_challenges::attempts.eq(login_challenges::attempts + 1))
        .execute(conn)?;
    let attempts: Option<i32> = login_challenges::table
        .find(id)
        .select(login_challenges::attempts)
        .first(conn)
        .optional()?;
    Ok(attempts.is_some_and(|a| a < MAX_ATTEMPTS))
}

/// Ends a pending login (answered, or given up). True when it was still there: of two answers at
/// once, only one turns it into a session.
pub fn delete(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    Ok(diesel::delete(login_challenges::table.find(id)).execute(conn)? == 1)
}

/// Forgets pending logins past their time.
pub fn prune(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(login_challenges::table.filter(login_challenges::expires_at.le(now())))
        .execute(conn)
}
