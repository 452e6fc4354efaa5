//! The access log (inzagelog): every time family data is shown, who saw what, when and why.
//! The director and the family can read it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::schema::{access_log, organisations, users};

/// Why someone looks; shown to the family in plain words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// As director or co-worker.
    Direction,
    /// As an involved professional.
    Involvement,
    /// Invited to discuss the family at a meeting.
    Meeting,
    /// A coordinator reading a closed record within its retention period.
    Retention,
    /// Registering a member the family already has: the lookup that found it.
    DuplicateCheck,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Direction => "direction",
            Purpose::Involvement => "involvement",
            Purpose::Meeting => "meeting",
            Purpose::Retention => "retention",
            Purpose::DuplicateCheck => "duplicate_check",
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = access_log)]
struct NewEntry<'a> {
    at: NaiveDateTime,
    user_id: i64,
    organisation_id: Option<i64>,
    family_id: i64,
    what: &'a str,
    purpose: &'a str,
}

/// Records that `user_id` was shown `what` of the family. `what` is a text key (e.g. "access.what.family").
pub fn record(
    conn: &mut DbConn,
    user_id: i64,
    organisation_id: Option<i64>,
    family_id: i64,
    what: &str,
    purpose: Purpose,
) -> QueryResult<()> {
    diesel::insert_into(access_log::table)
        .values(NewEntry {
            at: super::now(),
            user_id,
            organisation_id,
            family_id,
            what,
            purpose: purpose.code(),
        })
        .execute(conn)?;
    Ok(())
}

#[derive(Clone, Debug)]
pub struct AccessEntry {
    pub at: NaiveDateTime,
    pub user_name: String,
    pub organisation_name: Option<String>,
    pub what: String,
    pub purpose: String,
}

/// The family's access log, newest first.
pub fn for_family(conn: &mut DbConn, family_id: i64, limit: i64) -> QueryResult<Vec<AccessEntry>> {
    let rows: Vec<(NaiveDateTime, String, Option<String>, String, String)> = access_log::table
        .inner_join(users::table.on(users::id.eq(access_log::user_id)))
        .left_join(
            organisations::table.on(organisations::id.nullable().eq(access_log::organisation_id)),
        )
        .filter(access_log::family_id.eq(family_id))
        .order(access_log::id.desc())
        .limit(limit)
        .select((
            access_log::at,
            users::name,
            organisations::name.nullable(),
            access_log::what,
            access_log::purpose,
        ))
        .load(conn)?;
    let mut entries: Vec<AccessEntry> = rows
        .into_iter()
        .map(
            |(at, user_name, organisation_name, what, purpose)| AccessEntry {
                at,
                user_name,
                organisation_name,
                what,
                purpose,
            },
        )
        .collect();
    // Partner organisations' readings through the API belong to the same story.
    entries.extend(
        super::outcome::readings_of_family(conn, family_id)?
            .into_iter()
            .map(|r| AccessEntry {
                at: r.at,
                user_name: "API".into(),
                organisation_name: Some(r.organisation),
                what: "access.what.partner_api".into(),
                purpose: "partner".into(),
            }),
    );
    entries.sort_by_key(|e| std::cmp::Reverse(e.at));
    entries.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(entries)
}
