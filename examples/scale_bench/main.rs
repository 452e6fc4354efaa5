//! Data at scale (not a test): generates a database with 100,000 families, 1,000,000 events (a valid
//! hash chain) and 20,000 meetings, then starts the real server on it in a child process and measures
//! start-up (migrations checked, until /readyz answers) and the start page, family search and a family
//! page as a professional with 400 families (p50 / p95 / p99 over sequential requests).
//!
//!     cargo build --release --bin samenspel --example scale_bench
//!     target/release/examples/scale_bench --families 100000 --events 1000000 --meetings 20000 --requests 300
//!
//! The database is written to target/scale-bench/samenspel.db (kept, so `samenspel verify-events` can
//! be run on it afterwards). With `--database postgres://…/empty` it generates into that (empty)
//! PostgreSQL database instead, and the server runs on it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, TimeDelta};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use samenspel::db;
use samenspel::events::{EventKind, GENESIS_HASH, hash_fields, hashed_digest, payload_digest};
use samenspel::schema::*;

struct Args {
    families: i64,
    events: i64,
    meetings: i64,
    requests: usize,
    /// An empty PostgreSQL database to generate into instead of a SQLite file.
    database: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        families: 100_000,
        events: 1_000_000,
        meetings: 20_000,
        requests: 300,
        database: None,
    };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv[1..].chunks(2) {
        if pair[0] == "--database" {
            a.database = pair.get(1).cloned();
            continue;
        }
        let n: i64 = pair.get(1).and_then(|v| v.parse().ok()).expect("a number");
        match pair[0].as_str() {
            "--families" => a.families = n,
            "--events" => a.events = n,
            "--meetings" => a.meetings = n,
            "--requests" => a.requests = n as usize,
            other => panic!("unknown option {other}"),
        }
    }
    a
}

const PROFESSIONALS: i64 = 500;
const ORGANISATIONS: i64 = 20;
const TABLES: i64 = 100;
const SURNAMES: &[&str] = &[
    "Jansen",
    "de Vries",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Broek",
    "El Amrani",
    "Yilmaz",
    "Öztürk",
];
const PLACES: &[&str] = &[
    "Dordrecht",
    "Zwijndrecht",
    "Papendrecht",
    "Sliedrecht",
    "Gorinchem",
    "Hardinxveld-Giessendam",
];

