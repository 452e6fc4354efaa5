//! Changes to a family's record: opening and closing it, its members, who works with it and who
//! directs, and the family plan.

use crate::db::DbConn;
use crate::domain::directorship;
use crate::domain::family::{self, Family, FamilyDetails, FamilyStatus, Person, PersonDetails};
use crate::domain::involvement::{self, Involvement};
use crate::domain::plan::{self, LifeDomain, Section};
use crate::domain::versioned::Saved;
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;
use chrono::NaiveDate;
use serde_json::json;

use super::{Who, event};

/// May a professional of this organisation direct a family of the partnership: it takes part, and its
/// kind is one the partnership lets direct (the rule is `policy::may_direct`; these are its facts).
pub fn may_direct(
    conn: &mut DbConn,
    partnership_id: i64,
    organisation_id: i64,
) -> DomainResult<bool> {
    use crate::domain::{organisation, partnership};
    let (Some(region), Some(org)) = (
        partnership::find(conn, partnership_id)?,
        organisation::find(conn, organisation_id)?,
    ) else {
        return Ok(false);
    };
    Ok(
        partnership::takes_part(conn, partnership_id, organisation_id)?
            && crate::policy::may_direct(org.kind(), &region.director_kinds()),
    )
}

/// Opens a family record; `by` becomes its director and is involved with `role` from `today`.
pub fn start_family(
    conn: &mut DbConn,
    by: &Who,
    partnership_id: i64,
    details: &FamilyDetails,
    role: &str,
    today: NaiveDate,
) -> DomainResult<Family> {
    start_family_directed_by(conn, by, by, partnership_id, details, role, today)
}

/// Opens a family record that `director` directs (`by` itself, or someone of an organisation that may
/// direct when `by`'s may not); `by` is involved with `role` from `today`.
pub fn start_family_directed_by(
    conn: &mut DbConn,
    by: &Who,
    director: &Who,
    partnership_id: i64,
    details: &FamilyDetails,
    role: &str,
    today: NaiveDate,
) -> DomainResult<Family> {
    let organisation_id = by.organisation_id.ok_or(DomainError::Rule(
        "a family is opened by a professional of an organisation",
    ))?;
    if !crate::domain::partnership::takes_part(conn, partnership_id, organisation_id)? {
        return Err(DomainError::Rule(
            "a family is opened in a partnership the organisation takes part in",
        ));
    }
    let directing_organisation = director.organisation_id.ok_or(DomainError::Rule(
        "a family's director works for an organisation",
    ))?;
    if !may_direct(conn, partnership_id, directing_organisation)? {
        return Err(DomainError::Rule(
            "a family's director works for an organisation the partnership lets direct",
        ));
    }
    let created = family::create(conn, partnership_id, details)?;
    event(
        conn,
        by,
        created.id,
        EventKind::FamilyCreated,
        ("family", created.id),
        json!({"case_number": created.case_number, "name": created.display_name}),
    )?;
    add_involvement(conn, by, created.id, by, role, today)?;
    if director.user_id != by.user_id {
        add_involvement(conn, by, created.id, director, "Casusregisseur", today)?;
    }
    directorship::appoint(
        conn,
        created.id,
        director.user_id,
        directing_organisation,
        None,
    )?;
    event(
        conn,
        by,
        created.id,
        EventKind::DirectorAppointed,
        ("family", created.id),
        json!({"name": director.name, "organisation": director.organisation_name, "co_worker": ""}),
    )?;
    Ok(created)
}

pub fn update_details(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    details: &FamilyDetails,
) -> DomainResult<()> {
    family::update_details(conn, family_id, details)?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyUpdated,
        ("family", family_id),
        json!({}),
    )
}

/// Closes the family and ends everyone's access with it, in one transaction: every involvement ends,
/// invitations to discuss it and the family's portal no longer open it. The last director and the
/// partnership's coordinators keep reading it for the retention period (`family::relation`).
///
/// Closing also starts the retention period: the record is kept until its closing plus the
/// partnership's `retention_years`, then `samenspel retention` removes its personal data. An open
/// aftercare ends with it.
pub fn close(conn: &mut DbConn, by: &Who, family_id: i64, reason: &str) -> DomainResult<()> {
    let found = family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
    let years = crate::domain::partnership::find(conn, found.partnership_id)?
        .map_or(crate::domain::partnership::DEFAULT_RETENTION_YEARS, |p| {
            p.retention_years
        });
    super::aftercare::end_by_closing(conn, by, family_id)?;
    family::set_status(conn, family_id, FamilyStatus::Closed, Some(reason))?;
    let keep_until = family::keep_until(crate::time::today(), years);
    family::set_keep_until(conn, family_id, Some(keep_until))?;
    let ended = crate::domain::involvement::end_all(conn, family_id, crate::time::today())?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyClosed,
        ("family", family_id),
        json!({
            "reason": reason,
            "involvements_ended": ended,
            "keep_until": keep_until.format("%d-%m-%Y").to_string(),
        }),
    )
}

/// Erases the payloads of a closed family's events (names and reasons; at the end of its retention
/// period). An open family keeps them: its record is still in use. Returns how many were erased.
pub fn erase_family_payloads(conn: &mut DbConn, family_id: i64) -> DomainResult<usize> {
    let found = family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
    if !found.is_closed() {
        return Err(DomainError::Rule(
            "a family's event payloads are erased only after its record is closed",
        ));
    }
    Ok(crate::events::erase_family_payloads(conn, family_id)?)
}

