//! The family portal: which member a family account is, what the director keeps from a member, minutes
//! shared item by item, consent for recovery plans, the family's views on agenda items, and their
//! requests for corrections. Finer sharing, one thing at a time, is in `sharing` (`Sharing::shows`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coded_enum;
use crate::db::DbConn;

mod sharing;
mod things;
use crate::schema::{
    correction_requests, families, family_views, persons, portal_access, portal_withheld,
    recovery_consents, shared_minutes, users,
};
pub use sharing::{
    ItemRule, NotByDefault, RuleMode, Sharing, Thing, ThingKind, latest_decision, set_concerns,
    set_not_by_default, set_rule,
};
pub use things::{ThingSummary, belongs_to, things_of};

coded_enum!(
    /// What the director can keep from a named member.
    Category, "portal_category", [
        Plan => "plan",
        SafetyPlan => "safety_plan",
        Decisions => "decisions",
        Actions => "actions",
        Meetings => "meetings",
        AccessLog => "access_log",
    ]
);

/// A family account: the member it belongs to.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = portal_access)]
pub struct Access {
    pub user_id: i64,
    pub family_id: i64,
    pub person_id: i64,
    pub invited_by_user_id: i64,
    pub judgement: String,
    pub created_at: NaiveDateTime,
}

/// The member behind a family account, while the family's record is not closed: closing ends the
/// portal too.
pub fn access(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<Access>> {
    let closed = families::table
        .filter(families::status.eq(super::family::FamilyStatus::Closed.code()))
        .select(families::id);
    portal_access::table
        .find(user_id)
        .filter(portal_access::family_id.ne_all(closed))
        .select(Access::as_select())
        .first(conn)
        .optional()
}

/// For a family account whose family's record was closed: when it closed and until when it is kept.
/// The portal then says so, and shows nothing of the record.
pub fn closed_for(
    conn: &mut DbConn,
    user_id: i64,
) -> QueryResult<Option<(NaiveDateTime, Option<chrono::NaiveDate>)>> {
    let row: Option<(Option<NaiveDateTime>, Option<chrono::NaiveDate>)> = portal_access::table
        .inner_join(families::table.on(families::id.eq(portal_access::family_id)))
        .filter(portal_access::user_id.eq(user_id))
        .filter(families::status.eq(super::family::FamilyStatus::Closed.code()))
        .select((families::closed_at, families::keep_until))
        .first(conn)
        .optional()?;
    Ok(row.map(|(at, until)| (at.unwrap_or_default(), until)))
}

/// A family account as the director sees it.
#[derive(Clone, Debug)]
pub struct Account {
    pub access: Access,
    pub name: String,
    pub email: String,
    pub active: bool,
    /// False until the member has chosen a password from the invitation.
    pub has_password: bool,
}

/// The family accounts of a family.
pub fn accounts(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Account>> {
    let rows: Vec<(Access, String, String, bool, Option<String>)> = portal_access::table
        .inner_join(users::table.on(users::id.eq(portal_access::user_id)))
        .inner_join(persons::table.on(persons::id.eq(portal_access::person_id)))
        .filter(portal_access::family_id.eq(family_id))
        .order(persons::name.asc())
        .select((
            Access::as_select(),
            persons::name,
            users::email,
            users::active,
            users::password_hash,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(access, name, email, active, hash)| Account {
            access,
            name,
            email,
            active,
            has_password: hash.is_some(),
        })
        .collect())
}

/// Turns a family account off (its sessions end) or on again.
pub fn set_active(conn: &mut DbConn, user_id: i64, active: bool) -> QueryResult<()> {
    diesel::update(users::table.find(user_id))
        .set(users::active.eq(active))
        .execute(conn)?;
    if !active {
        crate::auth::session::delete_all_for_user(conn, user_id, None)?;
    }
    Ok(())
}

pub fn grant(
    conn: &mut DbConn,
    user_id: i64,
    family_id: i64,
    person_id: i64,
    invited_by: i64,
    judgement: &str,
) -> QueryResult<()> {
    diesel::insert_into(portal_access::table)
        .values((
            portal_access::user_id.eq(user_id),
            portal_access::family_id.eq(family_id),
            portal_access::person_id.eq(person_id),
            portal_access::invited_by_user_id.eq(invited_by),
            portal_access::judgement.eq(judgement),
            portal_access::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the member has an account already.
pub fn has_account(conn: &mut DbConn, person_id: i64) -> QueryResult<bool> {
    let n: i64 = portal_access::table
        .filter(portal_access::person_id.eq(person_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------------------------------------------
// What a member may not see

/// (member, category, reason) for every withholding in the family.
pub fn withheld_in_family(
    conn: &mut DbConn,
    family_id: i64,
) -> QueryResult<Vec<(i64, Category, String)>> {
    let rows: Vec<(i64, String, String)> = portal_withheld::table
        .filter(portal_withheld::family_id.eq(family_id))
        .select((
            portal_withheld::person_id,
            portal_withheld::category,
            portal_withheld::reason,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, c, r)| Category::from_code(&c).map(|c| (p, c, r)))
        .collect())
}

pub fn is_withheld(conn: &mut DbConn, person_id: i64, category: Category) -> QueryResult<bool> {
    let n: i64 = portal_withheld::table
        .filter(portal_withheld::person_id.eq(person_id))
        .filter(portal_withheld::category.eq(category.code()))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn withhold(
    conn: &mut DbConn,
    family_id: i64,
    person_id: i64,
    category: Category,
    reason: &str,
    by: i64,
) -> QueryResult<()> {
    release(conn, person_id, category)?;
    diesel::insert_into(portal_withheld::table)
        .values((
            portal_withheld::family_id.eq(family_id),
            portal_withheld::person_id.eq(person_id),
            portal_withheld::category.eq(category.code()),
            portal_withheld::reason.eq(reason),
            portal_withheld::created_by_user_id.eq(by),
            portal_withheld::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn release(conn: &mut DbConn, person_id: i64, category: Category) -> QueryResult<usize> {
    diesel::delete(
        portal_withheld::table
            .filter(portal_withheld::person_id.eq(person_id))
            .filter(portal_withheld::category.eq(category.code())),
    )
    .execute(conn)
}

// ---------------------------------------------------------------------------------------------------
// Minutes and recovery plans

pub fn minutes_shared(conn: &mut DbConn, item_id: i64) -> QueryResult<bool> {
    let n: i64 = shared_minutes::table
        .find(item_id)
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub fn share_minutes(conn: &mut DbConn, item_id: i64, by: i64) -> QueryResult<()> {
    if !minutes_shared(conn, item_id)? {
        diesel::insert_into(shared_minutes::table)
            .values((
                shared_minutes::agenda_item_id.eq(item_id),
                shared_minutes::shared_by_user_id.eq(by),
                shared_minutes::shared_at.eq(super::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn has_consented(conn: &mut DbConn, person_id: i64) -> QueryResult<bool> {
    let n: i64 = recovery_consents::table
        .find(person_id)
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// The member's consent to show their recovery plan to the rest of the family, given or taken back.
pub fn set_consent(conn: &mut DbConn, person_id: i64, by: i64, consent: bool) -> QueryResult<()> {
    diesel::delete(recovery_consents::table.find(person_id)).execute(conn)?;
    if consent {
        diesel::insert_into(recovery_consents::table)
            .values((
                recovery_consents::person_id.eq(person_id),
                recovery_consents::given_by_user_id.eq(by),
                recovery_consents::given_at.eq(super::now()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------
// The family's voice

/// "Wat wij willen zeggen" on an agenda item.
#[derive(Clone, Debug)]
pub struct View {
    pub person_id: i64,
    pub name: String,
    pub body: String,
    pub updated_at: NaiveDateTime,
}

pub fn views_for_item(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<View>> {
    let rows: Vec<(i64, String, String, NaiveDateTime)> = family_views::table
        .inner_join(persons::table.on(persons::id.eq(family_views::person_id)))
        .filter(family_views::agenda_item_id.eq(item_id))
        .order(family_views::id.asc())
        .select((
            family_views::person_id,
            persons::name,
            family_views::body,
            family_views::updated_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(person_id, name, body, updated_at)| View {
            person_id,
            name,
            body,
            updated_at,
        })
        .collect())
}

/// Writes (or rewrites) the member's view on the item.
pub fn save_view(conn: &mut DbConn, item_id: i64, access: &Access, body: &str) -> QueryResult<()> {
    let now = super::now();
    let updated = diesel::update(
        family_views::table
            .filter(family_views::agenda_item_id.eq(item_id))
            .filter(family_views::person_id.eq(access.person_id)),
    )
    .set((
        family_views::body.eq(body),
        family_views::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(family_views::table)
            .values((
                family_views::agenda_item_id.eq(item_id),
                family_views::family_id.eq(access.family_id),
                family_views::person_id.eq(access.person_id),
                family_views::user_id.eq(access.user_id),
                family_views::body.eq(body),
                family_views::created_at.eq(now),
                family_views::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A request to correct something in the plan, with the director's answer once given.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = correction_requests)]
pub struct Correction {
    pub id: i64,
    pub family_id: i64,
    pub person_id: i64,
    pub user_id: i64,
    pub about: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub answer: Option<String>,
    pub answered_by_user_id: Option<i64>,
    pub answered_at: Option<NaiveDateTime>,
}

pub fn request_correction(
    conn: &mut DbConn,
    access: &Access,
    about: &str,
    body: &str,
) -> QueryResult<i64> {
    diesel::insert_into(correction_requests::table)
        .values((
            correction_requests::family_id.eq(access.family_id),
            correction_requests::person_id.eq(access.person_id),
            correction_requests::user_id.eq(access.user_id),
            correction_requests::about.eq(about),
            correction_requests::body.eq(body),
            correction_requests::created_at.eq(super::now()),
        ))
        .returning(correction_requests::id)
        .get_result(conn)
}

pub fn corrections(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<Correction>> {
    correction_requests::table
        .filter(correction_requests::family_id.eq(family_id))
        .order(correction_requests::id.desc())
        .select(Correction::as_select())
        .load(conn)
}

pub fn answer_correction(
    conn: &mut DbConn,
    family_id: i64,
    id: i64,
    answer: &str,
    by: i64,
) -> QueryResult<usize> {
    diesel::update(
        correction_requests::table
            .filter(correction_requests::id.eq(id))
            .filter(correction_requests::family_id.eq(family_id))
            .filter(correction_requests::answer.is_null()),
    )
    .set((
        correction_requests::answer.eq(Some(answer)),
        correction_requests::answered_by_user_id.eq(Some(by)),
        correction_requests::answered_at.eq(Some(super::now())),
    ))
    .execute(conn)
}
