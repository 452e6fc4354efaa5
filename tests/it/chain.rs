//! `samenspel verify-events` on a long log: a progress line while it streams the chain, a checkpoint
//! after a run that passes, and a run from that checkpoint that checks only what came after it (run as
//! an operator runs it, on SQLite and on PostgreSQL).

use std::process::{Command, Output};

use diesel::prelude::*;
use samenspel::db::{self, DatabaseUrl, DbConn};
use samenspel::events::{self, Actor, EventKind, NewEvent};
use samenspel::schema::events as events_table;

use crate::common::TestDatabase;

/// A demo database on the engine of this test run: the database, its address and a connection pool.
fn demo() -> (TestDatabase, String, db::Pool) {
    let (database, url) = TestDatabase::create();
    let pool = db::connect(&DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
    db::migrate(&mut pool.get().unwrap()).unwrap();
    samenspel::demo::seed(&mut pool.get().unwrap()).unwrap();
    (database, url, pool)
}

fn verify_events(url: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samenspel"));
    for (name, _, _) in samenspel::config::VARIABLES {
        cmd.env_remove(name);
    }
    cmd.arg("verify-events")
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// The number in "…: N events, every link verified".
fn count(stdout: &str) -> u64 {
    stdout
        .split(" events, every link verified")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {stdout}"))
}

/// The "Checkpoint: <id>:<hash>" line's checkpoint.
fn checkpoint(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Checkpoint: "))
        .unwrap_or_else(|| panic!("no checkpoint in {stdout}"))
        .to_string()
}

/// Appends `n` events as the application does (each in its own write transaction).
fn append(conn: &mut DbConn, n: usize) -> Vec<i64> {
    (0..n)
        .map(|i| {
            db::write(conn, |c| {
                events::append(
                    c,
                    Actor::default(),
                    NewEvent {
                        family_id: None,
                        kind: EventKind::FamilyUpdated,
                        subject_type: "family",
                        subject_id: None,
                        data: serde_json::json!({ "name": format!("later {i}") }),
                        meeting_id: None,
                    },
                )
            })
            .unwrap()
            .id
        })
        .collect()
}

/// Changes an event's payload by hand, past the append-only trigger (someone with database access).
fn tamper(conn: &mut DbConn, postgres: bool, id: i64) {
    let disable = if postgres {
        "ALTER TABLE events DISABLE TRIGGER events_no_update"
    } else {
        "DROP TRIGGER IF EXISTS events_no_update"
    };
    diesel::sql_query(disable).execute(conn).unwrap();
    diesel::update(events_table::table.find(id))
        .set(events_table::data.eq(r#"{"name":"iemand anders"}"#))
        .execute(conn)
        .unwrap();
}

#[test]
fn a_run_from_the_checkpoint_agrees_with_a_full_run_and_finds_a_change_after_it() {
    let (database, url, pool) = demo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keten.checkpoint");
    let file_arg = file.to_string_lossy().to_string();

    // The first run has no checkpoint yet: it verifies everything, says how far it got and how fast,
    // and keeps the checkpoint in the file.
    let first = verify_events(&url, &["--checkpoint", &file_arg]);
    let (stdout, stderr) = text(&first);
    assert!(first.status.success(), "{stderr}");
    assert!(stdout.contains("The event log is intact: "), "{stdout}");
    let progress = stderr.lines().last().unwrap_or_default();
    let seeded = count(&stdout);
    assert!(
        progress.starts_with(&format!("verify-events: {seeded} events verified in "))
            && progress.ends_with(" events/s)"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(&file).unwrap();
    assert_eq!(kept.trim(), checkpoint(&stdout));
    assert!(stdout.contains("Checkpoint written to "), "{stdout}");

    let mut conn = pool.get().unwrap();
    let later = append(&mut conn, 5);

    // From the checkpoint: only the five new events; a full run counts them all and ends at the
    // same event with the same hash.
    let from = verify_events(&url, &["--checkpoint", &file_arg]);
    let (from_out, from_err) = text(&from);
    assert!(from.status.success(), "{from_err}");
    let point = kept.trim().split(':').next().unwrap();
    assert!(
        from_out.contains(&format!("intact after checkpoint event {point}: 5 events")),
        "{from_out}"
    );
    assert!(
        from_err.contains("verify-events: 5 events verified"),
        "{from_err}"
    );
    let full = verify_events(&url, &[]);
    let (full_out, full_err) = text(&full);
    assert!(full.status.success(), "{full_err}");
    assert_eq!(count(&full_out), seeded + 5);
    assert_eq!(checkpoint(&full_out), checkpoint(&from_out));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap().trim(),
        checkpoint(&from_out),
        "the run from the checkpoint moved it on"
    );
    assert!(
        checkpoint(&from_out).starts_with(&format!("{}:", later[4])),
        "{from_out}"
    );

    // An event after the checkpoint changed by hand: the run from an earlier checkpoint names it.
    tamper(&mut conn, database.is_postgres(), later[2]);
    let found = verify_events(&url, &["--from", kept.trim()]);
    let (_, found_err) = text(&found);
    assert_eq!(found.status.code(), Some(1), "{found_err}");
    assert!(
        found_err.contains(&format!("broken at event {} (", later[2]))
            && found_err.contains("does not match its digest"),
        "{found_err}"
    );
}

#[test]
fn a_change_before_the_checkpoint_is_found_by_a_full_run_and_a_rewritten_chain_by_the_checkpoint() {
    let (database, url, pool) = demo();
    let first = verify_events(&url, &[]);
    let (stdout, stderr) = text(&first);
    assert!(first.status.success(), "{stderr}");
    let point = checkpoint(&stdout);
    let (id, hash) = point.split_once(':').unwrap();

    // What the checkpoint cannot see: a change to an event before it. Only a full run finds it.
    let mut conn = pool.get().unwrap();
    tamper(&mut conn, database.is_postgres(), 3);
    let from = verify_events(&url, &["--from", &point]);
    assert!(from.status.success(), "{}", text(&from).1);
    let full = verify_events(&url, &[]);
    assert_eq!(full.status.code(), Some(1));
    assert!(
        text(&full).1.contains("broken at event 3 ("),
        "{}",
        text(&full).1
    );

    // A checkpoint kept elsewhere does see a chain rebuilt up to it: its event's hash is different.
    let other = format!("{id}:{}", hash.chars().rev().collect::<String>());
    let rebuilt = verify_events(&url, &["--from", &other]);
    let (_, rebuilt_err) = text(&rebuilt);
    assert_eq!(rebuilt.status.code(), Some(1), "{rebuilt_err}");
    assert!(
        rebuilt_err.contains(&format!("broken at event {id} ("))
            && rebuilt_err.contains("checkpoint's hash"),
        "{rebuilt_err}"
    );
    // Something that is not a checkpoint is refused with the form it should have.
    let wrong = verify_events(&url, &["--from", "gisteren"]);
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).1.contains("expected <event id>:<hash>"),
        "{}",
        text(&wrong).1
    );
}
