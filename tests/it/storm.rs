//! A reconnect storm in the live room: five participants drop and reconnect 1,000 times in all while
//! the chair records decisions. At the end each participant's state (the fragments it applied, in
//! order) equals what the server gives a fresh connection replaying the meeting from the start, and it
//! has every meeting event exactly once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::meeting::{decide, run_meeting};
use crate::common::world::{Cast, signed_in};
use crate::common::{Socket, TestApp};

/// What a participant's page holds: the event ids it applied and the content of every target.
#[derive(Default, Debug, PartialEq)]
struct State {
    events: Vec<i64>,
    targets: HashMap<String, String>,
    /// Messages for events the page already had (the server should send none).
    repeated: usize,
}

impl State {
    fn apply(&mut self, message: &serde_json::Value) {
        let id = message["event"].as_i64().expect("an event id");
        if self.events.last().is_some_and(|last| *last >= id) {
            // A page ignores what it has (live.js does the same with the id); counted, as it should
            // not happen.
            self.repeated += 1;
            return;
        }
        self.events.push(id);
        for f in message["fragments"].as_array().into_iter().flatten() {
            let target = f["target"].as_str().unwrap_or_default().to_string();
            let html = f["html"].as_str().unwrap_or_default();
            match f["mode"].as_str() {
                Some("append") => self.targets.entry(target).or_default().push_str(html),
                _ => {
                    self.targets.insert(target, html.to_string());
                }
            }
        }
    }

    fn last(&self, start: i64) -> i64 {
        self.events.last().copied().unwrap_or(start)
    }
}

async fn session(app: &TestApp, email: &str) -> String {
    signed_in(app, email)
        .await
        .cookie("samenspel_session")
        .expect("session cookie")
}

/// Reads until the room is quiet for `quiet`.
async fn drain(socket: &mut Socket, state: &mut State, quiet: Duration) {
    while let Some(m) = socket.next_event(quiet).await {
        state.apply(&m);
    }
}

#[actix_web::test]
async fn a_thousand_reconnects_while_the_chair_decides_leave_everyone_with_the_servers_state() {
    const RECONNECTS: usize = 1000;
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, bakker_item) = run_meeting(&app, &c, false).await;
    let start = samenspel::events::last_id(&mut app.conn()).unwrap();
    let emails = [
        "ingrid@vt.example",
        "karin@wijkteam.example",
        "esther@ggz.example",
        "ahmed@vt.example",
        "ruud@politie.example",
    ];
    let mut sessions = Vec::new();
    for e in emails {
        sessions.push(session(&app, e).await);
    }

    let done = Rc::new(RefCell::new(0usize));
    let mut participants = Vec::new();
    for (n, token) in sessions.iter().cloned().enumerate() {
        let (base, done) = (app.base_url.clone(), done.clone());
        participants.push(actix_web::rt::spawn(async move {
            let mut state = State::default();
            let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ (n as u64 + 1);
            let mut mine = 0;
            while mine < RECONNECTS / 5 {
                let mut socket = Socket::open(&base, meeting, &token, state.last(start)).await;
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Stay between 0 and 15 ms, then drop without a goodbye.
                let stay = Duration::from_millis(seed % 16);
                while let Some(m) = socket.next_event(stay).await {
                    state.apply(&m);
                }
                drop(socket);
                mine += 1;
                *done.borrow_mut() += 1;
            }
            (token, state)
        }));
    }

    // Meanwhile the chair decides, on both families' items.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let mut decided = 0;
    while *done.borrow() < RECONNECTS * 9 / 10 {
        let item = if decided % 3 == 2 {
            bakker_item
        } else {
            jansen_item
        };
        let page = decide(&ingrid, meeting, item, "Fase 1: directe veiligheid", "").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        decided += 1;
    }
    assert!(decided >= 10, "only {decided} decisions during the storm");

    let mut finals = Vec::new();
    for p in participants {
        let (token, mut state) = p.await.unwrap();
        // Back for good: catch up with what happened since the last drop.
        let mut socket = Socket::open(&app.base_url, meeting, &token, state.last(start)).await;
        drain(&mut socket, &mut state, Duration::from_millis(700)).await;
        finals.push((token, state));
    }
    assert_eq!(*done.borrow(), RECONNECTS);

    let server: Vec<i64> = {
        use samenspel::schema::events;
        events::table
            .filter(events::meeting_id.eq(meeting))
            .filter(events::id.gt(start))
            .order(events::id.asc())
            .select(events::id)
            .load(&mut app.conn())
            .unwrap()
    };
    assert!(
        server.len() >= decided,
        "{} events for {decided} decisions",
        server.len()
    );
    for ((token, state), email) in finals.iter().zip(emails) {
        // The server's state for this participant: a fresh page replaying the meeting from the start.
        let mut fresh = State::default();
        let mut socket = Socket::open(&app.base_url, meeting, token, start).await;
        drain(&mut socket, &mut fresh, Duration::from_millis(700)).await;
        assert_eq!(
            fresh.events, server,
            "{email}: the replay has every meeting event"
        );
        assert_eq!(state.events, server, "{email}: every event once, in order");
        assert_eq!(state, &fresh, "{email}: the same page as the server's");
    }
    println!(
        "{RECONNECTS} reconnects, {decided} decisions, {} events",
        server.len()
    );
}
