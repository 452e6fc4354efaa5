//! Page throughput (not a test): the real server in a child process on a fresh SQLite database with a
//! running meeting of 30 items; `wrk` loads the meeting page as the signed-in chair with 32 connections,
//! then `/healthz` the same way, and the two are reported side by side (requests/s, p50, p99, ratio).
//!
//!     cargo build --release --bin samenspel --example page_bench
//!     target/release/examples/page_bench --connections 32 --seconds 10
//!
//! Needs `wrk` (Debian: apt-get install wrk).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use samenspel::auth::session;
use samenspel::db;
use samenspel::domain::organisation::{self, OrganisationKind};
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::{self, NewUser, Role};
use samenspel::record;

fn arg(name: &str, default: u64) -> u64 {
    let argv: Vec<String> = std::env::args().collect();
    argv.iter()
        .position(|a| a == name)
        .and_then(|i| argv.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (requests per second, p50 ms, p99 ms) from wrk's `--latency` report.
fn wrk(url: &str, cookie: &str, connections: u64, seconds: u64) -> (f64, f64, f64) {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
            &format!("-d{seconds}s"),
            "--latency",
            "-H",
            &format!("Cookie: samenspel_session={cookie}"),
            url,
        ])
        .output()
        .expect("wrk (apt-get install wrk)");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        !text.contains("Non-2xx"),
        "wrk saw errors for {url}:\n{text}"
    );
    let ms = |token: &str| -> f64 {
        let (number, unit) = token.split_at(
            token
                .find(|c: char| c.is_alphabetic())
                .unwrap_or(token.len()),
        );
        let n: f64 = number.parse().unwrap_or(f64::NAN);
        match unit {
            "us" => n / 1000.0,
            "ms" => n,
            "s" => n * 1000.0,
            _ => f64::NAN,
        }
    };
    let line = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in wrk's report:\n{text}"))
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    let rps: f64 = line("Requests/sec:").parse().unwrap();
    (rps, ms(&line("50%")), ms(&line("99%")))
}

#[actix_web::main]
async fn main() {
    let (connections, seconds, items) = (
        arg("--connections", 32),
        arg("--seconds", 10),
        arg("--items", 30) as usize,
    );
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/bench.db", dir.path().display());
    let (meeting, cookie) = {
        let pool = db::connect(&db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        db::migrate(&mut conn).unwrap();
        db::write(&mut conn, |conn| -> anyhow::Result<(i64, String)> {
            let org =
                organisation::create(conn, "Veilig Thuis", OrganisationKind::VeiligThuis, None)?;
            let chair = user::create(
                conn,
                NewUser {
                    organisation_id: Some(org.id),
                    email: "ingrid@vt.example",
                    name: "Ingrid Smit",
                    role: Role::Professional,
                    password_hash: None,
                },
            )?;
            let who = record::who(conn, chair.id)?;
            let kind = table::kinds_of(conn, &[1])?
                .into_iter()
                .find(|k| k.code == "mda")
                .unwrap();
            let at = record::create_table(conn, &who, &kind, "MDA++ Bench", "Bench")?;
            table::add_member(conn, at.id, chair.id, TableRole::Chair)?;
            let m = samenspel::demo::long_meeting(conn, &who, &at, &who, items, 1)?;
            let token = session::create(conn, chair.id, Duration::from_secs(3600 * 8))?;
            Ok((m.id, token))
        })
        .unwrap()
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let exe = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("samenspel");
    let _server = Server(
        Command::new(&exe)
            .arg("serve")
            .env("DATABASE_URL", &url)
            .env("SAMENSPEL_BIND", format!("127.0.0.1:{port}"))
            .env("SAMENSPEL_BASE_URL", &base)
            .env("SAMENSPEL_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", exe.display())),
    );
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let page = format!("{base}/bijeenkomsten/{meeting}");
    let check = http
        .get(&page)
        .header("Cookie", format!("samenspel_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert!(
        check.status().is_success(),
        "the meeting page: {}",
        check.status()
    );
    let body = check.text().await.unwrap();
    assert!(body.contains("Onderwerp"), "the page shows the agenda");

    let (page_rps, page_p50, page_p99) = wrk(&page, &cookie, connections, seconds);
    let (health_rps, health_p50, health_p99) =
        wrk(&format!("{base}/healthz"), &cookie, connections, seconds);
    println!("| what | requests/s | p50 | p99 |");
    println!("| --- | --- | --- | --- |");
    println!(
        "| meeting page, {items} items, signed in, {connections} connections | {page_rps:.0} | {page_p50:.2} ms | {page_p99:.2} ms |"
    );
    println!(
        "| `/healthz`, {connections} connections | {health_rps:.0} | {health_p50:.2} ms | {health_p99:.2} ms |"
    );
    println!(
        "meeting page / healthz throughput ratio: {:.3}",
        page_rps / health_rps
    );
}
