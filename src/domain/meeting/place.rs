//! A meeting with its table, and a user's places in it, in one statement.
//!
//! Every change in a running meeting first checks who is asking. A chair's step is often one of many at
//! once, written in turn on one connection (group commit), where each statement is a round trip to the
//! database: so the checks read the meeting with its table and every place of the user in one statement,
//! not one per fact (issue 23: the burst of fifty chairs).

use diesel::dsl::exists;
use diesel::prelude::*;

use super::Meeting;
use crate::db::DbConn;
use crate::domain::table::{Table, TableRole};
use crate::schema::{
    attendance, consultation_tables, meetings, partnership_coordinators, table_members,
};

/// Where a user stands in a meeting: their places at its table, whether they coordinate the table's
/// partnership, and whether they are on the meeting's attendance list.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Places {
    pub chair: bool,
    pub minute_taker: bool,
    pub member: bool,
    pub coordinator: bool,
    pub participant: bool,
}

/// The meeting, its table and the user's places in it, in one statement (None when there is no such
/// meeting). The places are read by the meeting's id (its table and partnership in subqueries), so
/// they need not wait for the meeting's row to come back first.
pub fn with_places(
    conn: &mut DbConn,
    meeting_id: i64,
    user_id: i64,
) -> QueryResult<Option<(Meeting, Table, Places)>> {
    // The subqueries' own names for the two tables the outer query reads too.
    let (inner_meeting, inner_table) = diesel::alias!(
        meetings as inner_meeting,
        consultation_tables as inner_table
    );
    let table_of_meeting = inner_meeting
        .filter(inner_meeting.field(meetings::id).eq(meeting_id))
        .select(inner_meeting.field(meetings::table_id));
    let seated = table_members::table
        .filter(table_members::table_id.eq_any(table_of_meeting))
        .filter(table_members::user_id.eq(user_id));
    let partnership = inner_table
        .filter(
            inner_table
                .field(consultation_tables::id)
                .eq_any(table_of_meeting),
        )
        .select(inner_table.field(consultation_tables::partnership_id));
    let found = meetings::table
        .inner_join(consultation_tables::table)
        .filter(meetings::id.eq(meeting_id))
        .select((
            Meeting::as_select(),
            Table::as_select(),
            exists(seated.filter(table_members::role.eq(TableRole::Chair.code()))),
            exists(seated.filter(table_members::role.eq(TableRole::MinuteTaker.code()))),
            exists(seated.filter(table_members::role.eq(TableRole::Member.code()))),
            exists(
                partnership_coordinators::table
                    .filter(partnership_coordinators::partnership_id.eq_any(partnership))
                    .filter(partnership_coordinators::user_id.eq(user_id)),
            ),
            exists(
                attendance::table
                    .filter(attendance::meeting_id.eq(meeting_id))
                    .filter(attendance::user_id.eq(user_id)),
            ),
        ))
        .first::<(Meeting, Table, bool, bool, bool, bool, bool)>(conn)
        .optional()?;
    Ok(found.map(
        |(meeting, table, chair, minute_taker, member, coordinator, participant)| {
            let places = Places {
                chair,
                minute_taker,
                member,
                coordinator,
                participant,
            };
            (meeting, table, places)
        },
    ))
}
