//! The live meeting room: every participant's browser sees the meeting change as it happens.
//!
//! One dispatcher per instance reads new events from the database in id order and hands them to the
//! rooms of their meetings; it is woken after a commit on this instance, by PostgreSQL NOTIFY from any
//! other instance, and otherwise polls twice a second. Each event is rendered once per audience (the
//! participants who may see the same things), and every message carries its event id, so a client that
//! reconnects replays what it missed from the event log. A connection whose queue is full is marked
//! lagged and replays from the log too: nothing is dropped.
//!
//! Access ends here as it ends on the pages. Twice a second the dispatcher asks the database which of
//! its sockets' sessions still count (logout, expiry, a password reset and deactivation end them); an
//! event that changes who may see what (a seat, an involvement, a family closed, the agenda and its
//! invitations) makes it work out every participant's audience again. A socket whose session ended or
//! whose participant lost the meeting is closed; one whose participant may now see less is closed too,
//! so that its page reloads as they may see it now. Every instance reads every event, so this holds on
//! all of them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use tokio::sync::mpsc;

use crate::db::{DatabaseUrl, DbConn, Pool};
use crate::domain::meeting::reads::Reads;
use crate::events::{self, Event, EventKind};
use crate::i18n::Locale;

mod dispatch;

/// Messages waiting for one connection before it counts as lagged.
pub const QUEUE: usize = 512;
use crate::events::CHANNEL;

/// What decides how an event looks to a participant: language, role at the table and which family
/// items they may see. Participants with equal audiences get the same bytes.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Audience {
    pub locale: Locale,
    pub chair: bool,
    pub leads: bool,
    pub visible_items: Vec<i64>,
    /// The meeting's other items (shown by pseudonym only).
    pub hidden_items: Vec<i64>,
    /// A family member in their own room: the one item they follow (nothing else is drawn for them).
    pub family: Option<FamilySeat>,
}

/// A family member's place in the meeting: their own item, and whether they see its decisions.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub struct FamilySeat {
    pub item_id: i64,
    pub decisions: bool,
    /// Whose sharing rules apply: the family, and the member (None for someone of the network, a
    /// cliëntondersteuner or an ervaringsdeskundige, who sees only what is kept from no one).
    pub family_id: i64,
    pub person_id: Option<i64>,
}

impl Audience {
    /// Whether `now` shows less than `self` did: a role lost, or an item that was visible is hidden
    /// (an item that left the agenda is neither, and does not count).
    pub fn narrowed_to(&self, now: &Audience) -> bool {
        (self.chair && !now.chair)
            || (self.leads && !now.leads)
            || (self.family.is_some() && self.family != now.family)
            || self
                .visible_items
                .iter()
                .any(|i| now.hidden_items.contains(i))
    }
}

/// Why the server closed a live socket; the close code tells the page what to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    /// Logged out, expired, password reset or account deactivated: log in again.
    SessionEnded,
    /// No longer part of the meeting.
    AccessEnded,
    /// Still part of the meeting but may see less: the page reloads.
    AccessChanged,
    /// More sockets than one login or user may hold; this was the oldest.
    TooMany,
}

impl Closed {
    /// WebSocket close codes from the private range 4000–4999, shaped after the HTTP statuses.
    pub fn code(self) -> u16 {
        match self {
            Closed::SessionEnded => 4401,
            Closed::AccessEnded => 4403,
            Closed::AccessChanged => 4409,
            Closed::TooMany => 4429,
        }
    }

    /// The reason sent with the code, for logs and tools (the page shows its own text per code).
    pub fn reason(self) -> &'static str {
        match self {
            Closed::SessionEnded => "session ended",
            Closed::AccessEnded => "no longer part of this meeting",
            Closed::AccessChanged => "what you may see changed",
            Closed::TooMany => "too many live connections",
        }
    }
}

/// How long a socket may live and how many one visitor may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A session idle this long no longer counts (as on the pages).
    pub session_idle: Duration,
    pub per_session: usize,
    pub per_user: usize,
}

/// How often the session sweep asks which sessions still count.
const SESSION_SWEEP: Duration = Duration::from_millis(500);

/// The signal that closes one socket: set once, with the first reason.
#[derive(Default)]
struct Closing {
    why: Mutex<Option<Closed>>,
    notify: tokio::sync::Notify,
}

