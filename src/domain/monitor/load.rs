//! What the monitor reads: the facts of the period (`facts`: the events it counts with what they are
//! about, by partnership, kind and time on one index) and the state of the record now (aftercare,
//! overdue actions and reviews, involvements), narrowed to the scope's families. Each query returns
//! plain tuples; the figures are made from them in `figures`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::Scope;
use super::facts::{REFERRAL_KINDS, second_of, time_of};
use crate::db::DbConn;
use crate::domain::decision::ActionStatus;
use crate::domain::family::FamilyStatus;
use crate::events::EventKind;
use crate::schema::{
    actions, consultation_tables, directorships, families, involvements, meetings, monitor_facts,
    organisations, phase_plans, referrals, table_kinds,
};

/// Applies the scope to a query that has `families` in it: the partnership's families, the families
/// referred to the table, or those the organisation works with or directs (now or before).
macro_rules! in_scope {
    ($query:expr, $scope:expr) => {
        in_scope!($query, $scope, families::id, families::partnership_id)
    };
    ($query:expr, $scope:expr, $family:expr, $partnership:expr) => {{
        // Aliases: the query itself may join the same tables.
        let (sr, si, sd) = diesel::alias!(
            referrals as scope_referrals,
            involvements as scope_involvements,
            directorships as scope_directorships
        );
        match $scope {
            Scope::Partnership(p) => $query.filter($partnership.eq(p)).into_boxed(),
            Scope::Table(t) => $query
                .filter(
                    $family.eq_any(
                        sr.filter(sr.field(referrals::table_id).eq(t))
                            .select(sr.field(referrals::family_id)),
                    ),
                )
                .into_boxed(),
            Scope::Organisation(o) => $query
                .filter(
                    $family
                        .eq_any(
                            si.filter(si.field(involvements::organisation_id).eq(o))
                                .select(si.field(involvements::family_id)),
                        )
                        .or($family.eq_any(
                            sd.filter(sd.field(directorships::director_organisation_id).eq(o))
                                .select(sd.field(directorships::family_id)),
                        )),
                )
                .into_boxed(),
        }
    }};
}

/// The scope on a query of the monitor's facts (`facts`).
macro_rules! facts_in_scope {
    ($query:expr, $scope:expr) => {
        in_scope!(
            $query,
            $scope,
            monitor_facts::family_id,
            monitor_facts::partnership_id
        )
    };
}

/// The facts of `kinds` in the scope (for a table: also of that table).
macro_rules! facts_of {
    ($kinds:expr, $scope:expr) => {{
        let kinds: Vec<&str> = $kinds.iter().map(|k: &EventKind| k.name()).collect();
        let mut query = facts_in_scope!(
            monitor_facts::table.filter(monitor_facts::kind.eq_any(kinds)),
            $scope
        );
        if let Scope::Table(t) = $scope {
            query = query.filter(monitor_facts::table_id.eq(t));
        }
        query
    }};
}

/// A referral event and a change of phase as the facts hold them: the time in whole seconds (see
/// `facts::time_of`).
type StoredReferral = (bool, i64, i64, i64, i64, String);
type StoredChange = (i64, i64, i32, Option<i32>);

/// A referral event: (whether it is the submission rather than an answer, when, referral, family,
/// table, urgency).
pub type ReferralEvent = (bool, NaiveDateTime, i64, i64, i64, String);

