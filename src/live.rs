//! The live meeting room: every participant's browser sees the meeting change as it happens.
//!
//! One dispatcher per instance reads new events from the database in id order and hands them to the
//! rooms of their meetings; it is woken after a commit on this instance, by PostgreSQL NOTIFY from any
//! other instance, and otherwise polls twice a second. Each event is rendered once per audience (the
//! participants who may see the same things), and every message carries its event id, so a client that
//! reconnects replays what it missed from the event log. A connection whose queue is full is marked
//! lagged and replays from the log too: nothing is dropped.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use tokio::sync::mpsc;

use crate::db::{DatabaseUrl, DbConn, Pool};
use crate::events::{self, Event};
use crate::i18n::Locale;

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
    name: String,
    audience: Audience,
    tx: mpsc::Sender<Arc<Message>>,
    lagged: Arc<AtomicBool>,
}

/// Renders an event for an audience; None when the event shows nothing to anyone in the room.
pub type Renderer = dyn Fn(&mut DbConn, &Event, &Audience) -> Option<String> + Send + Sync;
/// Works out a participant's audience again (after the agenda or the invitations changed).
pub type AudienceOf = dyn Fn(&mut DbConn, i64, i64, Locale) -> Option<Audience> + Send + Sync;

pub struct Hub {
    rooms: Mutex<HashMap<i64, Vec<Connection>>>,
    next_id: AtomicU64,
    wake: (Mutex<bool>, Condvar),
    renderer: Box<Renderer>,
    audience_of: Box<AudienceOf>,
    stopped: AtomicBool,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

/// A participant's place in a room; leaving the room drops it.
pub struct Membership {
    hub: Arc<Hub>,
    meeting_id: i64,
    id: u64,
    pub rx: mpsc::Receiver<Arc<Message>>,
    pub lagged: Arc<AtomicBool>,
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
    pub fn new(renderer: Box<Renderer>, audience_of: Box<AudienceOf>) -> Arc<Hub> {
        Arc::new(Hub {
            rooms: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            wake: (Mutex::new(false), Condvar::new()),
            renderer,
            audience_of,
            stopped: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
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

    pub fn join(
        self: &Arc<Self>,
        meeting_id: i64,
        user_id: i64,
        name: &str,
        audience: Audience,
    ) -> Membership {
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let lagged = Arc::new(AtomicBool::new(false));
        if let Ok(mut rooms) = self.rooms.lock() {
            rooms.entry(meeting_id).or_default().push(Connection {
                id,
                user_id,
                name: name.to_string(),
                audience,
                tx,
                lagged: lagged.clone(),
            });
        }
        Membership {
            hub: self.clone(),
            meeting_id,
            id,
            rx,
            lagged,
        }
    }

    /// Tells everyone in the room who is online now (after someone joined or left). Presence is not an
    /// event: it carries no event id and is not replayed; a full queue simply skips it.
    pub fn presence(&self, meeting_id: i64) {
        let Ok(rooms) = self.rooms.lock() else { return };
        let Some(room) = rooms.get(&meeting_id) else {
            return;
        };
        let mut names: Vec<&str> = room.iter().map(|c| c.name.as_str()).collect();
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
        for c in room {
            let _ = c.tx.try_send(message.clone());
        }
    }

    /// How many connections a meeting's room has now.
    pub fn connections(&self, meeting_id: i64) -> usize {
        self.rooms
            .lock()
            .map(|r| r.get(&meeting_id).map_or(0, Vec::len))
            .unwrap_or(0)
    }

    /// Renders an event for one audience (also used to replay missed events to one connection).
    pub fn render(&self, conn: &mut DbConn, event: &Event, audience: &Audience) -> Option<String> {
        (self.renderer)(conn, event, audience)
    }

    /// Hands one event to its meeting's room: rendered once per audience, queued per connection.
    fn dispatch(&self, conn: &mut DbConn, event: &Event) {
        let Some(meeting_id) = event.meeting_id else {
            return;
        };
        let targets: Vec<(u64, i64, Audience)> = match self.rooms.lock() {
            Ok(rooms) => match rooms.get(&meeting_id) {
                Some(room) => room
                    .iter()
                    .map(|c| (c.id, c.user_id, c.audience.clone()))
                    .collect(),
                None => return,
            },
            Err(_) => return,
        };
        // The agenda or the invitations changed: who may see what is worked out again.
        // Worked out once per participant and language, however many tabs they have open.
        let refreshed: HashMap<u64, Audience> = if event
            .event_kind()
            .is_some_and(|k| k.area() == "agenda")
        {
            let mut per_user: HashMap<(i64, Locale), Option<Audience>> = HashMap::new();
            targets
                .iter()
                .filter_map(|(id, user, a)| {
                    per_user
                        .entry((*user, a.locale))
                        .or_insert_with(|| (self.audience_of)(conn, meeting_id, *user, a.locale))
                        .clone()
                        .map(|n| (*id, n))
                })
                .collect()
        } else {
            HashMap::new()
        };
        let mut rendered: HashMap<Audience, Option<Arc<Message>>> = HashMap::new();
        let mut plan: Vec<(u64, Option<Arc<Message>>)> = Vec::new();
        for (id, _, audience) in &targets {
            let audience = refreshed.get(id).unwrap_or(audience);
            let message = rendered
                .entry(audience.clone())
                .or_insert_with(|| {
                    self.render(conn, event, audience).map(|json| {
                        Arc::new(Message {
                            event_id: event.id,
                            json: json.into(),
                        })
                    })
                })
                .clone();
            plan.push((*id, message));
        }
        if let Ok(mut rooms) = self.rooms.lock()
            && let Some(room) = rooms.get_mut(&meeting_id)
        {
            for c in room.iter_mut() {
                if let Some(a) = refreshed.get(&c.id) {
                    c.audience = a.clone();
                }
                if let Some((_, Some(message))) = plan.iter().find(|(id, _)| *id == c.id)
                    && c.tx.try_send(message.clone()).is_err()
                {
                    // Full (or gone): the connection replays from the event log instead.
                    c.lagged.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// Runs the dispatcher on its own thread until the process ends. On PostgreSQL a second thread
    /// listens for NOTIFY from every instance and wakes it.
    pub fn start(self: &Arc<Self>, pool: Pool, url: &DatabaseUrl, clock: crate::time::Clock) {
        let mut threads = Vec::new();
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
                .spawn(move || clock.run(|| hub.run(pool))),
        );
        if let Ok(mut t) = self.threads.lock() {
            t.extend(threads);
        }
    }

    /// Stops the dispatcher and listener and waits for them (tests stop an app this way; a server runs
    /// them until the process ends).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.poke();
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
            loop {
                match events::after(&mut conn, last, 200) {
                    Ok(batch) if batch.is_empty() => break,
                    Ok(batch) => {
                        for event in &batch {
                            last = event.id;
                            self.dispatch(&mut conn, event);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live dispatcher could not read events");
                        break;
                    }
                }
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
