//! One family, one record: finding an open record that already holds a member, and the requests of
//! those refused to be added to it as involved.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::coded_enum;
use super::family::{Family, FamilyStatus, PersonDetails};
use crate::db::DbConn;
use crate::schema::{families, involvement_requests, organisations, persons, users};

coded_enum!(
    /// Where a request stands: the refused lookup, sent with a reason, answered.
    RequestStatus, "involvement_request", [
        Refused => "refused",
        Requested => "requested",
        Accepted => "accepted",
        Declined => "declined",
    ]
);

/// How many refused lookups one user may cause per hour: each is a lookup by BSN or by name and date
/// of birth, so they are counted like password attempts.
pub const LOOKUPS_PER_HOUR: i64 = 10;

/// Names are compared without case and extra spaces.
fn same_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    fold(a) == fold(b)
}

/// The open record in `family`'s partnership, other than `family`, that already has this member: the
/// same BSN, or the same name and date of birth. Looks up by the indexed BSN or date of birth only.
pub fn known_elsewhere(
    conn: &mut DbConn,
    family: &Family,
    member: &PersonDetails,
) -> QueryResult<Option<i64>> {
    let open_here = || {
        families::table
            .filter(families::partnership_id.eq(family.partnership_id))
            .filter(families::status.ne(FamilyStatus::Closed.code()))
            .filter(families::id.ne(family.id))
            .select(families::id)
    };
    if let Some(identity) = &member.identity {
        let by_bsn: Option<i64> = persons::table
            .filter(persons::bsn.eq(&identity.bsn))
            .filter(persons::family_id.eq_any(open_here()))
            .select(persons::family_id)
            .first(conn)
            .optional()?;
        if by_bsn.is_some() {
            return Ok(by_bsn);
        }
    }
    let Some(born) = member.date_of_birth else {
        return Ok(None);
    };
    let born_then: Vec<(i64, String)> = persons::table
        .filter(persons::date_of_birth.eq(born))
        .filter(persons::family_id.eq_any(open_here()))
        .select((persons::family_id, persons::name))
        .load(conn)?;
    Ok(born_then
        .into_iter()
        .find(|(_, name)| same_name(name, &member.name))
        .map(|(f, _)| f))
}

/// The user's lookups that found a known family since `since`, whatever came of them (for the
/// throttle).
pub fn lookups_since(conn: &mut DbConn, user_id: i64, since: NaiveDateTime) -> QueryResult<i64> {
    involvement_requests::table
        .filter(involvement_requests::user_id.eq(user_id))
        .filter(involvement_requests::created_at.ge(since))
        .count()
        .get_result(conn)
}

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = involvement_requests)]
pub struct InvolvementRequest {
    pub id: i64,
    pub family_id: i64,
    pub user_id: i64,
    pub organisation_id: Option<i64>,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_by_user_id: Option<i64>,
}

impl InvolvementRequest {
    pub fn status(&self) -> RequestStatus {
        RequestStatus::from_code(&self.status).unwrap_or(RequestStatus::Refused)
    }

    /// Not sent yet: the refused lookup, from which a request can be sent.
    pub fn may_send(&self) -> bool {
        self.status() == RequestStatus::Refused
    }

    /// Sent with a reason, waiting for the director's answer.
    pub fn is_waiting(&self) -> bool {
        self.status() == RequestStatus::Requested
    }
}

/// Keeps the refused lookup of `user_id` that found `family_id`.
pub fn refuse(
    conn: &mut DbConn,
    family_id: i64,
    user_id: i64,
    organisation_id: Option<i64>,
) -> QueryResult<InvolvementRequest> {
    diesel::insert_into(involvement_requests::table)
        .values((
            involvement_requests::family_id.eq(family_id),
            involvement_requests::user_id.eq(user_id),
            involvement_requests::organisation_id.eq(organisation_id),
            involvement_requests::status.eq(RequestStatus::Refused.code()),
            involvement_requests::created_at.eq(super::now()),
        ))
        .returning(involvement_requests::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<InvolvementRequest>> {
    involvement_requests::table
        .find(id)
        .select(InvolvementRequest::as_select())
        .first(conn)
        .optional()
}

/// Sends the request with its reason to the director (only a refused lookup can be sent).
pub fn send(conn: &mut DbConn, id: i64, reason: &str) -> QueryResult<bool> {
    Ok(diesel::update(
        involvement_requests::table
            .find(id)
            .filter(involvement_requests::status.eq(RequestStatus::Refused.code())),
    )
    .set((
        involvement_requests::status.eq(RequestStatus::Requested.code()),
        involvement_requests::reason.eq(reason),
    ))
    .execute(conn)?
        == 1)
}

/// The director's answer to a sent request; false when it was answered already.
pub fn answer(conn: &mut DbConn, id: i64, by_user_id: i64, accept: bool) -> QueryResult<bool> {
    let status = if accept {
        RequestStatus::Accepted
    } else {
        RequestStatus::Declined
    };
    Ok(diesel::update(
        involvement_requests::table
            .find(id)
            .filter(involvement_requests::status.eq(RequestStatus::Requested.code())),
    )
    .set((
        involvement_requests::status.eq(status.code()),
        involvement_requests::decided_at.eq(super::now()),
        involvement_requests::decided_by_user_id.eq(by_user_id),
    ))
    .execute(conn)?
        == 1)
}

/// A request as the director sees it on the family page.
#[derive(Clone, Debug)]
pub struct RequestRow {
    pub request: InvolvementRequest,
    pub name: String,
    pub organisation_name: Option<String>,
}

/// The family's requests, refused lookups included, newest first.
pub fn for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<RequestRow>> {
    let rows: Vec<(InvolvementRequest, String, Option<String>)> = involvement_requests::table
        .inner_join(users::table.on(users::id.eq(involvement_requests::user_id)))
        .left_join(
            organisations::table.on(organisations::id
                .nullable()
                .eq(involvement_requests::organisation_id)),
        )
        .filter(involvement_requests::family_id.eq(family_id))
        .order(involvement_requests::id.desc())
        .select((
            InvolvementRequest::as_select(),
            users::name,
            organisations::name.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(request, name, organisation_name)| RequestRow {
            request,
            name,
            organisation_name,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_case_and_extra_spaces() {
        assert!(same_name("Mila  Jansen", " mila jansen"));
        assert!(!same_name("Mila Jansen", "Milan Jansen"));
    }
}
