//! Failover mid-meeting (not a test): HAProxy in front of several instances of the real server on one
//! PostgreSQL database (the reference deployment of `bench/cluster`); participants spread over the
//! instances by the balancer follow a meeting over WebSockets while the chair records decisions, and
//! the instance with the most sockets is killed with SIGKILL again and again (and started again). Every
//! client reconnects through the balancer; the run reports the gap from each kill to the first event
//! after reconnecting (p50 / p99) and the events missed, duplicated or out of order (all must be 0).
//!
//!     cargo build --release --bin samenspel --example failover_bench
//!     target/release/examples/failover_bench --postgres postgres://USER@HOST/postgres \
//!         --instances 3 --participants 200 --kills 5
//!
//! `--postgres` names a server (any database on it): the run creates a database of its own there and
//! drops it at the end. Exits with 1 when an event was missed, duplicated or out of order.
//!
//! With `--limit-requests N` it measures the API's rate limit across the instances instead: one
//! organisation sends N requests spread evenly over them (`limit`); exits with 1 unless the instances
//! together answered exactly the limit (300 a minute by default) and refused the rest.

mod cluster;
mod limit;
mod meeting;
mod run;

use std::time::Duration;

use diesel::{Connection, RunQueryDsl};

struct Args {
    postgres: String,
    instances: usize,
    participants: usize,
    kills: usize,
    every_ms: u64,
    limit_requests: usize,
}

fn args() -> Args {
    let mut a = Args {
        postgres: std::env::var("TEST_DATABASE_URL").unwrap_or_default(),
        instances: 3,
        participants: 200,
        kills: 5,
        every_ms: 100,
        limit_requests: 0,
    };
    let argv: Vec<String> = std::env::args().collect();
    for pair in argv[1..].chunks(2) {
        let [name, value] = pair else {
            panic!("options come as --name value")
        };
        match name.as_str() {
            "--postgres" => a.postgres = value.clone(),
            "--instances" => a.instances = value.parse().expect("a number"),
            "--participants" => a.participants = value.parse().expect("a number"),
            "--kills" => a.kills = value.parse().expect("a number"),
            "--every-ms" => a.every_ms = value.parse().expect("a number"),
            "--limit-requests" => a.limit_requests = value.parse().expect("a number"),
            other => panic!("unknown option {other}"),
        }
    }
    a
}

/// A fresh database on the server for this run, dropped when it ends.
struct Database {
    admin: String,
    name: String,
    url: String,
}

impl Database {
    fn create(admin: &str) -> Database {
        let name = format!("samenspel_failover_{}", std::process::id());
        let mut conn = diesel::PgConnection::establish(admin).expect("--postgres connects");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn)
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap();
        let mut url = url::Url::parse(admin).expect("--postgres is a URL");
        url.set_path(&format!("/{name}"));
        Database {
            admin: admin.to_string(),
            name,
            url: url.to_string(),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let drop = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            let _ = diesel::sql_query(drop).execute(&mut conn);
        }
    }
}

#[actix_web::main]
async fn main() {
    let a = args();
    assert!(
        a.postgres.starts_with("postgres"),
        "--postgres postgres://… is needed: several instances share one PostgreSQL database"
    );
    if !cluster::haproxy_installed() {
        eprintln!("HAProxy is not installed: run `bash bench/cluster install` first");
        std::process::exit(2);
    }
    let database = Database::create(&a.postgres);
    let exe = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("samenspel");
    if a.limit_requests > 0 {
        let token = limit::token(&database.url);
        let cluster = cluster::Cluster::start(&exe, &database.url, a.instances).await;
        let outcome = limit::run(&cluster, &token, a.limit_requests).await;
        for line in outcome.lines(a.limit_requests) {
            println!("{line}");
        }
        drop(cluster);
        drop(database);
        std::process::exit(if outcome.holds(a.limit_requests) {
            0
        } else {
            1
        });
    }
    let setup = meeting::prepare(&database.url, a.participants);
    let every = Duration::from_millis(a.every_ms);
    let mut run = run::Run::start(&exe, &database.url, setup, a.instances, every).await;
    for _ in 0..a.kills {
        actix_web::rt::time::sleep(Duration::from_secs(2)).await;
        run.kill_busiest(true).await;
    }
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let report = run.finish(Duration::from_secs(30)).await;
    for line in report.lines(a.instances, a.participants) {
        println!("{line}");
    }
    let o = &report.outcome;
    let whole = o.missed + o.duplicated + o.out_of_order + o.acknowledged_lost + o.never_recovered;
    drop(run);
    drop(database);
    if whole > 0 {
        std::process::exit(1);
    }
}
