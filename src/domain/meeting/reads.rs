//! What the live room reads to draw meetings, read once for a whole batch of events.
//!
//! The live dispatcher draws each event for each audience in the meeting's room. Drawn from queries
//! of its own, every drawing read the meeting, its agenda and who is invited for what: in a burst of
//! fifty chairs that was three statements per event per audience, one after the other, on the one
//! thread every participant's update waits for (issue 23). Here the meetings of a batch are read in
//! three statements together, after the batch's events were read, so what is drawn is at least as new
//! as the newest event of the batch (as it was with a query per drawing). A meeting not read for the
//! batch (a replay, "Verloop", a room opened meanwhile) is read when first asked for and then kept.
//!
//! "Verloop" so far, drawn when a meeting page loads, names many decisions and actions of one meeting:
//! it reads them all at once first ([`Reads::read_outcomes`]).
//!
//! A `Reads` lives for one batch (or one replay round) only: it is never kept between batches, so a
//! later change is always drawn from a new read.

use std::collections::HashMap;

use diesel::prelude::*;

use super::{AgendaItem, Meeting};
use crate::db::DbConn;
use crate::domain::decision::{self, ActionRow, Decision};
use crate::schema::{agenda_items, meetings};

/// Who is invited for which item of a meeting: (item, user, the user's name), by name.
pub type Invitees = Vec<(i64, i64, String)>;

#[derive(Default)]
pub struct Reads {
    meetings: HashMap<i64, Option<Meeting>>,
    items: HashMap<i64, Vec<AgendaItem>>,
    invitees: HashMap<i64, Invitees>,
    pseudonyms: HashMap<i64, String>,
    /// The decisions and actions of one meeting, by id, when read at once ([`Reads::read_outcomes`]).
    outcomes: Option<Outcomes>,
}

/// A meeting's decisions and its actions (with their owners), by id.
struct Outcomes {
    meeting_id: i64,
    decisions: HashMap<i64, Decision>,
    actions: HashMap<i64, ActionRow>,
}

impl Reads {
    /// Reads `meeting_ids` (their meetings, agendas and invitees) in three statements.
    pub fn of(conn: &mut DbConn, meeting_ids: &[i64]) -> QueryResult<Reads> {
        let mut reads = Reads::default();
        if meeting_ids.is_empty() {
            return Ok(reads);
        }
        reads.meetings = meeting_ids.iter().map(|id| (*id, None)).collect();
        let found: Vec<Meeting> = meetings::table
            .filter(meetings::id.eq_any(meeting_ids))
            .select(Meeting::as_select())
            .load(conn)?;
        for m in found {
            reads.meetings.insert(m.id, Some(m));
        }
        reads.items = meeting_ids.iter().map(|id| (*id, Vec::new())).collect();
        let items: Vec<AgendaItem> = agenda_items::table
            .filter(agenda_items::meeting_id.eq_any(meeting_ids))
            .order((agenda_items::position.asc(), agenda_items::id.asc()))
            .select(AgendaItem::as_select())
            .load(conn)?;
        for item in items {
            reads.items.entry(item.meeting_id).or_default().push(item);
        }
        reads.invitees = meeting_ids.iter().map(|id| (*id, Vec::new())).collect();
        for (meeting_id, item, user, name) in super::invitees_of(conn, meeting_ids)? {
            reads
                .invitees
                .entry(meeting_id)
                .or_default()
                .push((item, user, name));
        }
        Ok(reads)
    }

    /// The meeting (None when there is none by that id).
    pub fn meeting(&mut self, conn: &mut DbConn, id: i64) -> QueryResult<Option<Meeting>> {
        kept(&mut self.meetings, id, || super::find(conn, id))
    }

    /// The meeting's agenda, in order.
    pub fn items(&mut self, conn: &mut DbConn, meeting_id: i64) -> QueryResult<Vec<AgendaItem>> {
        kept(&mut self.items, meeting_id, || {
            super::items(conn, meeting_id)
        })
    }

    /// One item of the meeting's agenda (None when the meeting has no item by that id).
    pub fn item(
        &mut self,
        conn: &mut DbConn,
        meeting_id: i64,
        item_id: i64,
    ) -> QueryResult<Option<AgendaItem>> {
        let items = match self.items.entry(meeting_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(to_read) => {
                to_read.insert(super::items(conn, meeting_id)?)
            }
        };
        Ok(items.iter().find(|i| i.id == item_id).cloned())
    }

    /// Who is invited for which of the meeting's items.
    pub fn invitees(&mut self, conn: &mut DbConn, meeting_id: i64) -> QueryResult<Invitees> {
        kept(&mut self.invitees, meeting_id, || {
            super::item_invitees(conn, meeting_id)
        })
    }

    /// Reads all decisions and actions of the meeting in two statements, for drawing many events about
    /// them ("Verloop" so far); [`Reads::decision`] and [`Reads::action`] answer from these after.
    pub fn read_outcomes(&mut self, conn: &mut DbConn, meeting_id: i64) -> QueryResult<()> {
        let decisions = decision::for_meeting(conn, meeting_id)?;
        let actions = decision::actions_for_meeting(conn, meeting_id)?;
        self.outcomes = Some(Outcomes {
            meeting_id,
            decisions: decisions.into_iter().map(|d| (d.id, d)).collect(),
            actions: actions.into_iter().map(|r| (r.action.id, r)).collect(),
        });
        Ok(())
    }

    /// A decision by id (of any meeting, as ids are unique): from the outcomes read at once, else
    /// read now (not kept: a decision is drawn once per batch).
    pub fn decision(&self, conn: &mut DbConn, id: i64) -> QueryResult<Option<Decision>> {
        match self.outcomes.as_ref().and_then(|o| o.decisions.get(&id)) {
            Some(known) => Ok(Some(known.clone())),
            None => decision::find(conn, id),
        }
    }

    /// One action of the meeting (None when it is not the meeting's): from the outcomes read at
    /// once, else read now (not kept).
    pub fn action(
        &self,
        conn: &mut DbConn,
        meeting_id: i64,
        id: i64,
    ) -> QueryResult<Option<ActionRow>> {
        let known = self
            .outcomes
            .as_ref()
            .filter(|o| o.meeting_id == meeting_id)
            .and_then(|o| o.actions.get(&id));
        match known {
            Some(row) => Ok(Some(row.clone())),
            None => decision::action_of_meeting(conn, meeting_id, id),
        }
    }

    /// The pseudonym a family's item shows to those who may not see the item (empty when the family
    /// is gone).
    pub fn pseudonym(&mut self, conn: &mut DbConn, family_id: i64) -> QueryResult<String> {
        kept(&mut self.pseudonyms, family_id, || {
            Ok(crate::domain::family::find(conn, family_id)?
                .map(|f| f.pseudonym())
                .unwrap_or_default())
        })
    }
}

/// What `known` holds for `key`, or what `read` reads (then kept).
fn kept<V: Clone>(
    known: &mut HashMap<i64, V>,
    key: i64,
    read: impl FnOnce() -> QueryResult<V>,
) -> QueryResult<V> {
    if let Some(value) = known.get(&key) {
        return Ok(value.clone());
    }
    let value = read()?;
    known.insert(key, value.clone());
    Ok(value)
}
