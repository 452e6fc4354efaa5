//! Changes to how a region works together: partnerships, the organisations taking part, their
//! coordinators and settings, and who sits at a table. Each with its event, none about a family.

use serde_json::json;

use super::{Who, meeting_event};
use crate::db::DbConn;
use crate::domain::organisation::{Organisation, OrganisationKind};
use crate::domain::partnership::{self, Partnership};
use crate::domain::table::{self, Table, TableRole};
use crate::domain::{DomainError, DomainResult};
use crate::events::EventKind;

fn governance_event(
    conn: &mut DbConn,
    by: &Who,
    kind: EventKind,
    subject: (&str, i64),
    data: serde_json::Value,
) -> DomainResult<()> {
    meeting_event(conn, by, (None, None), kind, subject, data)?;
    Ok(())
}

/// A new partnership with the default settings and its own copy of the default table kinds.
pub fn create_partnership(conn: &mut DbConn, by: &Who, name: &str) -> DomainResult<Partnership> {
    let created = partnership::create(conn, name)?;
    governance_event(
        conn,
        by,
        EventKind::PartnershipCreated,
        ("partnership", created.id),
        json!({"partnership": created.name}),
    )?;
    Ok(created)
}

/// Lets an organisation take part in the partnership.
pub fn add_organisation(
    conn: &mut DbConn,
    by: &Who,
    to: &Partnership,
    organisation: &Organisation,
) -> DomainResult<()> {
    if partnership::add_organisation(conn, to.id, organisation.id)? {
        governance_event(
            conn,
            by,
            EventKind::PartnershipOrganisationAdded,
            ("partnership", to.id),
            json!({"partnership": to.name, "organisation": organisation.name}),
        )?;
    }
    Ok(())
}

/// Makes `coordinator` a coordinator of the partnership.
pub fn appoint_coordinator(
    conn: &mut DbConn,
    by: &Who,
    of: &Partnership,
    coordinator: &Who,
) -> DomainResult<()> {
    if partnership::add_coordinator(conn, of.id, coordinator.user_id)? {
        governance_event(
            conn,
            by,
            EventKind::CoordinatorAppointed,
            ("partnership", of.id),
            json!({"partnership": of.name, "name": coordinator.name}),
        )?;
    }
    Ok(())
}

pub fn remove_coordinator(
    conn: &mut DbConn,
    by: &Who,
    of: &Partnership,
    coordinator: &Who,
) -> DomainResult<()> {
    if partnership::remove_coordinator(conn, of.id, coordinator.user_id)? {
        governance_event(
            conn,
            by,
            EventKind::CoordinatorRemoved,
            ("partnership", of.id),
            json!({"partnership": of.name, "name": coordinator.name}),
        )?;
    }
    Ok(())
}

/// Changes which organisation kinds may direct a family, how long a closed record stays readable and how
/// long it is kept.
pub fn change_settings(
    conn: &mut DbConn,
    by: &Who,
    of: &Partnership,
    name: &str,
    director_kinds: &[OrganisationKind],
    periods: partnership::RecordPeriods,
) -> DomainResult<()> {
    partnership::update_settings(conn, of.id, name, director_kinds, periods)?;
    governance_event(
        conn,
        by,
        EventKind::PartnershipSettingsChanged,
        ("partnership", of.id),
        json!({
            "partnership": name,
            "previous_name": of.name,
            "director_kinds": partnership::kinds_text(director_kinds),
            "closed_readable_days": periods.closed_readable_days,
            "retention_years": periods.retention_years,
        }),
    )?;
    Ok(())
}

/// Gives `member` a place at the table.
pub fn add_table_member(
    conn: &mut DbConn,
    by: &Who,
    at: &Table,
    member: &Who,
    role: TableRole,
) -> DomainResult<()> {
    if table::roles(conn, at.id, member.user_id)?.contains(&role) {
        return Ok(());
    }
    table::add_member(conn, at.id, member.user_id, role)?;
    governance_event(
        conn,
        by,
        EventKind::TableMemberAdded,
        ("table", at.id),
        json!({"table": at.name, "name": member.name, "role": role.code()}),
    )?;
    Ok(())
}

/// Takes a place at the table away (`member_id` is the membership's id).
pub fn remove_table_member(
    conn: &mut DbConn,
    by: &Who,
    at: &Table,
    member_id: i64,
) -> DomainResult<()> {
    let gone = table::members(conn, at.id)?
        .into_iter()
        .find(|m| m.id == member_id)
        .ok_or(DomainError::Missing("table member"))?;
    table::remove_member(conn, at.id, member_id)?;
    governance_event(
        conn,
        by,
        EventKind::TableMemberRemoved,
        ("table", at.id),
        json!({"table": at.name, "name": gone.name, "role": gone.role.code()}),
    )?;
    Ok(())
}
