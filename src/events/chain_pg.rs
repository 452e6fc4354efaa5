//! Appending to the chain on PostgreSQL in one statement.
//!
//! Appenders queue on the chain head's row lock, and each holds it until its transaction has committed.
//! So the time from taking that lock to the commit is what a burst of writers pays once per writer, one
//! after the other. Here the lock, the read of the last hash, the new event with its hash, the head's
//! update and the announcement to the live rooms are one statement: the lock is held for the rest of
//! that statement and the commit, not for five round trips between the server and the application.
//!
//! The hash is the same as everywhere: SHA-256 over the previous hash followed by the event's own
//! fields (`hash_tail`), which the application writes out; only the concatenation with the previous
//! hash happens in the database, where that hash is known under the lock.

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::{CHANNEL, Event, EventRow};

/// The statement. `head` takes the row lock and reads the newest hash (a writer that waited reads the
/// hash its predecessor committed); `added` inserts the event linked to it; `moved` makes it the head;
/// `announced` tells the live rooms of every instance about a meeting event, delivered with the commit.
fn statement() -> String {
    format!(
        "WITH head AS (
             SELECT last_hash FROM event_chain_head WHERE id = 1 FOR UPDATE
         ), added AS (
             INSERT INTO events (occurred_at, actor_user_id, actor_organisation_id, family_id, kind,
                 subject_type, subject_id, data, prev_hash, hash, meeting_id, data_digest)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, head.last_hash,
                 encode(sha256(convert_to(head.last_hash || $9, 'UTF8')), 'hex'), $10, $11
             FROM head
             RETURNING *
         ), moved AS (
             UPDATE event_chain_head SET last_hash = added.hash, last_event_id = added.id
             FROM added WHERE event_chain_head.id = 1
         ), announced AS (
             SELECT pg_notify('{CHANNEL}', added.id::text) FROM added
             WHERE added.meeting_id IS NOT NULL
         )
         SELECT added.*, (SELECT count(*) FROM announced) AS announced FROM added"
    )
}

/// Appends `row` (its own hash and previous hash are left to the statement) whose fields after the
/// previous hash read `tail`; returns the event as stored.
pub(super) fn append(
    conn: &mut PgConnection,
    row: &EventRow<'_>,
    tail: &str,
) -> QueryResult<Event> {
    diesel::sql_query(statement())
        .bind::<Timestamp, _>(row.occurred_at)
        .bind::<Nullable<BigInt>, _>(row.actor_user_id)
        .bind::<Nullable<BigInt>, _>(row.actor_organisation_id)
        .bind::<Nullable<BigInt>, _>(row.family_id)
        .bind::<Text, _>(row.kind)
        .bind::<Text, _>(row.subject_type)
        .bind::<Nullable<BigInt>, _>(row.subject_id)
        .bind::<Text, _>(row.data)
        .bind::<Text, _>(tail)
        .bind::<Nullable<BigInt>, _>(row.meeting_id)
        .bind::<Text, _>(row.data_digest)
        .get_result(conn)
}
