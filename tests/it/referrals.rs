//! Referrals that come back (issue 18): the chair asks for more information and the referrer answers
//! on the referral; everyone concerned hears of each step by mail and on their start page; the chair's
//! inbox orders referrals by urgency with their deadline, and a late answer is told once to the chair
//! and the coordinators.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::common::meeting::{accept, id_from, plan_meeting, refer};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, Page, TestApp};
use samenspel::domain::referral::{self, ReferralStatus};
use samenspel::schema::{referral_additions, table_kinds};

fn status_of(app: &TestApp, id: i64) -> ReferralStatus {
    referral::find(&mut app.conn(), id)
        .unwrap()
        .unwrap()
        .status()
}

/// The mails to `to` whose subject contains `subject`.
fn mails_to(app: &TestApp, to: &str, subject: &str) -> usize {
    app.mails()
        .iter()
        .filter(|m| m.to == to && m.subject.contains(subject))
        .count()
}

async fn answer(chair: &Client, id: i64, answer: &str, note: &str) -> Page {
    chair
        .submit(
            &format!("/aanmeldingen/{id}"),
            &format!("/aanmeldingen/{id}/antwoord"),
            &[("answer", answer), ("meeting_id", ""), ("note", note)],
        )
        .await
}

async fn add_information(client: &Client, id: i64, text: &str) -> Page {
    client
        .submit(
            &format!("/aanmeldingen/{id}"),
            &format!("/aanmeldingen/{id}/aanvullen"),
            &[("information", text)],
        )
        .await
}

fn inbox_row(page: &Page, id: i64) -> Option<String> {
    let html = page.html();
    let row = scraper::Selector::parse(".ss-inbox tbody tr").unwrap();
    let link = scraper::Selector::parse(&format!("a[href=\"/aanmeldingen/{id}\"]")).unwrap();
    html.select(&row)
        .find(|tr| tr.select(&link).next().is_some())
        .map(crate::common::folded_text)
}

