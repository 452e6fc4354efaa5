//! Appending to the chain on PostgreSQL in one statement.
//!
//! Appenders queue on the chain head's row lock, and each holds it until its transaction has committed.
//! So the time from taking that lock to the commit is what a burst of writers pays once per writer, one
//! after the other. Here the lock, the read of the last hash, the new event with its hash, the head's
//! update and the announcement to the live rooms are one statement: the lock is held for the rest of
//! that statement and the commit, not for five round trips between the server and the application.
//!
//! The statement is prepared once per connection and then only bound and run (diesel never caches a
//! `sql_query`, which PostgreSQL would parse and plan again on every append: in a burst of fifty chairs
//! that was a third of each write's time on the group-commit connection).
//!
//! The hash is the same as everywhere: SHA-256 over the previous hash followed by the event's own
//! fields (`hash_tail`), which the application writes out; only the concatenation with the previous
//! hash happens in the database, where that hash is known under the lock.

use diesel::PgConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp, Untyped};

use super::{CHANNEL, Event, EventRow};

/// The statement, around its parameters. `head` takes the row lock and reads the newest hash (a
/// writer that waited reads the hash its predecessor committed); `added` inserts the event linked to
/// it; `moved` makes it the head; `announced` tells the live rooms of every instance about a meeting
/// event, delivered with the commit.
const BEFORE: &str = "WITH head AS (
         SELECT last_hash FROM event_chain_head WHERE id = 1 FOR UPDATE
     ), added AS (
         INSERT INTO events (occurred_at, actor_user_id, actor_organisation_id, family_id, kind,
             subject_type, subject_id, data, prev_hash, hash, meeting_id, data_digest)
         SELECT ";
/// Between the payload and the tail of the hashed fields: the previous hash and the hash itself.
const LINKED: &str = ", head.last_hash, encode(sha256(convert_to(head.last_hash || ";
const HASHED: &str = ", 'UTF8')), 'hex'), ";
const AFTER: &str = "
         FROM head
         RETURNING *
     ), moved AS (
         UPDATE event_chain_head SET last_hash = added.hash, last_event_id = added.id
         FROM added WHERE event_chain_head.id = 1
     ), announced AS (
         SELECT pg_notify(";
const END: &str = ", added.id::text) FROM added
         WHERE added.meeting_id IS NOT NULL
     )
     SELECT added.*, (SELECT count(*) FROM announced) AS announced FROM added";

/// One append: the statement with `row`'s fields and the hashed `tail` bound in order. Its SQL never
/// varies, so diesel keeps it prepared per connection.
struct Append<'a> {
    row: &'a EventRow<'a>,
    tail: &'a str,
}

impl QueryId for Append<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Append<'_> {
    type SqlType = Untyped;
}

impl RunQueryDsl<PgConnection> for Append<'_> {}

impl QueryFragment<Pg> for Append<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        let row = self.row;
        out.push_sql(BEFORE);
        out.push_bind_param::<Timestamp, _>(&row.occurred_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&row.actor_user_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&row.actor_organisation_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&row.family_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.subject_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Nullable<BigInt>, _>(&row.subject_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.data)?;
        out.push_sql(LINKED);
        out.push_bind_param::<Text, _>(&self.tail)?;
        out.push_sql(HASHED);
        out.push_bind_param::<Nullable<BigInt>, _>(&row.meeting_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Text, _>(&row.data_digest)?;
        out.push_sql(AFTER);
        out.push_sql(&format!("'{CHANNEL}'"));
        out.push_sql(END);
        Ok(())
    }
}

/// Appends `row` (its own hash and previous hash are left to the statement) whose fields after the
/// previous hash read `tail`; returns the event as stored.
pub(super) fn append(
    conn: &mut PgConnection,
    row: &EventRow<'_>,
    tail: &str,
) -> QueryResult<Event> {
    Append { row, tail }.get_result(conn)
}
