//! Aftercare and closing (issue 20): a decision that scales a family down puts it in aftercare, the
//! start page and the digest remind the one who checks in, the evaluation closes the record, access
//! ends and the portal says so; and who may do which of it.

use chrono::Duration;
use diesel::prelude::*;
use fantoccini::Locator;
use reqwest::StatusCode;

use crate::browser::{Browser, log_in, log_in_landing, log_out, wcag_violations};
use crate::common::meeting::{decide, on_meeting, plan_meeting, put_both_families_on_the_agenda};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, TestApp};
use crate::referrals_browser::click;
use samenspel::domain::aftercare::{self, Aftercare};
use samenspel::domain::family::{self, FamilyStatus, PersonRole};
use samenspel::schema::{aftercare as aftercare_rows, events, families};

/// A running meeting with both families on it; the chair decides `outcome` on Jansen's item. Returns
/// the chair's, the director's and Karin's clients, and (meeting, Jansen's item).
async fn decided(app: &TestApp, c: &Cast, outcome: &str) -> ([Client; 3], (i64, i64)) {
    let ingrid = signed_in(app, "ingrid@vt.example").await;
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    let karin = signed_in(app, "karin@wijkteam.example").await;
    let meeting = plan_meeting(&ingrid, c.table, today() + Duration::days(1)).await;
    let (jansen, _) = put_both_families_on_the_agenda(c, [&ingrid, &ahmed, &karin], meeting).await;
    for step in ["publiceren", "starten"] {
        assert_eq!(
            on_meeting(&ingrid, meeting, step).await.status,
            StatusCode::SEE_OTHER
        );
    }
    let page = decide(&ingrid, meeting, jansen, outcome, "").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    ([ingrid, ahmed, karin], (meeting, jansen))
}

fn status_of(app: &TestApp, family_id: i64) -> FamilyStatus {
    family::find(&mut app.conn(), family_id)
        .unwrap()
        .unwrap()
        .status()
}

fn open_aftercare(app: &TestApp, family_id: i64) -> Option<Aftercare> {
    aftercare::open_for(&mut app.conn(), family_id).unwrap()
}

fn mails_about_checkins(app: &TestApp, to: &str) -> Vec<samenspel::mail::Mail> {
    app.mails()
        .into_iter()
        .filter(|m| m.to == to && m.text.contains("nazorgcontact"))
        .collect()
}

fn send_digests(app: &TestApp) -> usize {
    let day = app.clock.run(samenspel::time::today);
    app.clock
        .run(|| {
            samenspel::digest::send_due(
                &app.pool,
                &app.mailer,
                "samenspel@example.org",
                &app.base_url,
                day,
            )
        })
        .unwrap()
}