impl Closing {
    fn close(&self, why: Closed) {
        if let Ok(mut current) = self.why.lock()
            && current.is_none()
        {
            *current = Some(why);
            self.notify.notify_one();
        }
    }

    fn is_closed(&self) -> bool {
        self.why.lock().map(|w| w.is_some()).unwrap_or(true)
    }
}

/// One message on the wire: the event id and the JSON for one audience.
#[derive(Debug)]
pub struct Message {
    pub event_id: i64,
    pub json: Arc<str>,
}

struct Connection {
    id: u64,
    user_id: i64,
    session_id: i64,
    name: String,
    audience: Audience,
    tx: mpsc::Sender<Arc<Message>>,
    lagged: Arc<AtomicBool>,
    closing: Arc<Closing>,
}

/// Renders an event for an audience; None when the event shows nothing to anyone in the room. It draws
/// from what `Reads` holds (the batch's meetings, read once). The flag says a later event of the same
/// batch draws the meeting's state again (see `redrawn_later`).
pub type Renderer =
    dyn Fn(&mut DbConn, &mut Reads, &Event, &Audience, bool) -> Option<String> + Send + Sync;
/// Works out a participant's audience again: Ok(None) when they are no longer part of the meeting,
/// Err when the database could not say (the socket then keeps what it had).
pub type AudienceOf =
    dyn Fn(&mut DbConn, i64, i64, Locale) -> Result<Option<Audience>, String> + Send + Sync;

/// Events after which who may see what in a meeting can have changed, wherever they happened (the
/// agenda's own events are handled per room).
fn changes_access(kind: EventKind) -> bool {
    matches!(
        kind,
        EventKind::TableMemberAdded
            | EventKind::TableMemberRemoved
            | EventKind::InvolvementAdded
            | EventKind::InvolvementEnded
            | EventKind::InvolvementRequestAccepted
            | EventKind::DirectorAppointed
            | EventKind::CoordinatorRemoved
            | EventKind::PartnershipSettingsChanged
            | EventKind::FamilyClosed
            | EventKind::FamilyReopened
            | EventKind::UserUpdated
            | EventKind::UserDeactivated
            | EventKind::UserActivated
    )
}

/// Closes the oldest of the open sockets that `mine` picks, beyond `limit`.
fn close_oldest(open: &[&Connection], mine: impl Fn(&Connection) -> bool, limit: usize) {
    let mut picked: Vec<&Connection> = open
        .iter()
        .copied()
        .filter(|c| mine(c) && !c.closing.is_closed())
        .collect();
    if picked.len() <= limit {
        return;
    }
    picked.sort_by_key(|c| c.id);
    for c in &picked[..picked.len() - limit] {
        c.closing.close(Closed::TooMany);
    }
}

pub struct Hub {
    rooms: Mutex<HashMap<i64, Vec<Connection>>>,
    next_id: AtomicU64,
    wake: (Mutex<bool>, Condvar),
    /// The session sweep's wait between rounds, cut short when the hub stops.
    pause: (Mutex<()>, Condvar),
    renderer: Box<Renderer>,
    audience_of: Box<AudienceOf>,
    limits: Limits,
    stopped: AtomicBool,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    /// The instance's metrics: the dispatcher's lag is measured here.
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// A participant's place in a room; leaving the room drops it.
pub struct Membership {
    hub: Arc<Hub>,
    meeting_id: i64,
    id: u64,
    pub rx: mpsc::Receiver<Arc<Message>>,
    pub lagged: Arc<AtomicBool>,
    closing: Arc<Closing>,
}

impl Membership {
    /// Replaces the audience worked out at the upgrade with one worked out after joining, so an access
    /// change handled in between is not missed: None or a narrower one closes the socket.
    pub fn confirm_audience(&self, now: Option<Audience>) {
        let Ok(mut rooms) = self.hub.rooms.lock() else {
            return;
        };
        let Some(c) = rooms
            .get_mut(&self.meeting_id)
            .and_then(|room| room.iter_mut().find(|c| c.id == self.id))
        else {
            return;
        };
        match now {
            None => c.closing.close(Closed::AccessEnded),
            Some(now) if c.audience.narrowed_to(&now) => c.closing.close(Closed::AccessChanged),
            Some(now) => c.audience = now,
        }
    }

