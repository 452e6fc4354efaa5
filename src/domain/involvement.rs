//! Involvement (betrokkenheid): a professional of an organisation working with a family, from a date
//! until ended. Expertise is added, never handed over: ending one involvement does not move the family.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{involvements, organisations, users};

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = involvements)]
pub struct Involvement {
    pub id: i64,
    pub family_id: i64,
    pub user_id: i64,
    pub organisation_id: i64,
    pub role: String,
    pub started_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub created_at: NaiveDateTime,
    /// Why someone from outside the family's partnership was added (None for its own people).
    pub outside_reason: Option<String>,
}

/// An involvement with the names to show.
#[derive(Clone, Debug)]
pub struct InvolvementView {
    pub involvement: Involvement,
    pub user_name: String,
    pub organisation_name: String,
}

#[derive(Insertable)]
#[diesel(table_name = involvements)]
struct NewInvolvementRow<'a> {
    family_id: i64,
    user_id: i64,
    organisation_id: i64,
    role: &'a str,
    started_on: NaiveDate,
    created_at: NaiveDateTime,
}

pub fn add(
    conn: &mut DbConn,
    family_id: i64,
    user_id: i64,
    organisation_id: i64,
    role: &str,
    started_on: NaiveDate,
) -> QueryResult<Involvement> {
    diesel::insert_into(involvements::table)
        .values(NewInvolvementRow {
            family_id,
            user_id,
            organisation_id,
            role,
            started_on,
            created_at: super::now(),
        })
        .returning(involvements::all_columns)
        .get_result(conn)
}

/// Keeps why someone from outside the family's partnership was added.
pub fn set_outside_reason(conn: &mut DbConn, involvement_id: i64, reason: &str) -> QueryResult<()> {
    diesel::update(involvements::table.find(involvement_id))
        .set(involvements::outside_reason.eq(reason))
        .execute(conn)?;
    Ok(())
}

/// Ends every active involvement with the family (when it is closed); returns how many.
pub fn end_all(conn: &mut DbConn, family_id: i64, ended_on: NaiveDate) -> QueryResult<usize> {
    diesel::update(
        involvements::table
            .filter(involvements::family_id.eq(family_id))
            .filter(involvements::ended_on.is_null()),
    )
    .set(involvements::ended_on.eq(ended_on))
    .execute(conn)
}

pub fn end(conn: &mut DbConn, involvement_id: i64, ended_on: NaiveDate) -> QueryResult<()> {
    diesel::update(involvements::table.find(involvement_id))
        .set(involvements::ended_on.eq(ended_on))
        .execute(conn)?;
    Ok(())
}

pub fn find(
    conn: &mut DbConn,
    family_id: i64,
    involvement_id: i64,
) -> QueryResult<Option<Involvement>> {
    involvements::table
        .filter(involvements::family_id.eq(family_id))
        .filter(involvements::id.eq(involvement_id))
        .select(Involvement::as_select())
        .first(conn)
        .optional()
}

pub fn is_active(conn: &mut DbConn, family_id: i64, user_id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        involvements::table
            .filter(involvements::family_id.eq(family_id))
            .filter(involvements::user_id.eq(user_id))
            .filter(involvements::ended_on.is_null()),
    ))
    .get_result(conn)
}

/// Everyone who is or was involved, current first, then by start date.
pub fn list(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<InvolvementView>> {
    let rows: Vec<(Involvement, String, String)> = involvements::table
        .inner_join(users::table)
        .inner_join(organisations::table)
        .filter(involvements::family_id.eq(family_id))
        .order((involvements::started_on.asc(), involvements::id.asc()))
        .select((Involvement::as_select(), users::name, organisations::name))
        .load(conn)?;
    let mut views: Vec<InvolvementView> = rows
        .into_iter()
        .map(
            |(involvement, user_name, organisation_name)| InvolvementView {
                involvement,
                user_name,
                organisation_name,
            },
        )
        .collect();
    views.sort_by_key(|v| v.involvement.ended_on.is_some());
    Ok(views)
}
