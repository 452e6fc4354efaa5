//! How the live meeting room draws an event for an audience, with the same partials as the pages, and
//! "Verloop" for a page that loads while the meeting runs.
//!
//! A message is `{"event": id, "kind": "...", "fragments": [{"target", "mode", "html"}]}`; presence
//! messages carry `"event": null` (they are not events and are not replayed). Fragments leave the CSRF
//! token empty; the page's script fills in its own.

use serde::Serialize;

use crate::db::DbConn;
use crate::domain::meeting::minutes;
use crate::domain::meeting::reads::Reads;
use crate::domain::{meeting, table};
use crate::events::{Event, EventKind};
use crate::i18n::{I18n, Locale};
use crate::live::Audience;
use crate::web::access::Seat;
use crate::web::views::meeting::{
    ActionPartial, AgendaPartial, AttendancePartial, DecisionPartial, ItemView, StatusPartial,
    ViewsPartial, item_views, partial,
};
use crate::web::views::minutes::MinutesSave;
use crate::web::{AppError, PageCtx};

/// The audience of a participant: None when they are no longer part of the meeting.
pub fn audience_for(
    conn: &mut DbConn,
    meeting_id: i64,
    user_id: i64,
    locale: Locale,
) -> Result<Option<Audience>, AppError> {
    let Some(found) = meeting::find(conn, meeting_id)? else {
        return Ok(None);
    };
    // A family account (or a guest behind a one-time link, by a negative id) follows its own item in
    // its own room, and nothing else.
    let seat = match user_id {
        id if id < 0 => super::family_room::guest_seat(conn, meeting_id, -id)?,
        id => super::family_room::seat_of(conn, meeting_id, id)?,
    };
    if let Some(seat) = seat {
        return Ok(Some(Audience {
            locale,
            chair: false,
            leads: false,
            visible_items: Vec::new(),
            hidden_items: Vec::new(),
            family: Some(seat),
        }));
    }
    let roles = table::roles(conn, found.table_id, user_id)?;
    let seat = Seat {
        chair: roles.contains(&table::TableRole::Chair),
        minute_taker: roles.contains(&table::TableRole::MinuteTaker),
        member: roles.contains(&table::TableRole::Member),
        coordinator: false,
    };
    if !crate::policy::may_attend(seat, meeting::is_participant(conn, meeting_id, user_id)?) {
        return Ok(None);
    }
    let (visible, hidden): (Vec<ItemView>, Vec<ItemView>) =
        item_views(conn, user_id, seat, meeting_id)?
            .into_iter()
            .partition(|v| v.visible);
    Ok(Some(Audience {
        locale,
        chair: seat.chair,
        leads: seat.leads(),
        visible_items: visible.iter().map(|v| v.item.id).collect(),
        hidden_items: hidden.iter().map(|v| v.item.id).collect(),
        family: None,
    }))
}

#[derive(Serialize)]
struct Fragment {
    target: String,
    /// "replace" (inner HTML), "append", "value" (a form field, left alone while someone types in it),
    /// "typing" (a line of text: `typing` for a while, then `html`, as plain text).
    mode: &'static str,
    html: String,
    /// For the minutes' field: the revision of the text, which the form then says it is based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<String>,
    /// For "typing": what shows first, unless the page's own user is the `writer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    typing: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    writer: Option<i64>,
}

#[derive(Serialize)]
struct Wire<'a> {
    event: Option<i64>,
    kind: &'a str,
    fragments: Vec<Fragment>,
}

fn fragment(target: impl Into<String>, mode: &'static str, html: String) -> Fragment {
    Fragment {
        target: target.into(),
        mode,
        html,
        base: None,
        typing: None,
        writer: None,
    }
}

fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// The page context of an audience: its language, no user-specific parts, an empty CSRF token.
fn audience_ctx(audience: &Audience) -> PageCtx {
    PageCtx {
        i18n: I18n::new(audience.locale),
        user: None,
        csrf: String::new(),
        path: String::new(),
    }
}

/// The label of an item for an audience: its title, or the family's pseudonym when not visible.
fn item_label(
    conn: &mut DbConn,
    reads: &mut Reads,
    ctx: &PageCtx,
    item: &meeting::AgendaItem,
    visible: bool,
) -> Result<String, AppError> {
    Ok(match (item.family_id, visible) {
        (Some(fid), false) => reads.pseudonym(conn, fid)?,
        _ if item.kind() == meeting::ItemKind::ActionReview => ctx.t("meeting.action_review"),
        _ => item.title.clone(),
    })
}

