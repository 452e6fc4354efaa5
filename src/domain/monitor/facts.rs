//! The monitor's facts: one narrow row per event the monitor counts, with what it needs from the rows
//! the event is about (the partnership, the family, the table, the urgency or outcome, the phase). They
//! are derived from the log, in its order, up to a mark: `catch_up` reads the events after the mark,
//! so the summary follows the log as it grows (on each monitor page and in the hourly housekeeping)
//! and is never typed in. A region's year is then one range of one index (partnership, kind, time)
//! instead of a join per event, which is what keeps the monitor fast at a million events.
//!
//! Facts hold ids and codes only (no names, no texts), so retention leaves them as they are and the
//! figures of a family past its term do not change.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::{self, DbConn};
use crate::events::EventKind;
use crate::schema::{events, monitor_mark};

/// The referral events: submitted and the chair's answers.
pub const REFERRAL_KINDS: [EventKind; 5] = [
    EventKind::ReferralSubmitted,
    EventKind::ReferralAccepted,
    EventKind::ReferralMoreInfo,
    EventKind::ReferralRejected,
    EventKind::ReferralScheduled,
];

/// Where the facts of some kinds are read from. Each `from` selects the fact's columns in the order of
/// `COLUMNS`, from `events e` joined with the row the event is about and its family `f` (`{at}`: the
/// event's time in seconds, written per engine).
struct Source {
    kinds: &'static [EventKind],
    from: &'static str,
}

const COLUMNS: &str = "partnership_id, kind, occurred_second, event_id, family_id, table_id, \
                       referral_id, code, detail, phase, previous_phase";

const SOURCES: [Source; 6] = [
    Source {
        kinds: &REFERRAL_KINDS,
        from: "f.partnership_id, e.kind, {at}, e.id, r.family_id, r.table_id, r.id, \
               r.urgency, CAST(NULL AS TEXT), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) \
               FROM events e JOIN referrals r ON r.id = e.subject_id \
               JOIN families f ON f.id = r.family_id",
    },
    Source {
        kinds: &[EventKind::MeetingDiscussed],
        from: "f.partnership_id, e.kind, {at}, e.id, f.id, m.table_id, \
               CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
               CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) \
               FROM events e JOIN meetings m ON m.id = e.subject_id \
               JOIN families f ON f.id = e.family_id",
    },
    Source {
        kinds: &[EventKind::DecisionRecorded],
        from: "f.partnership_id, e.kind, {at}, e.id, f.id, m.table_id, \
               CAST(NULL AS BIGINT), d.outcome, d.family_view, \
               CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) \
               FROM events e JOIN decisions d ON d.id = e.subject_id \
               JOIN meetings m ON m.id = d.meeting_id JOIN families f ON f.id = e.family_id",
    },
    Source {
        kinds: &[EventKind::PhaseChanged],
        from: "f.partnership_id, e.kind, {at}, e.id, f.id, CAST(NULL AS BIGINT), \
               CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
               s.phase, s.previous_phase \
               FROM events e JOIN safety_phases s ON s.id = e.subject_id \
               JOIN families f ON f.id = e.family_id",
    },
    Source {
        kinds: &[EventKind::MeasureRecorded],
        from: "f.partnership_id, e.kind, {at}, e.id, f.id, CAST(NULL AS BIGINT), \
               CAST(NULL AS BIGINT), ms.kind, CAST(NULL AS TEXT), \
               CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) \
               FROM events e JOIN measures ms ON ms.id = e.subject_id \
               JOIN families f ON f.id = e.family_id",
    },
    Source {
        kinds: &super::STATUS_KINDS,
        from: "f.partnership_id, e.kind, {at}, e.id, f.id, CAST(NULL AS BIGINT), \
               CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), \
               CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) \
               FROM events e JOIN families f ON f.id = e.family_id",
    },
];

/// The statement that adds the facts of one source for the events after `$1` up to `$2`, with `at`
/// the engine's whole seconds since 1970 of `e.occurred_at`. Kind names come from `EventKind` (fixed
/// words, no input).
fn statement(source: &Source, at: &str) -> String {
    let kinds: Vec<String> = source
        .kinds
        .iter()
        .map(|k| format!("'{}'", k.name()))
        .collect();
    format!(
        "INSERT INTO monitor_facts ({COLUMNS}) SELECT {} \
         WHERE e.id > $1 AND e.id <= $2 AND e.kind IN ({}) ON CONFLICT DO NOTHING",
        source.from.replace("{at}", at),
        kinds.join(", ")
    )
}

/// Adds the facts of the events appended since the last time; returns how many events it read past.
/// Cheap when nothing is new (two one-row reads). Safe to run at the same time on several instances:
/// a fact is keyed by its event, and the mark only moves forward. The log's ids follow its order of
/// commit (an append holds the chain head from before its id is taken until it commits), so no event can appear behind the mark.
pub fn catch_up(conn: &mut DbConn) -> QueryResult<i64> {
    let mark: i64 = monitor_mark::table
        .find(1)
        .select(monitor_mark::last_event_id)
        .first(conn)?;
    let head: i64 = events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0);
    if head <= mark {
        return Ok(0);
    }
    macro_rules! bound {
        ($sql:expr) => {
            diesel::sql_query($sql)
                .bind::<BigInt, _>(mark)
                .bind::<BigInt, _>(head)
        };
    }
    db::write(conn, |conn| {
        for source in &SOURCES {
            match conn {
                DbConn::Postgres(c) => {
                    let at = "CAST(FLOOR(EXTRACT(EPOCH FROM e.occurred_at)) AS BIGINT)";
                    bound!(statement(source, at)).execute(c)?
                }
                // SQLite numbers its parameters ?1, ?2 …
                DbConn::Sqlite(c) => {
                    let at = "CAST(strftime('%s', e.occurred_at) AS BIGINT)";
                    bound!(statement(source, at).replace('$', "?")).execute(c)?
                }
            };
        }
        diesel::update(
            monitor_mark::table
                .find(1)
                .filter(monitor_mark::last_event_id.lt(head)),
        )
        .set(monitor_mark::last_event_id.eq(head))
        .execute(conn)?;
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(head - mark)
}

/// A fact's time (whole seconds since 1970, UTC) as the log's time.
pub fn time_of(second: i64) -> chrono::NaiveDateTime {
    chrono::DateTime::from_timestamp(second, 0)
        .unwrap_or_default()
        .naive_utc()
}

/// A moment as a fact's time, rounded down to its second (the period's bounds are whole seconds, so
/// a fact is on the same side of them as its event).
pub fn second_of(at: chrono::NaiveDateTime) -> i64 {
    at.and_utc().timestamp()
}
