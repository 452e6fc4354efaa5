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
    /// The Raad voor de Kinderbescherming reading a request to investigate addressed to it.
    BoardRequest,
    /// A table's chair or a coordinator handling the family's complaint or objection.
    Complaint,
}

impl Purpose {
    pub fn code(self) -> &'static str {
        match self {
            Purpose::Direction => "direction",
            Purpose::Involvement => "involvement",
            Purpose::Meeting => "meeting",
            Purpose::Retention => "retention",
            Purpose::DuplicateCheck => "duplicate_check",
            Purpose::BoardRequest => "board_request",
            Purpose::Complaint => "complaint",
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

/// Readings the family sees as one line of its log: `count` readings that look the same, `entry` the
/// newest of them.
#[derive(Clone, Debug)]
pub struct AccessGroup {
    pub entry: AccessEntry,
    pub count: usize,
}

/// The family's log with repeated readings folded together: the same reader (by name when the family
/// sees names, else by organisation), the same what and the same purpose on the same day (Amsterdam)
/// become one line with a count, in the place and with the time of the newest. `entries` come newest
/// first, as `for_family` gives them.
pub fn grouped_by_day(entries: Vec<AccessEntry>, by_name: bool) -> Vec<AccessGroup> {
    type Key = (
        chrono::NaiveDate,
        Option<String>,
        Option<String>,
        String,
        String,
    );
    let mut groups: Vec<AccessGroup> = Vec::new();
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for entry in entries {
        let key = (
            crate::time::local(entry.at).date_naive(),
            by_name.then(|| entry.user_name.clone()),
            entry.organisation_name.clone(),
            entry.what.clone(),
            entry.purpose.clone(),
        );
        match index.get(&key) {
            Some(&at) => groups[at].count += 1,
            None => {
                index.insert(key, groups.len());
                groups.push(AccessGroup { entry, count: 1 });
            }
        }
    }
    groups
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(at: &str, name: &str, org: &str, what: &str) -> AccessEntry {
        AccessEntry {
            at: NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M").unwrap(),
            user_id: Some(1),
            user_name: name.into(),
            organisation_name: Some(org.into()),
            what: what.into(),
            purpose: "involvement".into(),
        }
    }

    #[test]
    fn the_same_reading_on_one_day_is_one_line_with_the_newest_time() {
        let entries = vec![
            reading(
                "2026-12-01 15:00",
                "Ahmed",
                "Veilig Thuis",
                "access.what.export",
            ),
            reading(
                "2026-12-01 14:00",
                "Karin",
                "Wijkteam",
                "access.what.family",
            ),
            reading(
                "2026-12-01 13:00",
                "Ahmed",
                "Veilig Thuis",
                "access.what.export",
            ),
            reading(
                "2026-12-01 09:00",
                "Ingrid",
                "Veilig Thuis",
                "access.what.export",
            ),
            // 23:30 UTC on 30 November is 1 December 00:30 in Amsterdam: the same day.
            reading(
                "2026-11-30 23:30",
                "Ahmed",
                "Veilig Thuis",
                "access.what.export",
            ),
            reading(
                "2026-11-30 22:30",
                "Ahmed",
                "Veilig Thuis",
                "access.what.export",
            ),
        ];
        let by_name = grouped_by_day(entries.clone(), true);
        let lines: Vec<(String, usize, String)> = by_name
            .iter()
            .map(|g| (g.entry.user_name.clone(), g.count, g.entry.at.to_string()))
            .collect();
        assert_eq!(
            lines,
            [
                ("Ahmed".to_string(), 3, "2026-12-01 15:00:00".to_string()),
                ("Karin".to_string(), 1, "2026-12-01 14:00:00".to_string()),
                ("Ingrid".to_string(), 1, "2026-12-01 09:00:00".to_string()),
                ("Ahmed".to_string(), 1, "2026-11-30 22:30:00".to_string()),
            ]
        );
        // Without names, two people of one organisation doing the same look the same.
        let counts: Vec<usize> = grouped_by_day(entries, false)
            .iter()
            .map(|g| g.count)
            .collect();
        assert_eq!(counts, [4, 1, 1]);
    }
}
