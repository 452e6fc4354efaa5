//! A meeting with its table, and a user's places in it, in two statements.
//!
//! Every change in a running meeting first checks who is asking. A chair's step is often one of many at
//! once, written in turn on one connection (group commit), where each statement is a round trip to the
//! database: so the checks read the meeting with its table in one statement and every place of the user
//! in another, instead of one statement per fact (issue 23: the burst of fifty chairs).

use diesel::dsl::exists;
use diesel::prelude::*;

use super::Meeting;
use crate::db::DbConn;
use crate::domain::table::{Table, TableRole};
use crate::schema::{
    attendance, consultation_tables, meetings, partnership_coordinators, table_members,
};

/// The meeting and its table.
pub fn with_table(conn: &mut DbConn, meeting_id: i64) -> QueryResult<Option<(Meeting, Table)>> {
    meetings::table
        .inner_join(consultation_tables::table)
        .filter(meetings::id.eq(meeting_id))
        .select((Meeting::as_select(), Table::as_select()))
        .first(conn)
        .optional()
}

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

/// The user's places in `meeting_id` at `table`, read in one statement.
pub fn places(
    conn: &mut DbConn,
    table: &Table,
    meeting_id: i64,
    user_id: i64,
) -> QueryResult<Places> {
    let seated = table_members::table
        .filter(table_members::table_id.eq(table.id))
        .filter(table_members::user_id.eq(user_id));
    let (chair, minute_taker, member, coordinator, participant) = diesel::select((
        exists(seated.filter(table_members::role.eq(TableRole::Chair.code()))),
        exists(seated.filter(table_members::role.eq(TableRole::MinuteTaker.code()))),
        exists(seated.filter(table_members::role.eq(TableRole::Member.code()))),
        exists(
            partnership_coordinators::table
                .filter(partnership_coordinators::partnership_id.eq(table.partnership_id))
                .filter(partnership_coordinators::user_id.eq(user_id)),
        ),
        exists(
            attendance::table
                .filter(attendance::meeting_id.eq(meeting_id))
                .filter(attendance::user_id.eq(user_id)),
        ),
    ))
    .get_result::<(bool, bool, bool, bool, bool)>(conn)?;
    Ok(Places {
        chair,
        minute_taker,
        member,
        coordinator,
        participant,
    })
}
