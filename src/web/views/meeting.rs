//! The pieces of a meeting's pages that several handlers show: the agenda as one participant sees it
//! and the partials rendered into the pages and, the same way, into the live updates.

use askama::Template;

use crate::db::DbConn;
use crate::domain::decision::{ActionRow, Decision};
use crate::domain::family;
use crate::domain::meeting::{self, AgendaItem, AttendanceRow, Meeting};
use crate::domain::portal::View;
use crate::web::access::{Seat, sees_item};
use crate::web::{AppError, PageCtx};

/// An agenda item as one participant sees it.
#[derive(Clone, Debug)]
pub struct ItemView {
    pub item: AgendaItem,
    pub visible: bool,
    /// The title for those who see it, the pseudonym for those who do not.
    pub label: String,
    pub invitees: Vec<String>,
}

#[derive(Template)]
#[template(path = "meetings/_status.html")]
pub struct StatusPartial<'a> {
    pub ctx: &'a PageCtx,
    pub meeting: &'a Meeting,
    pub seat: Seat,
    pub current: Option<&'a ItemView>,
}

#[derive(Template)]
#[template(path = "meetings/_agenda.html")]
pub struct AgendaPartial<'a> {
    pub ctx: &'a PageCtx,
    pub meeting: &'a Meeting,
    pub seat: Seat,
    pub items: &'a [ItemView],
}

impl AgendaPartial<'_> {
    fn is_current(&self, item: &AgendaItem) -> bool {
        self.meeting.current_item_id == Some(item.id)
    }
    fn total_minutes(&self) -> i32 {
        self.items.iter().map(|i| i.item.time_box_minutes).sum()
    }
}

#[derive(Template)]
#[template(path = "meetings/_attendance.html")]
pub struct AttendancePartial<'a> {
    pub ctx: &'a PageCtx,
    pub meeting: &'a Meeting,
    pub seat: Seat,
    pub attendance: &'a [AttendanceRow],
}

#[derive(Template)]
#[template(path = "meetings/_decision.html")]
pub struct DecisionPartial<'a> {
    pub ctx: &'a PageCtx,
    pub decision: &'a Decision,
    pub superseded_by: Option<i64>,
}

#[derive(Template)]
#[template(path = "meetings/_action.html")]
pub struct ActionPartial<'a> {
    pub ctx: &'a PageCtx,
    pub row: &'a ActionRow,
}

/// Renders a partial; a template error shows as an empty fragment and is logged.
pub fn partial(t: impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "partial did not render");
        String::new()
    })
}

pub fn item_views(
    conn: &mut DbConn,
    user_id: i64,
    seat: Seat,
    meeting_id: i64,
) -> Result<Vec<ItemView>, AppError> {
    let invitees = meeting::item_invitees(conn, meeting_id)?;
    let mut views = Vec::new();
    for item in meeting::items(conn, meeting_id)? {
        let visible = sees_item(conn, user_id, seat, &item, &invitees)?;
        let label = match (item.family_id, visible) {
            (Some(fid), false) => family::find(conn, fid)?
                .map(|f| f.pseudonym())
                .unwrap_or_default(),
            _ => item.title.clone(),
        };
        let names = invitees
            .iter()
            .filter(|(i, _, _)| *i == item.id)
            .map(|(_, _, n)| n.clone())
            .collect();
        views.push(ItemView {
            item,
            visible,
            label,
            invitees: if visible { names } else { Vec::new() },
        });
    }
    Ok(views)
}

/// The family's views on an item, for the item page and the live room.
#[derive(Template)]
#[template(path = "portal/_views.html")]
pub struct ViewsPartial<'a> {
    pub ctx: &'a PageCtx,
    pub views: &'a [View],
}
