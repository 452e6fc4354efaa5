//! Outcomes of meetings for partner organisations (Samen onder Handbereik, "Uitwisselen Uitkomst
//! Overleg"). When a meeting closes, every family item becomes an outcome: the organisations that took
//! part in that item (invited for it, leading the table, owning one of its actions, or working with the
//! family at that moment) are
//! recorded as its parties. An organisation may read an outcome when it is a party or works with the
//! family now; every reading is an `outcome.read` event naming the organisation.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::domain::decision::{Action, Decision};
use crate::domain::family::{Family, Person, PersonRole};
use crate::events::EventKind;
use crate::schema::{
    actions, decisions, directorships, events as events_table, families, involvements,
    item_invitees, outcome_parties, outcomes, persons, table_members, users,
};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = outcomes)]
pub struct Outcome {
    pub agenda_item_id: i64,
    pub meeting_id: i64,
    pub family_id: i64,
    pub published_at: NaiveDateTime,
}

/// The outcome's identifier for partners, as in the specification's examples.
pub fn identifier(agenda_item_id: i64) -> String {
    crate::events::cloud::outcome_identifier(agenda_item_id)
}

/// Records the outcome of a family item at closing, with its parties. Runs in the closing transaction.
pub fn publish(
    conn: &mut DbConn,
    table_id: i64,
    meeting_id: i64,
    agenda_item_id: i64,
    family_id: i64,
) -> QueryResult<()> {
    diesel::insert_into(outcomes::table)
        .values((
            outcomes::agenda_item_id.eq(agenda_item_id),
            outcomes::meeting_id.eq(meeting_id),
            outcomes::family_id.eq(family_id),
            outcomes::published_at.eq(super::now()),
        ))
        .execute(conn)?;
    let mut parties: BTreeSet<i64> = BTreeSet::new();
    parties.extend(
        item_invitees::table
            .inner_join(users::table.on(users::id.eq(item_invitees::user_id)))
            .filter(item_invitees::agenda_item_id.eq(agenda_item_id))
            .select(users::organisation_id)
            .load::<Option<i64>>(conn)?
            .into_iter()
            .flatten(),
    );
    parties.extend(
        table_members::table
            .inner_join(users::table.on(users::id.eq(table_members::user_id)))
            .filter(table_members::table_id.eq(table_id))
            .filter(table_members::role.eq_any(["chair", "minute_taker"]))
            .select(users::organisation_id)
            .load::<Option<i64>>(conn)?
            .into_iter()
            .flatten(),
    );
    parties.extend(
        actions::table
            .filter(actions::agenda_item_id.eq(agenda_item_id))
            .select(actions::owner_organisation_id)
            .load::<i64>(conn)?,
    );
    parties.extend(
        involvements::table
            .filter(involvements::family_id.eq(family_id))
            .filter(involvements::ended_on.is_null())
            .select(involvements::organisation_id)
            .load::<i64>(conn)?,
    );
    parties.extend(
        directorships::table
            .filter(directorships::family_id.eq(family_id))
            .filter(directorships::ended_at.is_null())
            .select(directorships::director_organisation_id)
            .load::<i64>(conn)?,
    );
    for organisation_id in parties {
        diesel::insert_into(outcome_parties::table)
            .values((
                outcome_parties::agenda_item_id.eq(agenda_item_id),
                outcome_parties::organisation_id.eq(organisation_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The outcomes `$org` may read: only as a party to the outcome (for the purpose "uitvoering"), and
/// only while the family's record is open (closing ends access everywhere, the API included). A query
/// that other queries use as a subquery, so a large organisation stays one statement.
macro_rules! readable {
    ($org:expr) => {{
        let org: i64 = $org;
        outcomes::table
            .filter(
                outcomes::agenda_item_id.eq_any(
                    outcome_parties::table
                        .filter(outcome_parties::organisation_id.eq(org))
                        .select(outcome_parties::agenda_item_id),
                ),
            )
            .filter(
                outcomes::family_id.ne_all(
                    closed_family
                        .filter(
                            closed_family
                                .field(families::status)
                                .eq(super::family::FamilyStatus::Closed.code()),
                        )
                        .select(closed_family.field(families::id)),
                ),
            )
    }};
}

// The families table once more under another name, for the closed-family filter inside queries that
// select families themselves.
diesel::alias!(families as closed_family: ClosedFamily);

/// Families with at least one member whom partners can identify (BSN and address recorded): only
/// their actions can name whom they concern.
macro_rules! identified_families {
    () => {
        persons::table
            .filter(persons::bsn.is_not_null())
            .filter(persons::street.is_not_null())
            .filter(persons::house_number.is_not_null())
            .filter(persons::postcode.is_not_null())
            .filter(persons::city.is_not_null())
            .select(persons::family_id)
    };
}

/// A page: offset, size, and newest first or oldest first.
#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub offset: i64,
    pub limit: i64,
    pub descending: bool,
}

pub fn find(conn: &mut DbConn, organisation_id: i64, item_id: i64) -> QueryResult<Option<Outcome>> {
    readable!(organisation_id)
        .filter(outcomes::agenda_item_id.eq(item_id))
        .select(Outcome::as_select())
        .first(conn)
        .optional()
}

pub fn page(
    conn: &mut DbConn,
    organisation_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<Outcome>, i64)> {
    let total = readable!(organisation_id).count().get_result(conn)?;
    let query = readable!(organisation_id)
        .select(Outcome::as_select())
        .offset(paging.offset)
        .limit(paging.limit);
    let rows = if paging.descending {
        query.order(outcomes::agenda_item_id.desc()).load(conn)?
    } else {
        query.order(outcomes::agenda_item_id.asc()).load(conn)?
    };
    Ok((rows, total))
}

pub fn find_decision(
    conn: &mut DbConn,
    organisation_id: i64,
    id: i64,
) -> QueryResult<Option<Decision>> {
    decisions::table
        .filter(decisions::id.eq(id))
        .filter(
            decisions::agenda_item_id
                .eq_any(readable!(organisation_id).select(outcomes::agenda_item_id)),
        )
        .select(Decision::as_select())
        .first(conn)
        .optional()
}

pub fn page_decisions(
    conn: &mut DbConn,
    organisation_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<Decision>, i64)> {
    let readable_items = || readable!(organisation_id).select(outcomes::agenda_item_id);
    let total = decisions::table
        .filter(decisions::agenda_item_id.eq_any(readable_items()))
        .count()
        .get_result(conn)?;
    let query = decisions::table
        .filter(decisions::agenda_item_id.eq_any(readable_items()))
        .select(Decision::as_select())
        .offset(paging.offset)
        .limit(paging.limit);
    let rows = if paging.descending {
        query.order(decisions::id.desc()).load(conn)?
    } else {
        query.order(decisions::id.asc()).load(conn)?
    };
    Ok((rows, total))
}

pub fn find_action(
    conn: &mut DbConn,
    organisation_id: i64,
    id: i64,
) -> QueryResult<Option<Action>> {
    actions::table
        .filter(actions::id.eq(id))
        .filter(
            actions::agenda_item_id
                .eq_any(readable!(organisation_id).select(outcomes::agenda_item_id)),
        )
        .filter(actions::family_id.eq_any(identified_families!().nullable()))
        .select(Action::as_select())
        .first(conn)
        .optional()
}

pub fn page_actions(
    conn: &mut DbConn,
    organisation_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<Action>, i64)> {
    let readable_items = || readable!(organisation_id).select(outcomes::agenda_item_id);
    let total = actions::table
        .filter(actions::agenda_item_id.eq_any(readable_items()))
        .filter(actions::family_id.eq_any(identified_families!().nullable()))
        .count()
        .get_result(conn)?;
    let query = actions::table
        .filter(actions::agenda_item_id.eq_any(readable_items()))
        .filter(actions::family_id.eq_any(identified_families!().nullable()))
        .select(Action::as_select())
        .offset(paging.offset)
        .limit(paging.limit);
    let rows = if paging.descending {
        query.order(actions::id.desc()).load(conn)?
    } else {
        query.order(actions::id.asc()).load(conn)?
    };
    Ok((rows, total))
}

pub fn find_family(
    conn: &mut DbConn,
    organisation_id: i64,
    case_number: &str,
) -> QueryResult<Option<Family>> {
    families::table
        .filter(families::case_number.eq(case_number))
        .filter(families::id.eq_any(readable!(organisation_id).select(outcomes::family_id)))
        .select(Family::as_select())
        .first(conn)
        .optional()
}

pub fn page_families(
    conn: &mut DbConn,
    organisation_id: i64,
    paging: Paging,
) -> QueryResult<(Vec<Family>, i64)> {
    let with_outcomes = || readable!(organisation_id).select(outcomes::family_id);
    let total = families::table
        .filter(families::id.eq_any(with_outcomes()))
        .count()
        .get_result(conn)?;
    let query = families::table
        .filter(families::id.eq_any(with_outcomes()))
        .select(Family::as_select())
        .offset(paging.offset)
        .limit(paging.limit);
    let rows = if paging.descending {
        query.order(families::id.desc()).load(conn)?
    } else {
        query.order(families::id.asc()).load(conn)?
    };
    Ok((rows, total))
}

/// The outcomes of one family this organisation may read, oldest first.
pub fn of_family(
    conn: &mut DbConn,
    organisation_id: i64,
    family_id: i64,
) -> QueryResult<Vec<Outcome>> {
    readable!(organisation_id)
        .filter(outcomes::family_id.eq(family_id))
        .order(outcomes::agenda_item_id.asc())
        .select(Outcome::as_select())
        .load(conn)
}

/// Decisions and actions (the latter only with an identified member) of these items, oldest first.
pub fn decisions_and_actions(
    conn: &mut DbConn,
    items: &[i64],
) -> QueryResult<(Vec<Decision>, Vec<Action>)> {
    let decided = decisions::table
        .filter(decisions::agenda_item_id.eq_any(items))
        .order(decisions::id.asc())
        .select(Decision::as_select())
        .load(conn)?;
    let acted = actions::table
        .filter(actions::agenda_item_id.eq_any(items))
        .filter(actions::family_id.eq_any(identified_families!().nullable()))
        .order(actions::id.asc())
        .select(Action::as_select())
        .load(conn)?;
    Ok((decided, acted))
}

/// Outcomes this organisation may read, published in [from, until], about a family with a member with
/// this BSN when one is given; newest first, at most `limit`.
pub fn search(
    conn: &mut DbConn,
    organisation_id: i64,
    bsn: Option<&str>,
    from: Option<NaiveDateTime>,
    until: Option<NaiveDateTime>,
    limit: i64,
) -> QueryResult<Vec<Outcome>> {
    let mut query = readable!(organisation_id).into_boxed();
    if let Some(bsn) = bsn {
        query = query.filter(
            outcomes::family_id.eq_any(
                persons::table
                    .filter(persons::bsn.eq(bsn.to_string()))
                    .select(persons::family_id),
            ),
        );
    }
    if let Some(from) = from {
        query = query.filter(outcomes::published_at.ge(from));
    }
    if let Some(until) = until {
        query = query.filter(outcomes::published_at.le(until));
    }
    query
        .order(outcomes::published_at.desc())
        .limit(limit)
        .select(Outcome::as_select())
        .load(conn)
}

/// The member an action of this family concerns for partners: the oldest child with BSN and address,
/// otherwise the first other member with them.
pub fn concerned_member(members: &[Person]) -> Option<&Person> {
    members
        .iter()
        .filter(|p| p.identity().is_some())
        .min_by_key(|p| (p.role() != PersonRole::Child, p.date_of_birth, p.id))
}

/// A partner's reading, for the meeting and family pages.
#[derive(Clone, Debug)]
pub struct Reading {
    pub at: NaiveDateTime,
    pub organisation: String,
    pub resource: String,
    pub agenda_item_id: i64,
}

/// The columns of a reading event: when, its data (who read what) and the agenda item.
type ReadingRow = (NaiveDateTime, String, Option<i64>);

fn readings_from(rows: Vec<ReadingRow>) -> Vec<Reading> {
    rows.into_iter()
        .map(|(at, data, item)| {
            let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
            let text = |name: &str| data[name].as_str().unwrap_or_default().to_string();
            Reading {
                at,
                organisation: text("organisation"),
                resource: text("resource"),
                agenda_item_id: item.unwrap_or_default(),
            }
        })
        .collect()
}

/// Partners' readings: of outcomes, and the Raad's of its requests to investigate (recorded with the
/// request's agenda item as subject).
const READ: [EventKind; 2] = [EventKind::OutcomeRead, EventKind::BoardRequestRead];

/// Partners' readings of a meeting's outcomes, newest first.
pub fn readings_of_meeting(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<Reading>> {
    let items = outcomes::table
        .filter(outcomes::meeting_id.eq(meeting_id))
        .select(outcomes::agenda_item_id.nullable());
    let rows = events_table::table
        .filter(events_table::kind.eq_any(READ.map(EventKind::name)))
        .filter(events_table::subject_id.eq_any(items))
        .order(events_table::id.desc())
        .limit(500)
        .select((
            events_table::occurred_at,
            events_table::data,
            events_table::subject_id,
        ))
        .load(conn)?;
    Ok(readings_from(rows))
}

/// Partners' readings of a family's outcomes, newest first.
pub fn readings_of_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Reading>> {
    let rows = events_table::table
        .filter(events_table::kind.eq_any(READ.map(EventKind::name)))
        .filter(events_table::family_id.eq(family_id))
        .order(events_table::id.desc())
        .limit(500)
        .select((
            events_table::occurred_at,
            events_table::data,
            events_table::subject_id,
        ))
        .load(conn)?;
    Ok(readings_from(rows))
}
