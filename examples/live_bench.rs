//! Benchmark of the live meeting room (not a test): starts the real server on a fresh demo database in a
//! child process, connects N WebSocket participants to each of M meetings, lets each chair move to the
//! next item R times over HTTP, and reports the latency from the chair's POST to each participant's
//! receipt (p50 / p99 / max) and the server's memory per idle connection.
//!
//!     cargo build --release --bin samenspel --example live_bench
//!     target/release/examples/live_bench --participants 200 --meetings 1 --rounds 40
//!     target/release/examples/live_bench --participants 20 --meetings 50 --rounds 20
//!     target/release/examples/live_bench --participants 20 --meetings 50 --rounds 20 --spread-ms 1000
//!     target/release/examples/live_bench --participants 20 --meetings 50 --rounds 20 --database postgres://…/empty
//!     target/release/examples/live_bench --participants 50 --meetings 1 --rounds 40 --login-storm 50

use std::cell::RefCell;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use samenspel::auth::session;
use samenspel::db;
use samenspel::domain::meeting::MeetingPlan;
use samenspel::domain::organisation::{self, OrganisationKind};
use samenspel::domain::table::{self, TableRole};
use samenspel::domain::user::{self, NewUser, Role};
use samenspel::record;

struct Args {
    participants: usize,
    meetings: usize,
    rounds: usize,
    /// The chairs' POSTs of one round are spread evenly over this many milliseconds (0: all at once).
    spread_ms: u64,
    /// An empty PostgreSQL database to run on instead of a temporary SQLite file.
    database: Option<String>,
    /// Run the second half of the rounds while this many logins (argon2) happen at once, again and
    /// again, and compare the fan-out latency with the quiet first half.
    login_storm: usize,
    /// Before the storm (after the memory "before" is read), log each storm account in once, all at
    /// once, and read the memory again: what the first logins leave (the argon2 block, caches filled
    /// once) apart from what a storm adds on top.
    warm_logins: bool,
}

