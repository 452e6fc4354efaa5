//! Who may see and do what, for the handlers: the signed-in user as an actor and as a name in the
//! record, a family's access check with its access-log row, a user's seat at a table, and a meeting
//! or item someone takes part in. Every handler module imports these from here; none imports another.

use super::{AppError, AppState, SignedIn};
use crate::db::{self, DbConn};
use crate::domain::access_log::{self, Purpose};
use crate::domain::family::{self, Family, Relation};
use crate::domain::meeting::{self, AgendaItem, Meeting};
use crate::domain::partnership::{self, Partnership};
use crate::domain::table::{self, Table, TableRole};
use crate::policy::{self, Actor, FamilyAction, GovernanceAction, ItemStanding, Standing};
use crate::record::Who;

/// What a user may do at a table (the rules are the policy's).
pub use crate::policy::Seat;

pub fn actor(user: &SignedIn) -> Actor {
    Actor {
        role: user.role(),
        organisation_id: user.organisation_id(),
    }
}

/// The signed-in user as they appear in the record.
pub fn who(user: &SignedIn) -> Who {
    Who {
        user_id: user.id(),
        organisation_id: user.organisation_id(),
        name: user.account.user.name.clone(),
        organisation_name: user.account.organisation_name.clone().unwrap_or_default(),
    }
}

/// The family and the user's relation to it, if the user may do `action`. A family the user may not
/// see is NotFound; one they may see but not change this way is Forbidden.
pub fn authorize(
    conn: &mut DbConn,
    user: &SignedIn,
    family_id: i64,
    action: FamilyAction,
) -> Result<(Family, Relation), AppError> {
    let family = family::find(conn, family_id)?.ok_or(AppError::NotFound)?;
    let relation = family::relation_to(conn, &family, user.id())?;
    // A coordinator standing in for a director who left appoints a new one without reading the record.
    let allowed = policy::allows_family(actor(user), relation, action);
    if !allowed && !policy::allows_family(actor(user), relation, FamilyAction::View) {
        return Err(AppError::NotFound);
    }
    if !allowed {
        return Err(AppError::Forbidden);
    }
    Ok((family, relation))
}

/// Refuses a user who may not do `action` with this family (404 when they may not even see it), before
/// a handler looks at what was sent: a refused request learns nothing from validation and writes nothing.
pub async fn require(
    state: &AppState,
    user: &SignedIn,
    family_id: i64,
    action: FamilyAction,
) -> Result<(), AppError> {
    let user = user.clone();
    state
        .db(move |conn| authorize(conn, &user, family_id, action).map(|_| ()))
        .await
}

/// Loads what a page shows of a family for a user allowed `action`, and logs the access as `what` (a
/// text key) in the same transaction: no family data leaves the database without its log row.
pub async fn read_family<T, F>(
    state: &AppState,
    user: SignedIn,
    family_id: i64,
    action: FamilyAction,
    what: &'static str,
    load: F,
) -> Result<(Family, Relation, T), AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    state
        .db(move |conn| {
            db::write(conn, |conn| {
                let (family, relation) = authorize(conn, &user, family_id, action)?;
                let loaded = load(conn)?;
                log_access(conn, &user, family_id, relation, what)?;
                Ok((family, relation, loaded))
            })
        })
        .await
}

/// Writes the access-log row for showing `what` (a text key) of the family.
pub fn log_access(
    conn: &mut DbConn,
    user: &SignedIn,
    family_id: i64,
    relation: Relation,
    what: &str,
) -> Result<(), AppError> {
    let purpose = if relation.director || relation.co_worker {
        Purpose::Direction
    } else if relation.involved {
        Purpose::Involvement
    } else if relation.keeper {
        Purpose::Retention
    } else {
        Purpose::Meeting
    };
    access_log::record(
        conn,
        user.id(),
        user.organisation_id(),
        family_id,
        what,
        purpose,
    )?;
    Ok(())
}

