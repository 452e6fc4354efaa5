//! Verifying the chain: every event's hash from its own fields, every link to the event before, and
//! the head the log recorded last. The events stream in batches (one thread reads the next batch while
//! the other checks this one), so a log of millions of events needs the memory of two batches, not of
//! the log. A run can start at a checkpoint: an event an earlier run verified, with its hash.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{ERASED, Event, GENESIS_HASH, payload_digest};
use crate::db::DbConn;
use crate::schema::{event_chain_head, events};

/// Events read per query: large enough that the round trips do not count, small enough for memory.
const BATCH: i64 = 5_000;

/// The first event that breaks the chain, and how.
#[derive(Debug, PartialEq)]
pub struct BrokenLink {
    pub event_id: i64,
    pub kind: String,
    pub problem: String,
}

/// A chain that holds: how many events were verified (from the checkpoint on), which of them had their
/// payload erased, and the checkpoint to verify from next time.
#[derive(Debug, PartialEq)]
pub struct Verified {
    pub count: u64,
    pub erased: Vec<ErasedPayload>,
    pub last: Checkpoint,
}

/// An event whose payload was erased; its place in the chain still verifies.
#[derive(Debug, PartialEq)]
pub struct ErasedPayload {
    pub event_id: i64,
    pub kind: String,
    pub erased_at: NaiveDateTime,
}

/// An event a run verified, with its hash: a later run can start there instead of at the first
/// event. Written as `<id>:<hash>`. It is only as trustworthy as the place it is kept: someone who
/// can write the database can rebuild the whole chain with new hashes, and only a checkpoint kept out
/// of their reach (a file elsewhere, a printout) shows that the chain up to it was rewritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    pub event_id: i64,
    pub hash: String,
}

impl Checkpoint {
    /// Before the first event: a run from here verifies the whole chain.
    pub fn genesis() -> Checkpoint {
        Checkpoint {
            event_id: 0,
            hash: GENESIS_HASH.to_string(),
        }
    }

    /// `<id>:<hash>` (a hash of 64 hex digits); None for anything else.
    pub fn parse(text: &str) -> Option<Checkpoint> {
        let (id, hash) = text.trim().split_once(':')?;
        let event_id = id.trim().parse::<i64>().ok().filter(|n| *n >= 0)?;
        let hash = hash.trim().to_ascii_lowercase();
        (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(Checkpoint { event_id, hash })
    }
}

impl std::fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.event_id, self.hash)
    }
}

/// What is wrong with one event on its own (the link to the one before is checked by the caller).
/// `digests_began`: an event before this one carried a digest, so this one must too.
pub(super) fn check_event(event: &Event, digests_began: bool) -> Option<&'static str> {
    match (&event.data_digest, event.erased_at) {
        (None, _) if digests_began || !event.data.starts_with('{') => {
            return Some("has no digest where the log requires one (changed around the log)");
        }
        (None, Some(_)) => {
            return Some("was erased, but its hash covers the payload (changed around the log)");
        }
        (Some(_), Some(_)) if event.data != ERASED => {
            return Some("is marked erased but still holds a payload (the row was changed)");
        }
        (Some(digest), None) if payload_digest(&event.data) != *digest => {
            return Some("has a payload that does not match its digest (the row was changed)");
        }
        _ => {}
    }
    (event.expected_hash() != event.hash)
        .then_some("its content does not match its hash (the row was changed)")
}

/// Walks the whole chain in order. Ok when every link holds: the number of events and the events
/// whose payload was erased.
pub fn verify(conn: &mut DbConn) -> QueryResult<Result<Verified, BrokenLink>> {
    verify_from(conn, &Checkpoint::genesis(), |_, _| {})
}

