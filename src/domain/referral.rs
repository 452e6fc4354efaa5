//! Referrals (aanmeldingen): a request to discuss a family at a table, and what the chair did with it.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coded_enum;
use super::family::Urgency;
use super::table::AnswerDeadlines;
use crate::db::DbConn;
use crate::schema::{
    consultation_tables, families, referral_additions, referrals, table_kinds, table_members, users,
};

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
    /// The chair's first answer (accepted, more information asked, rejected).
    pub answered_at: Option<NaiveDateTime>,
    /// Put on a meeting's agenda.
    pub scheduled_at: Option<NaiveDateTime>,
    /// The meeting it was on was closed with a decision about it.
    pub discussed_at: Option<NaiveDateTime>,
    /// The referrer last added the information the chair asked for: back with the chair.
    pub returned_at: Option<NaiveDateTime>,
    /// The chair and coordinators were told the answer is late (once per turn with the chair).
    pub late_notified_at: Option<NaiveDateTime>,
}

impl Referral {
    /// When it last reached the chair: submitted, or returned with the information asked for.
    pub fn with_chair_since(&self) -> NaiveDateTime {
        self.returned_at.unwrap_or(self.created_at)
    }
    /// The chair still has to answer it.
    pub fn awaits_answer(&self) -> bool {
        self.status() == ReferralStatus::Submitted
    }
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

/// The chair's answer: the status, the note (why more information or a rejection) and the meeting it
/// is scheduled on. The first answer's time is kept; scheduling stamps its own.
pub fn answer(
    conn: &mut DbConn,
    found: &Referral,
    status: ReferralStatus,
    note: Option<&str>,
    meeting_id: Option<i64>,
) -> QueryResult<()> {
    let now = super::now();
    let scheduled = (status == ReferralStatus::Scheduled).then_some(now);
    diesel::update(referrals::table.find(found.id))
        .set((
            referrals::status.eq(status.code()),
            referrals::chair_note.eq(note),
            referrals::meeting_id.eq(meeting_id),
            referrals::updated_at.eq(now),
            referrals::answered_at.eq(found.answered_at.unwrap_or(now)),
            referrals::scheduled_at.eq(scheduled.or(found.scheduled_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Discussed at `meeting_id` (closed with a decision about it); the chair's note stays.
pub fn mark_discussed(conn: &mut DbConn, id: i64, meeting_id: i64) -> QueryResult<()> {
    let now = super::now();
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(ReferralStatus::Discussed.code()),
            referrals::meeting_id.eq(meeting_id),
            referrals::updated_at.eq(now),
            referrals::discussed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moved to another meeting: still scheduled, now on `meeting_id`.
pub fn reschedule(conn: &mut DbConn, id: i64, meeting_id: i64) -> QueryResult<()> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::meeting_id.eq(meeting_id),
            referrals::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Accepted again but on no meeting (an item taken off a meeting that was not discussed, when there
/// is no next meeting to move it to yet).
pub fn unschedule(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(ReferralStatus::Accepted.code()),
            referrals::meeting_id.eq(None::<i64>),
            referrals::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Closed at a meeting without being discussed, for `reason` (kept as the chair's note; the status is
/// "rejected": it will not be discussed).
pub fn end_undiscussed(conn: &mut DbConn, id: i64, reason: &str) -> QueryResult<()> {
    diesel::update(referrals::table.find(id))
        .set((
            referrals::status.eq(ReferralStatus::Rejected.code()),
            referrals::chair_note.eq(reason),
            referrals::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Information the referrer added when the chair asked for more: the chair's question as it was, and
/// the answer.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = referral_additions)]
pub struct Addition {
    pub id: i64,
    pub referral_id: i64,
    pub user_id: i64,
    pub question: String,
    pub answer: String,
    pub created_at: NaiveDateTime,
}

/// The referrer answers the chair's question: the answer is kept with the question, and the referral
/// is back with the chair (submitted again, its deadline counted from now).
pub fn add_information(
    conn: &mut DbConn,
    found: &Referral,
    by_user: i64,
    answer: &str,
) -> QueryResult<()> {
    let now = super::now();
    diesel::insert_into(referral_additions::table)
        .values((
            referral_additions::referral_id.eq(found.id),
            referral_additions::user_id.eq(by_user),
            referral_additions::question.eq(found.chair_note.clone().unwrap_or_default()),
            referral_additions::answer.eq(answer),
            referral_additions::created_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(referrals::table.find(found.id))
        .set((
            referrals::status.eq(ReferralStatus::Submitted.code()),
            referrals::updated_at.eq(now),
            referrals::returned_at.eq(now),
            referrals::late_notified_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// The information added to a referral, oldest first, with the name of who added it.
pub fn additions(conn: &mut DbConn, referral_id: i64) -> QueryResult<Vec<(Addition, String)>> {
    referral_additions::table
        .inner_join(users::table.on(users::id.eq(referral_additions::user_id)))
        .filter(referral_additions::referral_id.eq(referral_id))
        .order(referral_additions::id.asc())
        .select((Addition::as_select(), users::name))
        .load(conn)
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
        ReferralFilter::Chair(user_id) => query
            .filter(
                referrals::table_id.eq_any(
                    table_members::table
                        .filter(table_members::user_id.eq(user_id))
                        .filter(table_members::role.eq(super::table::TableRole::Chair.code()))
                        .select(table_members::table_id),
                ),
            )
            .filter(referrals::status.eq_any([
                ReferralStatus::Submitted.code(),
                ReferralStatus::MoreInfo.code(),
                ReferralStatus::Accepted.code(),
            ])),
        ReferralFilter::Referrer(user_id) => {
            query.filter(referrals::referred_by_user_id.eq(user_id))
        }
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
    /// The open referrals at the tables this user chairs.
    Chair(i64),
    /// The referrals this user made.
    Referrer(i64),
}

pub fn for_table(conn: &mut DbConn, table_id: i64) -> QueryResult<Vec<ReferralRow>> {
    rows(conn, ReferralFilter::Table(table_id))
}

pub fn for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<ReferralRow>> {
    rows(conn, ReferralFilter::Family(family_id))
}

/// When an answer to a referral of `urgency` that reached the chair at `since` (UTC) is due (UTC):
/// crisis in hours (the clock does not stop at night), spoed and regulier in working days.
pub fn answer_due(d: AnswerDeadlines, urgency: Urgency, since: NaiveDateTime) -> NaiveDateTime {
    let days = match urgency {
        Urgency::Crisis => return since + chrono::Duration::hours(d.crisis_hours.into()),
        Urgency::Urgent => d.urgent_days,
        Urgency::Regular => d.regular_days,
    };
    let local = crate::time::local(since).naive_local();
    let due = crate::workdays::add_working_days(local, days.max(0).unsigned_abs());
    crate::time::utc_of_local(due)
}

/// A referral in a chair's inbox: when an answer is due, and whether that has passed.
#[derive(Clone, Debug)]
pub struct InboxRow {
    pub row: ReferralRow,
    pub due: NaiveDateTime,
    pub late: bool,
}

/// The answer deadlines of the kinds of these tables, by table id.
fn deadlines_of(
    conn: &mut DbConn,
    table_ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, AnswerDeadlines>> {
    let kinds: Vec<(i64, super::table::TableKind)> = consultation_tables::table
        .inner_join(table_kinds::table)
        .filter(consultation_tables::id.eq_any(table_ids))
        .select((
            consultation_tables::id,
            super::table::TableKind::as_select(),
        ))
        .load(conn)?;
    Ok(kinds
        .into_iter()
        .map(|(id, k)| (id, k.deadlines()))
        .collect())
}

/// The chair's triage inbox: the open referrals at the tables `user_id` chairs, most urgent first and
/// within an urgency the oldest first (those waiting for an answer), with their answer deadline.
pub fn inbox_for_chair(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<InboxRow>> {
    let rows = rows(conn, ReferralFilter::Chair(user_id))?;
    let table_ids: Vec<i64> = rows.iter().map(|r| r.referral.table_id).collect();
    let deadlines = deadlines_of(conn, &table_ids)?;
    let now = super::now();
    let mut inbox: Vec<InboxRow> = rows
        .into_iter()
        .map(|row| {
            let r = &row.referral;
            let d = deadlines.get(&r.table_id).copied().unwrap_or_default();
            let due = answer_due(d, r.urgency(), r.with_chair_since());
            let late = r.awaits_answer() && now > due;
            InboxRow { row, due, late }
        })
        .collect();
    let rank = |u: Urgency| match u {
        Urgency::Crisis => 0,
        Urgency::Urgent => 1,
        Urgency::Regular => 2,
    };
    inbox.sort_by_key(|i| {
        (
            rank(i.row.referral.urgency()),
            i.row.referral.with_chair_since(),
        )
    });
    Ok(inbox)
}

/// The referrals this user made that are still open, or were answered in the last 30 days.
pub fn for_referrer(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<ReferralRow>> {
    let since = super::now() - chrono::Duration::days(30);
    Ok(rows(conn, ReferralFilter::Referrer(user_id))?
        .into_iter()
        .filter(|r| r.referral.is_open() || r.referral.updated_at > since)
        .collect())
}

/// Referrals waiting for an answer past their deadline whose lateness has not been told yet.
pub fn late_untold(conn: &mut DbConn) -> QueryResult<Vec<Referral>> {
    let waiting: Vec<Referral> = referrals::table
        .filter(referrals::status.eq(ReferralStatus::Submitted.code()))
        .filter(referrals::late_notified_at.is_null())
        .select(Referral::as_select())
        .load(conn)?;
    let table_ids: Vec<i64> = waiting.iter().map(|r| r.table_id).collect();
    let deadlines = deadlines_of(conn, &table_ids)?;
    let now = super::now();
    Ok(waiting
        .into_iter()
        .filter(|r| {
            let d = deadlines.get(&r.table_id).copied().unwrap_or_default();
            now > answer_due(d, r.urgency(), r.with_chair_since())
        })
        .collect())
}

/// Claims the telling of a late referral: true for the one caller that marks it (a second instance
/// running the same round gets false).
pub fn claim_late_notice(conn: &mut DbConn, id: i64) -> QueryResult<bool> {
    Ok(diesel::update(
        referrals::table
            .find(id)
            .filter(referrals::late_notified_at.is_null()),
    )
    .set(referrals::late_notified_at.eq(super::now()))
    .execute(conn)?
        == 1)
}

/// Gives a claim back (the mail could not be sent; the next round tries again).
pub fn release_late_notice(conn: &mut DbConn, id: i64) -> QueryResult<()> {
    diesel::update(referrals::table.find(id))
        .set(referrals::late_notified_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    Ok(())
}

/// Who hears of a referral's news.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// The table's chairs (a new or returned referral).
    Chairs,
    /// The referrer (the chair's answer).
    Referrer,
    /// The table's chairs and its partnership's coordinators (a late answer).
    ChairsAndCoordinators,
}

/// The active users who hear of `found`'s news, without `except` (who caused it).
pub fn audience(
    conn: &mut DbConn,
    found: &Referral,
    who: Audience,
    except: Option<i64>,
) -> QueryResult<Vec<super::user::User>> {
    let mut ids: Vec<i64> = Vec::new();
    if who == Audience::Referrer {
        ids.push(found.referred_by_user_id);
    } else {
        ids.extend(
            super::table::members(conn, found.table_id)?
                .into_iter()
                .filter(|m| m.role == super::table::TableRole::Chair)
                .map(|m| m.user_id),
        );
    }
    if who == Audience::ChairsAndCoordinators
        && let Some(at) = super::table::find(conn, found.table_id)?
    {
        ids.extend(
            super::partnership::coordinators(conn, at.partnership_id)?
                .into_iter()
                .map(|c| c.user_id),
        );
    }
    ids.sort_unstable();
    ids.dedup();
    let mut users = Vec::new();
    for id in ids.into_iter().filter(|id| Some(*id) != except) {
        if let Some(u) = super::user::find(conn, id)?.filter(|u| u.active) {
            users.push(u);
        }
    }
    Ok(users)
}
