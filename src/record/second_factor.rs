//! Changes to second factors and the rules that require them, each with its event (none about a
//! family): a user sets one up or removes theirs or renews their recovery codes, an organisation admin
//! resets a colleague's, an organisation or a partnership requires one. Secrets and codes never go into
//! an event.

use serde_json::json;

use super::Who;
use crate::auth::{second_factor, session};
use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::partnership::Partnership;
use crate::domain::user::User;
use crate::events::EventKind;
use crate::schema::login_challenges;
use diesel::prelude::*;

/// An event of no family and no meeting.
fn event(
    conn: &mut DbConn,
    by: &Who,
    kind: EventKind,
    subject: (&'static str, i64),
    data: serde_json::Value,
) -> DomainResult<()> {
    super::meeting_event(conn, by, (None, None), kind, subject, data)?;
    Ok(())
}

/// Confirms the secret `by` is setting up with its first code: from now on it is their second factor.
/// Returns the new recovery codes (to be shown once), or None when the code is wrong (nothing written).
pub fn enrol_second_factor(
    conn: &mut DbConn,
    by: &Who,
    code: &str,
) -> DomainResult<Option<Vec<String>>> {
    let had = second_factor::active(conn, by.user_id)?.is_some();
    let Some(codes) = second_factor::confirm(conn, by.user_id, code)? else {
        return Ok(None);
    };
    event(
        conn,
        by,
        EventKind::UserSecondFactorEnrolled,
        ("user", by.user_id),
        json!({"name": by.name, "replaced": had}),
    )?;
    Ok(Some(codes))
}

/// Ten new recovery codes for `by`; the earlier ones stop working.
pub fn renew_recovery_codes(conn: &mut DbConn, by: &Who) -> DomainResult<Vec<String>> {
    let codes = second_factor::renew_recovery_codes(conn, by.user_id)?;
    event(
        conn,
        by,
        EventKind::UserRecoveryCodesRenewed,
        ("user", by.user_id),
        json!({"name": by.name}),
    )?;
    Ok(codes)
}

/// `by` removes their own second factor. False when they had none (nothing written).
pub fn remove_second_factor(conn: &mut DbConn, by: &Who) -> DomainResult<bool> {
    if second_factor::remove(conn, by.user_id)? == 0 {
        return Ok(false);
    }
    event(
        conn,
        by,
        EventKind::UserSecondFactorRemoved,
        ("user", by.user_id),
        json!({"name": by.name}),
    )?;
    Ok(true)
}

/// An admin resets `account`'s second factor (a lost phone): it and the recovery codes go, and so do the
/// account's sessions and pending logins; at the next login the colleague sets up a new one. False when
/// the account had none (nothing written).
pub fn reset_second_factor(conn: &mut DbConn, by: &Who, account: &User) -> DomainResult<bool> {
    if second_factor::remove(conn, account.id)? == 0 {
        return Ok(false);
    }
    session::delete_all_for_user(conn, account.id, None)?;
    diesel::delete(login_challenges::table.filter(login_challenges::user_id.eq(account.id)))
        .execute(conn)?;
    event(
        conn,
        by,
        EventKind::UserSecondFactorReset,
        ("user", account.id),
        json!({"name": account.name}),
    )?;
    Ok(true)
}

/// Sets whether the organisation requires a second factor of its staff. False when it already did
/// so (nothing written).
pub fn set_organisation_second_factor_rule(
    conn: &mut DbConn,
    by: &Who,
    organisation_id: i64,
    before: Option<bool>,
    required: bool,
) -> DomainResult<bool> {
    if before == Some(required) {
        return Ok(false);
    }
    second_factor::set_organisation_rule(conn, organisation_id, Some(required))?;
    event(
        conn,
        by,
        EventKind::OrganisationSecondFactorRule,
        ("organisation", organisation_id),
        json!({"required": required}),
    )?;
    Ok(true)
}

/// Sets whether the partnership requires a second factor of the professionals of all its
/// organisations. False when it already did so (nothing written).
pub fn set_partnership_second_factor_rule(
    conn: &mut DbConn,
    by: &Who,
    of: &Partnership,
    required: bool,
) -> DomainResult<bool> {
    if of.second_factor_required == required {
        return Ok(false);
    }
    second_factor::set_partnership_rule(conn, of.id, required)?;
    event(
        conn,
        by,
        EventKind::PartnershipSettingsChanged,
        ("partnership", of.id),
        json!({"partnership": of.name, "second_factor_required": required}),
    )?;
    Ok(true)
}
