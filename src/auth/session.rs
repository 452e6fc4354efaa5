//! Server-side sessions: the browser holds a random token, the database only its hash.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::now;
use crate::domain::user::{User, UserWithOrganisation};
use crate::schema::{organisations, sessions, users};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: i64,
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    /// When its user last confirmed their password (and code, when they have a second factor).
    pub confirmed_at: Option<NaiveDateTime>,
    /// The browser's own description, for the sessions page.
    pub user_agent: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = sessions)]
struct NewSession<'a> {
    token_hash: &'a str,
    user_id: i64,
    csrf_token: &'a str,
    created_at: NaiveDateTime,
    last_seen_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    user_agent: Option<&'a str>,
}

/// How a session starts, beside its user and lifetime.
#[derive(Clone, Copy, Debug, Default)]
pub struct Start<'a> {
    /// The login checked everything the user has (password, and code when they have a second
    /// factor): the session counts as freshly confirmed for sensitive actions.
    pub confirmed: bool,
    pub user_agent: Option<&'a str>,
}

/// Starts a session and returns the token for the cookie. `max_age` is the absolute lifetime.
pub fn create(conn: &mut DbConn, user_id: i64, max_age: Duration) -> QueryResult<String> {
    start(conn, user_id, max_age, Start::default())
}

/// Starts a session as `how` says, and returns the token for the cookie.
pub fn start(
    conn: &mut DbConn,
    user_id: i64,
    max_age: Duration,
    how: Start<'_>,
) -> QueryResult<String> {
    let token = super::random_token();
    let now = now();
    // A browser may describe itself at length; the sessions page needs the start of it.
    let user_agent = how
        .user_agent
        .map(|a| a.chars().take(400).collect::<String>());
    diesel::insert_into(sessions::table)
        .values(NewSession {
            token_hash: &super::token_hash(&token),
            user_id,
            csrf_token: &super::random_token(),
            created_at: now,
            last_seen_at: now,
            expires_at: now
                + chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::hours(12)),
            confirmed_at: how.confirmed.then_some(now),
            user_agent: user_agent.as_deref(),
        })
        .execute(conn)?;
    Ok(token)
}

/// How long a confirmation of password and code counts for sensitive actions.
pub fn confirmation_lasts() -> chrono::Duration {
    chrono::Duration::minutes(10)
}

/// Whether the session's user confirmed password and code within `confirmation_lasts`.
pub fn recently_confirmed(conn: &mut DbConn, session_id: i64) -> QueryResult<bool> {
    let at: Option<Option<NaiveDateTime>> = sessions::table
        .find(session_id)
        .select(sessions::confirmed_at)
        .first(conn)
        .optional()?;
    Ok(at
        .flatten()
        .is_some_and(|at| at + confirmation_lasts() > now()))
}