/// The referral events from `since` on (submissions and the chair's answers), in the order of the log.
pub fn referral_events(
    conn: &mut DbConn,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<ReferralEvent>> {
    let mut rows: Vec<(i64, StoredReferral)> = facts_of!(REFERRAL_KINDS, scope)
        .filter(monitor_facts::occurred_second.ge(second_of(since)))
        .select((
            monitor_facts::event_id,
            (
                // A flag, not the kind's name: no string per row.
                monitor_facts::kind.eq(EventKind::ReferralSubmitted.name()),
                monitor_facts::occurred_second,
                monitor_facts::referral_id.assume_not_null(),
                monitor_facts::family_id,
                monitor_facts::table_id.assume_not_null(),
                monitor_facts::code.assume_not_null(),
            ),
        ))
        .load(conn)?;
    // Sorted here, not by the database: it would sort the whole rows.
    rows.sort_unstable_by_key(|r| r.0);
    Ok(rows
        .into_iter()
        .map(|(_, (submitted, at, referral, family, table, urgency))| {
            (submitted, time_of(at), referral, family, table, urgency)
        })
        .collect())
}

/// A family discussed at a closed meeting: (when, family, table).
pub fn discussed(
    conn: &mut DbConn,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, i64, i64)>> {
    let rows: Vec<(i64, i64, i64)> = facts_of!([EventKind::MeetingDiscussed], scope)
        .filter(monitor_facts::occurred_second.ge(second_of(since)))
        .select((
            monitor_facts::occurred_second,
            monitor_facts::family_id,
            monitor_facts::table_id.assume_not_null(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, family, table)| (time_of(at), family, table))
        .collect())
}

/// A decision about a family: (when, family, table, outcome, the family's view).
pub type DecisionEvent = (NaiveDateTime, i64, i64, String, String);

pub fn decisions(
    conn: &mut DbConn,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<DecisionEvent>> {
    let rows: Vec<(i64, i64, i64, String, String)> =
        facts_of!([EventKind::DecisionRecorded], scope)
            .filter(monitor_facts::occurred_second.ge(second_of(since)))
            .select((
                monitor_facts::occurred_second,
                monitor_facts::family_id,
                monitor_facts::table_id.assume_not_null(),
                monitor_facts::code.assume_not_null(),
                monitor_facts::detail.assume_not_null(),
            ))
            .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, family, table, outcome, view)| (time_of(at), family, table, outcome, view))
        .collect())
}

/// A change of phase: (when, family, to, from).
pub type Change = (NaiveDateTime, i64, i32, Option<i32>);

/// Every change of phase before `until`, oldest first.
pub fn phase_changes(
    conn: &mut DbConn,
    scope: Scope,
    until: NaiveDateTime,
) -> QueryResult<Vec<Change>> {
    let query = monitor_facts::table
        .filter(monitor_facts::kind.eq(EventKind::PhaseChanged.name()))
        .filter(monitor_facts::occurred_second.lt(second_of(until)))
        .select((
            monitor_facts::event_id,
            (
                monitor_facts::occurred_second,
                monitor_facts::family_id,
                monitor_facts::phase.assume_not_null(),
                monitor_facts::previous_phase,
            ),
        ));
    let mut rows: Vec<(i64, StoredChange)> = facts_in_scope!(query, scope).load(conn)?;
    rows.sort_unstable_by_key(|r| r.0);
    Ok(rows
        .into_iter()
        .map(|(_, (at, family, to, from))| (time_of(at), family, to, from))
        .collect())
}

