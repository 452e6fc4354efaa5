//! What happens later — reviews falling due, the morning digest — seen by moving the server's clock
//! instead of waiting for it.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Europe::Amsterdam;
use samenspel::db;
use samenspel::domain::DomainResult;
use samenspel::domain::safety::{PlanContent, PlanKind, PlanRef};
use samenspel::record;

use crate::common::TestApp;
use crate::common::world::Cast;

/// That moment in Amsterdam, as the UTC time the clock keeps.
fn amsterdam(day: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    let local = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap());
    Amsterdam
        .from_local_datetime(&local)
        .single()
        .unwrap()
        .naive_utc()
}

/// The family's safety plan, to be reviewed on `review_on`.
fn safety_plan_to_review_on(app: &TestApp, c: &Cast, review_on: NaiveDate) {
    db::write(&mut app.conn(), |conn| -> DomainResult<()> {
        let plan = PlanRef {
            family_id: c.jansen,
            kind: PlanKind::Safety,
            person_id: None,
        };
        record::save_phase_plan(
            conn,
            &c.ahmed,
            plan,
            0,
            Some(review_on),
            &PlanContent::default(),
        )?;
        Ok(())
    })
    .unwrap();
}

fn digests_to(app: &TestApp, to: &str) -> usize {
    app.mails()
        .iter()
        .filter(|m| m.to == to && m.subject.contains("evaluatie"))
        .count()
}

#[actix_web::test]
async fn the_review_digest_goes_out_from_seven_in_the_morning_once_a_day() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let today = samenspel::time::today();
    safety_plan_to_review_on(&app, &c, today + Duration::days(2));

    // The review day itself: not overdue yet.
    app.clock.set(amsterdam(today + Duration::days(2), 9, 0));
    app.housekeeping();
    assert_eq!(digests_to(&app, "ahmed@vt.example"), 0);

    // The next morning before seven: nothing; from seven: one digest, and one only that day.
    let day = today + Duration::days(3);
    app.clock.set(amsterdam(day, 6, 50));
    app.housekeeping();
    assert_eq!(digests_to(&app, "ahmed@vt.example"), 0);
    app.clock.set(amsterdam(day, 7, 5));
    app.housekeeping();
    assert_eq!(digests_to(&app, "ahmed@vt.example"), 1);
    app.clock.set(amsterdam(day, 8, 5));
    app.housekeeping();
    assert_eq!(digests_to(&app, "ahmed@vt.example"), 1);

    // Still overdue the day after: a new digest that morning.
    app.clock.set(amsterdam(day + Duration::days(1), 7, 5));
    app.housekeeping();
    assert_eq!(digests_to(&app, "ahmed@vt.example"), 2);
    // Nobody else directs an overdue family.
    assert_eq!(app.mails().len(), 2, "{:?}", app.mails());
}

#[actix_web::test]
async fn a_review_that_falls_due_appears_on_the_directors_start_page() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let today = samenspel::time::today();
    safety_plan_to_review_on(&app, &c, today + Duration::days(7));
    let ahmed = app.client();
    ahmed.login_ok("ahmed@vt.example").await;
    let heading = "Te evalueren";
    assert!(!ahmed.get("/").await.visible_text().contains(heading));

    // A week and a day later; no session lasts that long, so Ahmed logs in again.
    app.clock.advance(Duration::days(8));
    assert_eq!(ahmed.get("/").await.status, reqwest::StatusCode::SEE_OTHER);
    let ahmed = app.client();
    ahmed.login_ok("ahmed@vt.example").await;
    let page = ahmed.get("/").await.visible_text();
    assert!(page.contains(heading), "{page}");
    assert!(page.contains("Veiligheidsplan"), "{page}");
}
