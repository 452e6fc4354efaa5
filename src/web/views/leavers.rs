//! What colleagues who left leave behind, for the start page: their open actions for the chair of the
//! table and the director of the family (to give to someone else), and the families they directed for
//! the partnership's coordinators (to appoint a new director).

use crate::db::DbConn;
use crate::domain::decision::{self, ActionRow};
use crate::domain::directorship::{self, Orphaned};
use crate::domain::partnership;
use crate::web::AppError;

/// The start page's part about colleagues who left.
#[derive(Default)]
pub struct LeftBehind {
    /// Open actions of switched-off accounts, at tables the user chairs or in families they direct.
    pub actions: Vec<ActionRow>,
    /// Open families of the partnerships the user coordinates whose director's account is off.
    pub families: Vec<Orphaned>,
    /// What was just done here ("Nieuwe regisseur benoemd").
    pub notice: Option<&'static str>,
}

pub fn left_behind(
    conn: &mut DbConn,
    user_id: i64,
    notice: Option<&'static str>,
) -> Result<LeftBehind, AppError> {
    let coordinated = partnership::coordinated_by(conn, user_id)?;
    Ok(LeftBehind {
        actions: decision::left_behind_for(conn, user_id)?,
        families: directorship::orphaned_in(conn, &coordinated)?,
        notice,
    })
}