async fn type_into(browser: &Browser, css: &str, text: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

/// Must show 3: decision → aftercare with a reminder on the start page and in the digest → evaluation
/// → closed → access ended → the portal says so.
#[actix_web::test]
async fn aftercare_runs_from_the_decision_to_a_closed_record_in_the_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let sandra_person = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let sandra = family_account(
        &app,
        &ahmed,
        c.jansen,
        sandra_person,
        "sandra@example.org",
        "",
    )
    .await;
    let ([_, _, karin], _) = decided(&app, &c, "Afschalen").await;
    let family_page = format!("/gezinnen/{}", c.jansen);
    assert_eq!(
        karin.get(&family_page).await.status,
        StatusCode::OK,
        "in aftercare, still involved"
    );

    // The outcome is one the table counts as aftercare: its director checks in after eight weeks.
    assert_eq!(status_of(&app, c.jansen), FamilyStatus::Aftercare);
    let started = open_aftercare(&app, c.jansen).expect("an aftercare period");
    assert_eq!(started.checker_user_id, c.ahmed.user_id);
    assert_eq!(started.checkin_on, today() + Duration::weeks(8));
    // Not due yet: no reminder in the digest.
    send_digests(&app);
    assert!(mails_about_checkins(&app, "ahmed@vt.example").is_empty());

    // Eight weeks later the digest reminds Ahmed, by case and without names.
    app.clock.advance(Duration::weeks(8) + Duration::days(1));
    send_digests(&app);
    let reminders = mails_about_checkins(&app, "ahmed@vt.example");
    assert_eq!(reminders.len(), 1, "one reminder");
    let case = family::find(&mut app.conn(), c.jansen)
        .unwrap()
        .unwrap()
        .case_number;
    let text = &reminders[0].text;
    assert!(text.contains(&format!("Gezin J., {case}")), "{text}");
    assert!(
        text.contains(&format!("/gezinnen/{}/nazorg", c.jansen)),
        "{text}"
    );
    assert!(
        !text.contains("Jansen") && !text.contains("Sandra"),
        "{text}"
    );
    // Once a day: a second run sends nothing more.
    send_digests(&app);
    assert_eq!(mails_about_checkins(&app, "ahmed@vt.example").len(), 1);

    // The start page reminds him too; from there to the aftercare page.
    log_in(&browser, &app, "ahmed@vt.example").await;
    let reminder = browser
        .wait_text("#nazorg + ul", |t| t.contains("Nu doen"))
        .await;
    assert!(reminder.contains(&case), "{reminder}");
    click(
        &browser,
        &format!("a[href=\"/gezinnen/{}/nazorg\"]", c.jansen),
    )
    .await;
    browser.wait_text("h1", |t| t == "Nazorg").await;
    let found = wcag_violations(&browser).await;
    assert!(found.is_empty(), "aftercare page: {found:?}");

    // An evaluation without answers is refused with clear messages; nothing is closed.
    click(
        &browser,
        "form[action$=\"/nazorg/evaluatie\"] button[type=submit]",
    )
    .await;
    let summary = browser
        .wait_text(".utrecht-alert, [role=alert]", |t| !t.is_empty())
        .await;
    assert!(
        summary.contains("Kies of het nog steeds veilig is."),
        "{summary}"
    );
    assert_eq!(status_of(&app, c.jansen), FamilyStatus::Aftercare);

    click(&browser, "#still_safe-yes").await;
    type_into(
        &browser,
        "#family_view",
        "Het gaat goed, Adam gaat weer naar school.",
    )
    .await;
    type_into(
        &browser,
        "#evaluation",
        "Afspraken houden stand, geen nieuwe meldingen.",
    )
    .await;
    click(&browser, "#next-close").await;
    type_into(&browser, "#reason", "Nazorg afgerond, het is veilig.").await;
    click(
        &browser,
        "form[action$=\"/nazorg/evaluatie\"] button[type=submit]",
    )
    .await;
    browser
        .wait_text("[role=status]", |t| t.contains("bewaard tot"))
        .await;

    // Closed, with the reason, the evaluation and the retention period (20 years by default).
    let closed = family::find(&mut app.conn(), c.jansen).unwrap().unwrap();
    assert_eq!(closed.status(), FamilyStatus::Closed);
    assert_eq!(
        closed.closed_reason.as_deref(),
        Some("Nazorg afgerond, het is veilig.")
    );
    let closed_on = app.clock.run(samenspel::time::today);
    assert_eq!(
        closed.keep_until,
        Some(family::keep_until(closed_on, 20)),
        "kept 20 years from closing"
    );
    let evaluated: Aftercare = aftercare_rows::table
        .filter(aftercare_rows::id.eq(started.id))
        .select(Aftercare::as_select())
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(evaluated.still_safe, Some(true));
    assert_eq!(evaluated.next_step(), Some(aftercare::NextStep::Close));
    assert!(evaluated.evaluation.contains("Afspraken houden stand"));
    assert!(open_aftercare(&app, c.jansen).is_none());

    // Access ended: the involved colleague no longer opens the family, and no reminder is left.
    // (Sessions from before the eight weeks have expired: both log in again.)
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    assert_eq!(karin.get(&family_page).await.status, StatusCode::NOT_FOUND);
    assert!(
        aftercare::checkins_for(&mut app.conn(), c.ahmed.user_id, None)
            .unwrap()
            .is_empty()
    );

    // The portal tells Sandra, in the browser, and shows nothing of the record.
    log_out(&browser).await;
    log_in_landing(&browser, &app, "sandra@example.org", |h1| {
        h1 == "Jullie dossier is gesloten"
    })
    .await;
    let told = browser
        .wait_text("main", |t| t.contains("gesloten op"))
        .await;
    assert!(told.contains("niet meer in het portaal kijken"), "{told}");
    assert!(!told.contains("Afspraken houden stand"), "{told}");
    let found = wcag_violations(&browser).await;
    assert!(found.is_empty(), "closed portal: {found:?}");
    sandra.login_ok("sandra@example.org").await;
    let portal = sandra.get("/portaal").await;
    assert_eq!(portal.status, StatusCode::FORBIDDEN);
    assert_eq!(
        sandra.get("/portaal/inzage").await.status,
        StatusCode::NOT_FOUND,
        "the portal's other pages are gone"
    );
    browser.close().await;
}

