//! The event log: an append-only, hash-chained record of every change — the audit trail, the family's
//! timeline, and later the source of live updates and CloudEvents.
//!
//! Each event stores the hash of the one before it; `verify` walks the chain and names the first event
//! that does not fit. Appending takes the chain head's row (a lock on PostgreSQL; SQLite's write
//! transaction already serialises), so two writers never fork the chain.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::domain::now;
use crate::schema::{event_chain_head, events, organisations, users};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a user of an organisation, or the system itself (both None).
#[derive(Clone, Copy, Debug, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub organisation_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Event {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_organisation_id: Option<i64>,
    pub family_id: Option<i64>,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: Option<i64>,
    pub data: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Event {
    /// The hash this event must have, from its own fields and the previous hash it names.
    pub fn expected_hash(&self) -> String {
        hash_fields(
            &self.prev_hash,
            self.occurred_at,
            self.actor_user_id,
            self.actor_organisation_id,
            self.family_id,
            &self.kind,
            &self.subject_type,
            self.subject_id,
            &self.data,
        )
    }

    /// Every text value of the event's data, by name.
    pub fn fields(&self) -> Vec<(String, String)> {
        match serde_json::from_str::<serde_json::Value>(&self.data) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// A text value from the event's data, or "".
    pub fn field(&self, name: &str) -> String {
        serde_json::from_str::<serde_json::Value>(&self.data)
            .ok()
            .and_then(|v| v.get(name).and_then(|f| f.as_str().map(str::to_string)))
            .unwrap_or_default()
    }
}

/// What happened, to what, with its details (names as they were at the time, for the timeline).
pub struct NewEvent<'a> {
    pub family_id: Option<i64>,
    pub kind: &'a str,
    pub subject_type: &'a str,
    pub subject_id: Option<i64>,
    pub data: serde_json::Value,
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct EventRow<'a> {
    occurred_at: NaiveDateTime,
    actor_user_id: Option<i64>,
    actor_organisation_id: Option<i64>,
    family_id: Option<i64>,
    kind: &'a str,
    subject_type: &'a str,
    subject_id: Option<i64>,
    data: &'a str,
    prev_hash: &'a str,
    hash: &'a str,
}

