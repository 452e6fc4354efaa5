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
        Ok(count) => count,
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
            let checked = check_sqlite(to)?;
            Ok(format!(
                "Backup written to {}: {} families, {} events, the event chain verified.",
                to.display(),
                checked.families,
                checked.events
            ))
        }
        DatabaseUrl::Postgres(database) => {
            let status = std::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(to)
                .arg(database)
                .status()
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot run pg_dump ({e}); install PostgreSQL's client tools, or run \
                         pg_dump --format=custom --file BACKUP \"$DATABASE_URL\" yourself"
                    )
                })?;
            if !status.success() {
                anyhow::bail!("pg_dump failed ({status})");
            }
            Ok(format!(
                "Backup written to {} by pg_dump; restore it with pg_restore --clean --if-exists \
                 --no-owner --dbname \"$DATABASE_URL\" {}",
                to.display(),
                to.display()
            ))
        }
    }
}

/// Puts a checked SQLite backup in place of the database. The server must be stopped.
pub fn restore(url: &DatabaseUrl, from: &Path) -> anyhow::Result<String> {
    let DatabaseUrl::Sqlite(target) = url else {
        anyhow::bail!(
            "on PostgreSQL, restore a backup with pg_restore --clean --if-exists --no-owner \
             --dbname \"$DATABASE_URL\" BACKUP"
        );
    };
    let checked = check_sqlite(from)?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut temporary = target.clone().into_os_string();
    temporary.push(".restoring");
    let temporary = PathBuf::from(temporary);
    std::fs::copy(from, &temporary)?;
    std::fs::File::open(&temporary)?.sync_all()?;
    // The old write-ahead log belongs to the old file: replayed over the restored one it would corrupt it.
    for suffix in ["-wal", "-shm"] {
        let mut side = target.clone().into_os_string();
        side.push(suffix);
        match std::fs::remove_file(&side) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    std::fs::rename(&temporary, target)?;
    Ok(format!(
        "Restored {} from {}: {} families, {} events, the event chain verified.",
        target.display(),
        from.display(),
        checked.families,
        checked.events
    ))
}
