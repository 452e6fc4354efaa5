//! Backups. SQLite: `VACUUM INTO` writes a consistent copy while the server keeps running (it reads in
//! one transaction); the copy is then opened and checked (integrity check and the event chain) before
//! the command says it is done. A restore checks the backup the same way and puts it in place with a
//! rename, removing the old write-ahead log so it cannot be replayed over the restored file.
//! PostgreSQL: `pg_dump --format=custom`, restored with `pg_restore`.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::db::{DatabaseUrl, DbConn};

/// What a checked database holds.
#[derive(Debug)]
pub struct Checked {
    pub events: u64,
    pub families: i64,
}

#[derive(QueryableByName)]
struct IntegrityRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Opens a SQLite file read-only-ish and checks it: SQLite's integrity check, then the event chain.
pub fn check_sqlite(path: &Path) -> anyhow::Result<Checked> {
    if !path.is_file() {
        anyhow::bail!("{} is not a file", path.display());
    }
    let mut raw = diesel::SqliteConnection::establish(&path.to_string_lossy())
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    let rows: Vec<IntegrityRow> = diesel::sql_query("PRAGMA integrity_check").load(&mut raw)?;
    if rows.len() != 1 || rows[0].integrity_check != "ok" {
        anyhow::bail!(
            "{} fails SQLite's integrity check: {}",
            path.display(),
            rows.iter()
                .map(|r| r.integrity_check.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        );
    }
    let mut conn = DbConn::Sqlite(raw);
    let events = match crate::events::verify(&mut conn)
        .map_err(|e| anyhow::anyhow!("{} is not a Samenspel database: {e}", path.display()))?
    {
        Ok(verified) => verified.count,
        Err(broken) => anyhow::bail!(
            "the event log in {} is broken at event {}: it {}",
            path.display(),
            broken.event_id,
            broken.problem
        ),
    };
    let families = crate::schema::families::table
        .count()
        .get_result(&mut conn)?;
    Ok(Checked { events, families })
}

/// Writes a backup of the database to `to` (which must not exist yet) and checks it.
pub fn backup(url: &DatabaseUrl, to: &Path) -> anyhow::Result<String> {
    if to.exists() {
        anyhow::bail!("{} exists already; choose a new file name", to.display());
    }
    match url {
        DatabaseUrl::Sqlite(path) => {
            if !path.is_file() {
                anyhow::bail!("there is no database at {}", path.display());
            }
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
            conn.batch_execute("PRAGMA busy_timeout = 10000;")?;
            diesel::sql_query("VACUUM INTO ?")
                .bind::<Text, _>(to.to_string_lossy().to_string())
                .execute(&mut conn)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", to.display()))?;
            restrict(to)?;
            let checked = check_sqlite(to)?;
            Ok(format!(
                "Backup written to {}: {} families, {} events, the event chain verified.",
                to.display(),
                checked.families,
                checked.events
            ))
        }
        DatabaseUrl::Postgres(database) => {
            // The password goes through the environment, not the command line (which others can read).
            let mut address = url::Url::parse(database)?;
            let password = address.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .to_string()
            });
            let _ = address.set_password(None);
            let mut command = std::process::Command::new("pg_dump");
            command
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(to)
                .arg(address.as_str());
            if let Some(p) = password {
                command.env("PGPASSWORD", p);
            }
            let status = command.status().map_err(|e| {
                anyhow::anyhow!(
                    "cannot run pg_dump ({e}); install PostgreSQL's client tools, or run \
                         pg_dump --format=custom --file BACKUP \"$DATABASE_URL\" yourself"
                )
            })?;
            if !status.success() {
                anyhow::bail!("pg_dump failed ({status})");
            }
            restrict(to)?;
            Ok(format!(
                "Backup written to {} by pg_dump; restore it with pg_restore --clean --if-exists \
                 --no-owner --dbname \"$DATABASE_URL\" {}",
                to.display(),
                to.display()
            ))
        }
    }
}

/// A backup holds BSNs and addresses: readable by its owner only.
fn restrict(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Puts a checked SQLite backup in place of the database. The server must be stopped: the database is
/// first switched out of write-ahead logging, which SQLite only allows when nobody else has it open, so
/// a running server makes the restore stop before anything changed. The old file is kept beside it.
pub fn restore(url: &DatabaseUrl, from: &Path) -> anyhow::Result<String> {
    let DatabaseUrl::Sqlite(target) = url else {
        anyhow::bail!(
            "on PostgreSQL, restore a backup with pg_restore --clean --if-exists --no-owner \
             --dbname \"$DATABASE_URL\" BACKUP"
        );
    };
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    std::fs::create_dir_all(&dir)?;
    let with = |suffix: &str| {
        let mut p = target.clone().into_os_string();
        p.push(suffix);
        PathBuf::from(p)
    };
    let temporary = with(".restoring");
    std::fs::copy(from, &temporary)?;
    std::fs::File::open(&temporary)?.sync_all()?;
    // Check what will be put in place, not only where it came from.
    let checked = match check_sqlite(&temporary) {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_file(&temporary);
            return Err(e);
        }
    };
    if target.exists() {
        let mut current = diesel::SqliteConnection::establish(&target.to_string_lossy())
            .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", target.display()))?;
        let quiet = current
            .batch_execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;")
            .and_then(|_| {
                diesel::sql_query("PRAGMA journal_mode")
                    .load::<JournalMode>(&mut current)
                    .map(|m| m.first().is_some_and(|m| m.journal_mode == "delete"))
            });
        drop(current);
        if !matches!(quiet, Ok(true)) {
            let _ = std::fs::remove_file(&temporary);
            anyhow::bail!(
                "{} is in use (is the server still running?); stop it and run the restore again",
                target.display()
            );
        }
        std::fs::rename(target, with(".before-restore"))?;
    }
    std::fs::rename(&temporary, target)?;
    std::fs::File::open(&dir)?.sync_all()?;
    Ok(format!(
        "Restored {} from {}: {} families, {} events, the event chain verified. The database that was \
         there is kept as {}.",
        target.display(),
        from.display(),
        checked.families,
        checked.events,
        with(".before-restore").display()
    ))
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}