#[allow(clippy::too_many_arguments)]
fn hash_fields(
    prev_hash: &str,
    occurred_at: NaiveDateTime,
    actor_user_id: Option<i64>,
    actor_organisation_id: Option<i64>,
    family_id: Option<i64>,
    kind: &str,
    subject_type: &str,
    subject_id: Option<i64>,
    data: &str,
) -> String {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let canonical = format!(
        "{prev_hash}\n{}\n{}\n{}\n{}\n{kind}\n{subject_type}\n{}\n{data}",
        occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        opt(actor_user_id),
        opt(actor_organisation_id),
        opt(family_id),
        opt(subject_id),
    );
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Appends an event. Call inside the write transaction of the change it records, so both commit or
/// neither does.
pub fn append(conn: &mut DbConn, actor: Actor, new: NewEvent<'_>) -> QueryResult<Event> {
    // Touching the head row first takes its lock on PostgreSQL: appenders queue here.
    diesel::update(event_chain_head::table.find(1))
        .set(event_chain_head::last_hash.eq(event_chain_head::last_hash))
        .execute(conn)?;
    let prev_hash: String = event_chain_head::table
        .find(1)
        .select(event_chain_head::last_hash)
        .first(conn)?;
    let occurred_at = now();
    let data = new.data.to_string();
    let hash = hash_fields(
        &prev_hash,
        occurred_at,
        actor.user_id,
        actor.organisation_id,
        new.family_id,
        new.kind,
        new.subject_type,
        new.subject_id,
        &data,
    );
    let event: Event = diesel::insert_into(events::table)
        .values(EventRow {
            occurred_at,
            actor_user_id: actor.user_id,
            actor_organisation_id: actor.organisation_id,
            family_id: new.family_id,
            kind: new.kind,
            subject_type: new.subject_type,
            subject_id: new.subject_id,
            data: &data,
            prev_hash: &prev_hash,
            hash: &hash,
        })
        .returning(events::all_columns)
        .get_result(conn)?;
    diesel::update(event_chain_head::table.find(1))
        .set((
            event_chain_head::last_hash.eq(&event.hash),
            event_chain_head::last_event_id.eq(event.id),
        ))
        .execute(conn)?;
    Ok(event)
}

/// The first event that breaks the chain, and how.
#[derive(Debug, PartialEq)]
pub struct BrokenLink {
    pub event_id: i64,
    pub kind: String,
    pub problem: String,
}

/// Walks the whole chain in order. Ok(number of events) when every link holds.
pub fn verify(conn: &mut DbConn) -> QueryResult<Result<u64, BrokenLink>> {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut after = 0i64;
    let mut count = 0u64;
    loop {
        let batch: Vec<Event> = events::table
            .filter(events::id.gt(after))
            .order(events::id.asc())
            .limit(1000)
            .select(Event::as_select())
            .load(conn)?;
        if batch.is_empty() {
            break;
        }
        for event in batch {
            if event.prev_hash != expected_prev {
                return Ok(Err(BrokenLink {
                    event_id: event.id,
                    kind: event.kind.clone(),
                    problem:
                        "does not follow the event before it (an event was removed or reordered)"
                            .into(),
                }));
            }
            if event.expected_hash() != event.hash {
                return Ok(Err(BrokenLink {
                    event_id: event.id,
                    kind: event.kind.clone(),
                    problem: "its content does not match its hash (the row was changed)".into(),
                }));
            }
            expected_prev = event.hash;
            after = event.id;
            count += 1;
        }
    }
    let head: String = event_chain_head::table
        .find(1)
        .select(event_chain_head::last_hash)
        .first(conn)?;
    if head != expected_prev {
        return Ok(Err(BrokenLink {
            event_id: after,
            kind: String::new(),
            problem: "is not the last event the chain recorded (later events were removed)".into(),
        }));
    }
    Ok(Ok(count))
}

/// An event with the names of who did it, for a timeline.
#[derive(Clone, Debug)]
pub struct TimelineEntry {
    pub event: Event,
    pub actor_name: Option<String>,
    pub actor_organisation: Option<String>,
}

/// The family's history, newest first.
pub fn for_family(
    conn: &mut DbConn,
    family_id: i64,
    limit: i64,
) -> QueryResult<Vec<TimelineEntry>> {
    let rows: Vec<(Event, Option<String>, Option<String>)> = events::table
        .left_join(users::table.on(users::id.nullable().eq(events::actor_user_id)))
        .left_join(
            organisations::table.on(organisations::id
                .nullable()
                .eq(events::actor_organisation_id)),
        )
        .filter(events::family_id.eq(family_id))
        .order(events::id.desc())
        .limit(limit)
        .select((
            Event::as_select(),
            users::name.nullable(),
            organisations::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(event, actor_name, actor_organisation)| TimelineEntry {
            event,
            actor_name,
            actor_organisation,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_covers_every_field() {
        let at = NaiveDateTime::parse_from_str("2026-11-23 09:15:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let base = hash_fields(
            GENESIS_HASH,
            at,
            Some(1),
            Some(2),
            Some(3),
            "family.created",
            "family",
            Some(3),
            "{}",
        );
        assert_eq!(base.len(), 64);
        let variants = [
            hash_fields(
                "1",
                at,
                Some(1),
                Some(2),
                Some(3),
                "family.created",
                "family",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at + chrono::Duration::microseconds(1),
                Some(1),
                Some(2),
                Some(3),
                "family.created",
                "family",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(9),
                Some(2),
                Some(3),
                "family.created",
                "family",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(1),
                None,
                Some(3),
                "family.created",
                "family",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(1),
                Some(2),
                Some(4),
                "family.created",
                "family",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(1),
                Some(2),
                Some(3),
                "family.updated",
                "family",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(1),
                Some(2),
                Some(3),
                "family.created",
                "plan",
                Some(3),
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(1),
                Some(2),
                Some(3),
                "family.created",
                "family",
                None,
                "{}",
            ),
            hash_fields(
                GENESIS_HASH,
                at,
                Some(1),
                Some(2),
                Some(3),
                "family.created",
                "family",
                Some(3),
                "{ }",
            ),
        ];
        for v in variants {
            assert_ne!(v, base);
        }
    }
}
