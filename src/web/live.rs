//! The live meeting room on the wire: the WebSocket endpoint, and how each event is rendered for an
//! audience with the same partials as the pages.
//!
//! A message is `{"event": id, "kind": "...", "fragments": [{"target", "mode", "html"}]}`; presence
//! messages carry `"event": null` (they are not events and are not replayed). Fragments leave the CSRF
//! token empty; the page's script fills in its own.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, rt, web};
use actix_ws::AggregatedMessage as WsMessage;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};

use super::access::Seat;
use super::meetings::{
    ActionPartial, AgendaPartial, AttendancePartial, DecisionPartial, ItemView, StatusPartial,
    item_views, partial,
};
use super::{AppError, AppState, CurrentUser, PageCtx};
use crate::db::DbConn;
use crate::domain::{decision, family, meeting, table};
use crate::events::{Event, EventKind};
use crate::i18n::{I18n, Locale};
use crate::live::{Audience, Hub, Membership};

/// Sends a ping this often; a connection that answered nothing for three of them is closed.
const HEARTBEAT: Duration = Duration::from_secs(10);
const MAX_SILENCE: Duration = Duration::from_secs(30);
/// Events replayed per round when a connection catches up.
const REPLAY_BATCH: i64 = 200;

pub fn hub() -> Arc<Hub> {
    Hub::new(
        Box::new(|conn, event, audience| render_event(conn, event, audience).ok().flatten()),
        Box::new(|conn, meeting_id, user_id, locale| {
            audience_for(conn, meeting_id, user_id, locale)
                .ok()
                .flatten()
        }),
    )
}

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
    let roles = table::roles(conn, found.table_id, user_id)?;
    let seat = Seat {
        chair: roles.contains(&table::TableRole::Chair),
        minute_taker: roles.contains(&table::TableRole::MinuteTaker),
        member: roles.contains(&table::TableRole::Member),
        admin: false,
    };
    if !(seat.leads() || meeting::is_participant(conn, meeting_id, user_id)?) {
        return Ok(None);
    }
    let visible_items = item_views(conn, user_id, seat, meeting_id)?
        .into_iter()
        .filter(|v| v.visible)
        .map(|v| v.item.id)
        .collect();
    Ok(Some(Audience {
        locale,
        chair: seat.chair,
        leads: seat.leads(),
        visible_items,
    }))
}

#[derive(Serialize)]
struct Fragment {
    target: String,
    /// "replace" (inner HTML), "append", "value" (a form field, left alone while someone types in it).
    mode: &'static str,
    html: String,
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
    ctx: &PageCtx,
    item: &meeting::AgendaItem,
    visible: bool,
) -> Result<String, AppError> {
    Ok(match (item.family_id, visible) {
        (Some(fid), false) => family::find(conn, fid)?
            .map(|f| f.pseudonym())
            .unwrap_or_default(),
        _ if item.kind() == meeting::ItemKind::ActionReview => ctx.t("meeting.action_review"),
        _ => item.title.clone(),
    })
}