/// The measures recorded in the period: (family, kind).
pub fn measures(
    conn: &mut DbConn,
    scope: Scope,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Vec<(i64, String)>> {
    let query = monitor_facts::table
        .filter(monitor_facts::kind.eq(EventKind::MeasureRecorded.name()))
        .filter(monitor_facts::occurred_second.ge(second_of(from)))
        .filter(monitor_facts::occurred_second.lt(second_of(until)))
        .select((
            monitor_facts::family_id,
            monitor_facts::code.assume_not_null(),
        ));
    facts_in_scope!(query, scope).load(conn)
}

/// The family status events of the period: (kind, family).
pub fn status_changes(
    conn: &mut DbConn,
    scope: Scope,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Vec<(String, i64)>> {
    let query = monitor_facts::table
        .filter(monitor_facts::kind.eq_any(super::STATUS_KINDS.map(EventKind::name)))
        .filter(monitor_facts::occurred_second.ge(second_of(from)))
        .filter(monitor_facts::occurred_second.lt(second_of(until)))
        .select((monitor_facts::kind, monitor_facts::family_id));
    facts_in_scope!(query, scope).load(conn)
}

/// The scope's families in aftercare now.
pub fn in_aftercare(conn: &mut DbConn, scope: Scope) -> QueryResult<Vec<i64>> {
    let query = families::table
        .filter(families::status.eq(FamilyStatus::Aftercare.code()))
        .select(families::id);
    in_scope!(query, scope).load(conn)
}

/// The open actions past their date: (owner's organisation, family).
pub fn overdue_actions(
    conn: &mut DbConn,
    scope: Scope,
    today: NaiveDate,
) -> QueryResult<Vec<(String, i64)>> {
    let query = actions::table
        .inner_join(families::table.on(families::id.nullable().eq(actions::family_id)))
        .inner_join(organisations::table.on(organisations::id.eq(actions::owner_organisation_id)))
        .filter(actions::status.eq(ActionStatus::Open.code()))
        .filter(actions::due_on.lt(today))
        .select((organisations::name, families::id));
    let mut query = in_scope!(query, scope);
    match scope {
        Scope::Table(t) => {
            query = query.filter(
                actions::meeting_id.eq_any(
                    meetings::table
                        .filter(meetings::table_id.eq(t))
                        .select(meetings::id),
                ),
            )
        }
        Scope::Organisation(o) => query = query.filter(actions::owner_organisation_id.eq(o)),
        Scope::Partnership(_) => {}
    }
    query.load(conn)
}

/// A phase plan version with a review date, of an open family, with the directing organisation:
/// (organisation, family, plan kind, member, version, review date).
pub type ReviewRow = (String, i64, String, Option<i64>, i32, Option<NaiveDate>);

/// Only families with some version whose review date is before `today` are read (the latest version
/// of a plan decides in `figures`; a plan overdue now has such a version).
pub fn reviews(conn: &mut DbConn, scope: Scope, today: NaiveDate) -> QueryResult<Vec<ReviewRow>> {
    let passed = diesel::alias!(phase_plans as passed_reviews);
    let query = phase_plans::table
        .inner_join(families::table.on(families::id.eq(phase_plans::family_id)))
        .inner_join(
            directorships::table.on(directorships::family_id
                .eq(families::id)
                .and(directorships::ended_at.is_null())),
        )
        .inner_join(
            organisations::table.on(organisations::id.eq(directorships::director_organisation_id)),
        )
        .filter(families::status.ne(FamilyStatus::Closed.code()))
        .filter(
            families::id.eq_any(
                passed
                    .filter(passed.field(phase_plans::review_on).lt(today))
                    .select(passed.field(phase_plans::family_id)),
            ),
        )
        .select((
            organisations::name,
            families::id,
            phase_plans::kind,
            phase_plans::person_id,
            phase_plans::version,
            phase_plans::review_on,
        ));
    in_scope!(query, scope).load(conn)
}

/// How many professionals work with each family referred in the period (involvements not ended).
/// The referred families are read first and their involvements counted a thousand families at a
/// time: for a list that long PostgreSQL reads every involvement instead of looking each family up
/// by its index (10,000 referred families of 100,000: about 60 ms against 20 ms in ten lists), and
/// SQLite's limit on the number of bound values is never reached.
pub fn professionals(
    conn: &mut DbConn,
    scope: Scope,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Vec<(i64, i64)>> {
    let mut referred: Vec<i64> = facts_of!([EventKind::ReferralSubmitted], scope)
        .filter(monitor_facts::occurred_second.ge(second_of(from)))
        .filter(monitor_facts::occurred_second.lt(second_of(until)))
        .select(monitor_facts::family_id)
        .load(conn)?;
    referred.sort_unstable();
    referred.dedup();
    let mut counted = Vec::with_capacity(referred.len());
    for families in referred.chunks(1_000) {
        counted.extend(
            involvements::table
                .filter(involvements::ended_on.is_null())
                .filter(involvements::family_id.eq_any(families))
                .group_by(involvements::family_id)
                .select((involvements::family_id, count_star()))
                .load::<(i64, i64)>(conn)?,
        );
    }
    Ok(counted)
}

/// A table's name and its kind's answer deadlines: (id, name, crisis hours, urgent days, regular days).
pub type TableRow = (i64, String, i32, i32, i32);

pub fn tables(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<TableRow>> {
    consultation_tables::table
        .inner_join(table_kinds::table)
        .filter(consultation_tables::id.eq_any(ids))
        .select((
            consultation_tables::id,
            consultation_tables::name,
            table_kinds::answer_hours_crisis,
            table_kinds::answer_days_urgent,
            table_kinds::answer_days_regular,
        ))
        .order(consultation_tables::name.asc())
        .load(conn)
}