/// Walks the chain from the event after `from` up to the head the log recorded when the run began
/// (events appended meanwhile are for the next run). The checkpoint's own event must still be there
/// with the same hash and content. `progress` hears the number of events verified so far and the time
/// since the start, about once a second and once at the end.
pub fn verify_from(
    conn: &mut DbConn,
    from: &Checkpoint,
    mut progress: impl FnMut(u64, Duration),
) -> QueryResult<Result<Verified, BrokenLink>> {
    let started = Instant::now();
    let (head_id, head_hash): (Option<i64>, String) = event_chain_head::table
        .find(1)
        .select((event_chain_head::last_event_id, event_chain_head::last_hash))
        .first(conn)?;
    let mut walk = match start_at(conn, from)? {
        Ok(walk) => walk,
        Err(broken) => return Ok(Err(broken)),
    };
    let (sender, batches) = mpsc::sync_channel::<QueryResult<Vec<Event>>>(2);
    let after = from.event_id;
    let result: QueryResult<Result<(), BrokenLink>> = std::thread::scope(|scope| {
        scope.spawn(move || read_batches(conn, after, head_id, sender));
        let mut reported = Instant::now();
        for batch in batches {
            for event in batch? {
                if let Some(broken) = walk.step(event) {
                    return Ok(Err(broken));
                }
            }
            if reported.elapsed() >= Duration::from_secs(1) {
                progress(walk.verified.count, started.elapsed());
                reported = Instant::now();
            }
        }
        Ok(Ok(()))
    });
    // The reader stops by itself when the receiver is gone (a broken link ends the walk early).
    if let Err(broken) = result? {
        return Ok(Err(broken));
    }
    progress(walk.verified.count, started.elapsed());
    if head_hash != walk.verified.last.hash {
        return Ok(Err(BrokenLink {
            event_id: walk.verified.last.event_id,
            kind: String::new(),
            problem: "is not the last event the chain recorded (later events were removed)".into(),
        }));
    }
    Ok(Ok(walk.verified))
}

/// Reads the events after `after` (up to `until`, when the head names it) in batches, in order, and
/// sends them on until there are no more or nobody listens.
fn read_batches(
    conn: &mut DbConn,
    mut after: i64,
    until: Option<i64>,
    sender: mpsc::SyncSender<QueryResult<Vec<Event>>>,
) {
    loop {
        let mut query = events::table
            .filter(events::id.gt(after))
            .order(events::id.asc())
            .limit(BATCH)
            .select(Event::as_select())
            .into_boxed();
        if let Some(until) = until {
            query = query.filter(events::id.le(until));
        }
        let batch = query.load(conn);
        let done = match &batch {
            Ok(events) => match events.last() {
                Some(last) => {
                    after = last.id;
                    false
                }
                None => true,
            },
            Err(_) => true,
        };
        if done {
            // An error goes on to the walker; an empty end needs no message (the channel closes).
            if batch.is_err() {
                let _ = sender.send(batch);
            }
            return;
        }
        if sender.send(batch).is_err() {
            return;
        }
    }
}

/// The walk's state: the hash the next event must name, and what was verified so far.
struct Walk {
    digests_began: bool,
    verified: Verified,
}

impl Walk {
    /// Checks the next event; None when it holds.
    fn step(&mut self, event: Event) -> Option<BrokenLink> {
        let problem = if event.prev_hash != self.verified.last.hash {
            Some("does not follow the event before it (an event was removed or reordered)")
        } else {
            check_event(&event, self.digests_began)
        };
        if let Some(problem) = problem {
            return Some(BrokenLink {
                event_id: event.id,
                kind: event.kind,
                problem: problem.into(),
            });
        }
        if let Some(erased_at) = event.erased_at {
            self.verified.erased.push(ErasedPayload {
                event_id: event.id,
                kind: event.kind,
                erased_at,
            });
        }
        self.digests_began |= event.data_digest.is_some();
        self.verified.last = Checkpoint {
            event_id: event.id,
            hash: event.hash,
        };
        self.verified.count += 1;
        None
    }
}

