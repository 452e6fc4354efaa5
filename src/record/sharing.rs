//! Finer sharing in the family portal (issue 21): one thing kept from or shared with a named member,
//! a thing marked as concerning one member's health or treatment, and a member marked "deelt niet
//! standaard mee". Each with its event; the events name the member and the thing, never its text.

use serde_json::json;

use super::{Who, event};
use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::family::Person;
use crate::domain::portal::{self, RuleMode, Thing};
use crate::events::EventKind;

fn thing_json(thing: &Thing) -> serde_json::Value {
    json!({"kind": thing.kind.code(), "key": thing.key})
}

/// Keeps the thing from the member (`Keep`, with a reason), shares it with them (`Share`), or takes the
/// director's choice back (`None`). False when there was nothing to take back.
pub fn set_item_rule(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    thing: &Thing,
    member: &Person,
    choice: Option<(RuleMode, &str)>,
) -> DomainResult<bool> {
    let changed = portal::set_rule(conn, family_id, thing, member.id, choice, by.user_id)?;
    if changed == 0 {
        return Ok(false);
    }
    let kind = match choice {
        Some((RuleMode::Keep, _)) => EventKind::PortalItemKept,
        Some((RuleMode::Share, _)) => EventKind::PortalItemShared,
        None => EventKind::PortalItemRuleEnded,
    };
    let reason = choice.map(|(_, r)| r).unwrap_or_default();
    event(
        conn,
        by,
        family_id,
        kind,
        ("person", member.id),
        json!({"name": member.name, "thing": thing_json(thing), "reason": reason}),
    )?;
    Ok(true)
}

/// Marks the thing as concerning the health or treatment of `member`, or takes the mark away (`None`).
pub fn set_item_concerns(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    thing: &Thing,
    member: Option<&Person>,
) -> DomainResult<bool> {
    let changed = portal::set_concerns(conn, family_id, thing, member.map(|m| m.id), by.user_id)?;
    if changed == 0 {
        return Ok(false);
    }
    let (kind, subject, name) = match member {
        Some(m) => (EventKind::PortalItemConcerns, m.id, m.name.as_str()),
        None => (EventKind::PortalItemConcernsEnded, 0, ""),
    };
    event(
        conn,
        by,
        family_id,
        kind,
        ("person", subject),
        json!({"name": name, "thing": thing_json(thing)}),
    )?;
    Ok(true)
}

/// Marks the member "deelt niet standaard mee" from now on (`Some(reason)`), or ends the mark: then
/// what came meanwhile is shown to them as to everyone.
pub fn set_not_by_default(
    conn: &mut DbConn,
    by: &Who,
    family_id: i64,
    member: &Person,
    reason: Option<&str>,
) -> DomainResult<bool> {
    if portal::set_not_by_default(conn, family_id, member.id, reason, by.user_id)? == 0 {
        return Ok(false);
    }
    event(
        conn,
        by,
        family_id,
        if reason.is_some() {
            EventKind::PortalNotByDefault
        } else {
            EventKind::PortalByDefault
        },
        ("person", member.id),
        json!({"name": member.name, "reason": reason.unwrap_or_default()}),
    )?;
    Ok(true)
}
