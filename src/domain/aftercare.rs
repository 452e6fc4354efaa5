//! Aftercare (nazorg): after a table scaled a family down, someone checks in on a set date; the period
//! ends with a short evaluation (is it still safe? what does the family say?) and either closing the
//! record or a referral back to a table.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;
use crate::schema::{aftercare, families, users};

coded_enum!(
    /// How an aftercare period ended.
    NextStep, "aftercare.next", [Close => "close", BackToTable => "back_to_table"]
);

/// The default time until the check-in: eight weeks (the seeds' example of gezin El Amrani).
pub const DEFAULT_WEEKS: i64 = 8;

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = aftercare)]
pub struct Aftercare {
    pub id: i64,
    pub family_id: i64,
    pub decision_id: Option<i64>,
    pub started_at: NaiveDateTime,
    pub started_by_user_id: i64,
    pub checkin_on: NaiveDate,
    pub checker_user_id: i64,
    pub ended_at: Option<NaiveDateTime>,
    pub ended_by_user_id: Option<i64>,
    pub next_step: Option<String>,
    pub still_safe: Option<bool>,
    pub family_view: String,
    pub evaluation: String,
}

impl Aftercare {
    pub fn next_step(&self) -> Option<NextStep> {
        self.next_step.as_deref().and_then(NextStep::from_code)
    }
    /// The check-in date has come.
    pub fn is_due(&self, today: NaiveDate) -> bool {
        self.ended_at.is_none() && self.checkin_on <= today
    }
}

/// What the one who checks in found: the evaluation that ends the period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    pub still_safe: bool,
    pub family_view: String,
    pub evaluation: String,
}

/// Starts a period (the family has none open: the unique index backs that up).
pub fn start(
    conn: &mut DbConn,
    family_id: i64,
    decision_id: Option<i64>,
    (checkin_on, checker_user_id): (NaiveDate, i64),
    by: i64,
) -> QueryResult<Aftercare> {
    diesel::insert_into(aftercare::table)
        .values((
            aftercare::family_id.eq(family_id),
            aftercare::decision_id.eq(decision_id),
            aftercare::started_at.eq(super::now()),
            aftercare::started_by_user_id.eq(by),
            aftercare::checkin_on.eq(checkin_on),
            aftercare::checker_user_id.eq(checker_user_id),
        ))
        .returning(aftercare::all_columns)
        .get_result(conn)
}

/// The family's open period, if any.
pub fn open_for(conn: &mut DbConn, family_id: i64) -> QueryResult<Option<Aftercare>> {
    aftercare::table
        .filter(aftercare::family_id.eq(family_id))
        .filter(aftercare::ended_at.is_null())
        .select(Aftercare::as_select())
        .first(conn)
        .optional()
}

/// Every period of the family, newest first.
pub fn history(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Aftercare>> {
    aftercare::table
        .filter(aftercare::family_id.eq(family_id))
        .order(aftercare::id.desc())
        .select(Aftercare::as_select())
        .load(conn)
}

/// Moves the check-in (date and who checks in).
pub fn set_checkin(
    conn: &mut DbConn,
    id: i64,
    checkin_on: NaiveDate,
    checker_user_id: i64,
) -> QueryResult<()> {
    diesel::update(
        aftercare::table
            .find(id)
            .filter(aftercare::ended_at.is_null()),
    )
    .set((
        aftercare::checkin_on.eq(checkin_on),
        aftercare::checker_user_id.eq(checker_user_id),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends the period with the evaluation and the next step (once: false when it had ended already).
pub fn end(
    conn: &mut DbConn,
    id: i64,
    found: Option<&Evaluation>,
    next: NextStep,
    by: i64,
) -> QueryResult<bool> {
    let changed = diesel::update(
        aftercare::table
            .find(id)
            .filter(aftercare::ended_at.is_null()),
    )
    .set((
        aftercare::ended_at.eq(super::now()),
        aftercare::ended_by_user_id.eq(by),
        aftercare::next_step.eq(next.code()),
        aftercare::still_safe.eq(found.map(|f| f.still_safe)),
        aftercare::family_view.eq(found.map(|f| f.family_view.as_str()).unwrap_or("")),
        aftercare::evaluation.eq(found.map(|f| f.evaluation.as_str()).unwrap_or("")),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A check-in as the start page and the digest list it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckIn {
    pub family_id: i64,
    pub case_number: String,
    pub pseudonym: String,
    pub display_name: String,
    pub checkin_on: NaiveDate,
}

/// The open check-ins `user_id` does, of families still in aftercare, earliest first; only those due
/// by `until` when given.
pub fn checkins_for(
    conn: &mut DbConn,
    user_id: i64,
    until: Option<NaiveDate>,
) -> QueryResult<Vec<CheckIn>> {
    let mut query = aftercare::table
        .inner_join(families::table.on(families::id.eq(aftercare::family_id)))
        .filter(aftercare::checker_user_id.eq(user_id))
        .filter(aftercare::ended_at.is_null())
        .filter(families::status.eq(super::family::FamilyStatus::Aftercare.code()))
        .into_boxed();
    if let Some(until) = until {
        query = query.filter(aftercare::checkin_on.le(until));
    }
    let rows: Vec<(i64, String, String, NaiveDate)> = query
        .order((aftercare::checkin_on.asc(), families::case_number.asc()))
        .select((
            families::id,
            families::case_number,
            families::display_name,
            aftercare::checkin_on,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(family_id, case_number, display_name, checkin_on)| CheckIn {
                pseudonym: super::family::pseudonym_of(&display_name, &case_number),
                family_id,
                case_number,
                display_name,
                checkin_on,
            },
        )
        .collect())
}

/// Everyone with a check-in due by `day` (active accounts only).
pub fn checkers_due(conn: &mut DbConn, day: NaiveDate) -> QueryResult<Vec<i64>> {
    aftercare::table
        .inner_join(users::table.on(users::id.eq(aftercare::checker_user_id)))
        .filter(aftercare::ended_at.is_null())
        .filter(aftercare::checkin_on.le(day))
        .filter(users::active.eq(true))
        .select(aftercare::checker_user_id)
        .distinct()
        .load(conn)
}

/// Whether `user_id` checks in on the family's open period.
pub fn is_checker(conn: &mut DbConn, family_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        aftercare::table
            .filter(aftercare::family_id.eq(family_id))
            .filter(aftercare::ended_at.is_null())
            .filter(aftercare::checker_user_id.eq(user_id)),
    ))
    .get_result(conn)
}
