//! The end of the retention period (issue 20, must show 4): on the demo data, with the clock moved
//! past the term, `retention` removes the closed family's personal data, keeps what the monitor counts
//! (events by kind and time, outcomes, phases, urgencies), leaves a tombstone, and the event chain
//! still verifies. Other families keep everything.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::common::TestApp;
use samenspel::db::{self, DbConn};
use samenspel::events::EventKind;
use samenspel::record;
use samenspel::schema::{
    access_log, agenda_items, decisions, documents, events, families, persons, plan_sections,
    plan_versions, referrals, safety_phases, users,
};

fn family_named(conn: &mut DbConn, name: &str) -> i64 {
    families::table
        .filter(families::display_name.eq(name))
        .select(families::id)
        .first(conn)
        .unwrap()
}

/// What the monitor counts, for every family: events by kind and time (the tombstone left out), and
/// the anonymous columns of decisions, referrals and phases.
type Figures = (
    Vec<(String, NaiveDateTime, Option<i64>)>,
    Vec<(i64, String, String, NaiveDateTime)>,
    Vec<(i64, String, NaiveDateTime, Option<NaiveDateTime>)>,
    Vec<(i64, i32, NaiveDateTime)>,
);

fn figures(conn: &mut DbConn) -> Figures {
    (
        events::table
            .filter(events::kind.ne(EventKind::FamilyErased.name()))
            .order(events::id.asc())
            .select((events::kind, events::occurred_at, events::family_id))
            .load(conn)
            .unwrap(),
        decisions::table
            .order(decisions::id.asc())
            .select((
                decisions::id,
                decisions::outcome,
                decisions::family_view,
                decisions::created_at,
            ))
            .load(conn)
            .unwrap(),
        referrals::table
            .order(referrals::id.asc())
            .select((
                referrals::family_id,
                referrals::urgency,
                referrals::created_at,
                referrals::answered_at,
            ))
            .load(conn)
            .unwrap(),
        safety_phases::table
            .order(safety_phases::id.asc())
            .select((
                safety_phases::family_id,
                safety_phases::phase,
                safety_phases::started_at,
            ))
            .load(conn)
            .unwrap(),
    )
}

/// The monitor of the family's partnership over the year of `day`, as of that day: every section with
/// its counts and the families behind them, and the families it counts as closed.
fn monitor_figures(conn: &mut DbConn, family: i64, day: NaiveDate) -> (String, Vec<i64>) {
    use chrono::Datelike;
    use samenspel::domain::monitor::{self, Period, Scope};
    let partnership: i64 = families::table
        .find(family)
        .select(families::partnership_id)
        .first(conn)
        .unwrap();
    let found = monitor::compute(
        conn,
        Scope::Partnership(partnership),
        Period::year(day.year()),
        day,
    )
    .unwrap();
    let row = monitor::STATUS_KINDS
        .iter()
        .position(|k| *k == EventKind::FamilyClosed)
        .unwrap();
    let closed = found
        .families_of(&format!("status:{row}:0"))
        .map(|(_, _, _, families)| families.to_vec())
        .unwrap_or_default();
    (format!("{:?}", found.sections), closed)
}

