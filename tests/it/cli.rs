//! The command line, run as a user would run it.

use std::process::Command;

fn samenspel() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samenspel"));
    for (name, _, _) in samenspel::config::VARIABLES {
        cmd.env_remove(name);
    }
    cmd
}

#[test]
fn an_unknown_database_scheme_stops_with_one_clear_line() {
    let out = samenspel()
        .args(["serve"])
        .env("DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains("DATABASE_URL") && lines[0].contains("'mysql'"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn every_bad_setting_names_its_variable() {
    for (name, value) in [
        ("SAMENSPEL_BIND", "overal"),
        ("SAMENSPEL_SECURE_COOKIES", "misschien"),
        ("SMTP_URL", "http://mail.example"),
    ] {
        let out = samenspel().arg("serve").env(name, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(name), "{stderr}");
    }
}

#[test]
fn help_explains_the_commands_and_the_settings() {
    let out = samenspel().arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "serve",
        "demo",
        "migrate",
        "create-admin",
        "DATABASE_URL",
        "SAMENSPEL_BIND",
        "SMTP_URL",
    ] {
        assert!(help.contains(word), "{word} missing from --help");
    }
}

#[test]
fn migrate_and_create_admin_work_on_a_new_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let out = samenspel()
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("applied"));

    let out = samenspel()
        .args([
            "create-admin",
            "--email",
            "beheer@samenspel.example",
            "--name",
            "Beheer",
        ])
        .env("DATABASE_URL", &url)
        .env("SAMENSPEL_BASE_URL", "https://samenspel.example")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("https://samenspel.example/wachtwoord-instellen/"),
        "{stdout}"
    );

    let again = samenspel()
        .args([
            "create-admin",
            "--email",
            "beheer@samenspel.example",
            "--name",
            "Beheer",
        ])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

/// A SQLite database in a new folder with the demo data: the folder, the file and its URL.
fn demo_database() -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let url = format!("sqlite://{}", path.display());
    let pool =
        samenspel::db::connect(&samenspel::db::DatabaseUrl::parse(&url).unwrap(), 1).unwrap();
    samenspel::db::migrate(&mut pool.get().unwrap()).unwrap();
    samenspel::demo::seed(&mut pool.get().unwrap()).unwrap();
    (dir, path, url)
}

/// Runs a command on the database at `url`; it must succeed. What it printed.
fn succeeds(args: &[&str], url: &str) -> String {
    let out = samenspel()
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

#[test]
fn verify_events_passes_on_the_demo_data_and_names_an_altered_event() {
    use diesel::prelude::*;
    let (_dir, path, url) = demo_database();
    assert!(succeeds(&["verify-events"], &url).contains("The event log is intact"));

    // A row altered by hand, around the append-only trigger.
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    diesel::sql_query("DROP TRIGGER events_no_update")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query("UPDATE events SET data = '{\"name\":\"Gezin X\"}' WHERE id = 5")
        .execute(&mut conn)
        .unwrap();
    drop(conn);

    let out = samenspel()
        .arg("verify-events")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken at event 5 ("), "{stderr}");
    assert!(stderr.contains("does not match its digest"), "{stderr}");
}

#[test]
fn erase_payloads_leaves_verify_events_passing_and_it_names_the_erased_events() {
    use diesel::prelude::*;
    use samenspel::schema::families;
    let (_dir, path, url) = demo_database();
    let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
    let family: i64 = families::table
        .filter(families::display_name.eq("Gezin Bakker"))
        .select(families::id)
        .first(&mut conn)
        .unwrap();
    drop(conn);

    // An open family keeps its payloads; the command says why.
    let out = samenspel()
        .args(["erase-payloads", "--family", &family.to_string()])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("only after its record is closed"),
        "{stderr}"
    );
    diesel::sql_query(format!(
        "UPDATE families SET status = 'closed', closed_reason = 'Bewaartermijn verstreken' WHERE id = {family}"
    ))
    .execute(&mut diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap())
    .unwrap();

    let said = succeeds(&["erase-payloads", "--family", &family.to_string()], &url);
    assert!(said.contains(&format!("of family {family}")), "{said}");

    let report = succeeds(&["verify-events"], &url);
    assert!(report.contains("The event log is intact"), "{report}");
    assert!(report.contains("had their payload erased"), "{report}");
    // Each erased event by number and kind, e.g. "event 12 (family.created), erased …".
    let listed = report
        .lines()
        .filter(|l| l.trim_start().starts_with("event "))
        .count();
    assert!(listed > 3, "{report}");
    assert!(report.contains(&format!(
        "({})",
        samenspel::events::EventKind::FamilyCreated.name()
    )));
}