/// Renders one event for one audience as the JSON message of the wire, from what `reads` holds of the
/// meeting (read for the dispatcher's whole batch; what it lacks it reads and keeps).
/// `redrawn_later`: a later event of the same batch draws the meeting's status and agenda again (as
/// they are by then), so this one leaves them out (starting a meeting and taking up its first item
/// are two events of one write: the agenda is drawn once, not twice).
pub fn render_event(
    conn: &mut DbConn,
    reads: &mut Reads,
    event: &Event,
    audience: &Audience,
    redrawn_later: bool,
) -> Result<Option<String>, AppError> {
    if let Some(seat) = audience.family {
        return super::family_room::render(conn, event, audience.locale, seat);
    }
    let Some(meeting_id) = event.meeting_id else {
        return Ok(None);
    };
    let Some(found) = reads.meeting(conn, meeting_id)? else {
        return Ok(None);
    };
    let mut drawing = Drawing::new(audience, found, reads);
    // Every event goes out, even one that shows nothing here, so the client's resume point moves on.
    let kind = event.kind.as_str();
    let what = event.event_kind();

    if what.is_some_and(EventKind::is_attendance) {
        drawing.attendance(conn)?;
    } else if what.is_some_and(EventKind::redraws_meeting) && !redrawn_later {
        drawing.status_and_agenda(conn)?;
    }
    match what {
        Some(EventKind::FamilyViewSaved) => drawing.family_view(conn, event.subject_id)?,
        Some(EventKind::FamilyRoomViewGiven) => {
            let item = event
                .subject_id
                .map(|id| crate::domain::family_invite::find(conn, id))
                .transpose()?
                .flatten()
                .map(|i| i.agenda_item_id);
            drawing.family_view(conn, item)?
        }
        Some(EventKind::MinutesSaved) => drawing.minutes(conn, event)?,
        Some(EventKind::DecisionRecorded | EventKind::DecisionCorrected) => {
            drawing.decision(conn, event.subject_id)?
        }
        Some(EventKind::ActionCreated | EventKind::ActionDone | EventKind::ActionCancelled) => {
            drawing.action(
                conn,
                event.subject_id,
                what == Some(EventKind::ActionCreated),
            )?
        }
        _ => {}
    }
    let wire = Wire {
        event: Some(event.id),
        kind,
        fragments: drawing.fragments,
    };
    Ok(serde_json::to_string(&wire).ok())
}

/// "Verloop" as it stood at event `until`: the feed's lines for the meeting's decisions, actions and
/// family views, drawn for this participant as they may see them now, so a page loaded late (or
/// reloaded) shows what was already decided and done. The live socket goes on from `until`.
pub fn feed_so_far(
    conn: &mut DbConn,
    meeting_id: i64,
    user_id: i64,
    locale: Locale,
    until: i64,
) -> Result<Vec<String>, AppError> {
    let (Some(audience), Some(found)) = (
        audience_for(conn, meeting_id, user_id, locale)?,
        meeting::find(conn, meeting_id)?,
    ) else {
        return Ok(Vec::new());
    };
    // The feed names many decisions and actions: all of the meeting's, read at once.
    let mut reads = Reads::default();
    reads.read_outcomes(conn, meeting_id)?;
    let mut drawing = Drawing::new(&audience, found, &mut reads);
    drawing.lines_only = true;
    for (kind, subject) in crate::events::subjects_of_meeting(conn, meeting_id, until)? {
        match kind {
            Some(EventKind::DecisionRecorded | EventKind::DecisionCorrected) => {
                drawing.decision(conn, subject)?
            }
            Some(EventKind::ActionCreated | EventKind::ActionDone | EventKind::ActionCancelled) => {
                drawing.action(conn, subject, false)?
            }
            Some(EventKind::FamilyViewSaved) => drawing.family_view(conn, subject)?,
            _ => {}
        }
    }
    Ok(drawing.lines)
}