/// The walk from a checkpoint: its event must be there, with the checkpoint's hash, and hold itself.
fn start_at(conn: &mut DbConn, from: &Checkpoint) -> QueryResult<Result<Walk, BrokenLink>> {
    let walk = |digests_began| Walk {
        digests_began,
        verified: Verified {
            count: 0,
            erased: Vec::new(),
            last: from.clone(),
        },
    };
    if from.event_id == 0 {
        let genesis = from.hash == GENESIS_HASH;
        return Ok(if genesis {
            Ok(walk(false))
        } else {
            Err(BrokenLink {
                event_id: 0,
                kind: String::new(),
                problem: "is not a checkpoint: before the first event the hash is all zeros".into(),
            })
        });
    }
    let event: Option<Event> = events::table
        .find(from.event_id)
        .select(Event::as_select())
        .first(conn)
        .optional()?;
    let broken = |kind: &str, problem: &str| BrokenLink {
        event_id: from.event_id,
        kind: kind.to_string(),
        problem: problem.to_string(),
    };
    Ok(match event {
        None => Err(broken(
            "",
            "is missing, but the checkpoint names it (an event was removed)",
        )),
        Some(e) if e.hash != from.hash => Err(broken(
            &e.kind,
            "does not have the checkpoint's hash (the chain up to the checkpoint was rewritten)",
        )),
        Some(e) => match check_event(&e, e.data_digest.is_some()) {
            Some(problem) => Err(broken(&e.kind, problem)),
            None => Ok(walk(e.data_digest.is_some())),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventKind;

    /// An event written now: its hash covers the digest of its payload.
    fn with_payload(data: &str) -> Event {
        let at = NaiveDateTime::parse_from_str("2026-12-01 09:15:00", "%Y-%m-%d %H:%M:%S").unwrap();
        let mut e = Event {
            id: 1,
            occurred_at: at,
            actor_user_id: Some(1),
            actor_organisation_id: Some(2),
            family_id: Some(3),
            kind: EventKind::PersonAdded.name().into(),
            subject_type: "person".into(),
            subject_id: Some(5),
            data: data.into(),
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
            meeting_id: None,
            data_digest: Some(payload_digest(data)),
            erased_at: None,
        };
        e.hash = e.expected_hash();
        e
    }

    #[test]
    fn an_erased_payload_leaves_the_event_verifiable_and_a_changed_one_does_not() {
        let e = with_payload(r#"{"name":"Sandra Jansen"}"#);
        assert_eq!(check_event(&e, true), None);
        // The digest is covered: a different payload has a different hash.
        assert_ne!(with_payload(r#"{"name":"Gezin X"}"#).hash, e.hash);

        let mut erased = e.clone();
        erased.data = ERASED.into();
        erased.erased_at = Some(e.occurred_at + chrono::Duration::days(3650));
        assert_eq!(check_event(&erased, true), None, "erasing keeps the hash");

        let mut changed = e.clone();
        changed.data = r#"{"name":"Gezin X"}"#.into();
        assert!(
            check_event(&changed, true)
                .unwrap()
                .contains("does not match its digest")
        );

        let mut half_erased = erased.clone();
        half_erased.data = r#"{"name":"Gezin X"}"#.into();
        assert!(
            check_event(&half_erased, true)
                .unwrap()
                .contains("still holds a payload")
        );

        let mut new_digest = changed.clone();
        new_digest.data_digest = Some(payload_digest(&changed.data));
        assert!(
            check_event(&new_digest, true)
                .unwrap()
                .contains("does not match its hash")
        );
    }

    #[test]
    fn a_checkpoint_reads_back_as_written_and_nothing_else_reads_as_one() {
        let hash = "ab".repeat(32);
        let point = Checkpoint {
            event_id: 1234,
            hash: hash.clone(),
        };
        assert_eq!(Checkpoint::parse(&point.to_string()), Some(point.clone()));
        assert_eq!(
            Checkpoint::parse(&format!(" 1234:{}\n", hash.to_uppercase())),
            Some(point)
        );
        for bad in [
            "",
            "1234",
            &format!("-1:{hash}"),
            &format!("x:{hash}"),
            "1234:abc",
            &format!("1234:{}", "g".repeat(64)),
        ] {
            assert_eq!(Checkpoint::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Checkpoint::parse(&Checkpoint::genesis().to_string()),
            Some(Checkpoint::genesis())
        );
    }
}
