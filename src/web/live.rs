//! The live meeting room on the wire: the WebSocket endpoint and one connection's life. How an event
//! is drawn for an audience is in `views::live`.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, rt, web};
use actix_ws::AggregatedMessage as WsMessage;
use futures_util::StreamExt;
use serde::Deserialize;

use super::{AppError, AppState, CurrentUser, FamilyUser, PageCtx};
use crate::i18n::Locale;
use crate::live::{CloseSignal, Closed, Hub, Limits, Membership};
use crate::web::views::live::{audience_for, render_event};

/// Sends a ping this often; a connection that answered nothing for three of them is closed.
const HEARTBEAT: Duration = Duration::from_secs(10);
const MAX_SILENCE: Duration = Duration::from_secs(30);
/// A client that does not take a message within this long counts as gone (its place in the room is
/// freed, whatever else is waiting).
const SEND_WAIT: Duration = Duration::from_secs(10);
/// Events replayed per round when a connection catches up.
const REPLAY_BATCH: i64 = 200;

pub fn hub(config: &crate::config::Config) -> Arc<Hub> {
    Hub::new(
        Box::new(|conn, reads, event, audience, redrawn_later| {
            render_event(conn, reads, event, audience, redrawn_later)
                .ok()
                .flatten()
        }),
        Box::new(|conn, meeting_id, user_id, locale| {
            audience_for(conn, meeting_id, user_id, locale).map_err(|e| e.to_string())
        }),
        Limits {
            session_idle: config.session_idle,
            per_session: config.live_sockets_per_session,
            per_user: config.live_sockets_per_user,
        },
    )
}

#[derive(Deserialize)]
pub struct LiveQuery {
    after: Option<i64>,
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
    let socket = Socket::of(&user.0, ctx.i18n.locale, query.after);
    open(req, body, state, path.into_inner(), socket).await
}

