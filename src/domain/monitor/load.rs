//! What the monitor reads: the events of the period (found by kind and time on their own index) with
//! the rows they are about, narrowed to the scope's families. Each query returns plain tuples; the
//! figures are made from them in `figures`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::Scope;
use crate::db::DbConn;
use crate::domain::decision::ActionStatus;
use crate::domain::family::FamilyStatus;
use crate::events::EventKind;
use crate::schema::{
    actions, consultation_tables, decisions, directorships, events, families, involvements,
    measures, meetings, organisations, phase_plans, referrals, safety_phases, table_kinds,
};

/// Applies the scope to a query that has `families` in it: the partnership's families, the families
/// referred to the table, or those the organisation works with or directs (now or before).
macro_rules! in_scope {
    ($query:expr, $scope:expr) => {{
        // Aliases: the query itself may join the same tables.
        let (sr, si, sd) = diesel::alias!(
            referrals as scope_referrals,
            involvements as scope_involvements,
            directorships as scope_directorships
        );
        match $scope {
            Scope::Partnership(p) => $query.filter(families::partnership_id.eq(p)).into_boxed(),
            Scope::Table(t) => $query
                .filter(
                    families::id.eq_any(
                        sr.filter(sr.field(referrals::table_id).eq(t))
                            .select(sr.field(referrals::family_id)),
                    ),
                )
                .into_boxed(),
            Scope::Organisation(o) => $query
                .filter(
                    families::id
                        .eq_any(
                            si.filter(si.field(involvements::organisation_id).eq(o))
                                .select(si.field(involvements::family_id)),
                        )
                        .or(families::id.eq_any(
                            sd.filter(sd.field(directorships::director_organisation_id).eq(o))
                                .select(sd.field(directorships::family_id)),
                        )),
                )
                .into_boxed(),
        }
    }};
}

/// A referral event: (kind, when, referral, family, table, urgency).
pub type ReferralEvent = (String, NaiveDateTime, i64, i64, i64, String);

