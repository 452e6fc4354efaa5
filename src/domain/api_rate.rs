//! The partner API's rate limit: requests per organisation per minute, counted in the database so
//! that every instance agrees. Three instances behind a balancer allow the limit once, not three times.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};

use crate::db::DbConn;
use crate::domain::now;
use crate::schema::api_rate_counters;

/// The length of a counting window.
pub fn window() -> chrono::Duration {
    chrono::Duration::minutes(1)
}

/// Where an organisation stands after a request: its count in the current window and when that
/// window began.
#[derive(Clone, Copy, Debug, QueryableByName)]
pub struct Count {
    #[diesel(sql_type = BigInt)]
    pub requests: i64,
    #[diesel(sql_type = Timestamp)]
    pub window_start: NaiveDateTime,
}

impl Count {
    /// Seconds until the window ends (at least 1), for `RateLimit-Reset` and `Retry-After`.
    pub fn reset_seconds(&self) -> u64 {
        let left = (self.window_start + window() - now()).num_seconds();
        left.clamp(1, window().num_seconds()) as u64
    }
}

/// Counts one request of `organisation_id`, in one statement: a counter whose window has passed
/// starts a new one at 1. Requests over the limit are counted too (the caller refuses them).
pub fn count_request(conn: &mut DbConn, organisation_id: i64) -> QueryResult<Count> {
    const SQL: &str = "INSERT INTO api_rate_counters (organisation_id, window_start, requests) \
         VALUES ($1, $2, 1) ON CONFLICT (organisation_id) DO UPDATE SET \
         requests = CASE WHEN api_rate_counters.window_start <= $3 THEN 1 \
             ELSE api_rate_counters.requests + 1 END, \
         window_start = CASE WHEN api_rate_counters.window_start <= $3 THEN $2 \
             ELSE api_rate_counters.window_start END \
         RETURNING requests, window_start";
    let now = now();
    let expired = now - window();
    macro_rules! bound {
        ($sql:expr) => {
            diesel::sql_query($sql)
                .bind::<BigInt, _>(organisation_id)
                .bind::<Timestamp, _>(now)
                .bind::<Timestamp, _>(expired)
        };
    }
    let counted: Vec<Count> = match conn {
        DbConn::Postgres(c) => bound!(SQL).load(c)?,
        // SQLite numbers its parameters ?1, ?2 …
        DbConn::Sqlite(c) => bound!(SQL.replace('$', "?")).load(c)?,
    };
    counted
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// Removes counters whose window ended more than an hour ago.
pub fn prune(conn: &mut DbConn) -> QueryResult<usize> {
    let old = now() - chrono::Duration::hours(1);
    diesel::delete(api_rate_counters::table.filter(api_rate_counters::window_start.lt(old)))
        .execute(conn)
}
