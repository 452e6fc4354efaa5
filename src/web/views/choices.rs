//! Lists of people to choose from in forms, shared by the pages that offer them.

use crate::db::DbConn;
use crate::domain::{involvement, partnership, user};
use crate::policy;
use crate::web::AppError;

/// Active professionals, for selects: (user id, "name — organisation").
pub fn professionals(conn: &mut DbConn) -> Result<Vec<(i64, String)>, AppError> {
    professionals_where(conn, |_| true)
}

/// Active professionals of the organisations that take part in the partnership, for selects: those
/// who may sit at its tables.
pub fn partnership_professionals(
    conn: &mut DbConn,
    partnership_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let taking_part: Vec<i64> = partnership::organisations(conn, partnership_id)?
        .into_iter()
        .map(|o| o.id)
        .collect();
    professionals_where(conn, |u| {
        let takes_part = u
            .user
            .organisation_id
            .is_some_and(|o| taking_part.contains(&o));
        policy::may_sit(u.user.role(), u.user.active, takes_part)
    })
}

/// Who can be chosen to read a family's data (as involved, or invited for an item): the partnership's
/// professionals, and those from outside it, who need a written reason.
#[derive(Clone, Debug, Default)]
pub struct Candidates {
    pub inside: Vec<(i64, String)>,
    pub outside: Vec<(i64, String)>,
}

impl Candidates {
    pub fn knows(&self, id: i64) -> bool {
        self.inside
            .iter()
            .chain(&self.outside)
            .any(|(c, _)| *c == id)
    }
    pub fn is_outside(&self, id: i64) -> bool {
        self.outside.iter().any(|(c, _)| *c == id)
    }
}

/// The `Candidates` of a partnership, leaving out `leave_out` (those who have the access already).
pub fn candidates(
    conn: &mut DbConn,
    partnership_id: i64,
    leave_out: &[i64],
) -> Result<Candidates, AppError> {
    let inside: Vec<(i64, String)> = partnership_professionals(conn, partnership_id)?
        .into_iter()
        .filter(|(id, _)| !leave_out.contains(id))
        .collect();
    let outside = professionals_where(conn, |u| {
        !leave_out.contains(&u.user.id) && !inside.iter().any(|(id, _)| *id == u.user.id)
    })?;
    Ok(Candidates { inside, outside })
}

/// Is this account one of `partnership_professionals` (to seat, invite or give an action)? Without
/// loading the list.
pub fn is_partnership_professional(
    conn: &mut DbConn,
    partnership_id: i64,
    user_id: i64,
) -> Result<bool, AppError> {
    let Some(candidate) = user::find(conn, user_id)? else {
        return Ok(false);
    };
    let takes_part = match candidate.organisation_id {
        Some(org) => partnership::takes_part(conn, partnership_id, org)?,
        None => false,
    };
    Ok(policy::may_sit(
        candidate.role(),
        candidate.active,
        takes_part,
    ))
}

/// Active professionals (accounts with an organisation, never account admins) that `keep` keeps, for
/// selects: (user id, "name — organisation").
pub fn professionals_where(
    conn: &mut DbConn,
    keep: impl Fn(&user::UserWithOrganisation) -> bool,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(user::list(conn, None)?
        .into_iter()
        .filter(|u| {
            u.user.active
                && u.user.role() == user::Role::Professional
                && u.user.organisation_id.is_some()
                && keep(u)
        })
        .map(|u| {
            (
                u.user.id,
                format!(
                    "{} — {}",
                    u.user.name,
                    u.organisation_name.unwrap_or_default()
                ),
            )
        })
        .collect())
}

/// Who is involved with the family now and may direct it: their organisation is of a kind the family's
/// partnership lets direct. As (user id, "name — organisation").
pub fn directing_candidates(
    conn: &mut DbConn,
    family_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let Some(found) = crate::domain::family::find(conn, family_id)? else {
        return Ok(Vec::new());
    };
    let mut directing = Vec::new();
    for i in involvement::list(conn, family_id)? {
        if i.involvement.ended_on.is_none()
            && is_active(conn, i.involvement.user_id)?
            && crate::record::may_direct(conn, found.partnership_id, i.involvement.organisation_id)?
        {
            directing.push((
                i.involvement.user_id,
                format!("{} — {}", i.user_name, i.organisation_name),
            ));
        }
    }
    Ok(directing)
}

/// Active professionals of the partnership's organisations that may direct, for choosing a director
/// when the one who opens a family may not.
pub fn directing_professionals(
    conn: &mut DbConn,
    partnership_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let mut directing = Vec::new();
    for o in partnership::organisations(conn, partnership_id)? {
        if crate::record::may_direct(conn, partnership_id, o.id)? {
            directing.push(o.id);
        }
    }
    professionals_where(conn, |u| {
        u.user
            .organisation_id
            .is_some_and(|o| directing.contains(&o))
    })
}

/// Who is involved with the family now with an account that is on, as (user id, "name —
/// organisation"): those who may become its co-worker.
pub fn director_candidates(
    conn: &mut DbConn,
    family_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let mut candidates = Vec::new();
    for i in involvement::list(conn, family_id)? {
        if i.involvement.ended_on.is_none() && is_active(conn, i.involvement.user_id)? {
            candidates.push((
                i.involvement.user_id,
                format!("{} — {}", i.user_name, i.organisation_name),
            ));
        }
    }
    Ok(candidates)
}

/// Is the account switched on? (A colleague who left directs nothing and gets no work.)
fn is_active(conn: &mut DbConn, user_id: i64) -> Result<bool, AppError> {
    Ok(user::find(conn, user_id)?.is_some_and(|u| u.active))
}