fn args() -> Args {
    let mut a = Args {
        participants: 200,
        meetings: 1,
        rounds: 40,
        spread_ms: 0,
        database: None,
        login_storm: 0,
        warm_logins: false,
    };
    let argv: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < argv.len() {
        if argv[i] == "--warm-logins" {
            a.warm_logins = true;
            i += 1;
            continue;
        }
        if argv[i] == "--database" {
            a.database = Some(argv[i + 1].clone());
            i += 2;
            continue;
        }
        let n: usize = argv[i + 1].parse().expect("a number");
        match argv[i].as_str() {
            "--participants" => a.participants = n,
            "--meetings" => a.meetings = n,
            "--rounds" => a.rounds = n,
            "--spread-ms" => a.spread_ms = n as u64,
            "--login-storm" => a.login_storm = n,
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    a
}

/// Meetings with a chair and `participants` standing members each; returns (meeting, chair token,
/// participant tokens).
/// A meeting, its chair's session token and its participants' tokens.
type Setup = (i64, String, Vec<String>);

fn prepare(url: &str, a: &Args) -> Vec<Setup> {
    let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 2).unwrap();
    let mut conn = pool.get().unwrap();
    db::migrate(&mut conn).unwrap();
    samenspel::demo::seed(&mut conn).unwrap();
    let day = std::time::Duration::from_secs(3600 * 8);
    let setups = db::write(&mut conn, |conn| -> anyhow::Result<Vec<Setup>> {
        let org = organisation::create(conn, "Bench", OrganisationKind::Other, None)?;
        if a.login_storm > 0 {
            let hash = samenspel::auth::password::hash(STORM_PASSWORD)?;
            for i in 0..a.login_storm {
                user::create(
                    conn,
                    NewUser {
                        organisation_id: Some(org.id),
                        email: &format!("storm{i}@bench.example"),
                        name: &format!("Storm {i}"),
                        role: Role::Professional,
                        password_hash: Some(&hash),
                    },
                )?;
            }
        }
        let kind = table::kinds_of(conn, &[1])?
            .into_iter()
            .find(|k| k.code == "mda")
            .unwrap();
        let now = samenspel::domain::now();
        let mut out = Vec::new();
        // One meeting more than measured: the last is the warm-up's (see `warm_writer`).
        for m in 0..=a.meetings {
            let mut new_user = |name: String| -> anyhow::Result<i64> {
                Ok(user::create(
                    conn,
                    NewUser {
                        organisation_id: Some(org.id),
                        email: &format!("{name}@bench.example"),
                        name: &name,
                        role: Role::Professional,
                        password_hash: None,
                    },
                )?
                .id)
            };
            let chair = new_user(format!("chair{m}"))?;
            let members: Vec<i64> = (0..a.participants)
                .map(|p| new_user(format!("p{m}x{p}")))
                .collect::<Result<_, _>>()?;
            let chair_who = record::who(conn, chair)?;
            let t = record::create_table(
                conn,
                &chair_who,
                &kind,
                &format!("Bench tafel {m}"),
                "Bench",
            )?;
            table::add_member(conn, t.id, chair, TableRole::Chair)?;
            for id in &members {
                table::add_member(conn, t.id, *id, TableRole::Member)?;
            }
            let (meeting, _) = record::plan_meeting(
                conn,
                &chair_who,
                &t,
                &MeetingPlan {
                    starts_at: now,
                    ends_at: now + chrono::Duration::hours(2),
                    place: "Bench".into(),
                    online_link: String::new(),
                },
            )?;
            for k in 0..3 {
                let _ =
                    record::add_topic(conn, &chair_who, &meeting, &format!("Onderwerp {k}"), 10)?;
            }
            let chair_token = session::create(conn, chair, day)?;
            let tokens = members
                .iter()
                .map(|id| session::create(conn, *id, day))
                .collect::<Result<_, _>>()?;
            out.push((meeting.id, chair_token, tokens));
        }
        Ok(out)
    })
    .unwrap();
    // As pgbench does before a run: statistics for the rows just loaded, so PostgreSQL's autovacuum does
    // not analyse them in the middle of the measured rounds (on a database in use it did long ago).
    if let db::DbConn::Postgres(_) = &mut *conn {
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, "VACUUM ANALYZE").unwrap();
    }
    setups
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn unix_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

const STORM_PASSWORD: &str = "een lang genoeg wachtwoord";

/// One real login through the pages: the login form for its CSRF cookie and token, then the password.
/// Cookies are carried by hand, so one client (and its connections) serves every login of a task.
async fn log_in(http: &reqwest::Client, base: &str, email: &str) -> bool {
    let Ok(page) = http.get(format!("{base}/inloggen")).send().await else {
        return false;
    };
    let cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("samenspel_csrf="))
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_string();
    let body = page.text().await.unwrap_or_default();
    let Some(token) = body
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
    else {
        return false;
    };
    http.post(format!("{base}/inloggen"))
        .header("Cookie", cookie)
        .form(&[
            ("csrf_token", token),
            ("email", email),
            ("password", STORM_PASSWORD),
        ])
        .send()
        .await
        .is_ok_and(|r| r.status().is_redirection())
}

/// The storm, in a process of its own so it does not delay the measuring one: `n` tasks that each log
/// in again and again until the process is stopped.
async fn storm_worker(base: String, n: usize) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..n {
        let (http, base) = (http.clone(), base.clone());
        tasks.push(actix_web::rt::spawn(async move {
            let email = format!("storm{i}@bench.example");
            loop {
                log_in(&http, &base, &email).await;
            }
        }));
    }
    futures_util::future::join_all(tasks).await;
}