/// The generator, once per engine: the same batch inserts on SQLite's and PostgreSQL's own connection
/// (the app's connection, which serves both, takes no batch inserts).
mod on_sqlite {
    use super::*;
    type Conn = diesel::SqliteConnection;
    include!("generate.rs");
}
mod on_postgres {
    use super::*;
    type Conn = diesel::PgConnection;
    include!("generate.rs");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_server(url: &str, port: u16) -> Child {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("samenspel"))
        .unwrap();
    Command::new(bin)
        .arg("serve")
        .env("DATABASE_URL", url)
        // The pages are measured, not the second factor (else "/" sends to setting one up).
        .env("SAMENSPEL_SECOND_FACTOR", "optional")
        .env("SAMENSPEL_BIND", format!("127.0.0.1:{port}"))
        .env("SAMENSPEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("SAMENSPEL_LOG", "warn")
        // The accounts log in with a password alone (a deployment's default asks a second factor).
        .env("SAMENSPEL_SECOND_FACTOR", "optional")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start target/release/samenspel (build it first)")
}

fn percentiles(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let at = |q: f64| {
        ms[((ms.len() as f64 * q).ceil() as usize)
            .saturating_sub(1)
            .min(ms.len() - 1)]
    };
    (at(0.50), at(0.95), at(0.99))
}

/// A client logged in as `email`.
async fn login(base: &str, email: &str) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = http.get(format!("{base}/inloggen")).send().await.unwrap();
    let body = login.text().await.unwrap();
    let token = body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let res = http
        .post(format!("{base}/inloggen"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", email),
            ("password", "een lang genoeg wachtwoord"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "login: {}", res.status());
    http
}

/// `requests` sequential requests of `path`: a line of the report with p50, p95 and p99.
async fn measured(
    http: &reqwest::Client,
    base: &str,
    name: &str,
    path: &str,
    requests: usize,
) -> String {
    let mut ms = Vec::with_capacity(requests);
    for _ in 0..requests {
        let t = Instant::now();
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        let _ = r.bytes().await.unwrap();
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95, p99) = percentiles(ms);
    format!("| {name} `{path}` | {p50:.1} ms | {p95:.1} ms | {p99:.1} ms |")
}

/// Generates into target/scale-bench/samenspel.db (made anew); returns its address and size in bytes.
fn generate_sqlite(a: &Args) -> (String, u64) {
    let dir = std::path::Path::new("target/scale-bench");
    std::fs::create_dir_all(dir).unwrap();
    let file = dir.join("samenspel.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let url = format!("sqlite://{}", file.display());
    {
        let pool = db::connect(&db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
        db::migrate(&mut pool.get().unwrap()).unwrap();
    }
    let mut conn = SqliteConnection::establish(&file.to_string_lossy()).unwrap();
    conn.batch_execute("PRAGMA synchronous = OFF;").unwrap();
    conn.transaction(|c| -> QueryResult<()> {
        on_sqlite::generate(c, a);
        Ok(())
    })
    .unwrap();
    monitor_facts(&url);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    (url, size)
}

/// Brings the monitor's facts up to the generated log, as the running server's housekeeping would
/// (every five minutes) before anyone opens the monitor; prints how long the whole log took.
fn monitor_facts(url: &str) {
    let t = Instant::now();
    let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    let read = samenspel::domain::monitor::facts::catch_up(&mut pool.get().unwrap()).unwrap();
    println!(
        "monitor facts: {read} events read in {:.1} s",
        t.elapsed().as_secs_f64()
    );
}

/// Generates into the empty PostgreSQL database `url` (the caller makes and drops it); returns its
/// size in bytes. The tables are vacuumed and their statistics gathered afterwards, as autovacuum
/// would in time (the monitor reads its events from an index alone, which needs the visibility map).
fn generate_postgres(url: &str, a: &Args) -> u64 {
    {
        let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
        db::migrate(&mut pool.get().unwrap()).unwrap();
    }
    let mut conn = PgConnection::establish(url).unwrap();
    conn.batch_execute("SET synchronous_commit = off;").unwrap();
    conn.transaction(|c| -> QueryResult<()> {
        on_postgres::generate(c, a);
        Ok(())
    })
    .unwrap();
    monitor_facts(url);
    conn.batch_execute("VACUUM ANALYZE;").unwrap();
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        bytes: i64,
    }
    diesel::sql_query("SELECT pg_database_size(current_database()) AS bytes")
        .get_result::<Size>(&mut conn)
        .map_or(0, |s| s.bytes as u64)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let a = args();
    let start = samenspel::domain::now() - TimeDelta::days(3 * 365);
    let t = Instant::now();
    let (url, size) = match &a.database {
        Some(url) => (url.clone(), generate_postgres(url, &a)),
        None => generate_sqlite(&a),
    };
    let generated = t.elapsed();
    println!(
        "generated {} families, {} events, {} meetings in {:.1} s ({} MiB)",
        a.families,
        a.events,
        a.meetings,
        generated.as_secs_f64(),
        size / (1 << 20)
    );

    // Start-up: from spawning the server (which checks the migrations) until /readyz answers.
    let port = free_port();
    let started = Instant::now();
    let mut server = start_server(&url, port);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    loop {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no start");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let startup = started.elapsed();

    // Professional 1: director of 200 families and involved with 200 more.
    let http = login(&base, "prof1@schaal.example").await;
    let family = 1 + PROFESSIONALS; // directed by professional 1
    let pages = [
        ("start page", "/".to_string()),
        ("family search", "/gezinnen?q=berg".to_string()),
        ("family page", format!("/gezinnen/{family}")),
    ];
    let mut report = vec![format!(
        "| start-up (spawn until /readyz, migrations checked) | {:.0} ms | | |",
        startup.as_secs_f64() * 1000.0
    )];
    for (name, path) in &pages {
        report.push(measured(&http, &base, name, path, a.requests).await);
    }
    // Professional 0 coordinates the partnership: its monitor for the last year of the data (the
    // events end about 53 days before today), and a table's.
    let coordinator = login(&base, "prof0@schaal.example").await;
    let end = (start + TimeDelta::seconds(a.events * 90)).date();
    let period = format!("van={}&tot={}", end - TimeDelta::days(364), end);
    let monitors = [
        (
            "monitor, partnership, a year",
            format!("/beheer/samenwerkingsverbanden/1/monitor?{period}"),
        ),
        (
            "monitor, table, a year",
            format!("/overleggen/1/monitor?{period}"),
        ),
    ];
    for (name, path) in &monitors {
        report.push(measured(&coordinator, &base, name, path, a.requests).await);
    }
    server.kill().ok();
    server.wait().ok();
    println!("\n| measure | p50 | p95 | p99 |\n| --- | --- | --- | --- |");
    for line in report {
        println!("{line}");
    }
}
