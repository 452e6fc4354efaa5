//! The retention run: finds the closed families whose retention period has ended (their partnership's
//! `retention_years` from closing, `families.keep_until`) and removes their personal data through
//! `record::erase_family`. `samenspel retention --dry-run` lists them; `samenspel retention` and the
//! hourly housekeeping (once a day, claimed in `retention_runs` so several instances run it once) do it.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::{self, DbConn, Pool};
use crate::schema::{families, partnerships, retention_runs};

/// A family whose retention period has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub family_id: i64,
    pub case_number: String,
    pub partnership: String,
    pub closed_at: Option<NaiveDateTime>,
    pub keep_until: NaiveDate,
}

/// (family, case number, partnership, closed at, kept until) as read.
type DueRow = (
    i64,
    String,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDate>,
);

/// The closed families kept until before `today`, not yet erased, oldest first.
pub fn due(conn: &mut DbConn, today: NaiveDate) -> QueryResult<Vec<Due>> {
    let rows: Vec<DueRow> = families::table
        .inner_join(partnerships::table.on(partnerships::id.eq(families::partnership_id)))
        .filter(families::status.eq(crate::domain::family::FamilyStatus::Closed.code()))
        .filter(families::erased_at.is_null())
        .filter(families::keep_until.lt(today))
        .order((families::keep_until.asc(), families::id.asc()))
        .select((
            families::id,
            families::case_number,
            partnerships::name,
            families::closed_at,
            families::keep_until,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(family_id, case_number, partnership, closed_at, until)| {
            Some(Due {
                family_id,
                case_number,
                partnership,
                closed_at,
                keep_until: until?,
            })
        })
        .collect())
}

/// Erases every family due on `today`, each in its own transaction; returns the families erased.
pub fn run(pool: &Pool, today: NaiveDate) -> anyhow::Result<Vec<Due>> {
    let mut conn = pool.get()?;
    // The monitor's facts of these families are read before their record is emptied (they hold no
    // personal data, and the figures stay as they were).
    crate::domain::monitor::facts::catch_up(&mut conn)?;
    let mut erased = Vec::new();
    for family in due(&mut conn, today)? {
        db::write(&mut conn, |c| {
            crate::record::erase_family(c, family.family_id)
        })?;
        tracing::info!(
            family = family.family_id,
            "retention period ended: personal data removed"
        );
        erased.push(family);
    }
    Ok(erased)
}

/// Claims the retention run of `day`; false when an instance ran it already.
fn claim_day(conn: &mut DbConn, day: NaiveDate) -> QueryResult<bool> {
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(retention_runs::table)
            .values((
                retention_runs::day.eq(day),
                retention_runs::ran_at.eq(crate::time::now()),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(e) => Err(e),
    }
}

/// The housekeeping's daily run: the first round of `day` erases what is due; later rounds do nothing.
/// Returns how many families were erased.
pub fn run_once_a_day(pool: &Pool, day: NaiveDate) -> anyhow::Result<usize> {
    let claimed = db::write(&mut *pool.get()?, |c| claim_day(c, day))?;
    if !claimed {
        return Ok(0);
    }
    let erased = run(pool, day)?.len();
    db::write(&mut *pool.get()?, |c| {
        diesel::update(retention_runs::table.find(day))
            .set(retention_runs::families.eq(i32::try_from(erased).unwrap_or(i32::MAX)))
            .execute(c)
    })?;
    Ok(erased)
}
