//! A family member's request for their data (GDPR art. 15): the request from the portal, and what the
//! copy holds for that member (`gather`), cut by what the director keeps from them; what is cut is
//! listed with its reason for the director.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::family::{self, PersonRole};
use super::portal::{self, Category};
use crate::db::DbConn;
use crate::export::subject::{LeftOut, Part, SubjectExport};
use crate::i18n::I18n;
use crate::schema::{correction_requests, data_requests, family_views};

mod record_parts;
mod shared;
use shared::Cut;

#[derive(Clone, Debug, Queryable, Selectable, Identifiable)]
#[diesel(table_name = data_requests)]
pub struct DataRequest {
    pub id: i64,
    pub family_id: i64,
    pub person_id: i64,
    pub user_id: i64,
    pub requested_at: NaiveDateTime,
    pub produced_at: Option<NaiveDateTime>,
    pub produced_by_user_id: Option<i64>,
}

pub fn create(conn: &mut DbConn, access: &portal::Access) -> QueryResult<DataRequest> {
    diesel::insert_into(data_requests::table)
        .values((
            data_requests::family_id.eq(access.family_id),
            data_requests::person_id.eq(access.person_id),
            data_requests::user_id.eq(access.user_id),
            data_requests::requested_at.eq(super::now()),
        ))
        .returning(data_requests::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConn, family_id: i64, id: i64) -> QueryResult<Option<DataRequest>> {
    data_requests::table
        .find(id)
        .filter(data_requests::family_id.eq(family_id))
        .select(DataRequest::as_select())
        .first(conn)
        .optional()
}

/// The family's requests, newest first.
pub fn for_family(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<DataRequest>> {
    data_requests::table
        .filter(data_requests::family_id.eq(family_id))
        .order(data_requests::id.desc())
        .select(DataRequest::as_select())
        .load(conn)
}

/// The member's own requests, newest first.
pub fn for_person(conn: &mut DbConn, person_id: i64) -> QueryResult<Vec<DataRequest>> {
    data_requests::table
        .filter(data_requests::person_id.eq(person_id))
        .order(data_requests::id.desc())
        .select(DataRequest::as_select())
        .load(conn)
}

/// Marks the request produced (the first time); false when it was already.
pub fn mark_produced(conn: &mut DbConn, id: i64, by: i64) -> QueryResult<bool> {
    let n = diesel::update(
        data_requests::table
            .find(id)
            .filter(data_requests::produced_at.is_null()),
    )
    .set((
        data_requests::produced_at.eq(super::now()),
        data_requests::produced_by_user_id.eq(by),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

fn date(at: NaiveDateTime) -> String {
    crate::time::date_time(at)
}

/// The copy for the member of `request`, with `left_out` filled for the director.
pub fn gather(conn: &mut DbConn, request: &DataRequest, i18n: &I18n) -> QueryResult<SubjectExport> {
    let fid = request.family_id;
    let found = family::find(conn, fid)?.ok_or(diesel::result::Error::NotFound)?;
    let members = family::persons(conn, fid)?;
    let me = members
        .iter()
        .find(|p| p.id == request.person_id)
        .cloned()
        .ok_or(diesel::result::Error::NotFound)?;
    let role_of = |code: &str| {
        PersonRole::from_code(code).map_or_else(String::new, |r| i18n.t(&r.label_key()))
    };
    let mut parts = vec![Part {
        key: "members".into(),
        lines: members
            .iter()
            .map(|p| format!("{} ({})", p.name, role_of(&p.role)))
            .collect(),
    }];
    let (withheld, left_out) = withheld_from(conn, fid, me.id)?;
    let sharing = portal::Sharing::load(conn, fid)?;
    let mut cut = Cut {
        sharing: &sharing,
        me: me.id,
        members: &members,
        i18n,
        left_out,
    };
    // A part whose whole category is kept from the member is left out when nothing in it is shared
    // with them one by one.
    let kept = |c: Category| withheld.iter().any(|(w, _)| *w == c);
    for (category, part) in [
        (Category::Plan, cut.plan_part(conn, fid)?),
        (Category::Decisions, cut.decisions_part(conn, fid)?),
        (Category::Actions, cut.actions_part(conn, fid)?),
    ] {
        if !(kept(category) && part.lines.is_empty()) {
            parts.push(part);
        }
    }
    parts.extend(record_parts::record_parts(conn, fid, &mut cut, &kept)?);
    let mut left_out = cut.left_out;
    parts.push(own_words(conn, me.id)?);
    parts.push(documents_part(conn, fid, &mut left_out)?);
    if !kept(Category::AccessLog) {
        parts.push(access_part(conn, &found, i18n)?);
    }
    Ok(SubjectExport {
        case_number: found.case_number.clone(),
        family: found.display_name.clone(),
        member: me.name.clone(),
        date_of_birth: me.date_of_birth.map(|d| d.format("%d-%m-%Y").to_string()),
        role: role_of(&me.role),
        generated_at: date(super::now()),
        parts,
        left_out,
    })
}

/// What the director keeps from a member, with the reasons: as categories, and as lines for the
/// director's list of what is left out.
type Withheld = (Vec<(Category, String)>, Vec<LeftOut>);

/// What the director keeps from the member (see `Withheld`).
fn withheld_from(conn: &mut DbConn, family_id: i64, person_id: i64) -> QueryResult<Withheld> {
    let withheld: Vec<(Category, String)> = portal::withheld_in_family(conn, family_id)?
        .into_iter()
        .filter(|(person, _, _)| *person == person_id)
        .map(|(_, c, r)| (c, r))
        .collect();
    let left_out = withheld
        .iter()
        .map(|(category, reason)| LeftOut {
            part: category.code().into(),
            what: String::new(),
            reason: reason.clone(),
        })
        .collect();
    Ok((withheld, left_out))
}

/// Who looked at the record: by name when the family's portal shows names, else by organisation.
fn access_part(conn: &mut DbConn, found: &family::Family, i18n: &I18n) -> QueryResult<Part> {
    Ok(Part {
        key: "access_log".into(),
        lines: super::access_log::for_family(conn, found.id, 10_000)?
            .into_iter()
            .map(|e| {
                let by = if found.portal_shows_names {
                    e.user_name.clone()
                } else {
                    e.organisation_name.clone().unwrap_or_default()
                };
                format!("{} — {by} — {}", date(e.at), i18n.t(&e.what))
            })
            .collect(),
    })
}

/// What the member wrote: views before meetings, requests for corrections, complaints.
fn own_words(conn: &mut DbConn, person_id: i64) -> QueryResult<Part> {
    let views: Vec<(NaiveDateTime, String)> = family_views::table
        .filter(family_views::person_id.eq(person_id))
        .order(family_views::created_at.asc())
        .select((family_views::updated_at, family_views::body))
        .load(conn)?;
    let corrections: Vec<(NaiveDateTime, String, Option<String>)> = correction_requests::table
        .filter(correction_requests::person_id.eq(person_id))
        .order(correction_requests::created_at.asc())
        .select((
            correction_requests::created_at,
            correction_requests::body,
            correction_requests::answer,
        ))
        .load(conn)?;
    let mut lines: Vec<String> = views
        .into_iter()
        .map(|(at, body)| format!("{} — {body}", date(at)))
        .collect();
    lines.extend(corrections.into_iter().map(|(at, body, answer)| {
        format!(
            "{} — {body}{}",
            date(at),
            answer.map(|a| format!(" → {a}")).unwrap_or_default()
        )
    }));
    // Their complaints and objections, with the answer once given.
    lines.extend(
        super::complaint::of_member(conn, person_id)?
            .into_iter()
            .map(|c| {
                format!(
                    "{} — {}{}",
                    date(c.complaint.created_at),
                    c.complaint.body,
                    c.complaint
                        .answer
                        .map(|a| format!(" → {a}"))
                        .unwrap_or_default()
                )
            }),
    );
    Ok(Part {
        key: "own_words".into(),
        lines,
    })
}

/// The documents the family may know of; those kept from the family are left out, with their reason.
fn documents_part(
    conn: &mut DbConn,
    family_id: i64,
    left_out: &mut Vec<LeftOut>,
) -> QueryResult<Part> {
    let mut lines = Vec::new();
    for row in super::document::for_family(conn, family_id)? {
        let d = row.document;
        match d.withheld_reason {
            Some(reason) => left_out.push(LeftOut {
                part: "document".into(),
                what: d.name,
                reason,
            }),
            None => lines.push(format!(
                "{} — {} ({})",
                date(d.created_at),
                d.name,
                row.organisation
            )),
        }
    }
    Ok(Part {
        key: "documents".into(),
        lines,
    })
}