/// Records that the session's user just confirmed password and code.
pub fn mark_confirmed(conn: &mut DbConn, session_id: i64) -> QueryResult<()> {
    diesel::update(sessions::table.find(session_id))
        .set(sessions::confirmed_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

/// The user's sessions that still count, the most recently used first.
pub fn list_for_user(conn: &mut DbConn, user: &User, idle: Duration) -> QueryResult<Vec<Session>> {
    let now = now();
    let found = sessions::table
        .filter(sessions::user_id.eq(user.id))
        .order((sessions::last_seen_at.desc(), sessions::id.desc()))
        .select(Session::as_select())
        .load::<Session>(conn)?;
    Ok(found
        .into_iter()
        .filter(|s| is_current(s, user, idle, now))
        .collect())
}

/// Family accounts: a session ends after 15 minutes without use, and after 2 hours at most.
pub const FAMILY_IDLE: Duration = Duration::from_secs(15 * 60);
pub const FAMILY_MAX: Duration = Duration::from_secs(2 * 3600);

/// The live session of `token` and its user with their organisation's name; None when unknown,
/// expired, idle too long or the user is inactive. Marks the session as seen (at most once a minute,
/// to keep reads cheap). One statement on every request of a signed-in user.
pub fn resume(
    conn: &mut DbConn,
    token: &str,
    idle: Duration,
) -> QueryResult<Option<(Session, UserWithOrganisation)>> {
    let now = now();
    let found = sessions::table
        .inner_join(users::table.left_join(organisations::table))
        .filter(sessions::token_hash.eq(super::token_hash(token)))
        .select((
            Session::as_select(),
            User::as_select(),
            organisations::name.nullable(),
        ))
        .first::<(Session, User, Option<String>)>(conn)
        .optional()?;
    let Some((session, user, organisation_name)) = found else {
        return Ok(None);
    };
    // The two writes below are rare (once a minute per session, or once at its end) but do happen on
    // page reads: they take the writer's turn like every other write, so on SQLite they wait for busy
    // writers instead of failing with "database is locked" after the busy timeout.
    if !is_current(&session, &user, idle, now) {
        crate::db::write(conn, |conn| {
            diesel::delete(sessions::table.find(session.id)).execute(conn)
        })?;
        return Ok(None);
    }
    if now - session.last_seen_at > chrono::Duration::minutes(1) {
        crate::db::write(conn, |conn| {
            diesel::update(sessions::table.find(session.id))
                .set(sessions::last_seen_at.eq(now))
                .execute(conn)
        })?;
    }
    Ok(Some((
        session,
        UserWithOrganisation {
            user,
            organisation_name,
        },
    )))
}

/// Whether a session still counts: not past its lifetime, not idle too long, its user active.
fn is_current(session: &Session, user: &User, idle: Duration, now: NaiveDateTime) -> bool {
    still_counts(
        (session.expires_at, session.last_seen_at),
        (&user.role, user.active),
        idle,
        now,
    )
}

/// The rule of [`is_current`] on the columns it reads: the session's end and last use, its user's role
/// code and whether they are active.
fn still_counts(
    (expires_at, last_seen_at): (NaiveDateTime, NaiveDateTime),
    (role, active): (&str, bool),
    idle: Duration,
    now: NaiveDateTime,
) -> bool {
    let idle = if role == crate::domain::user::Role::Family.code() {
        idle.min(FAMILY_IDLE)
    } else {
        idle
    };
    let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::hours(1));
    expires_at > now && last_seen_at + idle > now && active
}

/// Which of these sessions still count (as [`resume`] would find them), without marking any as seen:
/// what the live room asks of its open sockets. Logout, expiry, a password reset and deactivation all
/// take a session out of this set.
pub fn current_among(
    conn: &mut DbConn,
    ids: &[i64],
    idle: Duration,
) -> QueryResult<std::collections::HashSet<i64>> {
    let now = now();
    let mut current = std::collections::HashSet::new();
    for chunk in ids.chunks(500) {
        // Only the columns the rule reads: the live rooms ask this for every open socket, twice a
        // second, and whole rows of a thousand sessions and their users took milliseconds to load.
        let found = sessions::table
            .inner_join(users::table)
            .filter(sessions::id.eq_any(chunk))
            .select((
                sessions::id,
                sessions::expires_at,
                sessions::last_seen_at,
                users::role,
                users::active,
            ))
            .load::<(i64, NaiveDateTime, NaiveDateTime, String, bool)>(conn)?;
        current.extend(
            found
                .iter()
                .filter(|(_, ends, seen, role, active)| {
                    still_counts((*ends, *seen), (role, *active), idle, now)
                })
                .map(|(id, ..)| *id),
        );
    }
    Ok(current)
}

pub fn delete(conn: &mut DbConn, session_id: i64) -> QueryResult<()> {
    diesel::delete(sessions::table.find(session_id)).execute(conn)?;
    Ok(())
}

/// Ends every session of a user, except `keep` (the one that just changed the password, if any).
pub fn delete_all_for_user(
    conn: &mut DbConn,
    user_id: i64,
    keep: Option<i64>,
) -> QueryResult<usize> {
    let mut query = diesel::delete(sessions::table)
        .filter(sessions::user_id.eq(user_id))
        .into_boxed();
    if let Some(id) = keep {
        query = query.filter(sessions::id.ne(id));
    }
    query.execute(conn)
}

pub fn count_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    sessions::table
        .filter(sessions::user_id.eq(user_id))
        .count()
        .get_result(conn)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::user::Role;

    #[test]
    fn a_session_counts_until_its_end_its_idle_limit_or_its_user_stops() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 3)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap();
        let minutes = chrono::Duration::minutes;
        let hour = Duration::from_secs(3600);
        let counts = |(ends, seen): (i64, i64), role: Role, active: bool| {
            still_counts(
                (now + minutes(ends), now - minutes(seen)),
                (role.code(), active),
                hour,
                now,
            )
        };
        // Seen 16 minutes ago: a professional's session goes on, a family account's has ended (their
        // idle limit is 15 minutes, whatever the instance allows).
        assert!(counts((60, 16), Role::Professional, true));
        assert!(!counts((60, 16), Role::Family, true));
        assert!(counts((60, 14), Role::Family, true));
        // Idle for longer than the instance allows, past its end, or its user deactivated.
        assert!(!counts((60, 61), Role::OrgAdmin, true));
        assert!(!counts((0, 1), Role::Professional, true));
        assert!(!counts((60, 1), Role::Professional, false));
    }
}
