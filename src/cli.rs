//! The command line: serve (default), demo, migrate, verify-events, erase-payloads, retention,
//! send-digests,
//! backup, restore, create-admin.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::auth::token::{self, Purpose};
use crate::config::{self, Config};
use crate::db::{self, DatabaseUrl};
use crate::domain::user::{self, NewUser, Role};
use crate::mail::Mailer;

#[derive(Parser)]
#[command(
    name = "samenspel",
    version,
    about = "Samenspel: case consultation for Dutch youth, care and safety.",
    long_about = "Samenspel: case consultation for Dutch youth, care and safety — one family, one plan, \
                  one director.\n\nSettings come from environment variables (listed below).",
    after_help = variables_help()
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server (the default when no command is given).
    Serve,
    /// Create a fresh demo database with organisations and accounts, print the logins, then serve.
    ///
    /// Without DATABASE_URL it (re)creates data/demo.db. With DATABASE_URL it fills that database,
    /// which must not have any accounts yet.
    Demo,
    /// Bring the database schema up to date and exit.
    Migrate,
    /// Check the hash chain of the event log and report the first broken link (exit code 1 if any).
    ///
    /// The events stream through in batches, with a progress line on stderr. A run that passes prints
    /// a checkpoint (`<event id>:<hash>`); a later run can start there (`--from`, `--checkpoint`) and
    /// checks only the events after it, and that the checkpoint's event still has that hash. A
    /// checkpoint is only as trustworthy as the place it is kept: whoever can write the database can
    /// rebuild the whole chain, and only a checkpoint out of their reach shows that. Run without one
    /// now and then: a change before the checkpoint is found only by a full run.
    VerifyEvents {
        /// Start at this checkpoint (`<event id>:<hash>`, as an earlier run printed it).
        #[arg(long, value_name = "ID:HASH")]
        from: Option<String>,
        /// A file that keeps the checkpoint: when it exists the run starts at the checkpoint in it
        /// (unless --from says otherwise), and a run that passes writes its new checkpoint there.
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<std::path::PathBuf>,
    },
    /// Erase the payloads (names, reasons) of a closed family's events at the end of its retention
    /// period; what happened, when and by whom stays, and `verify-events` still passes and names them.
    ErasePayloads {
        /// The family's number (its id).
        #[arg(long)]
        family: i64,
    },
    /// Remove the personal data of closed families past their retention period (the partnership's
    /// setting, 20 years from closing by default); anonymous figures and a tombstone event stay, and
    /// `verify-events` still passes. The server also does this once a day.
    Retention {
        /// Only list the families whose data would be removed.
        #[arg(long)]
        dry_run: bool,
    },
    /// Send today's review digests now (the server sends them by itself from 07:00).
    SendDigests,
    /// Write a backup of the database while the server runs, and check it (SQLite: a consistent copy
    /// with its event chain verified; PostgreSQL: pg_dump in its custom format).
    Backup {
        /// The new file to write.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Put a checked backup in place of the SQLite database (stop the server first; on PostgreSQL use
    /// pg_restore, as the message says).
    Restore {
        /// The backup file made by `samenspel backup`.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Create a system administrator and print a link to set the password (valid for 7 days).
    CreateAdmin {
        /// Email address of the administrator.
        #[arg(long)]
        email: String,
        /// Full name of the administrator.
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input instead of printing a link.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn variables_help() -> String {
    let mut text = String::from("Environment variables:\n");
    for (name, default, meaning) in config::VARIABLES {
        text.push_str(&format!(
            "  {name:<32} {meaning}\n  {:<32} default: {default}\n",
            ""
        ));
    }
    text
}

/// Runs the command line and returns the process exit code; errors are one line on stderr.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let demo = matches!(cli.command, Some(Command::Demo));
    let config = match load_config(demo) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("samenspel: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(&config);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Demo => demo_then_serve(config),
        Command::Migrate => migrate(&config),
        Command::VerifyEvents { from, checkpoint } => {
            verify_events(&config, from.as_deref(), checkpoint.as_deref())
        }
        Command::ErasePayloads { family } => erase_payloads(&config, family),
        Command::Retention { dry_run } => retention(&config, dry_run),
        Command::SendDigests => send_digests(config),
        Command::Backup { to } => {
            crate::backup::backup(&config.database_url, &to).map(|m| println!("{m}"))
        }
        Command::Restore { from } => {
            crate::backup::restore(&config.database_url, &from).map(|m| println!("{m}"))
        }
        Command::CreateAdmin {
            email,
            name,
            password_stdin,
        } => create_admin(&config, &email, &name, password_stdin),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("samenspel: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(demo: bool) -> Result<Config, config::ConfigError> {
    let demo_default = demo && std::env::var("DATABASE_URL").map_or(true, |v| v.trim().is_empty());
    Config::from_lookup(|name| {
        if demo_default && name == "DATABASE_URL" {
            return Some(crate::demo::DEFAULT_DATABASE_URL.to_string());
        }
        // The demo's accounts log in with the printed password alone, unless asked otherwise.
        if demo && name == "SAMENSPEL_SECOND_FACTOR" {
            return Some(std::env::var(name).unwrap_or_else(|_| "optional".into()));
        }
        std::env::var(name).ok()
    })
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if config.log_json {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}

fn bind(config: &Config) -> anyhow::Result<TcpListener> {
    TcpListener::bind(config.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {} (SAMENSPEL_BIND): {e}", config.bind))
}

fn serve(config: Config) -> anyhow::Result<()> {
    let listener = bind(&config)?;
    let mailer = Mailer::from_config(&config.mail)?;
    let url = config.base_url.clone();
    let database = config.database_url.redacted();
    let state = crate::build_state(config, mailer, crate::time::Clock::wall())?;
    tracing::info!(%url, %database, "Samenspel is listening");
    actix_web::rt::System::new().block_on(crate::serve(state, listener))?;
    Ok(())
}

fn demo_then_serve(config: Config) -> anyhow::Result<()> {
    let listener = bind(&config)?;
    if config.database_url
        == DatabaseUrl::parse(crate::demo::DEFAULT_DATABASE_URL).map_err(anyhow::Error::msg)?
    {
        crate::demo::remove_sqlite_files(&config.database_url)?;
    }
    let mailer = Mailer::from_config(&config.mail)?;
    let state = crate::build_state(config, mailer, crate::time::Clock::wall())?;
    let logins = crate::demo::seed(&mut *state.pool.get()?)?;
    println!(
        "{}",
        crate::demo::print_logins(&logins, &state.config.base_url)
    );
    println!(
        "{}",
        if state.config.second_factor_required {
            "Second factor required: at the first login each staff account sets one up with an \
             authenticator app (the page shows a QR code and the key as text)."
        } else {
            "Second factor optional in the demo (SAMENSPEL_SECOND_FACTOR=required to try it at \
             login); any account can set one up under Mijn account → Tweede factor."
        }
    );
    actix_web::rt::System::new().block_on(crate::serve(state, listener))?;
    Ok(())
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1)?;
    let applied = db::migrate(&mut *pool.get()?)?;
    if applied.is_empty() {
        println!(
            "The database {} is up to date.",
            config.database_url.redacted()
        );
    } else {
        for name in applied {
            println!("applied {name}");
        }
    }
    Ok(())
}

fn send_digests(config: Config) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1)?;
    db::migrate(&mut *pool.get()?)?;
    let mailer = crate::mail::Mailer::from_config(&config.mail)?;
    let today = crate::time::today();
    let sent = crate::digest::send_due(&pool, &mailer, &config.mail_from, &config.base_url, today)?;
    println!("Review digests sent: {sent}.");
    Ok(())
}

/// Where a run of verify-events starts: `--from`, else the checkpoint file when there is one, else
/// the first event.
fn verify_start(
    from: Option<&str>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<crate::events::Checkpoint> {
    use crate::events::Checkpoint;
    let stored = match (from, file) {
        (Some(text), _) => Some((text.to_string(), "--from".to_string())),
        (None, Some(path)) if path.exists() => Some((
            std::fs::read_to_string(path)?,
            format!("the file {}", path.display()),
        )),
        _ => None,
    };
    match stored {
        None => Ok(Checkpoint::genesis()),
        Some((text, source)) => Checkpoint::parse(&text).ok_or_else(|| {
            anyhow::anyhow!("{source} holds no checkpoint (expected <event id>:<hash>)")
        }),
    }
}

fn verify_events(
    config: &Config,
    from: Option<&str>,
    file: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let start = verify_start(from, file)?;
    let pool = db::connect(&config.database_url, 1)?;
    let mut conn = pool.get()?;
    let report = |done: u64, took: std::time::Duration| {
        let rate = done as f64 / took.as_secs_f64().max(1e-6);
        eprintln!(
            "verify-events: {done} events verified in {:.1} s ({rate:.0} events/s)",
            took.as_secs_f64()
        );
    };
    match crate::events::verify_from(&mut conn, &start, report)? {
        Ok(verified) => {
            print_verified(&verified, &start);
            if let Some(path) = file {
                std::fs::write(path, format!("{}\n", verified.last))?;
                println!("Checkpoint written to {}.", path.display());
            }
            Ok(())
        }
        Err(broken) => {
            anyhow::bail!(
                "the event log is broken at event {}{}: it {}",
                broken.event_id,
                if broken.kind.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", broken.kind)
                },
                broken.problem
            )
        }
    }
}

fn print_verified(verified: &crate::events::Verified, start: &crate::events::Checkpoint) {
    if start.event_id == 0 {
        println!(
            "The event log is intact: {} events, every link verified.",
            verified.count
        );
    } else {
        println!(
            "The event log is intact after checkpoint event {}: {} events, every link verified \
             (a full run without a checkpoint also checks the events before it).",
            start.event_id, verified.count
        );
    }
    if !verified.erased.is_empty() {
        println!(
            "{} of them had their payload erased (their place in the chain verifies):",
            verified.erased.len()
        );
        for erased in &verified.erased {
            println!(
                "  event {} ({}), erased {}",
                erased.event_id,
                erased.kind,
                erased.erased_at.format("%Y-%m-%d %H:%M")
            );
        }
    }
    println!("Checkpoint: {}", verified.last);
}

fn erase_payloads(config: &Config, family: i64) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1)?;
    let mut conn = pool.get()?;
    let erased = db::write(&mut conn, |c| {
        crate::record::erase_family_payloads(c, family)
    })
    .map_err(|e| match e {
        crate::domain::DomainError::Rule(rule) => anyhow::anyhow!("refused: {rule}"),
        crate::domain::DomainError::Missing(what) => anyhow::anyhow!("no such {what}: {family}"),
        other => other.into(),
    })?;
    println!("Erased the payloads of {erased} events of family {family}.");
    Ok(())
}

fn retention(config: &Config, dry_run: bool) -> anyhow::Result<()> {
    let pool = db::connect(&config.database_url, 1)?;
    db::migrate(&mut *pool.get()?)?;
    let today = crate::time::today();
    let families = if dry_run {
        crate::retention::due(&mut *pool.get()?, today)?
    } else {
        crate::retention::run(&pool, today)?
    };
    let verb = if dry_run { "Would remove" } else { "Removed" };
    println!(
        "{verb} the personal data of {} closed famil{} past the retention period.",
        families.len(),
        if families.len() == 1 { "y" } else { "ies" }
    );
    for f in &families {
        println!(
            "  family {} ({}, {}): closed {}, kept until {}",
            f.family_id,
            f.case_number,
            f.partnership,
            f.closed_at
                .map(|at| at.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            f.keep_until.format("%Y-%m-%d")
        );
    }
    Ok(())
}

fn create_admin(
    config: &Config,
    email: &str,
    name: &str,
    password_stdin: bool,
) -> anyhow::Result<()> {
    if !user::is_valid_email(email) {
        anyhow::bail!("--email: '{email}' is not an email address");
    }
    if name.trim().is_empty() {
        anyhow::bail!("--name: a name is needed");
    }
    let hash = if password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let password = line.trim_end_matches(['\r', '\n']);
        if let Some(problem) = user::password_problem(password, password) {
            anyhow::bail!(
                "password refused: {}",
                crate::i18n::I18n::new(crate::i18n::Locale::En).t(problem)
            );
        }
        Some(crate::auth::password::hash(password)?)
    } else {
        None
    };
    let pool = db::connect(&config.database_url, 1)?;
    let mut conn = pool.get()?;
    db::migrate(&mut conn)?;
    let token = db::write(&mut conn, |conn| -> anyhow::Result<Option<String>> {
        if user::find_by_email(conn, email)?.is_some() {
            anyhow::bail!("an account with the address {email} exists already");
        }
        let admin = user::create(
            conn,
            NewUser {
                organisation_id: None,
                email,
                name,
                role: Role::SystemAdmin,
                password_hash: hash.as_deref(),
            },
        )?;
        Ok(if hash.is_none() {
            Some(token::issue(conn, admin.id, Purpose::Invitation)?)
        } else {
            None
        })
    })?;
    match token {
        Some(token) => println!(
            "System administrator {email} created. Set the password within 7 days at:\n{}/wachtwoord-instellen/{token}",
            config.base_url
        ),
        None => println!("System administrator {email} created."),
    }
    Ok(())
}
