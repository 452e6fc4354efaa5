//! Samenspel: case consultation for Dutch youth, care and safety — one family, one plan, one director.
//!
//! The library holds everything; the `samenspel` binary only parses the command line (see `cli`).

pub mod auth;
pub mod backup;
pub mod calendar;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_region;
pub mod digest;
pub mod domain;
pub mod events;
pub mod export;
pub mod i18n;
pub mod live;
pub mod mail;
pub mod metrics;
pub mod policy;
pub mod record;
pub mod retention;
pub mod schema;
pub mod time;
pub mod watch;
pub mod web;
pub mod webhooks;
pub mod workdays;

use std::net::TcpListener;
use std::sync::Arc;

pub use config::Config;
pub use web::{AppState, app};

rust_i18n::i18n!("locales", fallback = "nl");

/// Opens the database (running pending migrations) and the mailer: everything the app needs to serve,
/// on the clock it is given (the binary gives the wall clock; tests give one they can move).
pub fn build_state(
    config: Config,
    mailer: mail::Mailer,
    clock: time::Clock,
) -> anyhow::Result<AppState> {
    let pool = db::connect(&config.database_url, config.pool_size)?;
    let applied = db::migrate(&mut *pool.get()?)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "database migrated");
    }
    let live = web::live::hub(&config);
    // The live dispatcher, its session sweep and the group-commit writer each have a connection of
    // their own. Taking one from the shared pool, they queued behind every request waiting for one,
    // while every chair's write and every participant's update waits for the writer and the
    // dispatcher (issue 23: fifty chairs at once), and an ended session's sockets for the sweep.
    let own_connection = || db::connect(&config.database_url, 1);
    live.start(
        (own_connection()?, own_connection()?),
        &config.database_url,
        clock.clone(),
    );
    let writes = db::group::GroupWriter::start(own_connection()?, clock.clone());
    Ok(AppState {
        writes,
        pool,
        config: Arc::new(config),
        mailer,
        metrics: live.metrics.clone(),
        live,
        clock,
        password_checks: Arc::default(),
    })
}

/// How a server runs: the binary runs everything; the tests start the background work they need.
#[derive(Clone, Copy, Debug)]
pub struct Serving {
    /// HTTP worker threads (None: one per core).
    pub workers: Option<usize>,
    /// Stop on SIGINT/SIGTERM.
    pub signals: bool,
    /// Every 5 minutes: expired sessions pruned, late referrals told, review digests sent from 07:00 (see [`housekeeping`]).
    pub housekeeping: bool,
    /// The webhook sender.
    pub webhooks: bool,
}

impl Default for Serving {
    fn default() -> Self {
        Serving {
            workers: None,
            signals: true,
            housekeeping: true,
            webhooks: true,
        }
    }
}

/// One round of housekeeping: prunes expired sessions, tells of referrals whose answer is late,
/// from 07:00 sends the review digests due today, brings the monitor's facts up to the log, and once a
/// day removes the personal data of records past their retention period (`retention`). Returns how many sessions were pruned.
pub fn housekeeping(
    pool: &db::Pool,
    mailer: &mail::Mailer,
    config: &Config,
) -> anyhow::Result<usize> {
    let removed = auth::prune_expired(&mut *pool.get()?)?;
    let late = watch::tell_late_referrals(pool, mailer, &config.mail_from, &config.base_url)?;
    if late > 0 {
        tracing::info!(late, "late referrals told");
    }
    let now = time::local(domain::now());
    if chrono::Timelike::hour(&now) >= digest::SEND_FROM_HOUR {
        let sent = digest::send_due(
            pool,
            mailer,
            &config.mail_from,
            &config.base_url,
            now.date_naive(),
        )?;
        if sent > 0 {
            tracing::info!(sent, "review digests sent");
        }
    }
    let read = domain::monitor::facts::catch_up(&mut *pool.get()?)?;
    tracing::debug!(read, "monitor facts caught up");
    let erased = retention::run_once_a_day(pool, now.date_naive())?;
    if erased > 0 {
        tracing::info!(erased, "records past their retention period erased");
    }
    Ok(removed)
}

/// How often housekeeping runs: often enough that a crisis referral's 4-hour answer deadline is told
/// within minutes of passing.
const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// Starts the app on `listener` with the background work `how` asks for, on the current actix system.
/// The binary and the tests both start it this way; await the server to run it.
pub fn start(
    state: AppState,
    listener: TcpListener,
    how: Serving,
) -> std::io::Result<actix_web::dev::Server> {
    let state = actix_web::web::Data::new(state);
    // The background tasks below run on this thread; the HTTP workers install the clock as they start.
    state.clock.install();
    if how.housekeeping {
        let (pool, mailer, config, clock) = (
            state.pool.clone(),
            state.mailer.clone(),
            state.config.clone(),
            state.clock.clone(),
        );
        actix_web::rt::spawn(async move {
            let mut every = actix_web::rt::time::interval(HOUSEKEEPING_EVERY);
            loop {
                every.tick().await;
                let (pool, mailer, config, clock) =
                    (pool.clone(), mailer.clone(), config.clone(), clock.clone());
                let done = actix_web::web::block(move || {
                    clock.run(|| housekeeping(&pool, &mailer, &config))
                })
                .await;
                match done {
                    Ok(Ok(n)) => tracing::debug!(removed = n, "housekeeping"),
                    Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed"),
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
            }
        });
    }
    if how.webhooks {
        webhooks::spawn(webhooks::Sender {
            pool: state.pool.clone(),
            config: state.config.clone(),
            clock: state.clock.clone(),
        });
    }
    let mut server = actix_web::HttpServer::new(move || {
        // Called on each worker thread as it starts: the worker reads this application's clock.
        state.clock.install();
        app(state.clone())
    });
    if let Some(workers) = how.workers {
        server = server.workers(workers);
    }
    if !how.signals {
        server = server.disable_signals();
    }
    Ok(server.listen(listener)?.run())
}

/// Serves the app on `listener` until the server stops, with all its background work.
pub async fn serve(state: AppState, listener: TcpListener) -> std::io::Result<()> {
    start(state, listener, Serving::default())?.await
}