/// Every text the family's rows hold that could name someone, joined: empty once it is erased.
fn personal_text(conn: &mut DbConn, family: i64) -> String {
    let mut all: Vec<String> = persons::table
        .filter(persons::family_id.eq(family))
        .select(persons::name)
        .load(conn)
        .unwrap();
    let versions = plan_versions::table
        .filter(plan_versions::family_id.eq(family))
        .select(plan_versions::id);
    let sections: Vec<(String, String, String, String, String)> = plan_sections::table
        .filter(plan_sections::plan_version_id.eq_any(versions))
        .select((
            plan_sections::strengths,
            plan_sections::concerns,
            plan_sections::wishes,
            plan_sections::goals,
            plan_sections::agreements,
        ))
        .load(conn)
        .unwrap();
    all.extend(
        sections
            .into_iter()
            .flat_map(|(a, b, c, d, e)| [a, b, c, d, e]),
    );
    let texts: Vec<(String, String, String)> = decisions::table
        .filter(decisions::family_id.eq(family))
        .select((
            decisions::text,
            decisions::rationale,
            decisions::family_words,
        ))
        .load(conn)
        .unwrap();
    all.extend(texts.into_iter().flat_map(|(a, b, c)| [a, b, c]));
    let minutes: Vec<(String, String)> = agenda_items::table
        .filter(agenda_items::family_id.eq(family))
        .select((agenda_items::minutes, agenda_items::title))
        .load(conn)
        .unwrap();
    all.extend(minutes.into_iter().flat_map(|(a, b)| [a, b]));
    let asked: Vec<(String, String)> = referrals::table
        .filter(referrals::family_id.eq(family))
        .select((referrals::reason, referrals::question))
        .load(conn)
        .unwrap();
    all.extend(asked.into_iter().flat_map(|(a, b)| [a, b]));
    let payloads: Vec<String> = events::table
        .filter(events::family_id.eq(family))
        .filter(events::kind.ne(EventKind::FamilyErased.name()))
        .select(events::data)
        .load(conn)
        .unwrap();
    all.extend(
        payloads
            .into_iter()
            .filter(|d| d != samenspel::events::ERASED),
    );
    all.push(
        families::table
            .find(family)
            .select(families::display_name)
            .first(conn)
            .unwrap(),
    );
    all.into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn count_for(conn: &mut DbConn, family: i64) -> (i64, i64, i64) {
    (
        access_log::table
            .filter(access_log::family_id.eq(family))
            .count()
            .get_result(conn)
            .unwrap(),
        documents::table
            .filter(documents::family_id.eq(family))
            .count()
            .get_result(conn)
            .unwrap(),
        users::table
            .filter(users::email.eq("sandra.jansen@example.org"))
            .count()
            .get_result(conn)
            .unwrap(),
    )
}

/// A decision on the family's item at the demo's meeting (the demo decides on topics only), with the
/// family's words, and minutes written while the meeting ran.
fn decide_on(conn: &mut DbConn, by: &record::Who, family: i64) {
    use samenspel::domain::decision::{DecisionDetails, FamilyView};
    let (item_id, meeting_id): (i64, i64) = agenda_items::table
        .filter(agenda_items::family_id.eq(family))
        .select((agenda_items::id, agenda_items::meeting_id))
        .first(conn)
        .unwrap();
    diesel::update(agenda_items::table.find(item_id))
        .set(agenda_items::minutes.eq("Sandra vertelt dat Mark niet meer langskomt."))
        .execute(conn)
        .ok();
    let meeting = samenspel::domain::meeting::find(conn, meeting_id)
        .unwrap()
        .unwrap();
    let table = samenspel::domain::table::find(conn, meeting.table_id)
        .unwrap()
        .unwrap();
    let item = samenspel::domain::meeting::find_item(conn, meeting_id, item_id)
        .unwrap()
        .unwrap();
    db::write(conn, |c| {
        record::record_decision(
            c,
            by,
            &meeting,
            &table,
            &item,
            &DecisionDetails {
                outcome: "Fase 2: stabiele veiligheid".into(),
                text: "Sandra en de kinderen gaan naar fase 2.".into(),
                rationale: "Acht weken zonder incidenten.".into(),
                family_view: FamilyView::Agrees,
                family_words: "Sandra: eindelijk rust.".into(),
                refer_to_table_id: None,
                new_director_user_id: None,
            },
            None,
        )
        .map(|_| ())
    })
    .unwrap();
}

#[actix_web::test]
async fn past_its_term_a_closed_family_keeps_only_anonymous_figures_and_the_chain_verifies() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    samenspel::demo::seed(&mut conn).unwrap();
    let jansen = family_named(&mut conn, "Gezin Jansen");
    let bakker = family_named(&mut conn, "Gezin Bakker");
    let director: i64 = samenspel::schema::directorships::table
        .filter(samenspel::schema::directorships::family_id.eq(jansen))
        .select(samenspel::schema::directorships::director_user_id)
        .first(&mut *conn)
        .unwrap();
    let by = record::who(&mut conn, director).unwrap();
    // A document and a reading in the access log, so those have something to remove too.
    db::write(&mut conn, |c| -> samenspel::domain::DomainResult<()> {
        samenspel::domain::access_log::record(
            c,
            director,
            by.organisation_id,
            jansen,
            "access.what.family",
            samenspel::domain::access_log::Purpose::Direction,
        )?;
        record::attach_document(
            c,
            &by,
            &samenspel::domain::document::NewDocument {
                family_id: jansen,
                agenda_item_id: None,
                name: "politierapport-sandra-jansen.pdf",
                content_type: "application/pdf",
                description: "Melding van 3 maart",
                withheld_reason: None,
                uploaded_by_user_id: director,
                uploaded_by_organisation_id: by.organisation_id,
                content: b"%PDF-1.4\n% Politierapport\n",
            },
        )?;
        Ok(())
    })
    .unwrap();
    decide_on(&mut conn, &by, jansen);
    assert!(personal_text(&mut conn, jansen).contains("Sandra"));
    let before_bakker = personal_text(&mut conn, bakker);
    app.clock
        .run(|| {
            db::write(&mut conn, |c| {
                record::close(c, &by, jansen, "Hulp afgerond")
            })
        })
        .unwrap();
    let kept_until: Option<NaiveDate> = families::table
        .find(jansen)
        .select(families::keep_until)
        .first(&mut *conn)
        .unwrap();
    let closed_on = app.clock.run(samenspel::time::today);
    assert_eq!(
        kept_until,
        Some(samenspel::domain::family::keep_until(closed_on, 20))
    );
    let before = figures(&mut conn);
    let monitor_before = monitor_figures(&mut conn, jansen, closed_on);
    assert!(
        monitor_before.1.contains(&jansen),
        "the monitor counts the closing: {monitor_before:?}"
    );
    let (logs, docs, accounts) = count_for(&mut conn, jansen);
    assert!(logs > 0 && docs > 0, "{logs} {docs}");

    // Within the term: nothing is due, the daily run removes nothing.
    let day = app.clock.run(samenspel::time::today);
    assert!(
        samenspel::retention::due(&mut conn, day)
            .unwrap()
            .is_empty()
    );
    app.clock.advance(Duration::days(365 * 20));
    let day = app.clock.run(samenspel::time::today);
    assert!(
        day <= kept_until.unwrap(),
        "still within the term on its last day"
    );
    assert!(
        samenspel::retention::due(&mut conn, day)
            .unwrap()
            .is_empty()
    );

    // Past the term: the dry run lists it and changes nothing; the daily run removes it, once.
    app.clock.advance(Duration::days(10));
    let day = app.clock.run(samenspel::time::today);
    let due = samenspel::retention::due(&mut conn, day).unwrap();
    assert_eq!(
        due.iter().map(|d| d.family_id).collect::<Vec<_>>(),
        [jansen]
    );
    assert!(
        personal_text(&mut conn, jansen).contains("Sandra"),
        "a dry run changes nothing"
    );
    drop(conn);
    let erased = app
        .clock
        .run(|| samenspel::retention::run_once_a_day(&app.pool, day))
        .unwrap();
    assert_eq!(erased, 1);
    let again = app
        .clock
        .run(|| samenspel::retention::run_once_a_day(&app.pool, day))
        .unwrap();
    assert_eq!(again, 0, "once a day");
    let mut conn = app.conn();

    // Personal data gone: names, plans, minutes, decisions' texts, payloads, access logs, documents,
    // and the family's portal account.
    assert_eq!(personal_text(&mut conn, jansen), "");
    let dates: Vec<Option<NaiveDate>> = persons::table
        .filter(persons::family_id.eq(jansen))
        .select(persons::date_of_birth)
        .load(&mut *conn)
        .unwrap();
    assert!(
        !dates.is_empty() && dates.iter().all(Option::is_none),
        "{dates:?}"
    );
    let (logs, docs, _) = count_for(&mut conn, jansen);
    assert_eq!((logs, docs), (0, 0));
    let named_accounts: i64 = users::table
        .filter(users::role.eq("family"))
        .filter(users::name.like("%Jansen%"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    assert_eq!(named_accounts, 0, "{accounts} portal account(s) emptied");
    // The other families keep everything.
    assert_eq!(personal_text(&mut conn, bakker), before_bakker);

    // What the monitor counts is unchanged; the tombstone is the one new event.
    assert_eq!(figures(&mut conn), before);
    assert_eq!(
        monitor_figures(&mut conn, jansen, closed_on),
        monitor_before,
        "the monitor's figures of the year the family closed"
    );
    let tombstones: Vec<(Option<i64>, String)> = events::table
        .filter(events::kind.eq(EventKind::FamilyErased.name()))
        .select((events::family_id, events::data))
        .load(&mut *conn)
        .unwrap();
    assert_eq!(tombstones.len(), 1);
    assert_eq!(tombstones[0].0, Some(jansen));
    assert!(!tombstones[0].1.contains("Sandra"), "{}", tombstones[0].1);

    // The chain verifies, and names the erased events.
    let verified = samenspel::events::verify(&mut conn)
        .unwrap()
        .expect("the chain verifies after the retention run");
    assert!(!verified.erased.is_empty());

    // A second erasure is refused: once is the rule (and the triggers allow no more).
    let refused = db::write(&mut conn, |c| record::erase_family(c, jansen));
    assert!(
        matches!(refused, Err(samenspel::domain::DomainError::Rule(_))),
        "{refused:?}"
    );
    let changed = diesel::sql_query(format!(
        "UPDATE decisions SET text = 'terug' WHERE family_id = {jansen}"
    ))
    .execute(&mut *conn);
    assert!(
        changed.is_err(),
        "an erased decision cannot be written again"
    );
}

/// An open family is never due, whatever the clock says; a record reopened loses its term.
#[actix_web::test]
async fn an_open_or_reopened_family_is_never_erased() {
    let app = TestApp::spawn().await;
    let mut conn = app.conn();
    samenspel::demo::seed(&mut conn).unwrap();
    let jansen = family_named(&mut conn, "Gezin Jansen");
    let director: i64 = samenspel::schema::directorships::table
        .filter(samenspel::schema::directorships::family_id.eq(jansen))
        .select(samenspel::schema::directorships::director_user_id)
        .first(&mut *conn)
        .unwrap();
    let by = record::who(&mut conn, director).unwrap();
    db::write(&mut conn, |c| record::close(c, &by, jansen, "Afgerond")).unwrap();
    db::write(&mut conn, |c| record::reopen(c, &by, jansen)).unwrap();
    app.clock.advance(Duration::days(365 * 30));
    let day = app.clock.run(samenspel::time::today);
    assert!(
        samenspel::retention::due(&mut conn, day)
            .unwrap()
            .is_empty()
    );
    let refused = app
        .clock
        .run(|| db::write(&mut conn, |c| record::erase_family(c, jansen)));
    assert!(matches!(
        refused,
        Err(samenspel::domain::DomainError::Rule(_))
    ));
}
