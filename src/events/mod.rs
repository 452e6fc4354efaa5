//! The event log: an append-only, hash-chained record of every change — the audit trail, the family's
//! timeline, and later the source of live updates and CloudEvents.
//!
//! Each event stores the hash of the one before it; `verify` walks the chain and names the first event
//! that does not fit. Appending takes the chain head's row (a lock on PostgreSQL; SQLite's write
//! transaction already serialises), so two writers never fork the chain.

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::schema::{event_chain_head, events, organisations, users};
use crate::time::now;

mod chain_pg;
pub mod cloud;
mod kind;
mod verify;
pub mod visibility;

pub use kind::EventKind;
pub use verify::{BrokenLink, Checkpoint, ErasedPayload, Verified, verify, verify_from};

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did it: a user of an organisation, or the system itself (both None).
#[derive(Clone, Copy, Debug, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub organisation_id: Option<i64>,
}

#[derive(Clone, Debug, Queryable, QueryableByName, Selectable)]
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
    pub meeting_id: Option<i64>,
    /// The SHA-256 of `data`, which the hash covers instead of `data` itself; None for events written
    /// before payloads became erasable (their hash covers `data`).
    pub data_digest: Option<String>,
    /// When the payload was erased (`data` is then `{}`).
    pub erased_at: Option<NaiveDateTime>,
}

impl Event {
    /// What the hash covers of the payload: its digest, or for older events the payload itself.
    fn hashed_payload(&self) -> String {
        match &self.data_digest {
            Some(digest) => hashed_digest(digest),
            None => self.data.clone(),
        }
    }

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
            &self.hashed_payload(),
            self.meeting_id,
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

    /// The kind of the event; None for a name Samenspel does not write (not in `EventKind`).
    pub fn event_kind(&self) -> Option<EventKind> {
        EventKind::parse(&self.kind)
    }