/// Renders one event for one audience as the JSON message of the wire.
pub fn render_event(
    conn: &mut DbConn,
    event: &Event,
    audience: &Audience,
) -> Result<Option<String>, AppError> {
    let Some(meeting_id) = event.meeting_id else {
        return Ok(None);
    };
    let Some(found) = meeting::find(conn, meeting_id)? else {
        return Ok(None);
    };
    let ctx = audience_ctx(audience);
    let seat = Seat {
        chair: audience.chair,
        minute_taker: audience.leads && !audience.chair,
        member: false,
        admin: false,
    };
    let visible = |item_id: i64| audience.visible_items.contains(&item_id);
    let mut fragments = Vec::new();
    // Every event goes out, even one that shows nothing here, so the client's resume point moves on.
    let kind = event.kind.as_str();
    let what = event.event_kind();

    if what.is_some_and(|k| k.changes_meeting_state() && k != EventKind::MeetingAttendance) {
        let invited = meeting::item_invitees(conn, meeting_id)?;
        let items: Vec<ItemView> = meeting::items(conn, meeting_id)?
            .into_iter()
            .map(|item| {
                let shown = visible(item.id);
                let label = item_label(conn, &ctx, &item, shown)?;
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
            .find(|v| found.current_item_id == Some(v.item.id));
        fragments.push(fragment(
            "#live-status",
            "replace",
            partial(StatusPartial {
                ctx: &ctx,
                meeting: &found,
                seat,
                current,
            }),
        ));
        fragments.push(fragment(
            "#live-agenda",
            "replace",
            partial(AgendaPartial {
                ctx: &ctx,
                meeting: &found,
                seat,
                items: &items,
            }),
        ));
    }
    if what == Some(EventKind::MeetingAttendance) {
        let attendance = meeting::attendance_list(conn, meeting_id)?;
        fragments.push(fragment(
            "#live-attendance",
            "replace",
            partial(AttendancePartial {
                ctx: &ctx,
                meeting: &found,
                seat,
                attendance: &attendance,
            }),
        ));
    }
    let feed = |fragments: &mut Vec<Fragment>, text: String| {
        fragments.push(fragment(
            "#live-feed",
            "append",
            format!("<li>{}</li>", escape(&text)),
        ));
    };
    match what {
        Some(EventKind::FamilyViewSaved) => {
            if let Some(item) = event
                .subject_id
                .and_then(|id| meeting::find_item(conn, meeting_id, id).transpose())
            {
                let item = item?;
                if visible(item.id) {
                    let views = crate::domain::portal::views_for_item(conn, item.id)?;
                    fragments.push(fragment(
                        format!("#family-views-{}", item.id),
                        "replace",
                        partial(super::portal_manage::ViewsPartial {
                            ctx: &ctx,
                            views: &views,
                        }),
                    ));
                    let label = item_label(conn, &ctx, &item, true)?;
                    feed(
                        &mut fragments,
                        ctx.i18n.t_with("live.family_view", &[("item", &label)]),
                    );
                }
            }
        }
        Some(EventKind::MinutesSaved) => {
            if let Some(item) = event
                .subject_id
                .and_then(|id| meeting::find_item(conn, meeting_id, id).transpose())
            {
                let item = item?;
                if visible(item.id) {
                    let text = if item.minutes.is_empty() {
                        "—".to_string()
                    } else {
                        item.minutes.clone()
                    };
                    fragments.push(fragment(
                        format!("#minutes-text-{}", item.id),
                        "replace",
                        escape(&text),
                    ));
                    // A form field gets plain text (its value), not HTML.
                    fragments.push(fragment(
                        format!("[data-live-minutes=\"{}\"]", item.id),
                        "value",
                        item.minutes.clone(),
                    ));
                }
            }
        }
        Some(EventKind::DecisionRecorded | EventKind::DecisionCorrected) => {
            if let Some(d) = event
                .subject_id
                .and_then(|id| decision::find(conn, id).transpose())
            {
                let d = d?;
                let item = meeting::find_item(conn, meeting_id, d.agenda_item_id)?
                    .ok_or(AppError::NotFound)?;
                let shown = visible(item.id);
                let label = item_label(conn, &ctx, &item, shown)?;
                if shown {
                    fragments.push(fragment(
                        format!("#decisions-{}", item.id),
                        "append",
                        partial(DecisionPartial {
                            ctx: &ctx,
                            decision: &d,
                            superseded_by: None,
                        }),
                    ));
                    feed(
                        &mut fragments,
                        ctx.i18n.t_with(
                            "live.decision_on",
                            &[("item", &label), ("outcome", &d.outcome)],
                        ),
                    );
                } else {
                    feed(
                        &mut fragments,
                        ctx.i18n.t_with("live.decision_hidden", &[("item", &label)]),
                    );
                }
            }
        }
        Some(EventKind::ActionCreated | EventKind::ActionDone | EventKind::ActionCancelled) => {
            if let Some(row) = event
                .subject_id
                .map(|id| {
                    decision::actions_for_meeting(conn, meeting_id)
                        .map(|rows| rows.into_iter().find(|r| r.action.id == id))
                })
                .transpose()?
                .flatten()
            {
                let item = meeting::find_item(conn, meeting_id, row.action.agenda_item_id)?
                    .ok_or(AppError::NotFound)?;
                let shown = visible(item.id);
                let label = item_label(conn, &ctx, &item, shown)?;
                if shown {
                    if what == Some(EventKind::ActionCreated) {
                        fragments.push(fragment(
                            format!("#actions-{}", item.id),
                            "append",
                            partial(ActionPartial {
                                ctx: &ctx,
                                row: &row,
                            }),
                        ));
                    }
                    feed(
                        &mut fragments,
                        ctx.i18n.t_with(
                            "live.action_on",
                            &[
                                ("item", &label),
                                ("owner", &row.owner_name),
                                ("what", &row.action.description),
                            ],
                        ),
                    );
                } else {
                    feed(
                        &mut fragments,
                        ctx.i18n.t_with("live.action_hidden", &[("item", &label)]),
                    );
                }
            }
        }
        _ => {}
    }
    let wire = Wire {
        event: Some(event.id),
        kind,
        fragments,
    };
    Ok(serde_json::to_string(&wire).ok())
}

#[derive(Deserialize)]
pub struct LiveQuery {
    after: Option<i64>,
}

/// A browser's `Origin` must be this site: a page elsewhere cannot open a socket with our cookie.
fn same_origin(req: &HttpRequest, state: &AppState) -> bool {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        // Non-browser clients send no Origin; they still need a valid session.
        return true;
    };
    let own = url::Url::parse(&state.config.base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let host = req.connection_info().host().to_string();
    origin == own || origin == format!("http://{host}") || origin == format!("https://{host}")
}

/// `GET /bijeenkomsten/{id}/live?after=N`: the WebSocket of a meeting, for its participants only.
pub async fn connect(
    req: HttpRequest,
    body: web::Payload,
    user: CurrentUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, meeting_id) = (user.0, path.into_inner());
    if !same_origin(&req, &state) {
        return Err(AppError::Forbidden);
    }
    let locale = ctx.i18n.locale;
    let user_id = user.id();
    let audience = state
        .db(move |conn| audience_for(conn, meeting_id, user_id, locale))
        .await?
        .ok_or(AppError::NotFound)?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| AppError::Unprocessable(format!("websocket: {e}")))?;
    let membership = state
        .live
        .join(meeting_id, user_id, &user.account.user.name, audience);
    let room = Room {
        state: state.clone(),
        meeting_id,
        user_id,
        locale,
        last_sent: query.after.unwrap_or(0).max(0),
    };
    rt::spawn(room.run(session, stream, membership));
    Ok(response)
}

