//! `samenspel backup` while the server runs, and a restore: the restored database passes
//! `samenspel verify-events` and serves the same family page, and the same bytes of a document. SQLite: `backup` + `restore`;
//! PostgreSQL: `backup` (pg_dump) + pg_restore into a new database.

use std::process::Command;

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::TestApp;
use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in};

fn samenspel(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_samenspel"));
    for (name, _, _) in samenspel::config::VARIABLES {
        cmd.env_remove(name);
    }
    cmd.env("DATABASE_URL", database_url);
    cmd
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The family page as Ahmed sees it, without what changes per request.
async fn family_page(app: &TestApp, family: i64) -> String {
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let page = ahmed.get(&format!("/gezinnen/{family}")).await;
    assert_eq!(page.status, StatusCode::OK);
    page.text("main").expect("the page's main part")
}

/// A PDF of 300 kB in Jansen's record, every byte value in it; its id and its bytes.
fn a_document(app: &TestApp, c: &Cast) -> (i64, Vec<u8>) {
    let mut content = b"%PDF-1.7\n".to_vec();
    content.extend((0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    let id = samenspel::db::write(&mut app.conn(), |conn| {
        samenspel::record::attach_document(
            conn,
            &c.ahmed,
            &samenspel::domain::document::NewDocument {
                family_id: c.jansen,
                agenda_item_id: None,
                name: "politierapport.pdf",
                content_type: "application/pdf",
                description: "",
                withheld_reason: None,
                uploaded_by_user_id: c.ahmed.user_id,
                uploaded_by_organisation_id: c.ahmed.organisation_id,
                content: &content,
            },
        )
    })
    .unwrap();
    (id, content)
}

#[actix_web::test]
async fn a_backup_taken_while_serving_restores_to_the_same_family_page() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    run_meeting(&app, &c, true).await;
    let (document, content) = a_document(&app, &c);
    let before = family_page(&app, c.jansen).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("samenspel.backup");

    // The server keeps running while the backup is written.
    let said = run(samenspel(&app.database_url)
        .arg("backup")
        .arg("--to")
        .arg(&file));
    assert!(file.is_file());
    // A second backup to the same file is refused rather than overwriting it.
    let again = samenspel(&app.database_url)
        .arg("backup")
        .arg("--to")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));

    // A change after the backup is not in it.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let page = ahmed
        .submit(
            &format!("/gezinnen/{}", c.jansen),
            &format!("/gezinnen/{}/opmerkingen", c.jansen),
            &[("body", "Na de back-up geschreven.")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );

    let restored_url = if app.database.is_postgres() {
        assert!(said.contains("pg_dump"), "{said}");
        let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
        let name = format!("samenspel_restored_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut admin)
            .unwrap();
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap();
        let mut url = url::Url::parse(&admin_url).unwrap();
        url.set_path(&format!("/{name}"));
        run(Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname"])
            .arg(url.as_str())
            .arg(&file));
        url.to_string()
    } else {
        assert!(said.contains("the event chain verified"), "{said}");
        // Over the database the server is using: refused before anything changed.
        let busy = samenspel(&app.database_url)
            .arg("restore")
            .arg("--from")
            .arg(&file)
            .output()
            .unwrap();
        assert!(!busy.status.success());
        assert!(
            String::from_utf8_lossy(&busy.stderr).contains("in use"),
            "{}",
            String::from_utf8_lossy(&busy.stderr)
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a backup is for its owner only");
        }
        let url = format!("sqlite://{}", dir.path().join("restored.db").display());
        let said = run(samenspel(&url).arg("restore").arg("--from").arg(&file));
        assert!(said.contains("Restored"), "{said}");
        // A file that is not a backup is refused.
        let junk = dir.path().join("junk.db");
        std::fs::write(&junk, b"geen database").unwrap();
        let refused = samenspel(&url)
            .arg("restore")
            .arg("--from")
            .arg(&junk)
            .output()
            .unwrap();
        assert!(!refused.status.success());
        url
    };

    let verified = run(samenspel(&restored_url).arg("verify-events"));
    assert!(verified.contains("The event log is intact"), "{verified}");
    let restored = TestApp::spawn_with(&[("DATABASE_URL", &restored_url)]).await;
    let after = family_page(&restored, c.jansen).await;
    assert_eq!(
        before, after,
        "the restored database serves the same family page"
    );
    assert!(!after.contains("Na de back-up geschreven."));
    // The document's bytes came along, unchanged.
    let ahmed = signed_in(&restored, "ahmed@vt.example").await;
    let res = ahmed
        .http
        .get(ahmed.url(&format!("/gezinnen/{}/documenten/{document}", c.jansen)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.bytes().await.unwrap().as_ref(), content.as_slice());
    drop(restored);
    if app.database.is_postgres() {
        let admin_url = std::env::var("TEST_DATABASE_URL").unwrap();
        let mut admin = diesel::PgConnection::establish(&admin_url).unwrap();
        let name = format!("samenspel_restored_{}", std::process::id());
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .unwrap();
    }
}
