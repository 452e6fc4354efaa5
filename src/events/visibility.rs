//! Which events a partner organisation may hear about (the feed and the webhooks use this one rule).

use diesel::prelude::*;

use super::{Event, EventKind};
use crate::db::DbConn;
use crate::schema::{board_requests, directorships, events, involvements, outcome_parties};

/// The events an organisation may hear about: those of families it works with or directs now, the
/// outcome events of meeting items it took part in, and (for the Raad) the events of the requests to
/// investigate that it owns. Subqueries, not lists of ids, so a large
/// organisation stays one statement (SQLite limits the number of parameters).
macro_rules! visible_events {
    ($org:expr) => {{
        let org: i64 = $org;
        let involved = involvements::table
            .filter(involvements::organisation_id.eq(org))
            .filter(involvements::ended_on.is_null())
            .select(involvements::family_id.nullable());
        let directed = directorships::table
            .filter(directorships::director_organisation_id.eq(org))
            .filter(directorships::ended_at.is_null())
            .select(directorships::family_id.nullable());
        let took_part = outcome_parties::table
            .filter(outcome_parties::organisation_id.eq(org))
            .select(outcome_parties::agenda_item_id.nullable());
        let asked = board_requests::table
            .filter(board_requests::organisation_id.eq(org))
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

/// The organisation's events after `after`, oldest first, at most `limit`.
pub fn after(
    conn: &mut DbConn,
    organisation_id: i64,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<Event>> {
    visible_events!(organisation_id)
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select(Event::as_select())
        .load(conn)
}

pub fn one(conn: &mut DbConn, organisation_id: i64, id: i64) -> QueryResult<Option<Event>> {
    visible_events!(organisation_id)
        .filter(events::id.eq(id))
        .select(Event::as_select())
        .first(conn)
        .optional()
}