/// One event being drawn for one audience: the meeting, the audience's page context and seat, and the
/// fragments so far, in the order the client applies them.
struct Drawing<'a> {
    audience: &'a Audience,
    /// The meeting's agenda and the rest, as read for the batch (or when first needed).
    reads: &'a mut Reads,
    meeting: meeting::Meeting,
    ctx: PageCtx,
    seat: Seat,
    fragments: Vec<Fragment>,
    /// The feed's lines so far, as plain text.
    lines: Vec<String>,
    /// Only the feed's lines are wanted (the page draws the rest itself): no fragments.
    lines_only: bool,
}

impl<'a> Drawing<'a> {
    fn new(audience: &'a Audience, meeting: meeting::Meeting, reads: &'a mut Reads) -> Self {
        Drawing {
            audience,
            reads,
            meeting,
            ctx: audience_ctx(audience),
            seat: Seat {
                chair: audience.chair,
                minute_taker: audience.leads && !audience.chair,
                member: false,
                coordinator: false,
            },
            fragments: Vec::new(),
            lines: Vec::new(),
            lines_only: false,
        }
    }

    fn visible(&self, item_id: i64) -> bool {
        self.audience.visible_items.contains(&item_id)
    }

    /// A line in the room's feed: plain text, escaped.
    fn feed(&mut self, text: String) {
        if !self.lines_only {
            self.fragments.push(fragment(
                "#live-feed",
                "append",
                format!("<li>{}</li>", escape(&text)),
            ));
        }
        self.lines.push(text);
    }

    /// A line in the feed that names only the item.
    fn feed_about(&mut self, key: &str, label: &str) {
        let line = self.ctx.i18n.t_with(key, &[("item", label)]);
        self.feed(line);
    }

    /// The meeting's state changed: the status line and the whole agenda, as the page draws them.
    fn status_and_agenda(&mut self, conn: &mut DbConn) -> Result<(), AppError> {
        let meeting_id = self.meeting.id;
        let invited = self.reads.invitees(conn, meeting_id)?;
        let items: Vec<ItemView> = self
            .reads
            .items(conn, meeting_id)?
            .into_iter()
            .map(|item| {
                let shown = self.visible(item.id);
                let label = item_label(conn, self.reads, &self.ctx, &item, shown)?;
                // As on the page: who is invited for an item is shown only to those who see the item.
                let invitees = invited
                    .iter()
                    .filter(|(i, _, _)| shown && *i == item.id)
                    .map(|(_, _, name)| name.clone())
                    .collect();
                Ok(ItemView {
                    visible: shown,
                    label,
                    invitees,
                    item,
                })
            })
            .collect::<Result<_, AppError>>()?;
        let current = items
            .iter()
            .find(|v| self.meeting.current_item_id == Some(v.item.id));
        let status = partial(StatusPartial {
            ctx: &self.ctx,
            meeting: &self.meeting,
            seat: self.seat,
            current,
        });
        let agenda = partial(AgendaPartial {
            ctx: &self.ctx,
            meeting: &self.meeting,
            seat: self.seat,
            items: &items,
        });
        self.fragments
            .push(fragment("#live-status", "replace", status));
        self.fragments
            .push(fragment("#live-agenda", "replace", agenda));
        Ok(())
    }

    /// Someone came or went: the attendance list.
    fn attendance(&mut self, conn: &mut DbConn) -> Result<(), AppError> {
        let attendance = meeting::attendance_list(conn, self.meeting.id)?;
        let html = partial(AttendancePartial {
            ctx: &self.ctx,
            meeting: &self.meeting,
            seat: self.seat,
            attendance: &attendance,
        });
        self.fragments
            .push(fragment("#live-attendance", "replace", html));
        Ok(())
    }

    /// The item an event is about, when it is an item of this meeting (from the agenda as read, so
    /// the feed so far, which draws many events about few items, reads the agenda once).
    fn item(
        &mut self,
        conn: &mut DbConn,
        item_id: Option<i64>,
    ) -> Result<Option<meeting::AgendaItem>, AppError> {
        let Some(id) = item_id else { return Ok(None) };
        Ok(self.reads.item(conn, self.meeting.id, id)?)
    }