    /// What closes this socket from the server's side, to wait on next to the socket's own queue.
    pub fn signal(&self) -> CloseSignal {
        CloseSignal(self.closing.clone())
    }
}

/// The server's side of closing one socket.
#[derive(Clone)]
pub struct CloseSignal(Arc<Closing>);

impl CloseSignal {
    /// Why the server closed this socket, if it did.
    pub fn why(&self) -> Option<Closed> {
        self.0
            .why
            .lock()
            .map(|w| *w)
            .unwrap_or(Some(Closed::AccessEnded))
    }

    /// Waits until the server closes this socket, and says why.
    pub async fn closed(&self) -> Closed {
        loop {
            let notified = self.0.notify.notified();
            if let Ok(Some(why)) = self.0.why.lock().map(|w| *w) {
                return why;
            }
            notified.await;
        }
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if let Ok(mut rooms) = self.hub.rooms.lock()
            && let Some(room) = rooms.get_mut(&self.meeting_id)
        {
            room.retain(|c| c.id != self.id);
            if room.is_empty() {
                rooms.remove(&self.meeting_id);
            }
        }
    }
}

impl Hub {
    pub fn new(renderer: Box<Renderer>, audience_of: Box<AudienceOf>, limits: Limits) -> Arc<Hub> {
        Arc::new(Hub {
            rooms: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            wake: (Mutex::new(false), Condvar::new()),
            pause: (Mutex::new(()), Condvar::new()),
            renderer,
            audience_of,
            limits,
            stopped: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            metrics: Arc::default(),
        })
    }

    /// Wakes the dispatcher: new events were committed on this instance.
    pub fn poke(&self) {
        let (lock, cvar) = &self.wake;
        if let Ok(mut woken) = lock.lock() {
            *woken = true;
            cvar.notify_one();
        }
    }

    /// Seats a socket in its meeting's room. Beyond the limits per login and per user, the oldest
    /// sockets of that login or user are closed.
    pub fn join(
        self: &Arc<Self>,
        meeting_id: i64,
        (user_id, session_id): (i64, i64),
        name: &str,
        audience: Audience,
    ) -> Membership {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let lagged = Arc::new(AtomicBool::new(false));
        let closing = Arc::new(Closing::default());
        if let Ok(mut rooms) = self.rooms.lock() {
            rooms.entry(meeting_id).or_default().push(Connection {
                id,
                user_id,
                session_id,
                name: name.to_string(),
                audience,
                tx,
                lagged: lagged.clone(),
                closing: closing.clone(),
            });
            let open: Vec<&Connection> = rooms
                .values()
                .flatten()
                .filter(|c| !c.closing.is_closed())
                .collect();
            close_oldest(
                &open,
                |c| c.session_id == session_id,
                self.limits.per_session,
            );
            close_oldest(&open, |c| c.user_id == user_id, self.limits.per_user);
        }
        Membership {
            hub: self.clone(),
            meeting_id,
            id,
            rx,
            lagged,
            closing,
        }
    }

