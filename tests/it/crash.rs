//! Crash safety: the real `samenspel` binary takes decisions and actions from many clients at once, is
//! killed with SIGKILL in the middle, and restarted. Every write it acknowledged (303) is there, nothing
//! is half-written (the event chain verifies with `samenspel verify-events`), and it serves again.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Duration as Days;
use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, TestApp};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `samenspel serve` on this database and port, its output discarded, working in `dir`.
fn start(database_url: &str, port: u16, dir: &std::path::Path) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samenspel"));
    for (name, _, _) in samenspel::config::VARIABLES {
        cmd.env_remove(name);
    }
    cmd.arg("serve")
        .current_dir(dir)
        .env("DATABASE_URL", database_url)
        .env("SAMENSPEL_BIND", format!("127.0.0.1:{port}"))
        .env("SAMENSPEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("SAMENSPEL_LOG", "warn")
        // As the test servers: this test is about a kill, not about logging in (twelve logins of one
        // account within seconds would each wait for a fresh code).
        .env("SAMENSPEL_SECOND_FACTOR", "optional")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start samenspel")
}

async fn wait_ready(port: u16) {
    let started = Instant::now();
    let url = format!("http://127.0.0.1:{port}/readyz");
    loop {
        if let Ok(res) = reqwest::get(&url).await
            && res.status() == StatusCode::OK
        {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not come up"
        );
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One writer: decisions and actions on the item, in turn, until it is told to stop or the server is
/// gone. Returns the texts the server acknowledged.
async fn writer(
    chair: Client,
    meeting: i64,
    item: i64,
    owner: i64,
    name: usize,
    stop: Arc<AtomicBool>,
) -> Vec<String> {
    let page = format!("/bijeenkomsten/{meeting}/punten/{item}");
    let due = (today() + Days::days(14)).format("%Y-%m-%d").to_string();
    let mut acknowledged = Vec::new();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let marker = format!("crash-{name}-{n}");
        let (path, fields) = if n % 2 == 0 {
            (
                format!("{page}/besluiten"),
                vec![
                    ("outcome", "Fase 1: directe veiligheid".to_string()),
                    ("text", marker.clone()),
                    ("rationale", "Geschreven tijdens de crashtest.".into()),
                    ("family_view", "agrees".into()),
                    ("family_words", "Eens.".into()),
                    ("supersedes", String::new()),
                ],
            )
        } else {
            (
                format!("{page}/acties"),
                vec![
                    ("description", marker.clone()),
                    ("owner_user_id", owner.to_string()),
                    ("due_on", due.clone()),
                    ("condition", String::new()),
                    ("family_informed_how", "Ahmed belt Sandra".into()),
                ],
            )
        };
        match chair.try_submit(&page, &path, &fields).await {
            Some(StatusCode::SEE_OTHER) => acknowledged.push(marker),
            Some(other) if other.is_server_error() => panic!("{other} for {marker}"),
            Some(other) => panic!("{other} for {marker}: the form was refused"),
            None => break,
        }
    }
    acknowledged
}

#[actix_web::test]
async fn acknowledged_writes_survive_a_kill_and_the_event_chain_verifies() {
    let mut app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    // From here on the real binary serves this database.
    app.stop_server().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = start(&app.database_url, port, dir.path());
    wait_ready(port).await;
    app.base_url = format!("http://127.0.0.1:{port}");

    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for name in 0..12 {
        let chair = signed_in(&app, "ingrid@vt.example").await;
        writers.push(actix_web::rt::spawn(writer(
            chair,
            meeting,
            jansen_item,
            c.esther.user_id,
            name,
            stop.clone(),
        )));
    }
    // Let them write, then pull the plug while requests are in flight.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.expect("writer"));
    }
    println!("{} writes acknowledged before SIGKILL", acknowledged.len());
    assert!(
        acknowledged.len() >= 24,
        "only {} writes acknowledged before the kill",
        acknowledged.len()
    );

    // Restart on the same database.
    let port = free_port();
    let mut server = start(&app.database_url, port, dir.path());
    wait_ready(port).await;
    app.base_url = format!("http://127.0.0.1:{port}");

    let (decided, acted): (Vec<String>, Vec<String>) = {
        use samenspel::schema::{actions, decisions};
        let mut conn = app.conn();
        (
            decisions::table
                .filter(decisions::text.like("crash-%"))
                .select(decisions::text)
                .load(&mut conn)
                .unwrap(),
            actions::table
                .filter(actions::description.like("crash-%"))
                .select(actions::description)
                .load(&mut conn)
                .unwrap(),
        )
    };
    for marker in &acknowledged {
        assert!(
            decided.contains(marker) || acted.contains(marker),
            "{marker} was acknowledged but is gone"
        );
    }
    // Nothing half-written: each decision and action has its event, and the chain is whole.
    let out = Command::new(env!("CARGO_BIN_EXE_samenspel"))
        .arg("verify-events")
        .env("DATABASE_URL", &app.database_url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    {
        use samenspel::schema::{actions, decisions, events};
        let mut conn = app.conn();
        let decision_ids: Vec<i64> = decisions::table
            .filter(decisions::text.like("crash-%"))
            .select(decisions::id)
            .load(&mut conn)
            .unwrap();
        let action_ids: Vec<i64> = actions::table
            .filter(actions::description.like("crash-%"))
            .select(actions::id)
            .load(&mut conn)
            .unwrap();
        for (kind, subject, ids) in [
            ("decision.recorded", "decision", &decision_ids),
            ("action.created", "action", &action_ids),
        ] {
            let recorded: i64 = events::table
                .filter(events::kind.eq(kind))
                .filter(events::subject_type.eq(subject))
                .filter(events::subject_id.eq_any(ids.iter().map(|i| Some(*i)).collect::<Vec<_>>()))
                .count()
                .get_result(&mut conn)
                .unwrap();
            assert_eq!(recorded as usize, ids.len(), "one {kind} event per row");
        }
    }
    // And it serves again: the chair sees the last acknowledged write on the item.
    let chair = signed_in(&app, "ingrid@vt.example").await;
    let page = chair
        .get(&format!("/bijeenkomsten/{meeting}/punten/{jansen_item}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let last = acknowledged.last().unwrap();
    assert!(page.visible_text().contains(last.as_str()), "{last}");
    server.kill().unwrap();
    server.wait().unwrap();
}
