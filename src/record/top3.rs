//! The top 3 of an agenda item: a participant's own concerns and strengths, and the merged list with
//! its explanatory analysis (a new version per save).

use serde_json::json;

use crate::db::DbConn;
use crate::domain::DomainResult;
use crate::domain::top3::{self, Analysis, Giver, Top3};
use crate::domain::versioned::Saved;
use crate::events::EventKind;

use super::{Who, event};

/// The agenda item and its family.
pub type ItemOf = (i64, i64);

/// Writes (or rewrites) a participant's top 3 for the item: a professional's, or a family member's from
/// the portal. The event says who and how many, not what.
pub fn give_top3(
    conn: &mut DbConn,
    by: &Who,
    (item_id, family_id): ItemOf,
    giver: Giver,
    given: &Top3,
) -> DomainResult<()> {
    top3::save_entry(conn, (item_id, family_id), giver, given)?;
    event(
        conn,
        by,
        family_id,
        EventKind::Top3Given,
        ("agenda_item", item_id),
        json!({
            "family_member": matches!(giver, Giver::Person(_)),
            "concerns": given.concerns.len().to_string(),
            "strengths": given.strengths.len().to_string(),
        }),
    )
}

/// Saves a version of the item's merged list on top of `base_version`; a conflict writes nothing (and
/// no event).
pub fn merge_top3(
    conn: &mut DbConn,
    by: &Who,
    (item_id, family_id): ItemOf,
    base_version: i32,
    analysis: &Analysis,
) -> DomainResult<Saved> {
    let saved = top3::save_analysis(
        conn,
        (item_id, family_id),
        base_version,
        by.user_id,
        analysis,
    )?;
    if let Saved::Version(number) = saved {
        event(
            conn,
            by,
            family_id,
            EventKind::Top3Merged,
            ("agenda_item", item_id),
            json!({"version": number.to_string()}),
        )?;
    }
    Ok(saved)
}
