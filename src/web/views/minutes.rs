//! The minutes of an item as several people write them: who saved them last ("Laatst opgeslagen door
//! … om 14:05", "… typt de notulen…") and the notice of a save that met someone else's text, for the
//! item page, the answer to a save and the live room.

use askama::Template;
use chrono::NaiveDateTime;

use crate::db::DbConn;
use crate::domain::user;
use crate::events::{self, Event, EventKind};
use crate::i18n::I18n;
use crate::web::{AppError, PageCtx};

/// One save of an item's minutes: by whom and when.
#[derive(Clone, Debug)]
pub struct MinutesSave {
    pub user_id: i64,
    pub name: String,
    pub at: NaiveDateTime,
}

impl MinutesSave {
    /// The save an event records, with the writer's name.
    pub fn of(conn: &mut DbConn, event: &Event) -> Result<Option<MinutesSave>, AppError> {
        let Some(user_id) = event.actor_user_id else {
            return Ok(None);
        };
        Ok(user::find(conn, user_id)?.map(|u| MinutesSave {
            user_id,
            name: u.name,
            at: event.occurred_at,
        }))
    }

    /// The latest save of an item's minutes, if they were ever saved.
    pub fn last(
        conn: &mut DbConn,
        meeting_id: i64,
        item_id: i64,
    ) -> Result<Option<MinutesSave>, AppError> {
        match events::last_about(conn, meeting_id, EventKind::MinutesSaved, item_id)? {
            Some(event) => MinutesSave::of(conn, &event),
            None => Ok(None),
        }
    }

    /// "Laatst opgeslagen door Ingrid Smit om 14:05".
    pub fn saved_by(&self, i18n: &I18n) -> String {
        i18n.t_with(
            "minutes.saved_by",
            &[("name", &self.name), ("time", &when(self.at))],
        )
    }

    /// "Ingrid Smit typt de notulen…".
    pub fn typing(&self, i18n: &I18n) -> String {
        i18n.t_with("minutes.typing", &[("name", &self.name)])
    }
}

/// A time of today as "14:05", of another day with its date.
pub fn when(at: NaiveDateTime) -> String {
    if crate::time::local(at).date_naive() == crate::time::today() {
        crate::time::clock(at)
    } else {
        crate::time::date_time(at)
    }
}

/// A save that was not written because someone else saved another text first: both texts.
#[derive(Clone, Debug)]
pub struct MinutesConflict {
    /// Who saved the stored text, and when (empty when not known).
    pub by: Option<MinutesSave>,
    pub stored: String,
    pub mine: String,
}

#[derive(Template)]
#[template(path = "meetings/_minutes_conflict.html")]
struct ConflictPartial<'a> {
    ctx: &'a PageCtx,
    item_id: i64,
    intro: String,
    conflict: &'a MinutesConflict,
}

impl MinutesConflict {
    /// The notice, with both texts and the two ways on; its buttons belong to the minutes form.
    pub fn html(&self, ctx: &PageCtx, item_id: i64) -> String {
        let intro = match &self.by {
            Some(save) => ctx.i18n.t_with(
                "minutes.conflict_intro",
                &[("name", &save.name), ("time", &when(save.at))],
            ),
            None => ctx.t("minutes.conflict_intro_someone"),
        };
        crate::web::views::meeting::partial(ConflictPartial {
            ctx,
            item_id,
            intro,
            conflict: self,
        })
    }
}