/// The user's places at the table, and whether they coordinate its partnership.
pub fn seat(conn: &mut DbConn, user: &SignedIn, at: &Table) -> Result<Seat, AppError> {
    Ok(Seat {
        coordinator: standing(conn, user, at.partnership_id)?.coordinator,
        ..seat_of(conn, user.id(), at.id)?
    })
}

/// How the user stands in a partnership (the facts the governance policy decides on).
pub fn standing(
    conn: &mut DbConn,
    user: &SignedIn,
    partnership_id: i64,
) -> Result<Standing, AppError> {
    Ok(Standing {
        coordinator: coordinated(conn, user)?.contains(&partnership_id),
    })
}

/// The partnerships whose tables, table kinds and seats the user sets up: those they coordinate, as far
/// as the policy lets their role (none otherwise).
pub fn managed_partnerships(conn: &mut DbConn, user: &SignedIn) -> Result<Vec<i64>, AppError> {
    let standing = Standing { coordinator: true };
    if !policy::allows_governance(actor(user), standing, GovernanceAction::ManageTables) {
        return Ok(Vec::new());
    }
    coordinated(conn, user)
}

/// The partnerships the user coordinates (none for a family account or a system admin).
pub fn coordinated(conn: &mut DbConn, user: &SignedIn) -> Result<Vec<i64>, AppError> {
    if coordinates_nothing(user) {
        return Ok(Vec::new());
    }
    Ok(partnership::coordinated_by(conn, user.id())?)
}

/// A family account or a system admin coordinates no partnership, whatever the table says.
fn coordinates_nothing(user: &SignedIn) -> bool {
    matches!(
        user.role(),
        crate::domain::user::Role::Family | crate::domain::user::Role::SystemAdmin
    )
}

/// The places at a table of any user (for sending each participant their own version); managing
/// tables is not counted here.
pub fn seat_of(conn: &mut DbConn, user_id: i64, table_id: i64) -> Result<Seat, AppError> {
    let roles = table::roles(conn, table_id, user_id)?;
    Ok(Seat {
        chair: roles.contains(&TableRole::Chair),
        minute_taker: roles.contains(&TableRole::MinuteTaker),
        member: roles.contains(&TableRole::Member),
        coordinator: false,
    })
}

/// The table, if the user sits at it or coordinates its partnership; otherwise NotFound.
pub fn table_for(
    conn: &mut DbConn,
    user: &SignedIn,
    table_id: i64,
) -> Result<(Table, Seat), AppError> {
    let found = table::find(conn, table_id)?.ok_or(AppError::NotFound)?;
    let seat = seat(conn, user, &found)?;
    if !policy::allows_table(seat, policy::TableAction::ViewTable) {
        return Err(AppError::NotFound);
    }
    Ok((found, seat))
}

/// The meeting, its table and the user's seat, if the user takes part (invited) or leads the table.
pub fn meeting_for(
    conn: &mut DbConn,
    user: &SignedIn,
    meeting_id: i64,
) -> Result<(Meeting, Table, Seat), AppError> {
    // One statement, not six: a chair's change is often one of many written in turn (group commit).
    let (found, at, places) =
        meeting::place::with_places(conn, meeting_id, user.id())?.ok_or(AppError::NotFound)?;
    let seat = Seat {
        chair: places.chair,
        minute_taker: places.minute_taker,
        member: places.member,
        // As `coordinated`: a family account or a system admin coordinates nothing.
        coordinator: places.coordinator && !coordinates_nothing(user),
    };
    if !policy::may_attend(seat, places.participant) {
        return Err(AppError::NotFound);
    }
    Ok((found, at, seat))
}