/// An outcome the table does not count as aftercare leaves the family open; the setting decides, not
/// the words: a table that counts "Fase 1: directe veiligheid" starts aftercare with it.
#[actix_web::test]
async fn the_tables_setting_decides_which_outcomes_start_aftercare() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    decided(&app, &c, "Fase 1: directe veiligheid").await;
    assert_eq!(status_of(&app, c.jansen), FamilyStatus::Open);

    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    samenspel::domain::table::set_aftercare_outcomes(
        &mut app.conn(),
        c.table,
        "Fase 1: directe veiligheid",
    )
    .unwrap();
    decided(&app, &c, "Fase 1: directe veiligheid").await;
    assert_eq!(status_of(&app, c.jansen), FamilyStatus::Aftercare);
    let kinds: i64 = events::table
        .filter(events::family_id.eq(c.jansen))
        .filter(events::kind.eq(samenspel::events::EventKind::AftercareStarted.name()))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(kinds, 1);
}

/// Who may do what: the chair's decision starts aftercare (a member at the table cannot decide);
/// the director and co-worker move the check-in and evaluate, someone involved reads only; only the
/// director produces a member's data export.
#[actix_web::test]
async fn only_the_director_and_co_worker_follow_aftercare_and_back_to_a_table_refers_the_family() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ([_, ahmed, karin], _) = decided(&app, &c, "Nazorg").await;
    let page = format!("/gezinnen/{}/nazorg", c.jansen);
    // Karin is involved: she reads the aftercare, but moving or evaluating it is refused.
    assert_eq!(karin.get(&page).await.status, StatusCode::OK);
    let moved = karin
        .submit(
            &page,
            &format!("{page}/check-in"),
            &[
                ("checkin_on", &(today() + Duration::days(3)).to_string()),
                ("checker", &c.karin.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);
    let ruud = signed_in(&app, "ruud@politie.example").await;
    assert_eq!(ruud.get(&page).await.status, StatusCode::NOT_FOUND);

    // A date in the past is refused with a message, and what was typed stays.
    let past = ahmed
        .submit(
            &page,
            &format!("{page}/check-in"),
            &[
                ("checkin_on", "2001-01-01"),
                ("checker", &c.karin.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        past.visible_text()
            .contains("Vul een datum in, vandaag of later.")
    );
    // The director hands the check-in to Karin: she gets the reminder.
    let on = today() + Duration::days(3);
    let moved = ahmed
        .submit(
            &page,
            &format!("{page}/check-in"),
            &[
                ("checkin_on", &on.to_string()),
                ("checker", &c.karin.user_id.to_string()),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER);
    let open = open_aftercare(&app, c.jansen).unwrap();
    assert_eq!(
        (open.checkin_on, open.checker_user_id),
        (on, c.karin.user_id)
    );
    assert!(
        karin
            .get("/")
            .await
            .visible_text()
            .contains(&format!("contact op {}", on.format("%d-%m-%Y")))
    );

    // Back to a table: the family is open again and referred there, with the evaluation as reason.
    let evaluated = ahmed
        .submit(
            &page,
            &format!("{page}/evaluatie"),
            &[
                ("still_safe", "no"),
                ("family_view", "Vader is terug in huis, moeder is bang."),
                ("evaluation", "Nieuwe meldingen van de school."),
                ("next", "back_to_table"),
                ("table", &c.table.to_string()),
            ],
        )
        .await;
    assert_eq!(evaluated.status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, c.jansen), FamilyStatus::Open);
    let reasons: Vec<String> = samenspel::schema::referrals::table
        .filter(samenspel::schema::referrals::family_id.eq(c.jansen))
        .select(samenspel::schema::referrals::reason)
        .load(&mut *app.conn())
        .unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r == "Nieuwe meldingen van de school."),
        "{reasons:?}"
    );
    let still: i64 = families::table
        .filter(families::id.eq(c.jansen))
        .filter(families::keep_until.is_not_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(still, 0, "no retention period for an open family");
}
