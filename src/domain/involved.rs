//! Who is involved with a family, as the family itself may read it in the portal: the organisations and
//! roles working with them now, their director's contact, and the tables that discussed them. Nothing of
//! any other family; names of professionals only when the director chose to show them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{
    agenda_items, consultation_tables, directorships, involvements, meetings, organisations, users,
};

/// An organisation working with the family now, in a role.
#[derive(Clone, Debug)]
pub struct Involved {
    pub organisation: String,
    pub role: String,
    /// The professional's name, when the director shows names in the portal.
    pub name: Option<String>,
}

/// The director, and how to reach them.
#[derive(Clone, Debug)]
pub struct Contact {
    pub name: String,
    pub organisation: String,
    pub email: String,
}

/// A table that discussed the family, with the last time it did.
#[derive(Clone, Debug)]
pub struct Discussed {
    pub table: String,
    pub last: NaiveDateTime,
}

/// The involvements running now, by organisation.
pub fn now(conn: &mut DbConn, family_id: i64, with_names: bool) -> QueryResult<Vec<Involved>> {
    let rows: Vec<(String, String, String)> = involvements::table
        .inner_join(organisations::table.on(organisations::id.eq(involvements::organisation_id)))
        .inner_join(users::table.on(users::id.eq(involvements::user_id)))
        .filter(involvements::family_id.eq(family_id))
        .filter(involvements::ended_on.is_null())
        .order((organisations::name.asc(), involvements::role.asc()))
        .select((organisations::name, involvements::role, users::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(organisation, role, name)| Involved {
            organisation,
            role,
            name: with_names.then_some(name),
        })
        .collect())
}

/// The family's director now: name, organisation and email address.
pub fn director(conn: &mut DbConn, family_id: i64) -> QueryResult<Option<Contact>> {
    let row: Option<(String, String, String)> = directorships::table
        .inner_join(users::table.on(users::id.eq(directorships::director_user_id)))
        .inner_join(
            organisations::table.on(organisations::id.eq(directorships::director_organisation_id)),
        )
        .filter(directorships::family_id.eq(family_id))
        .filter(directorships::ended_at.is_null())
        .select((users::name, organisations::name, users::email))
        .first(conn)
        .optional()?;
    Ok(row.map(|(name, organisation, email)| Contact {
        name,
        organisation,
        email,
    }))
}

/// The tables whose meetings had the family on the agenda and have started (a plan alone is not a
/// discussion), the most recent first.
pub fn tables(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Discussed>> {
    let rows: Vec<(String, NaiveDateTime)> = agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .filter(meetings::status.ne(super::meeting::MeetingStatus::Planned.code()))
        .order(meetings::starts_at.desc())
        .select((consultation_tables::name, meetings::starts_at))
        .load(conn)?;
    let mut out: Vec<Discussed> = Vec::new();
    for (table, last) in rows {
        if !out.iter().any(|d| d.table == table) {
            out.push(Discussed { table, last });
        }
    }
    Ok(out)
}
