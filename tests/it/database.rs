//! The database layer on the real engine: migrations, constraints and concurrent writers.

use diesel::prelude::*;
use samenspel::auth::throttle;
use samenspel::db;
use samenspel::domain::user::{self, NewUser, Role};

use crate::common::TestApp;

#[actix_web::test]
async fn the_database_refuses_an_account_without_organisation_unless_system_admin() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    let refused = user::create(
        &mut conn,
        NewUser {
            organisation_id: None,
            email: "los@x.example",
            name: "Los",
            role: Role::Professional,
            password_hash: None,
        },
    );
    assert!(refused.is_err(), "a professional needs an organisation");
    let bogus_role = diesel::sql_query(
        "INSERT INTO users (email, name, role, active, created_at) VALUES ('a@b.example', 'A', 'koning', TRUE, CURRENT_TIMESTAMP)",
    )
    .execute(&mut *conn);
    assert!(bogus_role.is_err(), "roles are checked by the database");
    let dangling = diesel::sql_query(
        "INSERT INTO users (organisation_id, email, name, role, active, created_at) \
         VALUES (999, 'c@d.example', 'C', 'professional', TRUE, CURRENT_TIMESTAMP)",
    )
    .execute(&mut *conn);
    assert!(dangling.is_err(), "foreign keys are enforced");
}

#[actix_web::test]
async fn concurrent_writers_wait_for_each_other_instead_of_failing() {
    let app = TestApp::spawn().await;
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let pool = app.pool.clone();
            std::thread::spawn(move || {
                for i in 0..25 {
                    let mut conn = pool.get().unwrap();
                    db::write(&mut conn, |conn| {
                        // Read, then write, in one transaction: the pattern that fails with
                        // SQLITE_BUSY under deferred transactions.
                        let _ = throttle::reserve(conn, "x@y.example", "127.0.0.1")?;
                        throttle::record(
                            conn,
                            &format!("writer{w}@x.example"),
                            &format!("10.0.0.{i}"),
                            false,
                        )
                    })
                    .unwrap_or_else(|e| panic!("writer {w} write {i}: {e}"));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(app.count("login_attempts"), 200);
}

#[actix_web::test]
async fn a_failed_transaction_leaves_nothing_behind() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    let result: Result<(), diesel::result::Error> = db::write(&mut conn, |conn| {
        throttle::record(conn, "a@b.example", "127.0.0.1", false)?;
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(result.is_err());
    assert_eq!(app.count("login_attempts"), 0);
    // The connection is usable afterwards.
    assert_eq!(
        samenspel::schema::login_attempts::table
            .count()
            .get_result::<i64>(&mut *conn)
            .unwrap(),
        0
    );
}

#[actix_web::test]
async fn housekeeping_removes_expired_sessions_tokens_and_old_attempts_only() {
    use samenspel::auth::{session, token};
    let app = TestApp::spawn().await;
    let user = app.professional();
    let hour = std::time::Duration::from_secs(3600);
    let made_now = |conn: &mut samenspel::db::DbConn| {
        session::create(conn, user.id, hour).unwrap();
        throttle::record(conn, "a@b.example", "127.0.0.1", false).unwrap();
    };
    // Today: a session, a reset link (an hour) and a failed login; two days later, the same again but
    // without the link.
    app.clock.run(|| {
        let mut conn = app.conn();
        made_now(&mut conn);
        token::issue(&mut conn, user.id, token::Purpose::PasswordReset).unwrap();
    });
    app.clock.advance(chrono::Duration::days(2));
    app.clock.run(|| made_now(&mut app.conn()));

    // The server's own hourly round, as it runs there.
    assert_eq!(app.housekeeping(), 3);
    assert_eq!(app.count("sessions"), 1);
    assert_eq!(app.count("user_tokens"), 0);
    assert_eq!(app.count("login_attempts"), 1);
}

#[actix_web::test]
async fn appenders_at_once_never_fork_the_event_chain() {
    use samenspel::events::{self, Actor, EventKind, NewEvent};
    let app = TestApp::spawn().await;
    let before = events::verify(&mut app.pool.get().unwrap())
        .unwrap()
        .expect("the chain holds before")
        .count;
    // Eight writers at once, each appending twenty events in transactions of their own, two events
    // in some of them: on PostgreSQL they queue on the chain head inside one statement each.
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let pool = app.pool.clone();
            std::thread::spawn(move || {
                for i in 0..20 {
                    let mut conn = pool.get().unwrap();
                    db::write(&mut conn, |conn| -> diesel::QueryResult<()> {
                        for n in 0..(1 + i % 2) {
                            events::append(
                                conn,
                                Actor::default(),
                                NewEvent {
                                    family_id: None,
                                    kind: EventKind::FamilyCreated,
                                    subject_type: "family",
                                    subject_id: Some(w * 100 + i),
                                    data: serde_json::json!({ "writer": w, "event": n }),
                                    meeting_id: None,
                                },
                            )?;
                        }
                        Ok(())
                    })
                    .unwrap_or_else(|e| panic!("writer {w} write {i}: {e}"));
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let verified = events::verify(&mut app.pool.get().unwrap())
        .unwrap()
        .expect("every event follows the one before it and the head is the last");
    assert_eq!(verified.count, before + 8 * 30);
}
