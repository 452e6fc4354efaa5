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

/// The statement, around its parameters, for events 1..n of one change: `head` takes the row lock and
/// reads the newest hash (a writer that waited reads the hash its predecessor committed); `added1`
/// inserts the first event linked to it, each next `addedK` the next one linked to the one before;
/// `moved` makes the last the head; `announced` tells the live rooms of every instance about each
/// meeting event, delivered with the commit. Its SQL depends only on n, so diesel keeps one prepared
/// statement per n (in practice one and two: starting a meeting with its first item is two events).
const HEAD: &str = "WITH head AS (
         SELECT last_hash FROM event_chain_head WHERE id = 1 FOR UPDATE
     )";
const INSERT: &str = " AS (
         INSERT INTO events (occurred_at, actor_user_id, actor_organisation_id, family_id, kind,
             subject_type, subject_id, data, prev_hash, hash, meeting_id, data_digest)
         SELECT ";

/// One append of events in order: each event's fields and its hashed `tail`, bound in order.
struct Append<'a> {
    rows: &'a [EventRow<'a>],
    tails: &'a [String],
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
        out.push_sql(HEAD);
        for (k, (row, tail)) in self.rows.iter().zip(self.tails).enumerate() {
            // The first links to the head, each next one to the event added before it.
            let (before, prev_hash) = match k {
                0 => ("head".to_string(), "head.last_hash".to_string()),
                _ => (format!("added{k}"), format!("added{k}.hash")),
            };
            out.push_sql(&format!(", added{}{INSERT}", k + 1));
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
            out.push_sql(&format!(
                ", {prev_hash}, encode(sha256(convert_to({prev_hash} || "
            ));
            out.push_bind_param::<Text, _>(tail)?;
            out.push_sql(", 'UTF8')), 'hex'), ");
            out.push_bind_param::<Nullable<BigInt>, _>(&row.meeting_id)?;
            out.push_sql(", ");
            out.push_bind_param::<Text, _>(&row.data_digest)?;
            out.push_sql(&format!(" FROM {before} RETURNING * )"));
        }
        let n = self.rows.len();
        let all = (1..=n)
            .map(|k| format!("SELECT * FROM added{k}"))
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        out.push_sql(&format!(
            ", moved AS (
         UPDATE event_chain_head SET last_hash = added{n}.hash, last_event_id = added{n}.id
         FROM added{n} WHERE event_chain_head.id = 1
     ), appended AS ({all}
     ), announced AS (
         SELECT pg_notify('{CHANNEL}', appended.id::text) FROM appended
         WHERE appended.meeting_id IS NOT NULL
     )
     SELECT appended.*, (SELECT count(*) FROM announced) AS announced FROM appended
     ORDER BY appended.id"
        ));
        Ok(())
    }
}

/// Appends `rows` in order (their own hashes and previous hashes are left to the statement), each
/// with the fields after its previous hash in `tails`; returns the events as stored, in order.
pub(super) fn append(
    conn: &mut PgConnection,
    rows: &[EventRow<'_>],
    tails: &[String],
) -> QueryResult<Vec<Event>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Append { rows, tails }.load(conn)
}