#[actix_web::test]
async fn the_chair_asks_for_more_information_and_the_referrer_answers_on_the_referral() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;

    // Karin refers Jansen: the chair hears of it by mail and finds it in her inbox as new.
    let id = refer(&karin, c.jansen, c.table, "Wat is er nodig voor fase 2?").await;
    assert_eq!(mails_to(&app, "ingrid@vt.example", "Nieuwe aanmelding"), 1);
    let home = ingrid.get("/").await;
    let row = inbox_row(&home, id).expect("the referral in the chair's inbox");
    assert!(row.contains("Nieuw") && row.contains("Spoed"), "{row}");

    // The chair asks for more: Karin is mailed, and her start page says the chair has a question.
    let asked = answer(&ingrid, id, "more_info", "Is de school al betrokken?").await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        mails_to(&app, "karin@wijkteam.example", "meer informatie"),
        1
    );
    let home = karin.get("/").await;
    let mine = home.text("#mijn-aanmeldingen + ul").unwrap_or_default();
    assert!(mine.contains("vraagt meer informatie"), "{mine}");
    let page = karin.get(&format!("/aanmeldingen/{id}")).await;
    assert!(page.visible_text().contains("Is de school al betrokken?"));
    assert!(
        page.text("form[action$=\"/aanvullen\"] textarea#information")
            .is_some()
    );
    // Waiting for Karin, the referral is not late for the chair.
    assert!(
        !inbox_row(&ingrid.get("/").await, id)
            .unwrap()
            .contains("Te laat")
    );

    // An empty answer keeps nothing and says why; someone else cannot answer for her.
    let empty = add_information(&karin, id, "   ").await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.visible_text().contains("Schrijf je antwoord"));
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let other = add_information(&ahmed, id, "Ja, de mentor.").await;
    assert!(
        matches!(other.status.as_u16(), 403 | 404),
        "{}",
        other.status
    );
    assert_eq!(app.count("referral_additions"), 0);
    assert_eq!(status_of(&app, id), ReferralStatus::MoreInfo);

    // Karin answers: the referral is back with the chair, who is mailed and sees it as added to.
    let typed = "Ja, de mentor van Daan belt wekelijks met moeder.";
    let added = add_information(&karin, id, typed).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    let back = format!("/aanmeldingen/{id}?melding=aangevuld");
    assert_eq!(added.location.as_deref(), Some(back.as_str()));
    let confirmed = karin.get(&back).await;
    assert!(
        confirmed
            .text("[role=status]")
            .unwrap()
            .contains("weer bij de voorzitter")
    );
    assert_eq!(status_of(&app, id), ReferralStatus::Submitted);
    assert_eq!(mails_to(&app, "ingrid@vt.example", "aangevuld"), 1);
    let row = inbox_row(&ingrid.get("/").await, id).unwrap();
    assert!(row.contains("Aangevuld"), "{row}");
    let read = ingrid.get(&format!("/aanmeldingen/{id}")).await;
    let text = read.visible_text();
    assert!(
        text.contains("Is de school al betrokken?") && text.contains(typed),
        "{text}"
    );
    let (question, stored): (String, String) = referral_additions::table
        .select((referral_additions::question, referral_additions::answer))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(
        (question.as_str(), stored.as_str()),
        ("Is de school al betrokken?", typed)
    );

    // A second answer to a question no longer open is refused and stores nothing.
    let again = add_information(&karin, id, "Nog iets.").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(app.count("referral_additions"), 1);

    // The chair schedules it: Karin hears it is on the agenda; the times are kept for monitoring.
    let meeting = plan_meeting(&ingrid, c.table, today() + chrono::Duration::days(7)).await;
    accept(&ingrid, id, Some(meeting)).await;
    assert_eq!(mails_to(&app, "karin@wijkteam.example", "op de agenda"), 1);
    let found = referral::find(&mut app.conn(), id).unwrap().unwrap();
    assert_eq!(found.status(), ReferralStatus::Scheduled);
    let (answered, scheduled, returned) = (
        found.answered_at.unwrap(),
        found.scheduled_at.unwrap(),
        found.returned_at.unwrap(),
    );
    assert!(found.created_at <= answered && answered <= returned && returned <= scheduled);
    // The chair's inbox no longer lists it; Karin's start page shows where it stands.
    assert!(inbox_row(&ingrid.get("/").await, id).is_none());
    let mine = karin
        .get("/")
        .await
        .text("#mijn-aanmeldingen + ul")
        .unwrap_or_default();
    assert!(mine.contains("ingepland"), "{mine}");
}

#[actix_web::test]
async fn a_rejection_and_an_acceptance_are_told_to_the_referrer_and_not_to_the_chair_herself() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let first = refer(&karin, c.jansen, c.table, "Kan het MDA++ dit oppakken?").await;
    let second = refer(&karin, c.bakker, c.table, "Kan het MDA++ dit oppakken?").await;
    let rejected = answer(&ingrid, first, "reject", "Past beter bij het lokale team.").await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    assert_eq!(mails_to(&app, "karin@wijkteam.example", "afgewezen"), 1);
    let accepted = answer(&ingrid, second, "accept", "").await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(mails_to(&app, "karin@wijkteam.example", "geaccepteerd"), 1);
    // The mails name no family and link to the referral.
    for m in app
        .mails()
        .iter()
        .filter(|m| m.to == "karin@wijkteam.example")
    {
        assert!(
            !m.text.contains("Jansen") && !m.text.contains("Bakker"),
            "{}",
            m.text
        );
    }
    assert!(
        app.mails()
            .iter()
            .any(|m| m.text.contains(&format!("/aanmeldingen/{first}")))
    );
    // The chair answered herself: she gets no mail about her own answers.
    assert_eq!(mails_to(&app, "ingrid@vt.example", "afgewezen"), 0);
    assert_eq!(mails_to(&app, "ingrid@vt.example", "geaccepteerd"), 0);
}

