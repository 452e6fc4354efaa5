//! Changes to staff accounts by their admins, each with its event: a new name or role, switched off
//! (its sessions end in the same transaction) or on again. The events belong to no family.

use serde_json::json;

use crate::auth::session;
use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::user::{self, Role, User};
use crate::events::EventKind;

use super::Who;

/// Gives `account` a new name and role. False when both were so already (nothing written).
pub fn update_account(
    conn: &mut DbConn,
    by: &Who,
    account: &User,
    name: &str,
    role: Role,
) -> DomainResult<bool> {
    let name = name.trim();
    if account.name == name && account.role() == role {
        return Ok(false);
    }
    user::update(conn, account.id, name, role)?;
    account_event(
        conn,
        by,
        account.id,
        EventKind::UserUpdated,
        json!({
            "name": name,
            "role": role.code(),
            "previous_name": account.name,
            "previous_role": account.role().code(),
        }),
    )?;
    Ok(true)
}

/// Switches `account` off: it can no longer log in, and every session it has ends now. False when it
/// was off already (nothing written).
pub fn deactivate_account(conn: &mut DbConn, by: &Who, account: &User) -> DomainResult<bool> {
    if user::set_active(conn, account.id, false)? == 0 {
        return Ok(false);
    }
    session::delete_all_for_user(conn, account.id, None)?;
    account_event(
        conn,
        by,
        account.id,
        EventKind::UserDeactivated,
        json!({"name": account.name}),
    )?;
    Ok(true)
}

/// Switches `account` on again. False when it was on already (nothing written).
pub fn activate_account(conn: &mut DbConn, by: &Who, account: &User) -> DomainResult<bool> {
    if user::set_active(conn, account.id, true)? == 0 {
        return Ok(false);
    }
    account_event(
        conn,
        by,
        account.id,
        EventKind::UserActivated,
        json!({"name": account.name}),
    )?;
    Ok(true)
}

fn account_event(
    conn: &mut DbConn,
    by: &Who,
    user_id: i64,
    kind: EventKind,
    data: serde_json::Value,
) -> DomainResult<()> {
    super::event_of_no_family(conn, by, kind, ("user", user_id), data)
}