/// As many requests at once as the storm will make, without a password: the login form and /readyz
/// (which takes a database connection on a blocking thread), five times. So the memory "before" the
/// storm already holds what that many requests at once take (buffers, threads and their allocator
/// arenas, database connections), and the difference after is the password hashing's own.
async fn warm_up(http: &reqwest::Client, base: &str, n: usize) {
    for _ in 0..5 {
        let forms = (0..n).flat_map(|_| {
            ["/inloggen", "/readyz"].map(|path| http.get(format!("{base}{path}")).send())
        });
        futures_util::future::join_all(forms).await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
}

/// The form token on a page.
fn form_token(page: &str) -> String {
    page.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a form token on the page")
        .to_string()
}

/// Before the measured rounds, the chair of one more meeting (nobody else in it) starts it and moves
/// through its agenda, as a server that has been running has done: the first writes on the server's
/// own database connections prepare their statements once, and the measured rounds are about fifty
/// chairs on a running server, not about its very first write.
async fn warm_writer(http: &reqwest::Client, base: &str, (meeting, chair, _): &Setup) {
    let page = http
        .get(format!("{base}/bijeenkomsten/{meeting}"))
        .header("Cookie", format!("samenspel_session={chair}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = form_token(&page);
    for direction in [
        "volgende", "volgende", "vorige", "volgende", "vorige", "volgende",
    ] {
        let answer = http
            .post(format!("{base}/bijeenkomsten/{meeting}/{direction}"))
            .header("Cookie", format!("samenspel_session={chair}"))
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert!(answer.status().is_redirection());
    }
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
}

/// Logs each of the `n` storm accounts in once, all at once, and returns the server's memory after.
async fn warm_logins(http: &reqwest::Client, base: &str, n: usize, pid: u32) -> u64 {
    let logins = (0..n).map(|i| {
        let email = format!("storm{i}@bench.example");
        async move { log_in(http, base, &email).await }
    });
    let ok = futures_util::future::join_all(logins)
        .await
        .into_iter()
        .filter(|ok| *ok)
        .count();
    actix_web::rt::time::sleep(Duration::from_millis(1000)).await;
    println!("one login per account before the storm: {ok} of {n} logged in");
    rss_kib(pid)
}

/// The server's memory before and after the login storm, against the bound: one argon2 block
/// (19 MiB) per password worker, of which the server runs (cores − 1), at least one. The highest
/// level seen during the storm (once a round) is shown too: the workers give their blocks back when
/// they run out of work, so "after" alone would not show what the storm held.
fn storm_memory(before_kib: u64, during_kib: u64, after_kib: u64) {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let workers = cores.saturating_sub(1).max(1) as u64;
    let bound = before_kib + workers * 19 * 1024;
    let verdict = |kib: u64| match kib <= bound {
        true => "within".to_string(),
        false => format!("over by {:.1} MiB", (kib - bound) as f64 / 1024.0),
    };
    println!(
        "memory around the login storm: {:.1} MiB before; after it {:.1} MiB, {}; highest reading during it (once a round) {:.1} MiB, {}; bound {:.1} MiB (before + {workers} password worker(s) x 19 MiB)",
        before_kib as f64 / 1024.0,
        after_kib as f64 / 1024.0,
        verdict(after_kib),
        during_kib as f64 / 1024.0,
        verdict(during_kib),
        bound as f64 / 1024.0,
    );
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Successful logins so far, from the sessions table (each login makes one).
fn logins_so_far(url: &str, a: &Args) -> usize {
    if a.login_storm == 0 {
        return 0;
    }
    use diesel::prelude::*;
    let pool = db::connect(&db::DatabaseUrl::parse(url).unwrap(), 1).unwrap();
    samenspel::schema::sessions::table
        .count()
        .get_result::<i64>(&mut pool.get().unwrap())
        .unwrap_or(0) as usize
}

#[actix_web::main]
async fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.get(1).map(String::as_str) == Some("--storm-worker") {
        storm_worker(argv[2].clone(), argv[3].parse().unwrap()).await;
        return;
    }
    let a = args();
    let dir = tempfile::tempdir().unwrap();
    let url = a
        .database
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.path().display()));
    let mut setups = prepare(&url, &a);
    let warm_up_meeting = setups.pop().expect("the warm-up meeting");
    let after = {
        let pool = db::connect(&db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
        samenspel::events::last_id(&mut pool.get().unwrap()).unwrap()
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
    let server = Server(
        Command::new(&exe)
            .arg("serve")
            .env("DATABASE_URL", &url)
            .env("SAMENSPEL_BIND", format!("127.0.0.1:{port}"))
            .env("SAMENSPEL_BASE_URL", &base)
            .env(
                "SAMENSPEL_LOG",
                std::env::var("BENCH_SERVER_LOG").unwrap_or_else(|_| "warn".into()),
            )
            // The storm is about the password: with the second factor required, each login would
            // stop at setting one up and start no session (which is how logins are counted).
            .env("SAMENSPEL_SECOND_FACTOR", "optional")
            .env("SAMENSPEL_OUTBOX_DIR", dir.path().join("outbox"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", exe.display())),
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..100 {
        if http
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let idle_before = rss_kib(server.0.id());

    // Connect everyone; each participant notes when each "current item" message arrives.
    let receipts: Vec<Rc<RefCell<Vec<Vec<Instant>>>>> = setups
        .iter()
        .map(|(_, _, t)| Rc::new(RefCell::new(vec![Vec::new(); t.len()])))
        .collect();
    let ws_base = base.replacen("http", "ws", 1);
    let mut connected = 0;
    for (m, (meeting, _, tokens)) in setups.iter().enumerate() {
        for (p, token) in tokens.iter().enumerate() {
            let (_, mut framed) = awc::Client::new()
                .ws(format!(
                    "{ws_base}/bijeenkomsten/{meeting}/live?after={after}"
                ))
                .header("Cookie", format!("samenspel_session={token}"))
                .connect()
                .await
                .expect("websocket");
            let log = receipts[m].clone();
            actix_web::rt::spawn(async move {
                while let Some(Ok(frame)) = framed.next().await {
                    if let awc::ws::Frame::Text(bytes) = frame
                        && std::str::from_utf8(&bytes)
                            .is_ok_and(|t| t.contains("\"kind\":\"meeting.item_current\""))
                    {
                        log.borrow_mut()[p].push(Instant::now());
                    }
                }
            });
            connected += 1;
        }
    }
    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
    let idle_after = rss_kib(server.0.id());
    println!("connections: {connected}");

    // The chairs move on, round after round; all meetings at once within a round.
    let mut sent: Vec<Vec<Instant>> = vec![Vec::new(); setups.len()];
    // Each chair opens their meeting's page (for its form token), all at once as fifty people in their
    // own browsers would: so each has a connection of their own open when they act, as in a browser,
    // and the first round does not also measure fifty connections being opened at once.
    let pages = setups.iter().map(|(meeting, chair, _)| {
        http.get(format!("{base}/bijeenkomsten/{meeting}"))
            .header("Cookie", format!("samenspel_session={chair}"))
            .send()
    });
    let mut csrf = Vec::new();
    for page in futures_util::future::join_all(pages).await {
        csrf.push(form_token(&page.unwrap().text().await.unwrap()));
    }
    warm_writer(&http, &base, &warm_up_meeting).await;
    let storm_from = if a.login_storm > 0 {
        a.rounds / 2
    } else {
        a.rounds
    };
    let mut post_ms: Vec<(bool, f64)> = Vec::new();
    let mut storm: Option<Server> = None;
    let mut storm_started: Option<Instant> = None;
    let mut storm_logins_before = 0;
    let mut rss_before_storm = 0;
    let mut rss_during_storm = 0;
    let mut rss_after_warm = None;
    let rounds_from = unix_seconds();
    for round in 0..a.rounds {
        if round == storm_from && a.login_storm > 0 {
            // From here on, `login_storm` logins at once, again and again, until the rounds end.
            warm_up(&http, &base, a.login_storm).await;
            rss_before_storm = rss_kib(server.0.id());
            if a.warm_logins {
                rss_after_warm =
                    Some(warm_logins(&http, &base, a.login_storm, server.0.id()).await);
            }
            storm = Some(Server(
                Command::new(std::env::current_exe().unwrap())
                    .args(["--storm-worker", &base, &a.login_storm.to_string()])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap(),
            ));
            storm_started = Some(Instant::now());
            let before = logins_so_far(&url, &a);
            storm_logins_before = before;
            actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        }
        // From no current item: next (the first item), then back and forth between the first two, so
        // every round makes exactly one "current item" event per meeting.
        let direction = if round == 0 || round % 2 == 1 {
            "volgende"
        } else {
            "vorige"
        };
        let gap = Duration::from_millis(a.spread_ms) / setups.len().max(1) as u32;
        let mut posts = Vec::new();
        for (m, (meeting, chair, _)) in setups.iter().enumerate() {
            let req = http
                .post(format!("{base}/bijeenkomsten/{meeting}/{direction}"))
                .header("Cookie", format!("samenspel_session={chair}"))
                .form(&[("csrf_token", csrf[m].as_str())]);
            posts.push(async move {
                actix_web::rt::time::sleep(gap * m as u32).await;
                let at = Instant::now();
                let answer = req.send().await;
                // Timed here, when this chair's answer came (not when the last chair's did).
                (m, at, at.elapsed(), answer)
            });
        }
        for (m, at, took, p) in futures_util::future::join_all(posts).await {
            sent[m].push(at);
            assert!(p.unwrap().status().is_redirection());
            post_ms.push((round >= storm_from, took.as_secs_f64() * 1000.0));
        }
        if storm.is_some() {
            rss_during_storm = rss_during_storm.max(rss_kib(server.0.id()));
        }
        actix_web::rt::time::sleep(Duration::from_millis(150)).await;
    }
    // For a profiler's time filter (`perf record -k realtime`, `perf report --time FROM,TO`).
    eprintln!(
        "rounds from {rounds_from:.3} to {:.3} (unix seconds)",
        unix_seconds()
    );
    let storm_seconds = storm_started.map_or(0.0, |t| t.elapsed().as_secs_f64());
    let storm_logins = logins_so_far(&url, &a).saturating_sub(storm_logins_before);
    drop(storm);
    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
    if a.login_storm > 0 {
        let after = rss_kib(server.0.id());
        storm_memory(rss_before_storm, rss_during_storm, after);
        if let Some(warm) = rss_after_warm {
            println!(
                "memory after one login per account, before the storm: {:.1} MiB; after the storm {:.1} MiB: the storm added {:.1} MiB",
                warm as f64 / 1024.0,
                after as f64 / 1024.0,
                (after as f64 - warm as f64) / 1024.0
            );
        }
    }

    let mut latencies = Vec::new();
    let mut quiet = Vec::new();
    let mut stormy = Vec::new();
    let mut missing = 0;
    let mut slowest = vec![0.0f64; a.rounds];
    for (m, log) in receipts.iter().enumerate() {
        for participant in log.borrow().iter() {
            for (round, at) in sent[m].iter().enumerate() {
                match participant.get(round) {
                    Some(got) => {
                        let ms = got.duration_since(*at).as_secs_f64() * 1000.0;
                        slowest[round] = slowest[round].max(ms);
                        latencies.push(ms);
                        if round < storm_from {
                            quiet.push(ms)
                        } else {
                            stormy.push(ms)
                        }
                    }
                    None => missing += 1,
                }
            }
        }
    }
    latencies.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if a.login_storm > 0 {
        quiet.sort_by(|a, b| a.partial_cmp(b).unwrap());
        stormy.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mean = |storm: bool| {
            let v: Vec<f64> = post_ms
                .iter()
                .filter(|(s, _)| *s == storm)
                .map(|(_, ms)| *ms)
                .collect();
            v.iter().sum::<f64>() / v.len().max(1) as f64
        };
        println!(
            "chair's POST: mean {:.1} ms quiet, {:.1} ms during the storm",
            mean(false),
            mean(true)
        );
        println!(
            "login storm: {storm_logins} logins in {storm_seconds:.1} s by {} accounts at once during the second half; fan-out p50 {:.1} ms / p99 {:.1} ms quiet, p50 {:.1} ms / p99 {:.1} ms during the storm: p99 ratio {:.2}",
            a.login_storm,
            percentile(&quiet, 50.0),
            percentile(&quiet, 99.0),
            percentile(&stormy, 50.0),
            percentile(&stormy, 99.0),
            percentile(&stormy, 99.0) / percentile(&quiet, 99.0)
        );
    }
    println!(
        "participants per meeting: {}, meetings: {}, rounds: {}, chairs' actions spread over {} ms, deliveries: {}, missing: {missing}",
        a.participants,
        a.meetings,
        a.rounds,
        a.spread_ms,
        latencies.len()
    );
    println!(
        "latency POST -> receipt: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN)
    );
    // One slow round is a twentieth of all deliveries: the p99 is the slowest round's.
    let rounds: Vec<String> = slowest.iter().map(|ms| format!("{ms:.0}")).collect();
    println!("slowest receipt per round (ms): {}", rounds.join(" "));
    // Where the time goes: the chair's request itself (the write, its commit and the redirect) against
    // the whole way to the last participant.
    let mut posts: Vec<f64> = post_ms.iter().map(|(_, ms)| *ms).collect();
    posts.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "chair's POST answered: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&posts, 50.0),
        percentile(&posts, 99.0),
        posts.last().copied().unwrap_or(f64::NAN)
    );
    println!(
        "server memory: {idle_before} KiB before, {idle_after} KiB with {connected} idle connections: {:.1} KiB per connection",
        (idle_after.saturating_sub(idle_before)) as f64 / connected.max(1) as f64
    );
    drop(server);
}
