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
    /// The reader's account (None for a partner organisation's API key).
    pub user_id: Option<i64>,
    pub user_name: String,
    pub organisation_name: Option<String>,
    pub what: String,
    pub purpose: String,
}

/// The family's access log, newest first.
pub fn for_family(conn: &mut DbConn, family_id: i64, limit: i64) -> QueryResult<Vec<AccessEntry>> {
    type Row = (NaiveDateTime, i64, String, Option<String>, String, String);
    let rows: Vec<Row> = access_log::table
        .inner_join(users::table.on(users::id.eq(access_log::user_id)))
        .left_join(
            organisations::table.on(organisations::id.nullable().eq(access_log::organisation_id)),
        )
        .filter(access_log::family_id.eq(family_id))
        .order(access_log::id.desc())
        .limit(limit)
        .select((
            access_log::at,
            users::id,
            users::name,
            organisations::name.nullable(),
            access_log::what,
            access_log::purpose,
        ))
        .load(conn)?;
    let mut entries: Vec<AccessEntry> = rows
        .into_iter()
        .map(
            |(at, user_id, user_name, organisation_name, what, purpose)| AccessEntry {
                at,
                user_id: Some(user_id),
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
                user_id: None,
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

/// Access to a family given to someone from outside its partnership, with the written reason.
#[derive(Clone, Debug)]
pub struct OutsideAccess {
    pub user_id: i64,
    pub user_name: String,
    pub organisation_name: Option<String>,
    /// How: "involvement", "invitation" (for an item at a table) or "referral" (to another region's
    /// table; the reader is then the referrer, the access that of the table's chair).
    pub via: &'static str,
    /// Where: the table of the invitation or referral.
    pub place: Option<String>,
    pub reason: String,
}

/// (user id, name, organisation, table, reason) as the queries below load them.
type OutsideRow = (i64, String, Option<String>, Option<String>, Option<String>);

fn outside(
    (user_id, user_name, organisation_name, place, reason): OutsideRow,
    via: &'static str,
) -> OutsideAccess {
    OutsideAccess {
        user_id,
        user_name,
        organisation_name,
        via,
        place,
        reason: reason.unwrap_or_default(),
    }
}

/// Every access to the family given with an outside reason: involvements, item invitations and
/// referrals to tables of another partnership.
pub fn outside_access(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<OutsideAccess>> {
    use crate::schema::involvements;
    let mut found: Vec<OutsideAccess> = involvements::table
        .inner_join(users::table.on(users::id.eq(involvements::user_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(users::organisation_id)))
        .filter(involvements::family_id.eq(family_id))
        .filter(involvements::outside_reason.is_not_null())
        .select((
            users::id,
            users::name,
            organisations::name.nullable(),
            involvements::outside_reason,
        ))
        .load::<(i64, String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, name, org, reason)| outside((id, name, org, None, reason), "involvement"))
        .collect();
    found.extend(invited_from_outside(conn, family_id)?);
    found.extend(referred_outside(conn, family_id)?);
    Ok(found)
}

fn invited_from_outside(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<OutsideAccess>> {
    use crate::schema::{agenda_items, consultation_tables, item_invitees, meetings};
    Ok(item_invitees::table
        .inner_join(agenda_items::table)
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(meetings::table_id)))
        .inner_join(users::table.on(users::id.eq(item_invitees::user_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(users::organisation_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .filter(item_invitees::outside_reason.is_not_null())
        .select((
            users::id,
            users::name,
            organisations::name.nullable(),
            consultation_tables::name.nullable(),
            item_invitees::outside_reason,
        ))
        .load::<OutsideRow>(conn)?
        .into_iter()
        .map(|r| outside(r, "invitation"))
        .collect())
}

fn referred_outside(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<OutsideAccess>> {
    use crate::schema::{consultation_tables, referrals};
    Ok(referrals::table
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(referrals::table_id)))
        .inner_join(users::table.on(users::id.eq(referrals::referred_by_user_id)))
        .left_join(organisations::table.on(organisations::id.nullable().eq(users::organisation_id)))
        .filter(referrals::family_id.eq(family_id))
        .filter(referrals::outside_reason.is_not_null())
        .select((
            users::id,
            users::name,
            organisations::name.nullable(),
            consultation_tables::name.nullable(),
            referrals::outside_reason,
        ))
        .load::<OutsideRow>(conn)?
        .into_iter()
        .map(|r| outside(r, "referral"))
        .collect())
}