/// One connection's life: catch up from the event log, then forward live messages and answer pings.
struct Room {
    state: web::Data<AppState>,
    meeting_id: i64,
    user_id: i64,
    locale: Locale,
    last_sent: i64,
}

impl Room {
    async fn run(
        mut self,
        mut session: actix_ws::Session,
        stream: actix_ws::MessageStream,
        mut membership: Membership,
    ) {
        let mut stream = stream.max_frame_size(64 * 1024).aggregate_continuations();
        self.state.live.presence(self.meeting_id);
        let mut heartbeat = rt::time::interval(HEARTBEAT);
        let mut last_heard = Instant::now();
        if self.replay(&mut session).await.is_err() {
            drop(membership);
            self.leave(session).await;
            return;
        }
        loop {
            tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(WsMessage::Ping(bytes))) => {
                        last_heard = Instant::now();
                        if session.pong(&bytes).await.is_err() { break; }
                    }
                    Some(Ok(WsMessage::Pong(_))) | Some(Ok(WsMessage::Text(_))) | Some(Ok(WsMessage::Binary(_))) => {
                        last_heard = Instant::now();
                    }
                    Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                },
                message = membership.rx.recv() => match message {
                    Some(message) => {
                        if membership.lagged.swap(false, Ordering::Relaxed) {
                            // Messages were dropped for this connection: read them back in order.
                            while membership.rx.try_recv().is_ok() {}
                            if self.replay(&mut session).await.is_err() { break; }
                            continue;
                        }
                        if message.event_id <= self.last_sent && message.event_id != 0 { continue; }
                        if session.text(message.json.to_string()).await.is_err() { break; }
                        if message.event_id != 0 { self.last_sent = message.event_id; }
                    }
                    None => break,
                },
                _ = heartbeat.tick() => {
                    if membership.lagged.swap(false, Ordering::Relaxed) {
                        while membership.rx.try_recv().is_ok() {}
                        if self.replay(&mut session).await.is_err() { break; }
                    }
                    if last_heard.elapsed() > MAX_SILENCE { break; }
                    if session.ping(b"").await.is_err() { break; }
                }
            }
        }
        drop(membership);
        self.leave(session).await;
    }

    async fn leave(&self, session: actix_ws::Session) {
        self.state.live.presence(self.meeting_id);
        let _ = session.close(None).await;
    }

    /// Sends every event of the meeting after the last one sent, in order, rendered for what this
    /// participant may see now (worked out again, so a lost invitation also ends the replay).
    async fn replay(&mut self, session: &mut actix_ws::Session) -> Result<(), ()> {
        loop {
            let (meeting_id, after, user_id, locale, live) = (
                self.meeting_id,
                self.last_sent,
                self.user_id,
                self.locale,
                self.state.live.clone(),
            );
            let batch = self
                .state
                .db(move |conn| {
                    let Some(audience) = audience_for(conn, meeting_id, user_id, locale)? else {
                        return Err(AppError::NotFound);
                    };
                    let events =
                        crate::events::for_meeting_after(conn, meeting_id, after, REPLAY_BATCH)?;
                    Ok(events
                        .iter()
                        .map(|e| (e.id, live.render(conn, e, &audience)))
                        .collect::<Vec<_>>())
                })
                .await
                .map_err(|_| ())?;
            if batch.is_empty() {
                return Ok(());
            }
            for (id, json) in batch {
                if let Some(json) = json {
                    session.text(json).await.map_err(|_| ())?;
                }
                self.last_sent = id;
            }
        }
    }
}
