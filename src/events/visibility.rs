//! Which events a partner organisation may hear about (the feed and the webhooks use this one rule).

use diesel::prelude::*;

use super::{Event, EventKind};
use crate::db::DbConn;
use crate::schema::{board_requests, directorships, events, involvements, outcome_parties};

/// The events an organisation may hear about: those of families it works with or directs now, the
/// outcome events of meeting items it took part in, and (for the Raad) the events of the requests to
/// investigate that it owns. The rule is applied to a stretch of the log: its subqueries are narrowed
/// to the families and subjects that occur in that stretch, so each reads a few rows by index instead
/// of every family of a large organisation (at 100,000 families PostgreSQL hashed them all before it
/// read the next 100 events). Still subqueries, so it stays one statement per stretch.
macro_rules! visible_events {
    ($org:expr, $families:expr, $subjects:expr) => {{
        let org: i64 = $org;
        let families: &[i64] = $families;
        let subjects: &[i64] = $subjects;
        let involved = involvements::table
            .filter(involvements::organisation_id.eq(org))
            .filter(involvements::ended_on.is_null())
            .filter(involvements::family_id.eq_any(families))
            .select(involvements::family_id.nullable());
        let directed = directorships::table
            .filter(directorships::director_organisation_id.eq(org))
            .filter(directorships::ended_at.is_null())
            .filter(directorships::family_id.eq_any(families))
            .select(directorships::family_id.nullable());
        let took_part = outcome_parties::table
            .filter(outcome_parties::organisation_id.eq(org))
            .filter(outcome_parties::agenda_item_id.eq_any(subjects))
            .select(outcome_parties::agenda_item_id.nullable());
        let asked = board_requests::table
            .filter(board_requests::organisation_id.eq(org))
            .filter(board_requests::id.eq_any(subjects))
            .select(board_requests::id.nullable());
        events::table.filter(
            events::family_id
                .eq_any(involved)
                .or(events::family_id.eq_any(directed))
                .or(events::kind
                    .eq_any([
                        EventKind::OutcomePublished.name(),
                        EventKind::OutcomeRead.name(),
                    ])
                    .and(events::subject_id.eq_any(took_part)))
                .or(events::kind
                    .eq_any(EventKind::BOARD_REQUEST.map(EventKind::name))
                    .and(events::subject_id.eq_any(asked))),
        )
    }};
}

/// The longest stretch of the log read at once: its families and subjects are bound one by one on
/// SQLite (at most 32,766 parameters a statement), three lists of at most this many.
const LONGEST_STRETCH: i64 = 4096;

/// An event's id, family and subject: what the rule needs to know of a stretch of the log.
type Head = (i64, Option<i64>, Option<i64>);

/// The organisation's events after `after`, oldest first, at most `limit`. The log is read in
/// stretches after the cursor (four events per event asked for, then twice as many each time, up to
/// [`LONGEST_STRETCH`]) until `limit` visible events are found or the log ends.
pub fn after(
    conn: &mut DbConn,
    organisation_id: i64,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<Event>> {
    let mut found: Vec<Event> = Vec::new();
    let mut from = after;
    let mut stretch = limit.saturating_mul(4).clamp(1, LONGEST_STRETCH);
    while (found.len() as i64) < limit {
        let heads: Vec<Head> = events::table
            .filter(events::id.gt(from))
            .order(events::id.asc())
            .limit(stretch)
            .select((events::id, events::family_id, events::subject_id))
            .load(conn)?;
        let Some(&(last, _, _)) = heads.last() else {
            break;
        };
        let (families, subjects) = families_and_subjects(&heads);
        found.extend(
            visible_events!(organisation_id, &families, &subjects)
                .filter(events::id.gt(from))
                .filter(events::id.le(last))
                .order(events::id.asc())
                .limit(limit - found.len() as i64)
                .select(Event::as_select())
                .load(conn)?,
        );
        if (heads.len() as i64) < stretch {
            break;
        }
        from = last;
        stretch = (stretch * 2).min(LONGEST_STRETCH);
    }
    Ok(found)
}

pub fn one(conn: &mut DbConn, organisation_id: i64, id: i64) -> QueryResult<Option<Event>> {
    let Some(head) = events::table
        .find(id)
        .select((events::id, events::family_id, events::subject_id))
        .first::<Head>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let (families, subjects) = families_and_subjects(&[head]);
    visible_events!(organisation_id, &families, &subjects)
        .filter(events::id.eq(id))
        .select(Event::as_select())
        .first(conn)
        .optional()
}

/// The distinct families and subjects of a stretch of the log.
fn families_and_subjects(heads: &[Head]) -> (Vec<i64>, Vec<i64>) {
    let mut families: Vec<i64> = heads.iter().filter_map(|h| h.1).collect();
    let mut subjects: Vec<i64> = heads.iter().filter_map(|h| h.2).collect();
    for ids in [&mut families, &mut subjects] {
        ids.sort_unstable();
        ids.dedup();
    }
    (families, subjects)
}
