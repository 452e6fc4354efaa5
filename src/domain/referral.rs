//! Referrals (aanmeldingen): a request to discuss a family at a table, and what the chair did with it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coded_enum;
use super::family::Urgency;
use crate::db::DbConn;
use crate::schema::{consultation_tables, families, referrals, users};

coded_enum!(
    ReferralStatus, "referral_status", [
        Submitted => "submitted",
        MoreInfo => "more_info",
        Accepted => "accepted",
        Rejected => "rejected",
        Scheduled => "scheduled",
        Discussed => "discussed",
    ]
);

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: i64,
    pub family_id: i64,
    pub table_id: i64,
    pub referred_by_user_id: i64,
    pub referred_by_organisation_id: Option<i64>,
    pub reason: String,
    pub tried: String,
    pub question: String,
    pub urgency: String,
    pub family_informed: bool,
    pub not_informed_reason: Option<String>,
    pub status: String,
    pub chair_note: Option<String>,
    pub meeting_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Why the family is referred to a table of another partnership than its own (None inside it).
    pub outside_reason: Option<String>,
}

impl Referral {
    pub fn status(&self) -> ReferralStatus {
        ReferralStatus::from_code(&self.status).unwrap_or(ReferralStatus::Submitted)
    }
    pub fn urgency(&self) -> Urgency {
        Urgency::from_code(&self.urgency).unwrap_or(Urgency::Regular)
    }
    /// The chair can still decide on it.
    pub fn is_open(&self) -> bool {
        matches!(
            self.status(),
            ReferralStatus::Submitted | ReferralStatus::MoreInfo | ReferralStatus::Accepted
        )
    }
}

/// What a referral says, checked.
#[derive(Clone, Debug)]
pub struct ReferralDetails {
    pub reason: String,
    pub tried: String,
    pub question: String,
    pub urgency: Urgency,
    pub family_informed: bool,
    pub not_informed_reason: Option<String>,
    /// Why a table of another partnership: required there, None for the family's own tables.
    pub outside_reason: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = referrals)]
struct NewReferralRow<'a> {
    family_id: i64,
    table_id: i64,
    referred_by_user_id: i64,
    referred_by_organisation_id: Option<i64>,
    reason: &'a str,
    tried: &'a str,
    question: &'a str,
    urgency: &'a str,
    family_informed: bool,
    not_informed_reason: Option<&'a str>,
    status: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    outside_reason: Option<&'a str>,
}

pub fn create(
    conn: &mut DbConn,
    family_id: i64,
    table_id: i64,
    by_user: i64,
    by_organisation: Option<i64>,
    d: &ReferralDetails,
) -> QueryResult<Referral> {
    let now = super::now();
    diesel::insert_into(referrals::table)
        .values(NewReferralRow {
            family_id,
            table_id,
            referred_by_user_id: by_user,
            referred_by_organisation_id: by_organisation,
            reason: &d.reason,
            tried: &d.tried,
            question: &d.question,
            urgency: d.urgency.code(),
            family_informed: d.family_informed,
            not_informed_reason: d.not_informed_reason.as_deref(),
            status: ReferralStatus::Submitted.code(),
            created_at: now,
            updated_at: now,
            outside_reason: d.outside_reason.as_deref(),
        })
        .returning(referrals::all_columns)
        .get_result(conn)
}

pub fn set_status(
    conn: &mut DbConn,
    id: i64,
    status: ReferralStatus,
    note: Option<&str>,
    meeting_id: Option<i64>,
) -> QueryResult<()> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(status.code()),
            referrals::chair_note.eq(note),
            referrals::meeting_id.eq(meeting_id),
            referrals::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Referral>> {
    referrals::table
        .find(id)
        .select(Referral::as_select())
        .first(conn)
        .optional()
}

/// A referral with the names a list shows: the family (its pseudonym is made from these), table, referrer.
#[derive(Clone, Debug)]
pub struct ReferralRow {
    pub referral: Referral,
    pub family_name: String,
    pub case_number: String,
    pub table_name: String,
    pub referrer_name: String,
}

fn rows(conn: &mut DbConn, filter: ReferralFilter) -> QueryResult<Vec<ReferralRow>> {
    let mut query = referrals::table
        .inner_join(families::table.on(families::id.eq(referrals::family_id)))
        .inner_join(consultation_tables::table.on(consultation_tables::id.eq(referrals::table_id)))
        .inner_join(users::table.on(users::id.eq(referrals::referred_by_user_id)))
        .select((
            Referral::as_select(),
            families::display_name,
            families::case_number,
            consultation_tables::name,
            users::name,
        ))
        .order(referrals::id.desc())
        .into_boxed();
    query = match filter {
        ReferralFilter::Table(id) => query.filter(referrals::table_id.eq(id)),
        ReferralFilter::Family(id) => query.filter(referrals::family_id.eq(id)),
    };
    Ok(query
        .load::<(Referral, String, String, String, String)>(conn)?
        .into_iter()
        .map(
            |(referral, family_name, case_number, table_name, referrer_name)| ReferralRow {
                referral,
                family_name,
                case_number,
                table_name,
                referrer_name,
            },
        )
        .collect())
}

enum ReferralFilter {
    Table(i64),
    Family(i64),
}

pub fn for_table(conn: &mut DbConn, table_id: i64) -> QueryResult<Vec<ReferralRow>> {
    rows(conn, ReferralFilter::Table(table_id))
}

pub fn for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<ReferralRow>> {
    rows(conn, ReferralFilter::Family(family_id))
}