    /// Whether the event is of `kind`.
    pub fn is(&self, kind: EventKind) -> bool {
        self.kind == kind.name()
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
    pub kind: EventKind,
    pub subject_type: &'a str,
    pub subject_id: Option<i64>,
    pub data: serde_json::Value,
    /// The meeting the event belongs to, if any: its participants receive it live.
    pub meeting_id: Option<i64>,
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
    meeting_id: Option<i64>,
    data_digest: &'a str,
}

/// The SHA-256 of an event's payload, in hex: what the chain holds of it.
pub fn payload_digest(data: &str) -> String {
    hex::encode(Sha256::digest(data.as_bytes()))
}

/// How a payload digest enters an event's hash. (A payload itself is a JSON object, so it never reads
/// like this.)
pub fn hashed_digest(digest: &str) -> String {
    format!("digest:{digest}")
}

/// What an erased payload reads as.
pub const ERASED: &str = "{}";

#[allow(clippy::too_many_arguments)]
pub fn hash_fields(
    prev_hash: &str,
    occurred_at: NaiveDateTime,
    actor_user_id: Option<i64>,
    actor_organisation_id: Option<i64>,
    family_id: Option<i64>,
    kind: &str,
    subject_type: &str,
    subject_id: Option<i64>,
    data: &str,
    meeting_id: Option<i64>,
) -> String {
    let fields = EventRow {
        occurred_at,
        actor_user_id,
        actor_organisation_id,
        family_id,
        kind,
        subject_type,
        subject_id,
        data: "",
        prev_hash,
        hash: "",
        meeting_id,
        data_digest: "",
    };
    link(prev_hash, &hash_tail(&fields, data))
}

/// The hash of an event that follows `prev_hash` and whose own fields read `tail`.
fn link(prev_hash: &str, tail: &str) -> String {
    hex::encode(Sha256::digest(format!("{prev_hash}{tail}").as_bytes()))
}

/// What an event's hash covers after the previous hash: its own fields, one a line, with
/// `hashed_payload` for its data (the digest, or for older events the payload itself).
fn hash_tail(row: &EventRow<'_>, hashed_payload: &str) -> String {
    let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    let mut tail = format!(
        "\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{hashed_payload}",
        row.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f"),
        opt(row.actor_user_id),
        opt(row.actor_organisation_id),
        opt(row.family_id),
        row.kind,
        row.subject_type,
        opt(row.subject_id),
    );
    // Added with the live room; events without a meeting hash exactly as before it.
    if let Some(m) = row.meeting_id {
        tail.push_str(&format!("\nmeeting:{m}"));
    }
    tail
}

/// The PostgreSQL channel that carries the id of every new meeting event, committed.
pub const CHANNEL: &str = "samenspel_events";

/// Appends an event. Call inside the write transaction of the change it records, so both commit or
/// neither does. A meeting event is also announced on [`CHANNEL`] (PostgreSQL), with the commit.
pub fn append(conn: &mut DbConn, actor: Actor, new: NewEvent<'_>) -> QueryResult<Event> {
    append_all(conn, actor, vec![new])?
        .pop()
        .ok_or(diesel::result::Error::NotFound)
}

/// Appends events of one change in order, as `append` does each; on PostgreSQL in one statement (the
/// chain's lock taken once, one round trip).
pub fn append_all(
    conn: &mut DbConn,
    actor: Actor,
    news: Vec<NewEvent<'_>>,
) -> QueryResult<Vec<Event>> {
    let occurred_at = now();
    let payloads: Vec<(String, String)> = news
        .iter()
        .map(|new| {
            let data = new.data.to_string();
            let digest = payload_digest(&data);
            (data, digest)
        })
        .collect();
    let rows: Vec<EventRow<'_>> = news
        .iter()
        .zip(&payloads)
        .map(|(new, (data, digest))| EventRow {
            occurred_at,
            actor_user_id: actor.user_id,
            actor_organisation_id: actor.organisation_id,
            family_id: new.family_id,
            kind: new.kind.name(),
            subject_type: new.subject_type,
            subject_id: new.subject_id,
            data,
            prev_hash: "",
            hash: "",
            meeting_id: new.meeting_id,
            data_digest: digest,
        })
        .collect();
    let tails: Vec<String> = rows
        .iter()
        .zip(&payloads)
        .map(|(row, (_, digest))| hash_tail(row, &hashed_digest(digest)))
        .collect();
    if let DbConn::Postgres(pg) = conn {
        // The lock on the chain head, the links and the announcement in one statement (`chain_pg`).
        return chain_pg::append(pg, &rows, &tails);
    }
    rows.iter()
        .zip(&tails)
        .map(|(row, tail)| append_sqlite(conn, row, tail))
        .collect()
}

/// One event on SQLite, whose write transaction holds the database's one write lock already.
fn append_sqlite(conn: &mut DbConn, row: &EventRow<'_>, tail: &str) -> QueryResult<Event> {
    let prev_hash: String = event_chain_head::table
        .find(1)
        .select(event_chain_head::last_hash)
        .first(conn)?;
    let hash = link(&prev_hash, tail);
    let row = EventRow {
        prev_hash: &prev_hash,
        hash: &hash,
        ..*row
    };
    let event: Event = diesel::insert_into(events::table)
        .values(row)
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

/// Erases the payloads of a family's events: names and reasons go; what happened, when and by whom
/// stays, and the chain still verifies. Events from before payloads became erasable keep theirs.
/// Returns how many were erased. Call through `record::erase_family_payloads`, which checks that the
/// family's record is closed.
pub fn erase_family_payloads(conn: &mut DbConn, family_id: i64) -> QueryResult<usize> {
    diesel::update(
        events::table
            .filter(events::family_id.eq(family_id))
            .filter(events::data_digest.is_not_null())
            .filter(events::erased_at.is_null()),
    )
    .set((events::data.eq(ERASED), events::erased_at.eq(now())))
    .execute(conn)
}

/// The events of a meeting after `after`, in order (at most `limit`): what a reconnecting participant
/// missed.
pub fn for_meeting_after(
    conn: &mut DbConn,
    meeting_id: i64,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<Event>> {
    events::table
        .filter(events::meeting_id.eq(meeting_id))
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)
}

/// The meeting's events up to `until`, in order: only their kind (None for a kind this version does
/// not know) and subject, what "Verloop" so far needs of many events; their payloads and hashes
/// stay unread.
pub fn subjects_of_meeting(
    conn: &mut DbConn,
    meeting_id: i64,
    until: i64,
) -> QueryResult<Vec<(Option<EventKind>, Option<i64>)>> {
    let all: Vec<(String, Option<i64>)> = events::table
        .filter(events::meeting_id.eq(meeting_id))
        .filter(events::id.le(until))
        .order(events::id.asc())
        .select((events::kind, events::subject_id))
        .load(conn)?;
    Ok(all
        .into_iter()
        .map(|(kind, subject)| (EventKind::parse(&kind), subject))
        .collect())
}

/// All events after `after`, in order: what the live dispatcher has not handed out yet.
pub fn after(conn: &mut DbConn, after: i64, limit: i64) -> QueryResult<Vec<Event>> {
    events::table
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)
}

/// Holds the chain still for the rest of this transaction: on PostgreSQL it waits for the appends in
/// flight to commit and keeps new ones out until the transaction ends (a share lock on the head row,
/// which every append updates), so a page reads the records and its last event id (where its live
/// updates resume) as of one moment. Without it a decision committed between the two reads is in
/// neither the page nor its replay. SQLite's write transaction holds all writers off already. Only for
/// a transaction that appends nothing itself (two holders upgrading their locks would deadlock).
pub fn hold_chain(conn: &mut DbConn) -> QueryResult<()> {
    if let DbConn::Postgres(_) = conn {
        conn.batch_execute("SELECT 1 FROM event_chain_head WHERE id = 1 FOR SHARE")?;
    }
    Ok(())
}

/// The id of the newest event of a meeting (0 when there is none): where a page's live updates resume.
pub fn last_for_meeting(conn: &mut DbConn, meeting_id: i64) -> QueryResult<i64> {
    Ok(events::table
        .filter(events::meeting_id.eq(meeting_id))
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// The subject of the meeting's latest event of `kind` (for instance the item closed last).
pub fn last_subject_of_kind(
    conn: &mut DbConn,
    meeting_id: i64,
    kind: EventKind,
) -> QueryResult<Option<i64>> {
    Ok(events::table
        .filter(events::meeting_id.eq(meeting_id))
        .filter(events::kind.eq(kind.name()))
        .order(events::id.desc())
        .select(events::subject_id)
        .first::<Option<i64>>(conn)
        .optional()?
        .flatten())
}

/// The meeting's latest event of `kind` about `subject_id` (for instance the last save of an item's
/// minutes: who, and when).
pub fn last_about(
    conn: &mut DbConn,
    meeting_id: i64,
    kind: EventKind,
    subject_id: i64,
) -> QueryResult<Option<Event>> {
    events::table
        .filter(events::meeting_id.eq(meeting_id))
        .filter(events::kind.eq(kind.name()))
        .filter(events::subject_id.eq(subject_id))
        .order(events::id.desc())
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// The events of `kind` about one subject (`("action", 7)`), oldest first.
pub fn of_subject(
    conn: &mut DbConn,
    (subject_type, subject_id): (&str, i64),
    kind: EventKind,
) -> QueryResult<Vec<Event>> {
    events::table
        .filter(events::subject_type.eq(subject_type))
        .filter(events::subject_id.eq(subject_id))
        .filter(events::kind.eq(kind.name()))
        .order(events::id.asc())
        .select(Event::as_select())
        .load(conn)
}

pub fn last_id(conn: &mut DbConn) -> QueryResult<i64> {
    Ok(events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
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
        // Partners' readings have their own list on the family page.
        .filter(
            events::kind
                .ne_all([EventKind::OutcomeRead, EventKind::BoardRequestRead].map(EventKind::name)),
        )
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
        let e = Event {
            id: 1,
            occurred_at: at,
            actor_user_id: Some(1),
            actor_organisation_id: Some(2),
            family_id: Some(3),
            kind: EventKind::FamilyCreated.name().into(),
            subject_type: "family".into(),
            subject_id: Some(3),
            data: "{}".into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
            meeting_id: None,
            data_digest: None,
            erased_at: None,
        };
        let base = e.expected_hash();
        assert_eq!(base.len(), 64);
        let changes: [fn(&mut Event); 10] = [
            |e| e.prev_hash = "1".into(),
            |e| e.occurred_at += chrono::Duration::microseconds(1),
            |e| e.actor_user_id = Some(9),
            |e| e.actor_organisation_id = None,
            |e| e.family_id = Some(4),
            |e| e.kind = EventKind::FamilyUpdated.name().into(),
            |e| e.subject_type = "plan".into(),
            |e| e.subject_id = None,
            |e| e.data = "{ }".into(),
            |e| e.meeting_id = Some(7),
        ];
        for change in changes {
            let mut changed = e.clone();
            change(&mut changed);
            assert_ne!(changed.expected_hash(), base);
        }
        // The id is not part of the hash: the chain order is, through prev_hash.
        let mut renumbered = e.clone();
        renumbered.id = 2;
        assert_eq!(renumbered.expected_hash(), base);
    }
}