    /// A family's view on an item was saved: the views, and a line in the feed, for those who see it.
    fn family_view(&mut self, conn: &mut DbConn, item_id: Option<i64>) -> Result<(), AppError> {
        let Some(item) = self.item(conn, item_id)? else {
            return Ok(());
        };
        if !self.visible(item.id) {
            return Ok(());
        }
        if !self.lines_only {
            let views = crate::domain::family_invite::all_views(conn, item.id)?;
            let html = partial(ViewsPartial {
                ctx: &self.ctx,
                views: &views,
            });
            // The item page's list, and the same views in the decision form (hoor en wederhoor live).
            self.fragments.push(fragment(
                format!("[data-family-views-form=\"{}\"]", item.id),
                "replace",
                html.clone(),
            ));
            self.fragments.push(fragment(
                format!("#family-views-{}", item.id),
                "replace",
                html,
            ));
        }
        let label = item_label(conn, self.reads, &self.ctx, &item, true)?;
        self.feed_about("live.family_view", &label);
        Ok(())
    }

    /// An item's minutes were saved: the text, the writers' field (with the revision it now holds), and
    /// who is typing, for those who see the item.
    fn minutes(&mut self, conn: &mut DbConn, event: &Event) -> Result<(), AppError> {
        let Some(item) = self.item(conn, event.subject_id)? else {
            return Ok(());
        };
        if !self.visible(item.id) {
            return Ok(());
        }
        let text = if item.minutes.is_empty() {
            "—".to_string()
        } else {
            item.minutes.clone()
        };
        self.fragments.push(fragment(
            format!("#minutes-text-{}", item.id),
            "replace",
            escape(&text),
        ));
        // A form field gets plain text (its value), not HTML.
        self.fragments.push(Fragment {
            base: Some(minutes::revision(&item.minutes)),
            ..fragment(
                format!("[data-live-minutes=\"{}\"]", item.id),
                "value",
                item.minutes.clone(),
            )
        });
        if let Some(save) = MinutesSave::of(conn, event)? {
            self.fragments.push(Fragment {
                typing: Some(save.typing(&self.ctx.i18n)),
                writer: Some(save.user_id),
                ..fragment(
                    format!("#minutes-by-{}", item.id),
                    "typing",
                    save.saved_by(&self.ctx.i18n),
                )
            });
        }
        Ok(())
    }

    /// A decision was recorded or corrected: the decision under its item and a line in the feed; those
    /// who do not see the item hear only that something was decided on it.
    fn decision(&mut self, conn: &mut DbConn, decision_id: Option<i64>) -> Result<(), AppError> {
        let Some(d) = decision_id
            .and_then(|id| self.reads.decision(conn, id).transpose())
            .transpose()?
        else {
            return Ok(());
        };
        let item = self
            .item(conn, Some(d.agenda_item_id))?
            .ok_or(AppError::NotFound)?;
        let shown = self.visible(item.id);
        let label = item_label(conn, self.reads, &self.ctx, &item, shown)?;
        if shown {
            if !self.lines_only {
                let html = partial(DecisionPartial {
                    ctx: &self.ctx,
                    decision: &d,
                    superseded_by: None,
                });
                self.fragments
                    .push(fragment(format!("#decisions-{}", item.id), "append", html));
            }
            let line = self.ctx.i18n.t_with(
                "live.decision_on",
                &[("item", &label), ("outcome", &d.outcome)],
            );
            self.feed(line);
        } else {
            self.feed_about("live.decision_hidden", &label);
        }
        Ok(())
    }

    /// An action was created, done or cancelled: a new action under its item and a line in the feed;
    /// those who do not see the item hear only that something happened on it.
    fn action(
        &mut self,
        conn: &mut DbConn,
        action_id: Option<i64>,
        created: bool,
    ) -> Result<(), AppError> {
        let meeting_id = self.meeting.id;
        let Some(row) = action_id
            .map(|id| self.reads.action(conn, meeting_id, id))
            .transpose()?
            .flatten()
        else {
            return Ok(());
        };
        let item = self
            .item(conn, Some(row.action.agenda_item_id))?
            .ok_or(AppError::NotFound)?;
        let shown = self.visible(item.id);
        let label = item_label(conn, self.reads, &self.ctx, &item, shown)?;
        if shown {
            if created && !self.lines_only {
                let html = partial(ActionPartial {
                    ctx: &self.ctx,
                    row: &row,
                });
                self.fragments
                    .push(fragment(format!("#actions-{}", item.id), "append", html));
            }
            let line = self.ctx.i18n.t_with(
                "live.action_on",
                &[
                    ("item", &label),
                    ("owner", &row.owner_name),
                    ("what", &row.action.description),
                ],
            );
            self.feed(line);
        } else {
            self.feed_about("live.action_hidden", &label);
        }
        Ok(())
    }
}
