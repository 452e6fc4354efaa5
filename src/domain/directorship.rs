//! Directorship (regie): exactly one active director per family, with an optional co-worker ("vast duo").
//! The database refuses a second active director (partial unique index); a change ends the old one in the
//! same transaction and keeps it as history.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{directorships, families, organisations, users};

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = directorships)]
pub struct Directorship {
    pub id: i64,
    pub family_id: i64,
    pub director_user_id: i64,
    pub director_organisation_id: i64,
    pub co_worker_user_id: Option<i64>,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
}

#[derive(Clone, Debug)]
pub struct DirectorshipView {
    pub directorship: Directorship,
    pub director_name: String,
    pub organisation_name: String,
    pub co_worker_name: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = directorships)]
pub struct NewDirectorship {
    pub family_id: i64,
    pub director_user_id: i64,
    pub director_organisation_id: i64,
    pub co_worker_user_id: Option<i64>,
    pub started_at: NaiveDateTime,
}

/// Makes `director` the family's director (with `co_worker`), ending the current directorship first.
pub fn appoint(
    conn: &mut DbConn,
    family_id: i64,
    director_user_id: i64,
    director_organisation_id: i64,
    co_worker_user_id: Option<i64>,
) -> QueryResult<Directorship> {
    let now = super::now();
    diesel::update(
        directorships::table
            .filter(directorships::family_id.eq(family_id))
            .filter(directorships::ended_at.is_null()),
    )
    .set(directorships::ended_at.eq(now))
    .execute(conn)?;
    diesel::insert_into(directorships::table)
        .values(NewDirectorship {
            family_id,
            director_user_id,
            director_organisation_id,
            co_worker_user_id,
            started_at: now,
        })
        .returning(directorships::all_columns)
        .get_result(conn)
}

/// The family's director now, if it has one.
pub fn current_director(conn: &mut DbConn, family_id: i64) -> QueryResult<Option<i64>> {
    directorships::table
        .filter(directorships::family_id.eq(family_id))
        .filter(directorships::ended_at.is_null())
        .select(directorships::director_user_id)
        .first(conn)
        .optional()
}

/// All directorships of a family, the current one first.
pub fn history(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<DirectorshipView>> {
    let co_worker_name = diesel::alias!(users as co_workers);
    let rows: Vec<(Directorship, String, String, Option<String>)> = directorships::table
        .inner_join(users::table.on(users::id.eq(directorships::director_user_id)))
        .inner_join(
            organisations::table.on(organisations::id.eq(directorships::director_organisation_id)),
        )
        .left_join(
            co_worker_name.on(co_worker_name
                .field(users::id)
                .nullable()
                .eq(directorships::co_worker_user_id)),
        )
        .filter(directorships::family_id.eq(family_id))
        .order(directorships::started_at.desc())
        .select((
            Directorship::as_select(),
            users::name,
            organisations::name,
            co_worker_name.field(users::name).nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(directorship, director_name, organisation_name, co_worker_name)| DirectorshipView {
                directorship,
                director_name,
                organisation_name,
                co_worker_name,
            },
        )
        .collect())
}

/// An open family whose director's account is switched off: its coordinators flag it until someone
/// else directs it.
#[derive(Clone, Debug)]
pub struct Orphaned {
    pub family_id: i64,
    pub display_name: String,
    pub case_number: String,
    pub director_name: String,
    pub organisation_name: String,
}

impl Orphaned {
    /// "Gezin J., 2026-0042": the coordinator runs the partnership, and reads no family record for it.
    pub fn pseudonym(&self) -> String {
        super::family::pseudonym_of(&self.display_name, &self.case_number)
    }
}

/// The open families of these partnerships whose active director's account is switched off, by case
/// number.
pub fn orphaned_in(conn: &mut DbConn, partnership_ids: &[i64]) -> QueryResult<Vec<Orphaned>> {
    if partnership_ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, String, String, String, String)> = directorships::table
        .inner_join(families::table.on(families::id.eq(directorships::family_id)))
        .inner_join(users::table.on(users::id.eq(directorships::director_user_id)))
        .inner_join(
            organisations::table.on(organisations::id.eq(directorships::director_organisation_id)),
        )
        .filter(directorships::ended_at.is_null())
        .filter(users::active.eq(false))
        .filter(families::status.ne(super::family::FamilyStatus::Closed.code()))
        .filter(families::partnership_id.eq_any(partnership_ids))
        .order(families::case_number.asc())
        .select((
            families::id,
            families::display_name,
            families::case_number,
            users::name,
            organisations::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(family_id, display_name, case_number, director_name, organisation_name)| Orphaned {
                family_id,
                display_name,
                case_number,
                director_name,
                organisation_name,
            },
        )
        .collect())
}

/// The partnerships of the open families `user_id` directs now, once for each family.
pub fn partnerships_directed_by(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<i64>> {
    directorships::table
        .inner_join(families::table.on(families::id.eq(directorships::family_id)))
        .filter(directorships::director_user_id.eq(user_id))
        .filter(directorships::ended_at.is_null())
        .filter(families::status.ne(super::family::FamilyStatus::Closed.code()))
        .select(families::partnership_id)
        .load(conn)
}