/// The referral events from `since` on (submissions and the chair's answers).
pub fn referral_events(
    conn: &mut DbConn,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<ReferralEvent>> {
    let kinds = [
        EventKind::ReferralSubmitted,
        EventKind::ReferralAccepted,
        EventKind::ReferralMoreInfo,
        EventKind::ReferralRejected,
        EventKind::ReferralScheduled,
    ]
    .map(EventKind::name);
    let query = events::table
        .inner_join(referrals::table.on(referrals::id.nullable().eq(events::subject_id)))
        .inner_join(families::table.on(families::id.eq(referrals::family_id)))
        .filter(events::kind.eq_any(kinds))
        .filter(events::occurred_at.ge(since))
        .select((
            events::id,
            (
                events::kind,
                events::occurred_at,
                referrals::id,
                referrals::family_id,
                referrals::table_id,
                referrals::urgency,
            ),
        ));
    let mut query = in_scope!(query, scope);
    if let Scope::Table(t) = scope {
        query = query.filter(referrals::table_id.eq(t));
    }
    // Sorted here, not by the database: it would sort the whole rows (on disk on PostgreSQL, for
    // a year of a region).
    let mut rows: Vec<(i64, ReferralEvent)> = query.load(conn)?;
    rows.sort_unstable_by_key(|r| r.0);
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// A family discussed at a closed meeting: (when, family, table).
pub fn discussed(
    conn: &mut DbConn,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<(NaiveDateTime, i64, i64)>> {
    let query = events::table
        .inner_join(meetings::table.on(meetings::id.nullable().eq(events::subject_id)))
        .inner_join(families::table.on(families::id.nullable().eq(events::family_id)))
        .filter(events::kind.eq(EventKind::MeetingDiscussed.name()))
        .filter(events::occurred_at.ge(since))
        .select((events::occurred_at, families::id, meetings::table_id));
    let mut query = in_scope!(query, scope);
    if let Scope::Table(t) = scope {
        query = query.filter(meetings::table_id.eq(t));
    }
    query.load(conn)
}

/// A decision about a family: (when, family, table, outcome, the family's view).
pub type DecisionEvent = (NaiveDateTime, i64, i64, String, String);

pub fn decisions(
    conn: &mut DbConn,
    scope: Scope,
    since: NaiveDateTime,
) -> QueryResult<Vec<DecisionEvent>> {
    let query = events::table
        .inner_join(decisions::table.on(decisions::id.nullable().eq(events::subject_id)))
        .inner_join(meetings::table.on(meetings::id.eq(decisions::meeting_id)))
        .inner_join(families::table.on(families::id.nullable().eq(events::family_id)))
        .filter(events::kind.eq(EventKind::DecisionRecorded.name()))
        .filter(events::occurred_at.ge(since))
        .select((
            events::occurred_at,
            families::id,
            meetings::table_id,
            decisions::outcome,
            decisions::family_view,
        ));
    let mut query = in_scope!(query, scope);
    if let Scope::Table(t) = scope {
        query = query.filter(meetings::table_id.eq(t));
    }
    query.load(conn)
}

/// A change of phase: (when, family, to, from).
pub type Change = (NaiveDateTime, i64, i32, Option<i32>);

/// Every change of phase before `until`, oldest first.
pub fn phase_changes(
    conn: &mut DbConn,
    scope: Scope,
    until: NaiveDateTime,
) -> QueryResult<Vec<Change>> {
    let query = events::table
        .inner_join(safety_phases::table.on(safety_phases::id.nullable().eq(events::subject_id)))
        .inner_join(families::table.on(families::id.nullable().eq(events::family_id)))
        .filter(events::kind.eq(EventKind::PhaseChanged.name()))
        .filter(events::occurred_at.lt(until))
        .select((
            events::id,
            (
                events::occurred_at,
                families::id,
                safety_phases::phase,
                safety_phases::previous_phase,
            ),
        ));
    let mut rows: Vec<(i64, Change)> = in_scope!(query, scope).load(conn)?;
    rows.sort_unstable_by_key(|r| r.0);
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// The measures recorded in the period: (family, kind).
pub fn measures(
    conn: &mut DbConn,
    scope: Scope,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Vec<(i64, String)>> {
    let query = events::table
        .inner_join(measures::table.on(measures::id.nullable().eq(events::subject_id)))
        .inner_join(families::table.on(families::id.nullable().eq(events::family_id)))
        .filter(events::kind.eq(EventKind::MeasureRecorded.name()))
        .filter(events::occurred_at.ge(from))
        .filter(events::occurred_at.lt(until))
        .select((families::id, measures::kind));
    in_scope!(query, scope).load(conn)
}

/// The family status events of the period: (kind, family).
pub fn status_changes(
    conn: &mut DbConn,
    scope: Scope,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Vec<(String, i64)>> {
    let query = events::table
        .inner_join(families::table.on(families::id.nullable().eq(events::family_id)))
        .filter(events::kind.eq_any(super::STATUS_KINDS.map(EventKind::name)))
        .filter(events::occurred_at.ge(from))
        .filter(events::occurred_at.lt(until))
        .select((events::kind, families::id));
    in_scope!(query, scope).load(conn)
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

pub fn reviews(conn: &mut DbConn, scope: Scope) -> QueryResult<Vec<ReviewRow>> {
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
pub fn professionals(
    conn: &mut DbConn,
    scope: Scope,
    (from, until): (NaiveDateTime, NaiveDateTime),
) -> QueryResult<Vec<(i64, i64)>> {
    macro_rules! counted {
        ($referred:expr) => {{
            let query = involvements::table
                .inner_join(families::table.on(families::id.eq(involvements::family_id)))
                .filter(involvements::ended_on.is_null())
                .filter(families::id.nullable().eq_any($referred))
                .group_by(families::id)
                .select((families::id, count_star()));
            in_scope!(query, scope).load(conn)
        }};
    }
    let referred = events::table
        .filter(events::kind.eq(EventKind::ReferralSubmitted.name()))
        .filter(events::occurred_at.ge(from))
        .filter(events::occurred_at.lt(until))
        .select(events::family_id);
    match scope {
        Scope::Table(t) => counted!(
            referred.filter(
                events::subject_id.eq_any(
                    referrals::table
                        .filter(referrals::table_id.eq(t))
                        .select(referrals::id.nullable()),
                ),
            )
        ),
        _ => counted!(referred),
    }
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