pub fn reopen(conn: &mut DbConn, by: &Who, family_id: i64) -> DomainResult<()> {
    family::set_status(conn, family_id, FamilyStatus::Open, None)?;
    family::set_keep_until(conn, family_id, None)?;
    event(
        conn,
        by,
        family_id,
        EventKind::FamilyReopened,
        ("family", family_id),
        json!({}),
    )
}

/// Adds a member, or changes one when `person_id` is given.
pub fn save_person(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    person_id: Option<i64>,
    details: &PersonDetails,
) -> DomainResult<i64> {
    let data = json!({"name": details.name, "role": details.role.code()});
    match person_id {
        Some(id) => {
            family::update_person(conn, id, details)?;
            event(
                conn,
                by,
                family_id,
                EventKind::PersonUpdated,
                ("person", id),
                data,
            )?;
            Ok(id)
        }
        None => {
            let person: Person = family::add_person(conn, family_id, details)?;
            event(
                conn,
                by,
                family_id,
                EventKind::PersonAdded,
                ("person", person.id),
                data,
            )?;
            Ok(person.id)
        }
    }
}

pub fn add_involvement(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    professional: &Who,
    role: &str,
    started_on: NaiveDate,
) -> DomainResult<Involvement> {
    involve(conn, by, family_id, professional, role, started_on, None)
}

/// Adds someone from outside the family's partnership as involved, with the written reason that is
/// kept with the involvement and goes into the event.
pub fn add_involvement_from_outside(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    professional: &Who,
    role: &str,
    started_on: NaiveDate,
    reason: &str,
) -> DomainResult<Involvement> {
    involve(
        conn,
        by,
        family_id,
        professional,
        role,
        started_on,
        Some(reason),
    )
}

fn involve(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    professional: &Who,
    role: &str,
    started_on: NaiveDate,
    outside_reason: Option<&str>,
) -> DomainResult<Involvement> {
    let organisation_id = professional.organisation_id.ok_or(DomainError::Rule(
        "only a professional of an organisation is involved with a family",
    ))?;
    let added = involvement::add(
        conn,
        family_id,
        professional.user_id,
        organisation_id,
        role,
        started_on,
    )?;
    let mut data = json!({"name": professional.name, "organisation": professional.organisation_name, "role": role});
    if let Some(reason) = outside_reason {
        involvement::set_outside_reason(conn, added.id, reason)?;
        data["outside_reason"] = reason.into();
    }
    event(
        conn,
        by,
        family_id,
        EventKind::InvolvementAdded,
        ("involvement", added.id),
        data,
    )?;
    Ok(Involvement {
        outside_reason: outside_reason.map(str::to_string),
        ..added
    })
}

pub fn end_involvement(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    involvement_id: i64,
    who: &Who,
    today: NaiveDate,
) -> DomainResult<()> {
    involvement::end(conn, involvement_id, today)?;
    event(
        conn,
        by,
        family_id,
        EventKind::InvolvementEnded,
        ("involvement", involvement_id),
        json!({"name": who.name, "organisation": who.organisation_name}),
    )
}

/// Makes `director` the director (with `co_worker`); the previous directorship ends in this transaction.
pub fn appoint_director(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    director: &Who,
    co_worker: Option<&Who>,
) -> DomainResult<()> {
    let organisation_id = director.organisation_id.ok_or(DomainError::Rule(
        "a family's director works for an organisation",
    ))?;
    // A new director must be of an organisation the partnership lets direct; the one who directs
    // already stays when only the co-worker changes.
    let current = directorship::history(conn, family_id)?
        .into_iter()
        .next()
        .filter(|d| d.directorship.ended_at.is_none())
        .map(|d| d.directorship.director_user_id);
    let found = family::find(conn, family_id)?.ok_or(DomainError::Missing("family"))?;
    if current != Some(director.user_id)
        && !may_direct(conn, found.partnership_id, organisation_id)?
    {
        return Err(DomainError::Rule(
            "a family's director works for an organisation the partnership lets direct",
        ));
    }
    directorship::appoint(
        conn,
        family_id,
        director.user_id,
        organisation_id,
        co_worker.map(|c| c.user_id),
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::DirectorAppointed,
        ("family", family_id),
        json!({
            "name": director.name,
            "organisation": director.organisation_name,
            "co_worker": co_worker.map(|c| c.name.clone()).unwrap_or_default(),
        }),
    )
}

/// Saves a plan version on top of `base_version` (see `plan::save` for conflicts).
pub fn save_plan(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    base_version: i32,
    sections: &[(LifeDomain, Section)],
) -> DomainResult<Saved> {
    let saved = plan::save(conn, family_id, base_version, by.user_id, sections)?;
    if let Saved::Version(v) = saved {
        event(
            conn,
            by,
            family_id,
            EventKind::PlanSaved,
            ("plan", family_id),
            json!({"version": v.to_string()}),
        )?;
    }
    Ok(saved)
}

pub fn comment_on_plan(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    body: &str,
) -> DomainResult<()> {
    let version = plan::current_version_number(conn, family_id)?;
    let id = plan::add_comment(
        conn,
        family_id,
        version,
        by.user_id,
        by.organisation_id,
        body,
    )?;
    event(
        conn,
        by,
        family_id,
        EventKind::PlanCommented,
        ("plan_comment", id),
        json!({"version": version.to_string()}),
    )
}
