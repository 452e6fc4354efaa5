//! Data at scale (not a test): generates a database with 100,000 families, 1,000,000 events (a valid
//! hash chain) and 20,000 meetings, then starts the real server on it in a child process and measures
//! start-up (migrations checked, until /readyz answers) and the start page, family search, a family
//! page, the monitor's pages, a meeting page, the partner event feed and registering a member (the
//! duplicate check) as a professional with 400 families (p50 / p95 / p99 over sequential requests),
//! and last `samenspel verify-events` on the whole chain and from the checkpoint it printed.
//!
//!     cargo build --release --bin samenspel --example scale_bench
//!     target/release/examples/scale_bench --families 100000 --events 1000000 --meetings 20000 --requests 300
//!
//! The database is written to target/scale-bench/samenspel.db (kept, so `samenspel verify-events` can
//! be run on it afterwards). With `--database postgres://…/empty` it generates into that (empty)
//! PostgreSQL database instead, and the server runs on it. `--no-monitor` leaves the monitor's pages
//! out (the national-size run of `bench/national` does).

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
    /// Whether the monitor's pages are measured.
    monitor: bool,
}

fn args() -> Args {
    let mut a = Args {
        families: 100_000,
        events: 1_000_000,
        meetings: 20_000,
        requests: 300,
        database: None,
        monitor: true,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut argv: Vec<String> = argv[1..].to_vec();
    // A flag without a value: the monitor's pages (minutes each at national size) are left out.
    if let Some(at) = argv.iter().position(|x| x == "--no-monitor") {
        argv.remove(at);
        a.monitor = false;
    }
    for pair in argv.chunks(2) {
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
/// The partner API token of organisation 1 (the generated database is a benchmark's, not a live one).
const API_TOKEN: &str = "ssp_schaaltest-organisatie-1-leest-de-eventfeed";

/// Seconds between two events: 90 up to a million events, fewer beyond, so the log always spans about
/// the last three years (the events end some weeks before today).
fn spacing(a: &Args) -> i64 {
    if a.events <= 1_000_000 {
        90
    } else {
        (90_000_000 / a.events).max(1)
    }
}

/// A member's date of birth: a parent's about 30 to 48 years ago, a child's 0 to 14.
fn born(family: i64, child: bool) -> chrono::NaiveDate {
    let base = chrono::NaiveDate::from_ymd_opt(if child { 2012 } else { 1978 }, 1, 1).unwrap();
    base + TimeDelta::days((family * 37) % 5_000)
}

/// The `n`th BSN (nine digits passing the eleven test); None for the one in eleven numbers whose check
/// digit would be 10.
fn bsn(n: i64) -> Option<String> {
    let first = 10_000_000 + n;
    let digits: Vec<i64> = first
        .to_string()
        .bytes()
        .map(|b| i64::from(b - b'0'))
        .collect();
    let sum: i64 = digits.iter().zip((2..=9).rev()).map(|(d, w)| d * w).sum();
    let check = sum % 11;
    (check < 10).then(|| format!("{first}{check}"))
}

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

/// target/release/samenspel, next to the examples' folder.
fn server_binary() -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("samenspel"))
        .unwrap()
}

fn start_server(url: &str, port: u16) -> Child {
    Command::new(server_binary())
        .arg("serve")
        .env("DATABASE_URL", url)
        // The pages are measured, not the second factor (else "/" sends to setting one up).
        .env("SAMENSPEL_SECOND_FACTOR", "optional")
        .env("SAMENSPEL_BIND", format!("127.0.0.1:{port}"))
        .env("SAMENSPEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("SAMENSPEL_LOG", "warn")
        // The partner feed is measured, not its rate limit.
        .env("SAMENSPEL_API_RATE_LIMIT", "100000")
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
    timed(name, path, requests, |_| http.get(format!("{base}{path}"))).await
}

/// `requests` sequential requests made by `request` (given the request's number), each answered with
/// success or a redirect: a line of the report with p50, p95 and p99.
async fn timed(
    name: &str,
    label: &str,
    requests: usize,
    request: impl Fn(usize) -> reqwest::RequestBuilder,
) -> String {
    let mut ms = Vec::with_capacity(requests);
    for i in 0..requests {
        let t = Instant::now();
        let r = request(i).send().await.unwrap();
        let status = r.status();
        let body = r.bytes().await.unwrap();
        assert!(
            status.is_success() || status.is_redirection(),
            "{label}: {status} {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(400)
                .collect::<String>()
        );
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p95, p99) = percentiles(ms);
    format!("| {name} `{label}` | {p50:.1} ms | {p95:.1} ms | {p99:.1} ms |")
}

/// The page's CSRF token (the hidden field of its forms).
async fn csrf_token(http: &reqwest::Client, url: &str) -> String {
    let body = http.get(url).send().await.unwrap().text().await.unwrap();
    body.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a form with a CSRF token")
        .to_string()
}

/// Registering a new member of `family` (a BSN no one has, a date of birth some 200 children share):
/// the duplicate check by BSN and by name and date of birth runs in full, and the member is saved.
async fn duplicate_check(
    http: &reqwest::Client,
    base: &str,
    family: i64,
    requests: usize,
) -> String {
    let token = csrf_token(http, &format!("{base}/gezinnen/{family}/gezinsleden/nieuw")).await;
    let fresh: Vec<String> = (80_000_000..).filter_map(bsn).take(requests).collect();
    let born = born(family, true).to_string();
    let url = format!("{base}/gezinnen/{family}/gezinsleden");
    timed(
        "registering a member (duplicate check by BSN, name + date of birth)",
        &format!("POST /gezinnen/{family}/gezinsleden"),
        requests,
        |i| {
            http.post(&url).form(&[
                ("csrf_token", token.as_str()),
                ("name", &format!("Kees Nieuw {i}")),
                ("date_of_birth", &born),
                ("role", "child"),
                ("bsn", &fresh[i]),
                ("street", "Voorstraat"),
                ("house_number", "1"),
                ("postcode", "3311 AA"),
                ("city", "Dordrecht"),
            ])
        },
    )
    .await
}

/// The partner event feed of organisation 1 as a partner polls it: the 100 events after a cursor
/// near the head of the log.
async fn partner_feed(base: &str, a: &Args) -> String {
    let http = reqwest::Client::new();
    let path = format!(
        "/api/v1/events?after={}&limit=100",
        (a.events - 5_000).max(0)
    );
    timed("partner event feed", &path, a.requests, |_| {
        http.get(format!("{base}{path}")).bearer_auth(API_TOKEN)
    })
    .await
}

/// `samenspel verify-events` on the whole chain, then again from the checkpoint it printed: lines of
/// the report with the time and the events per second.
fn verify_events(url: &str) -> Vec<String> {
    let run = |from: Option<&str>| {
        let mut cmd = Command::new(server_binary());
        cmd.arg("verify-events").env("DATABASE_URL", url);
        if let Some(from) = from {
            cmd.args(["--from", from]);
        }
        let t = Instant::now();
        let out = cmd.output().expect("run samenspel verify-events");
        let took = t.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "verify-events: {stderr}");
        let progress = stderr.lines().last().unwrap_or_default().to_string();
        let checkpoint = stdout
            .lines()
            .find_map(|l| l.strip_prefix("Checkpoint: "))
            .unwrap_or_default()
            .to_string();
        (took, progress, checkpoint)
    };
    let (full, progress, checkpoint) = run(None);
    let (incremental, progress_from, _) = run(Some(&checkpoint));
    vec![
        format!("| `samenspel verify-events`, whole chain | {full:.1} s | {progress} | |"),
        format!(
            "| `samenspel verify-events --from <its checkpoint>` | {incremental:.2} s | {progress_from} | |"
        ),
    ]
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
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    (url, size)
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
    let end = (start + TimeDelta::seconds(a.events * spacing(&a))).date();
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
    for (name, path) in monitors.iter().filter(|_| a.monitor) {
        report.push(measured(&coordinator, &base, name, path, a.requests).await);
    }
    // The latest meeting of table 1, which professional 1 chairs.
    let meeting = (a.meetings - 1) / TABLES * TABLES + 1;
    let path = format!("/bijeenkomsten/{meeting}");
    report.push(measured(&http, &base, "meeting page", &path, a.requests).await);
    report.push(partner_feed(&base, &a).await);
    report.push(duplicate_check(&http, &base, family, a.requests).await);
    server.kill().ok();
    server.wait().ok();
    report.extend(verify_events(&url));
    println!("\n| measure | p50 | p95 | p99 |\n| --- | --- | --- | --- |");
    for line in report {
        println!("{line}");
    }
}
