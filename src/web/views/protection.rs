//! What the family page and an agenda item show of the documents brought to a family and of the
//! measures per child.

use chrono::NaiveDate;

use crate::db::DbConn;
use crate::domain::board_request::{self, BoardRequest};
use crate::domain::document::{self, DocumentRow};
use crate::domain::measure::{self, MeasureRow};

#[derive(Clone, Debug, Default)]
pub struct ProtectionView {
    pub family_id: i64,
    pub documents: Vec<DocumentRow>,
    pub measures: Vec<MeasureRow>,
    /// Requests to the Raad to investigate, newest first, with the Raad's organisation.
    pub board_requests: Vec<(BoardRequest, String)>,
    pub today: NaiveDate,
}

/// The family's requests to the Raad, each with the name of the Raad's organisation.
fn board_requests(
    conn: &mut DbConn,
    family_id: i64,
) -> diesel::QueryResult<Vec<(BoardRequest, String)>> {
    let mut rows = Vec::new();
    for r in board_request::of_family(conn, family_id)? {
        let name = board_request::organisation_name(conn, r.organisation_id)?;
        rows.push((r, name));
    }
    Ok(rows)
}

impl ProtectionView {
    /// Every document of the family, and its measures.
    pub fn for_family(conn: &mut DbConn, family_id: i64) -> diesel::QueryResult<ProtectionView> {
        Ok(ProtectionView {
            family_id,
            documents: document::for_family(conn, family_id)?,
            measures: measure::for_family(conn, family_id)?,
            board_requests: board_requests(conn, family_id)?,
            today: crate::time::today(),
        })
    }

    /// The documents brought to one item of the family, and the family's measures.
    pub fn for_item(
        conn: &mut DbConn,
        family_id: i64,
        item_id: i64,
    ) -> diesel::QueryResult<ProtectionView> {
        Ok(ProtectionView {
            documents: document::for_item(conn, item_id)?,
            ..ProtectionView::for_family_measures(conn, family_id)?
        })
    }

    fn for_family_measures(
        conn: &mut DbConn,
        family_id: i64,
    ) -> diesel::QueryResult<ProtectionView> {
        Ok(ProtectionView {
            family_id,
            documents: Vec::new(),
            measures: measure::for_family(conn, family_id)?,
            board_requests: board_requests(conn, family_id)?,
            today: crate::time::today(),
        })
    }

    /// What the family's portal shows: the measures, and the documents the family may know exist (those
    /// not withheld; the portal shows their name and date only, never their content).
    pub fn for_portal(conn: &mut DbConn, family_id: i64) -> diesel::QueryResult<ProtectionView> {
        let mut view = ProtectionView::for_family(conn, family_id)?;
        view.documents.retain(|d| !d.document.withheld());
        view.board_requests.retain(|(r, _)| r.family_notice);
        Ok(view)
    }

    /// The measures that run today.
    pub fn running(&self) -> Vec<&MeasureRow> {
        self.measures
            .iter()
            .filter(|m| m.measure.runs_on(self.today))
            .collect()
    }

    /// The measures that are over: ended, or past their planned end (the history).
    pub fn over(&self) -> Vec<&MeasureRow> {
        self.measures
            .iter()
            .filter(|m| m.measure.over_on(self.today))
            .collect()
    }

    /// Measures recorded to start later.
    pub fn coming(&self) -> Vec<&MeasureRow> {
        self.measures
            .iter()
            .filter(|m| m.measure.starts_on > self.today && !m.measure.over_on(self.today))
            .collect()
    }
}