    /// Tells everyone in the room who is online now (after someone joined or left). Presence is not an
    /// event: it carries no event id and is not replayed; a full queue simply skips it.
    pub fn presence(&self, meeting_id: i64) {
        let Ok(rooms) = self.rooms.lock() else { return };
        let Some(room) = rooms.get(&meeting_id) else {
            return;
        };
        // A family member in their own room is neither named to the table (others may see their item
        // only by pseudonym) nor told who else is there.
        let mut names: Vec<&str> = room
            .iter()
            .filter(|c| c.audience.family.is_none())
            .map(|c| c.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        let html = askama::filters::escape(&names.join(", "), askama::filters::Html)
            .map(|e| e.to_string())
            .unwrap_or_default();
        let json = serde_json::json!({
            "event": null,
            "kind": "presence",
            "fragments": [{"target": "#live-presence", "mode": "replace", "html": html}],
        });
        let message = Arc::new(Message {
            event_id: 0,
            json: json.to_string().into(),
        });
        for c in room.iter().filter(|c| c.audience.family.is_none()) {
            let _ = c.tx.try_send(message.clone());
        }
    }

    /// How many live connections this instance has now, over all rooms.
    pub fn total_connections(&self) -> usize {
        self.rooms
            .lock()
            .map(|r| r.values().map(Vec::len).sum())
            .unwrap_or(0)
    }

    /// How many connections a meeting's room has now.
    pub fn connections(&self, meeting_id: i64) -> usize {
        self.rooms
            .lock()
            .map(|r| r.get(&meeting_id).map_or(0, Vec::len))
            .unwrap_or(0)
    }

    /// Renders an event for one audience (also used to replay missed events to one connection).
    pub fn render(
        &self,
        conn: &mut DbConn,
        reads: &mut Reads,
        event: &Event,
        audience: &Audience,
        redrawn_later: bool,
    ) -> Option<String> {
        (self.renderer)(conn, reads, event, audience, redrawn_later)
    }

    /// Works out the audience of every open socket in `meeting` (or in every room) again, once per
    /// participant and language however many tabs they have open. A participant who is no longer part
    /// of the meeting, or who may now see less, has their sockets closed; the others' audiences are
    /// replaced (so one who may see more sees it from the next event on).
    fn refresh(&self, conn: &mut DbConn, meeting: Option<i64>) {
        let targets: Vec<(i64, u64, i64, Locale)> = match self.rooms.lock() {
            Ok(rooms) => rooms
                .iter()
                .filter(|(m, _)| meeting.is_none_or(|only| only == **m))
                .flat_map(|(m, room)| {
                    room.iter()
                        .filter(|c| !c.closing.is_closed())
                        .map(|c| (*m, c.id, c.user_id, c.audience.locale))
                })
                .collect(),
            Err(_) => return,
        };
        let mut per_user: HashMap<(i64, i64, Locale), Option<Option<Audience>>> = HashMap::new();
        let mut fresh: HashMap<u64, Option<Audience>> = HashMap::new();
        for (m, id, user, locale) in targets {
            let found = per_user
                .entry((m, user, locale))
                .or_insert_with(|| match (self.audience_of)(conn, m, user, locale) {
                    Ok(found) => Some(found),
                    Err(e) => {
                        tracing::warn!(error = %e, meeting = m, "live room could not check access");
                        None
                    }
                })
                .clone();
            fresh.extend(found.map(|a| (id, a)));
        }
        let Ok(mut rooms) = self.rooms.lock() else {
            return;
        };
        for c in rooms.values_mut().flatten() {
            match fresh.remove(&c.id) {
                None => {}
                Some(None) => c.closing.close(Closed::AccessEnded),
                Some(Some(now)) if c.audience.narrowed_to(&now) => {
                    c.closing.close(Closed::AccessChanged)
                }
                Some(Some(now)) => c.audience = now,
            }
        }
    }

    /// Sweeps the open sockets' sessions every `SESSION_SWEEP` until the hub stops.
    fn sweep(&self, pool: &Pool) {
        loop {
            {
                let (lock, cvar) = &self.pause;
                let Ok(paused) = lock.lock() else { return };
                // Checked under the lock that `stop` takes to wake this wait: no wake-up is missed.
                if self.is_stopped() {
                    return;
                }
                if cvar.wait_timeout(paused, SESSION_SWEEP).is_err() {
                    return;
                }
            }
            if self.is_stopped() {
                return;
            }
            self.sweep_sessions(pool);
        }
    }

    /// Closes every socket whose session no longer counts (logged out, expired, its password reset,
    /// its account deactivated). One query per 500 sessions of this instance's sockets; none, and no
    /// connection taken, while no socket is open.
    fn sweep_sessions(&self, pool: &Pool) {
        let mut sessions: Vec<i64> = match self.rooms.lock() {
            Ok(rooms) => rooms
                .values()
                .flatten()
                // A guest behind a one-time link has no session (its id is not positive): the link's
                // own day and item end its access, which the audience checks.
                .filter(|c| !c.closing.is_closed() && c.session_id > 0)
                .map(|c| c.session_id)
                .collect(),
            Err(_) => return,
        };
        if sessions.is_empty() {
            return;
        }
        sessions.sort_unstable();
        sessions.dedup();
        let current = pool
            .get_timeout(Duration::from_secs(1))
            .map_err(|e| e.to_string())
            .and_then(|mut conn| {
                crate::auth::session::current_among(&mut conn, &sessions, self.limits.session_idle)
                    .map_err(|e| e.to_string())
            });
        let current = match current {
            Ok(current) => current,
            Err(e) => {
                tracing::warn!(error = %e, "live room could not check sessions");
                return;
            }
        };
        if let Ok(rooms) = self.rooms.lock() {
            for c in rooms.values().flatten() {
                // Only sockets whose session was asked about: one that joined meanwhile waits for
                // the next sweep.
                if sessions.binary_search(&c.session_id).is_ok() && !current.contains(&c.session_id)
                {
                    c.closing.close(Closed::SessionEnded);
                }
            }
        }
    }

    /// Runs the dispatcher on its own thread until the process ends, on `own` (the server gives it a
    /// pool of its own, of one connection). On PostgreSQL a second thread listens for NOTIFY from every
    /// instance and wakes it. A third sweeps the sessions of the open sockets, on `sweep` (also a pool
    /// of one connection): off the dispatcher's thread, so no event waits behind the sweep (3-6 ms for
    /// a thousand sockets, at times far more), and not behind the requests for a connection.
    pub fn start(
        self: &Arc<Self>,
        (own, sweep): (Pool, Pool),
        url: &DatabaseUrl,
        clock: crate::time::Clock,
    ) {
        let mut threads = Vec::new();
        let (hub, on) = (self.clone(), clock.clone());
        threads.extend(
            std::thread::Builder::new()
                .name("live-sweep".into())
                .spawn(move || on.run(|| hub.sweep(&sweep))),
        );
        if let DatabaseUrl::Postgres(url) = url {
            let hub = self.clone();
            let url = url.clone();
            threads.extend(
                std::thread::Builder::new()
                    .name("live-listen".into())
                    .spawn(move || hub.listen(&url)),
            );
        }
        let hub = self.clone();
        threads.extend(
            std::thread::Builder::new()
                .name("live-dispatch".into())
                .spawn(move || clock.run(|| hub.run(own))),
        );
        if let Ok(mut t) = self.threads.lock() {
            t.extend(threads);
        }
    }

    /// Stops the dispatcher, the listener and the session sweep and waits for them (tests stop an app this way; a server runs
    /// them until the process ends).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.poke();
        if let Ok(_paused) = self.pause.0.lock() {
            self.pause.1.notify_all();
        }
        let threads = self
            .threads
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        for t in threads {
            let _ = t.join();
        }
    }

    fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    fn run(&self, pool: Pool) {
        let mut last = loop {
            match pool
                .get()
                .map_err(|e| e.to_string())
                .and_then(|mut c| events::last_id(&mut c).map_err(|e| e.to_string()))
            {
                Ok(id) => break id,
                Err(e) => {
                    tracing::warn!(error = %e, "live dispatcher waits for the database");
                    if self.is_stopped() {
                        return;
                    }
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        };
        while !self.is_stopped() {
            {
                let (lock, cvar) = &self.wake;
                let Ok(mut woken) = lock.lock() else { return };
                if !*woken {
                    woken = match cvar.wait_timeout(woken, Duration::from_millis(500)) {
                        Ok((w, _)) => w,
                        Err(_) => return,
                    };
                }
                *woken = false;
            }
            if self.is_stopped() {
                return;
            }
            let Ok(mut conn) = pool.get_timeout(Duration::from_secs(1)) else {
                continue;
            };
            let (started, mut handed) = (std::time::Instant::now(), 0);
            loop {
                match events::after(&mut conn, last, 200) {
                    Ok(batch) if batch.is_empty() => break,
                    Ok(batch) => {
                        last = batch.last().map_or(last, |e| e.id);
                        self.dispatch_batch(&mut conn, &batch);
                        handed += batch.len();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live dispatcher could not read events");
                        break;
                    }
                }
            }
            if handed > 0 {
                tracing::debug!(
                    events = handed,
                    ms = started.elapsed().as_secs_f64() * 1000.0,
                    "live dispatch"
                );
            }
        }
    }

    fn listen(&self, url: &str) {
        use diesel::Connection;
        while !self.is_stopped() {
            match diesel::PgConnection::establish(url) {
                Ok(mut conn) => {
                    if conn.batch_execute(&format!("LISTEN {CHANNEL}")).is_err() {
                        std::thread::sleep(Duration::from_secs(1));
                        continue;
                    }
                    // Reading notifications does not block; a short sleep keeps the delay between instances near 20 ms.
                    while !self.is_stopped() {
                        let mut any = false;
                        let mut broken = false;
                        // A broken connection yields errors without end: stop at the first.
                        for n in conn.notifications_iter() {
                            match n {
                                Ok(_) => any = true,
                                Err(_) => {
                                    broken = true;
                                    break;
                                }
                            }
                        }
                        if any {
                            self.poke();
                        }
                        if broken {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "live listener cannot connect"),
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}