#[actix_web::test]
async fn a_late_answer_is_marked_in_the_inbox_and_told_once_to_the_chair_and_the_coordinators() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna de Groot",
        "Veiligheidshuis Zuid-Holland Zuid",
        crate::common::DEFAULT_PARTNERSHIP,
    );
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let form = format!("/gezinnen/{}/aanmelden/{}", c.jansen, c.table);
    let crisis = karin
        .submit(
            &form,
            &form,
            &[
                (
                    "reason",
                    "Moeder belt: vader staat voor de deur ondanks het huisverbod.",
                ),
                ("tried", "Politie is gebeld."),
                ("question", "Wat doen we vandaag nog?"),
                ("urgency", "crisis"),
                ("family_informed", "yes"),
            ],
        )
        .await;
    assert_eq!(crisis.status, StatusCode::SEE_OTHER);
    let crisis = id_from(&crisis.location, "/aanmeldingen/");
    let regular = refer(&karin, c.bakker, c.table, "Graag op de volgende agenda.").await;

    // The crisis referral comes first in the inbox, and within its 4 hours it is not late.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let home = ingrid.get("/").await;
    let order: Vec<String> = home
        .html()
        .select(&scraper::Selector::parse(".ss-inbox tbody tr a").unwrap())
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(
        order,
        [
            format!("/aanmeldingen/{crisis}"),
            format!("/aanmeldingen/{regular}")
        ]
    );
    app.clock.advance(chrono::Duration::hours(3));
    app.housekeeping();
    assert_eq!(mails_to(&app, "ingrid@vt.example", "te lang"), 0);

    // Past 4 hours: late in the inbox and on the referral, told to the chair and the coordinator once.
    app.clock.advance(chrono::Duration::hours(2));
    app.housekeeping();
    app.housekeeping();
    assert_eq!(mails_to(&app, "ingrid@vt.example", "te lang"), 1);
    assert_eq!(
        mails_to(&app, "hanna@veiligheidshuis.example", "te lang"),
        1
    );
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    assert!(
        inbox_row(&ingrid.get("/").await, crisis)
            .unwrap()
            .contains("Te laat")
    );
    assert!(
        !inbox_row(&ingrid.get("/").await, regular)
            .unwrap()
            .contains("Te laat")
    );
    let page = ingrid.get(&format!("/aanmeldingen/{crisis}")).await;
    assert!(page.text(".ss-family-meta").unwrap().contains("Te laat"));
    // The regular one (5 working days) is late after 8 days at the latest; told once too.
    app.clock.advance(chrono::Duration::days(8));
    app.housekeeping();
    assert_eq!(mails_to(&app, "ingrid@vt.example", "te lang"), 2);
    // The family's timeline records that the answer came late.
    let late: i64 = samenspel::schema::events::table
        .filter(samenspel::schema::events::kind.eq("referral.answer_late"))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(late, 2);
}

