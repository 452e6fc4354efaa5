//! The top 3 of an agenda item as the pages need it: the item loaded for a user with what the policy
//! says they may do with its top 3 (for the top 3 pages), and the short summary on the item page.

use crate::db::DbConn;
use crate::domain::family::{self, Family, Relation};
use crate::domain::meeting::{self, AgendaItem, Meeting};
use crate::domain::top3::{self, AnalysisVersion, MAX};
use crate::policy::{self, Top3Action, Top3Facts};
use crate::web::access::{actor, log_access, meeting_for};
use crate::web::views::meeting::item_views;
use crate::web::{AppError, SignedIn};

/// A family's agenda item, loaded for a user who may do `action` with its top 3.
pub struct ItemTop3 {
    pub meeting: Meeting,
    pub item: AgendaItem,
    pub family: Family,
    pub facts: Top3Facts,
    pub may_give: bool,
    pub may_merge: bool,
}

/// The item for a user who may do `action` with its top 3: 404 for one who may not read it (as for the
/// item itself), 403 for one who reads but may not do this. The look goes into the family's access log.
pub fn load(
    conn: &mut DbConn,
    user: &SignedIn,
    (meeting_id, item_id): (i64, i64),
    action: Top3Action,
) -> Result<ItemTop3, AppError> {
    let (found, _, seat) = meeting_for(conn, user, meeting_id)?;
    let view = item_views(conn, user.id(), seat, meeting_id)?
        .into_iter()
        .find(|v| v.item.id == item_id)
        .ok_or(AppError::NotFound)?;
    let family_id = view.item.family_id.ok_or(AppError::NotFound)?;
    let fam = family::find(conn, family_id)?.ok_or(AppError::NotFound)?;
    let relation = family::relation_to(conn, &fam, user.id())?;
    let invited = meeting::item_invitees(conn, meeting_id)?
        .iter()
        .any(|(i, u, _)| *i == item_id && *u == user.id());
    let facts = Top3Facts {
        sees_item: view.visible,
        participant: (invited && !fam.is_closed())
            || relation.director
            || relation.co_worker
            || relation.involved,
        director: relation.director,
        chair: seat.chair,
        meeting: found.status(),
    };
    let allows = |a| policy::allows_top3(actor(user), facts, a);
    if !allows(Top3Action::Read) {
        return Err(AppError::NotFound);
    }
    if !allows(action) {
        return Err(AppError::Forbidden);
    }
    log_access(
        conn,
        user,
        family_id,
        Relation {
            invited: true,
            ..relation
        },
        "access.what.top3",
    )?;
    Ok(ItemTop3 {
        may_give: allows(Top3Action::Give),
        may_merge: allows(Top3Action::Merge),
        meeting: found,
        item: view.item,
        family: fam,
        facts,
    })
}

/// What the item page shows of its top 3: the current merged list, and how many gave theirs.
#[derive(Clone, Debug, Default)]
pub struct Top3Summary {
    pub current: Option<AnalysisVersion>,
    pub given: usize,
}

impl Top3Summary {
    pub fn for_item(conn: &mut DbConn, item_id: i64) -> Result<Top3Summary, AppError> {
        Ok(Top3Summary {
            current: top3::version(conn, item_id, None)?,
            given: top3::entries(conn, item_id)?.len(),
        })
    }
}

/// A list as a form shows it: what was typed, and empty fields up to three.
pub fn padded(list: &[String]) -> Vec<String> {
    let mut out = list.to_vec();
    while out.len() < MAX {
        out.push(String::new());
    }
    out
}

/// The values of every field called `name`, in the order sent.
pub fn values_of(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}