/// `GET /portaal/punten/{item}/overleg/live?after=N`: the family's own room, for a member invited for
/// the item. The audience of a family account is their item only (`views::family_room`).
pub async fn connect_family(
    req: HttpRequest,
    body: web::Payload,
    user: FamilyUser,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, AppError> {
    let (user, item_id) = (user.0, path.into_inner());
    let user_id = user.id();
    let meeting_id = state
        .db(move |conn| {
            Ok(
                crate::domain::family_invite::of_account(conn, user_id, item_id)?
                    .map(|i| i.meeting_id),
            )
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let socket = Socket::of(&user, ctx.i18n.locale, query.after);
    open(req, body, state, meeting_id, socket).await
}

/// `GET /gast/{item}/{token}/live?after=N`: the room behind a one-time link, for its own item on the
/// meeting's day. The guest has no account: in the room they are the invitation, by a negative id.
pub async fn connect_guest(
    req: HttpRequest,
    body: web::Payload,
    ctx: PageCtx,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    query: web::Query<LiveQuery>,
) -> Result<HttpResponse, AppError> {
    let (item_id, token) = path.into_inner();
    let invite = state
        .db(move |conn| {
            Ok(
                crate::domain::family_invite::by_token(conn, &token)?.filter(|i| {
                    crate::policy::family_room::link_opens(
                        i.valid_on,
                        crate::time::today(),
                        i.agenda_item_id,
                        item_id,
                    )
                }),
            )
        })
        .await?
        .ok_or(AppError::NotFound)?;
    let socket = Socket {
        who: (-invite.id, -invite.id, invite.name.clone()),
        locale: ctx.i18n.locale,
        after: query.after,
    };
    open(req, body, state, invite.meeting_id, socket).await
}

/// Who opens a socket (user id, session id, name shown to others), in which language, and from which
/// event on.
struct Socket {
    who: (i64, i64, String),
    locale: Locale,
    after: Option<i64>,
}

impl Socket {
    fn of(user: &super::SignedIn, locale: Locale, after: Option<i64>) -> Socket {
        Socket {
            who: (user.id(), user.session_id, user.account.user.name.clone()),
            locale,
            after,
        }
    }
}

async fn open(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState>,
    meeting_id: i64,
    Socket {
        who: (user_id, session_id, name),
        locale,
        after,
    }: Socket,
) -> Result<HttpResponse, AppError> {
    // A page elsewhere cannot open a socket with our cookie.
    if !super::middleware::same_origin(&req, &state) {
        return Err(AppError::Forbidden);
    }
    let audience = state
        .db(move |conn| audience_for(conn, meeting_id, user_id, locale))
        .await?
        .ok_or(AppError::NotFound)?;
    let (response, session, stream) = actix_ws::handle(&req, body)
        .map_err(|e| AppError::Unprocessable(format!("websocket: {e}")))?;
    let membership = state
        .live
        .join(meeting_id, (user_id, session_id), &name, audience);
    let room = Room {
        signal: membership.signal(),
        state: state.clone(),
        meeting_id,
        user_id,
        session_id,
        locale,
        last_sent: after.unwrap_or(0).max(0),
    };
    rt::spawn(room.run(session, stream, membership));
    Ok(response)
}

/// One connection's life: catch up from the event log, then forward live messages and answer pings.
struct Room {
    /// Checked before every send: after the server decided to close, nothing more goes out.
    signal: CloseSignal,
    state: web::Data<AppState>,
    meeting_id: i64,
    user_id: i64,
    session_id: i64,
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
        let signal = membership.signal();
        // The audience was worked out before joining the room: work it out again now, so an access
        // change handled in between is not missed.
        let (meeting_id, user_id, locale) = (self.meeting_id, self.user_id, self.locale);
        if let Ok(now) = self
            .state
            .db(move |conn| audience_for(conn, meeting_id, user_id, locale))
            .await
        {
            membership.confirm_audience(now);
        }
        let mut why = self.replay(&mut session).await.err();
        while why.is_none() {
            // The server's reason to close comes first: nothing more is sent after access ended.
            tokio::select! {
                biased;
                closed = signal.closed() => why = Some(Some(closed)),
                incoming = stream.next() => match incoming {
                    Some(Ok(WsMessage::Ping(bytes))) => {
                        last_heard = Instant::now();
                        if session.pong(&bytes).await.is_err() { why = Some(None); }
                    }
                    Some(Ok(WsMessage::Pong(_))) | Some(Ok(WsMessage::Text(_))) | Some(Ok(WsMessage::Binary(_))) => {
                        last_heard = Instant::now();
                    }
                    Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => why = Some(None),
                },
                message = membership.rx.recv() => match message {
                    Some(message) => why = self.forward(&mut session, &mut membership, &message).await.err(),
                    None => why = Some(None),
                },
                _ = heartbeat.tick() => why = self.beat(&mut session, &mut membership, last_heard).await.err(),
            }
        }
        drop(membership);
        self.leave(session, why.flatten()).await;
    }

    /// One live message to the client, or a replay from the log when messages were dropped.
    async fn forward(
        &mut self,
        session: &mut actix_ws::Session,
        membership: &mut Membership,
        message: &crate::live::Message,
    ) -> Result<(), Option<Closed>> {
        if membership.lagged.swap(false, Ordering::Relaxed) {
            // Messages were dropped for this connection: read them back in order.
            while membership.rx.try_recv().is_ok() {}
            return self.replay(session).await;
        }
        if message.event_id <= self.last_sent && message.event_id != 0 {
            return Ok(());
        }
        self.send(session, message.json.to_string()).await?;
        if message.event_id != 0 {
            self.last_sent = message.event_id;
        }
        Ok(())
    }

    /// Every heartbeat: catch up if lagged, check the session (as a page request would), close a
    /// connection that stayed silent, and ping.
    async fn beat(
        &mut self,
        session: &mut actix_ws::Session,
        membership: &mut Membership,
        last_heard: Instant,
    ) -> Result<(), Option<Closed>> {
        if membership.lagged.swap(false, Ordering::Relaxed) {
            while membership.rx.try_recv().is_ok() {}
            self.replay(session).await?;
        }
        let (session_id, idle) = (self.session_id, self.state.config.session_idle);
        if session_id <= 0 {
            // A guest behind a one-time link: no session; the audience checks the link.
            let (meeting_id, user_id, locale) = (self.meeting_id, self.user_id, self.locale);
            let still = self
                .state
                .db(move |conn| audience_for(conn, meeting_id, user_id, locale))
                .await;
            if matches!(still, Ok(None)) {
                return Err(Some(Closed::AccessEnded));
            }
            return session.ping(b"").await.map_err(|_| None);
        }
        let current = self
            .state
            .db(move |conn| {
                Ok(
                    crate::auth::session::current_among(conn, &[session_id], idle)?
                        .contains(&session_id),
                )
            })
            .await;
        if matches!(current, Ok(false)) {
            return Err(Some(Closed::SessionEnded));
        }
        if last_heard.elapsed() > MAX_SILENCE {
            return Err(None);
        }
        session.ping(b"").await.map_err(|_| None)
    }

    /// Sends one message, unless the server has decided to close this socket; a client that does not
    /// take it within `SEND_WAIT` counts as gone.
    async fn send(
        &self,
        session: &mut actix_ws::Session,
        text: String,
    ) -> Result<(), Option<Closed>> {
        if let Some(why) = self.signal.why() {
            return Err(Some(why));
        }
        match rt::time::timeout(SEND_WAIT, session.text(text)).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(None),
        }
    }

    async fn leave(&self, session: actix_ws::Session, why: Option<Closed>) {
        self.state.live.presence(self.meeting_id);
        let reason = why.map(|why| actix_ws::CloseReason {
            code: actix_ws::CloseCode::Other(why.code()),
            description: Some(why.reason().to_string()),
        });
        let _ = session.close(reason).await;
    }

    /// Sends every event of the meeting after the last one sent, in order, rendered for what this
    /// participant may see now (worked out again, so a lost invitation also ends the replay).
    async fn replay(&mut self, session: &mut actix_ws::Session) -> Result<(), Option<Closed>> {
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
                    let mut reads = crate::domain::meeting::reads::Reads::default();
                    Ok(events
                        .iter()
                        .map(|e| (e.id, live.render(conn, &mut reads, e, &audience, false)))
                        .collect::<Vec<_>>())
                })
                .await
                .map_err(|e| match e {
                    AppError::NotFound => Some(Closed::AccessEnded),
                    _ => None,
                })?;
            if batch.is_empty() {
                return Ok(());
            }
            for (id, json) in batch {
                if let Some(json) = json {
                    self.send(session, json).await?;
                }
                self.last_sent = id;
            }
        }
    }
}