#[actix_web::test]
async fn a_coordinator_sets_a_kinds_answer_deadlines_and_bad_numbers_are_explained() {
    let app = TestApp::spawn().await;
    let _ = Cast::new(&app);
    app.coordinator(
        "hanna@veiligheidshuis.example",
        "Hanna de Groot",
        "Veiligheidshuis Zuid-Holland Zuid",
        crate::common::DEFAULT_PARTNERSHIP,
    );
    let hanna = signed_in(&app, "hanna@veiligheidshuis.example").await;
    let (kind, name): (i64, String) = table_kinds::table
        .filter(table_kinds::code.eq("mda"))
        .filter(table_kinds::partnership_id.eq(crate::common::DEFAULT_PARTNERSHIP))
        .select((table_kinds::id, table_kinds::name))
        .first(&mut *app.conn())
        .unwrap();
    let page = hanna.get("/beheer/overlegsoorten").await;
    assert_eq!(page.value(&format!("#crisis-{kind}")).as_deref(), Some("4"));
    assert_eq!(page.value(&format!("#urgent-{kind}")).as_deref(), Some("1"));
    assert_eq!(
        page.value(&format!("#regular-{kind}")).as_deref(),
        Some("5")
    );
    let save = |crisis: &'static str| {
        let (hanna, name) = (&hanna, name.clone());
        async move {
            hanna
                .submit(
                    "/beheer/overlegsoorten",
                    &format!("/beheer/overlegsoorten/{kind}"),
                    &[
                        ("name", name.as_str()),
                        ("referral_criteria", "Huiselijk geweld houdt aan."),
                        ("outcome_options", "Fase 1: directe veiligheid"),
                        ("access_days", "28"),
                        ("answer_hours_crisis", crisis),
                        ("answer_days_urgent", "2"),
                        ("answer_days_regular", "10"),
                    ],
                )
                .await
        }
    };
    let bad = save("0").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.visible_text().contains("1 tot en met 72"));
    assert_eq!(save("8").await.status, StatusCode::SEE_OTHER);
    let stored: (i32, i32, i32) = table_kinds::table
        .find(kind)
        .select((
            table_kinds::answer_hours_crisis,
            table_kinds::answer_days_urgent,
            table_kinds::answer_days_regular,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(stored, (8, 2, 10));
}

#[actix_web::test]
async fn a_spoedoverleg_is_only_for_an_open_crisis_referral_and_bad_input_plans_nothing() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let spoed = |client: &'static str, id: i64, starts: &'static str, link: &'static str| {
        let app = &app;
        async move {
            let client = signed_in(app, client).await;
            client
                .submit(
                    &format!("/aanmeldingen/{id}"),
                    &format!("/aanmeldingen/{id}/spoedoverleg"),
                    &[("starts", starts), ("online_link", link)],
                )
                .await
        }
    };
    let meetings = || app.count("meetings");
    let planned = meetings();

    // An urgent (not crisis) referral gets no spoedoverleg form and a post is refused as a conflict.
    let urgent = refer(&karin, c.jansen, c.table, "Graag snel.").await;
    let page = ingrid.get(&format!("/aanmeldingen/{urgent}")).await;
    assert!(page.text("#spoedoverleg").is_none());
    let refused = spoed(
        "ingrid@vt.example",
        urgent,
        "23:59",
        "https://meet.example/x",
    )
    .await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert!(
        refused
            .visible_text()
            .contains("alleen voor een crisisaanmelding")
    );

    let form = format!("/gezinnen/{}/aanmelden/{}", c.bakker, c.table);
    let made = karin
        .submit(
            &form,
            &form,
            &[
                ("reason", "Moeder is met de kinderen gevlucht."),
                ("tried", "Opvang is gebeld."),
                ("question", "Wie doet wat vandaag?"),
                ("urgency", "crisis"),
                ("family_informed", "yes"),
            ],
        )
        .await;
    let crisis = id_from(&made.location, "/aanmeldingen/");
    // Only the chair plans it: the referrer and the minute-taker-less others are refused.
    let by_referrer = spoed(
        "karin@wijkteam.example",
        crisis,
        "23:59",
        "https://meet.example/x",
    )
    .await;
    assert!(matches!(by_referrer.status.as_u16(), 403 | 404));
    // A link that is no web address and a time that is no time: explained, what was typed kept.
    let bad_link = spoed("ingrid@vt.example", crisis, "23:59", "teams kanaal MDA").await;
    assert_eq!(bad_link.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_link.visible_text().contains("begint met https://"));
    assert_eq!(
        bad_link.value("#urgent-link").as_deref(),
        Some("teams kanaal MDA")
    );
    let bad_time = spoed(
        "ingrid@vt.example",
        crisis,
        "half drie",
        "https://meet.example/x",
    )
    .await;
    assert_eq!(bad_time.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_time.visible_text().contains("Vul een tijd in"));
    assert_eq!(meetings(), planned, "nothing planned");
    assert_eq!(status_of(&app, crisis), ReferralStatus::Submitted);
}