/// May this user see the details of this item? Topics and the action review: every participant. A
/// family's item: those invited for it, the chair and minute-taker, and whoever works with the family.
pub fn sees_item(
    conn: &mut DbConn,
    user_id: i64,
    seat: Seat,
    item: &AgendaItem,
    invitees: &[(i64, i64, String)],
) -> Result<bool, AppError> {
    let Some(family_id) = item.family_id else {
        return Ok(policy::sees_item(seat, ItemStanding::default()));
    };
    let Some(found) = family::find(conn, family_id)? else {
        return Ok(false);
    };
    // An invitation opens the item while the family's record is open; closing ends it.
    let invited = invitees
        .iter()
        .any(|(i, u, _)| *i == item.id && *u == user_id);
    let standing = ItemStanding {
        family_item: true,
        invited_while_open: invited && !found.is_closed(),
        relation: family::relation_to(conn, &found, user_id)?,
    };
    Ok(policy::sees_item(seat, standing))
}

/// The organisation whose API keys and webhooks this admin manages: their own, as its admin.
pub fn organisation_of(user: &SignedIn) -> Result<i64, AppError> {
    match user.organisation_id() {
        Some(organisation_id)
            if policy::allows(
                actor(user),
                policy::Action::ManageIntegrationsOf { organisation_id },
            ) =>
        {
            Ok(organisation_id)
        }
        _ => Err(AppError::Forbidden),
    }
}

/// The organisation whose identity provider the user may set: only an organisation admin's own. An
/// organisation admin asking for another organisation gets NotFound, anyone else Forbidden.
pub fn sign_on_organisation(user: &SignedIn, organisation_id: i64) -> Result<i64, AppError> {
    let action = policy::Action::ManageSignOnOf { organisation_id };
    if policy::allows(actor(user), action) {
        Ok(organisation_id)
    } else if user.role() == crate::domain::user::Role::OrgAdmin {
        Err(AppError::NotFound)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The partnership, if the user coordinates it: its coordinators approve its organisations' API keys.
/// Someone who coordinates nothing is Forbidden; a coordinator of another partnership gets NotFound.
pub fn coordinated_partnership(
    conn: &mut DbConn,
    user: &SignedIn,
    partnership_id: i64,
) -> Result<Partnership, AppError> {
    let mine = coordinated(conn, user)?;
    if mine.is_empty() {
        return Err(AppError::Forbidden);
    }
    if !mine.contains(&partnership_id) {
        return Err(AppError::NotFound);
    }
    partnership::find(conn, partnership_id)?.ok_or(AppError::NotFound)
}

/// The member behind a family account, for the portal's pages; an account without portal access (or
/// whose family's record is closed) sees nothing.
pub fn portal_member(
    conn: &mut DbConn,
    user: &SignedIn,
) -> Result<crate::domain::portal::Access, AppError> {
    match crate::domain::portal::access(conn, user.id())? {
        Some(access) if policy::may_use_portal(actor(user), true) => Ok(access),
        _ => Err(AppError::NotFound),
    }
}

/// A complaint, if the user may do `action` with it: its table's chair and the coordinators of its
/// partnership. Anyone else gets NotFound (they do not learn it exists). The reading is logged on the
/// family's access log (purpose: complaint).
pub fn complaint_for(
    conn: &mut DbConn,
    user: &SignedIn,
    id: i64,
    action: policy::ComplaintAction,
) -> Result<crate::domain::complaint::Complaint, AppError> {
    let complaint = crate::domain::complaint::find(conn, id)?.ok_or(AppError::NotFound)?;
    let standing = policy::ComplaintStanding {
        chair: crate::domain::complaint::chairs_table_of(conn, &complaint, user.id())?,
        coordinator: coordinated(conn, user)?.contains(&complaint.partnership_id),
    };
    if !policy::allows_complaint(actor(user), standing, action) {
        return Err(AppError::NotFound);
    }
    access_log::record(
        conn,
        user.id(),
        user.organisation_id(),
        complaint.family_id,
        "access.what.complaint",
        Purpose::Complaint,
    )?;
    Ok(complaint)
}
