//! Purpose: data reaches someone from outside a family's partnership only with a written reason, kept
//! with the referral or invitation, in the event, and shown to the family's director (on the referral
//! and in the access log); and only those who work with a family from within its partnership refer it.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::table;
use samenspel::schema::{agenda_items, events, item_invitees, referrals};

use crate::common::TestApp;
use crate::common::meeting::{accept, plan_meeting, refer};
use crate::common::world::{Cast, GELDERLAND, signed_in, today};

/// A table of Centraal Gelderland, the partnership Jansen does not belong to.
fn table_in_gelderland(app: &TestApp, c: &Cast) -> i64 {
    let mut conn = app.conn();
    let gelderland = app.partnership(GELDERLAND);
    let kind = table::kinds_of(&mut conn, &[gelderland])
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    samenspel::record::create_table(&mut conn, &c.ingrid, &kind, "MDA++ Ede", "Ede")
        .unwrap()
        .id
}

fn referral_fields(outside_reason: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("reason", "Drie meldingen van huiselijk geweld."),
        ("tried", "Hulp via het wijkteam."),
        ("question", "Wie neemt de hulp over?"),
        ("urgency", "urgent"),
        ("family_informed", "yes"),
        ("outside_reason", outside_reason),
    ]
}

fn last_event_data(app: &TestApp, family: i64, kind: &str) -> String {
    events::table
        .filter(events::family_id.eq(family))
        .filter(events::kind.eq(kind))
        .order(events::id.desc())
        .select(events::data)
        .first(&mut *app.conn())
        .unwrap()
}

/// Karin, Jansen's family coach, refers Jansen to a table in Ede (another partnership): without a
/// reason nothing is sent and what she wrote stays; with one, the reason is kept with the referral and
/// in the event, Ahmed (the director) gets a mail that names no family, reads the reason on the referral
/// and sees it in the access log.
#[actix_web::test]
async fn a_referral_to_another_partnership_needs_a_reason_and_the_director_hears_of_it() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ede = table_in_gelderland(&app, &c);
    let karin = signed_in(&app, "karin@wijkteam.example").await;

    let choose = karin
        .get(&format!("/gezinnen/{}/aanmelden", c.jansen))
        .await;
    assert_eq!(choose.status, StatusCode::OK);
    let text = choose.visible_text();
    let own = text.find("MDA++ Zuid-Holland Zuid").unwrap();
    let other = text
        .find("Overleggen van andere samenwerkingsverbanden")
        .unwrap();
    assert!(own < other && text[other..].contains("MDA++ Ede"), "{text}");

    let form = format!("/gezinnen/{}/aanmelden/{ede}", c.jansen);
    let refused = karin.submit(&form, &form, &referral_fields("  ")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.visible_text().contains(
        "Schrijf op waarom je aanmeldt bij een overleg van een ander samenwerkingsverband."
    ));
    assert_eq!(
        refused.text("#question").as_deref(),
        Some("Wie neemt de hulp over?")
    );
    assert_eq!(app.count("referrals"), 0);

    let mails_before = app.mails().len();
    let reason = "Het gezin verhuist volgende maand naar Ede.";
    let sent = karin.submit(&form, &form, &referral_fields(reason)).await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "{}",
        sent.visible_text()
    );
    let kept: Option<String> = referrals::table
        .filter(referrals::family_id.eq(c.jansen))
        .select(referrals::outside_reason)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(kept.as_deref(), Some(reason));
    assert!(last_event_data(&app, c.jansen, "referral.submitted").contains(reason));

    let mails = app.mails();
    let to_ahmed: Vec<_> = mails[mails_before..]
        .iter()
        .filter(|m| m.to == "ahmed@vt.example")
        .collect();
    assert_eq!(to_ahmed.len(), 1, "one mail to the director");
    assert!(to_ahmed[0].text.contains("ander samenwerkingsverband"));
    assert!(!to_ahmed[0].text.contains("Jansen") && !to_ahmed[0].subject.contains("Jansen"));

    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let referral = sent.location.clone().unwrap();
    assert!(ahmed.get(&referral).await.visible_text().contains(reason));
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await
        .visible_text();
    let section = &log[log
        .find("Toegang van buiten het samenwerkingsverband")
        .unwrap()..];
    assert!(
        section.contains("Karin") && section.contains("MDA++ Ede") && section.contains(reason),
        "{section}"
    );
}

/// A referral inside the partnership tells the director too; the director's own referral does not
/// mail the director.
#[actix_web::test]
async fn the_director_is_told_of_every_referral_but_their_own() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let before = app.mails().len();
    refer(&karin, c.jansen, c.table, "Wat is nodig?").await;
    refer(&ahmed, c.jansen, c.table, "En nu?").await;
    let to_ahmed: Vec<_> = app.mails()[before..]
        .iter()
        .filter(|m| m.to == "ahmed@vt.example")
        .cloned()
        .collect();
    assert_eq!(to_ahmed.len(), 1);
    assert!(to_ahmed[0].subject.contains("is aangemeld bij een overleg"));
    assert!(!to_ahmed[0].text.contains("ander samenwerkingsverband"));
}

/// Someone involved from outside the family's partnership (added with a reason) reads the record but
/// does not refer the family; someone not involved cannot even see it. Nothing is written.
#[actix_web::test]
async fn only_those_who_work_with_the_family_from_within_its_partnership_refer_it() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let linda_id = samenspel::domain::user::find_by_email(&mut app.conn(), "linda@ede.example")
        .unwrap()
        .unwrap()
        .id;
    {
        let mut conn = app.conn();
        let linda = samenspel::record::who(&mut conn, linda_id).unwrap();
        samenspel::record::add_involvement_from_outside(
            &mut conn,
            &c.ahmed,
            c.jansen,
            &linda,
            "Lokaal team Ede",
            today(),
            "Het gezin verhuist naar Ede.",
        )
        .unwrap();
    }
    let linda = signed_in(&app, "linda@ede.example").await;
    assert_eq!(
        linda.get(&format!("/gezinnen/{}", c.jansen)).await.status,
        StatusCode::OK
    );
    let joost = signed_in(&app, "joost@school.example").await;
    let form = format!("/gezinnen/{}/aanmelden/{}", c.jansen, c.table);
    for (client, who, status) in [
        (&linda, "Linda", StatusCode::FORBIDDEN),
        (&joost, "Joost", StatusCode::NOT_FOUND),
    ] {
        let choose = client
            .get(&format!("/gezinnen/{}/aanmelden", c.jansen))
            .await;
        assert_eq!(choose.status, status, "{who}");
        let sent = client
            .submit("/account", &form, &referral_fields("Verhuizing"))
            .await;
        assert_eq!(sent.status, status, "{who}");
    }
    assert_eq!(app.count("referrals"), 0);
}

/// The chair invites Linda (another partnership) for Jansen's item: the item page's own list offers
/// only the partnership's people; the invitation page needs a reason for her, keeps it with the
/// invitation and in the event, and the director sees it in the access log, where Linda's reads are
/// marked as from outside.
#[actix_web::test]
async fn inviting_someone_from_outside_the_partnership_for_an_item_needs_a_reason() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let meeting = plan_meeting(&ingrid, c.table, today() + Duration::days(1)).await;
    let referral = refer(&ahmed, c.jansen, c.table, "Wat is nodig?").await;
    accept(&ingrid, referral, Some(meeting)).await;
    let item: i64 = agenda_items::table
        .filter(agenda_items::meeting_id.eq(meeting))
        .filter(agenda_items::family_id.eq(c.jansen))
        .select(agenda_items::id)
        .first(&mut *app.conn())
        .unwrap();
    let item_page = format!("/bijeenkomsten/{meeting}/punten/{item}");

    let quick = ingrid.get(&item_page).await.visible_text();
    assert!(quick.contains("Iemand anders uitnodigen"));
    let offered: String = ingrid
        .get(&item_page)
        .await
        .html()
        .select(&scraper::Selector::parse("#guest option").unwrap())
        .map(crate::common::folded_text)
        .collect();
    for outsider in ["Linda Bos", "Petra de Graaf", "Beheer"] {
        assert!(!offered.contains(outsider), "{outsider} offered: {offered}");
    }

    let form = format!("{item_page}/uitnodigen");
    let page = ingrid.get(&form).await;
    assert_eq!(page.status, StatusCode::OK);
    let linda = samenspel::domain::user::find_by_email(&mut app.conn(), "linda@ede.example")
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let refused = ingrid
        .submit(&form, &form, &[("user_id", &linda), ("reason", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.visible_text().contains(
        "Schrijf op waarom iemand van buiten het samenwerkingsverband wordt uitgenodigd."
    ));
    assert_eq!(
        refused.value("#user_id option[selected]").as_deref(),
        Some(linda.as_str())
    );
    let linda_invited = || -> i64 {
        item_invitees::table
            .filter(item_invitees::user_id.eq(linda.parse::<i64>().unwrap()))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(linda_invited(), 0);

    let reason = "Linda neemt de hulp in Ede over en moet het gesprek horen.";
    let sent = ingrid
        .submit(&form, &form, &[("user_id", &linda), ("reason", reason)])
        .await;
    assert_eq!(
        sent.status,
        StatusCode::SEE_OTHER,
        "{}",
        sent.visible_text()
    );
    assert_eq!(linda_invited(), 1);
    let kept: Option<String> = item_invitees::table
        .filter(item_invitees::outside_reason.is_not_null())
        .select(item_invitees::outside_reason)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(kept.as_deref(), Some(reason));
    assert!(last_event_data(&app, c.jansen, "agenda.invited").contains(reason));

    // Once the agenda is out, Linda reads the item; the director sees why, and that she read it.
    let published = crate::common::meeting::on_meeting(&ingrid, meeting, "publiceren").await;
    assert_eq!(published.status, StatusCode::SEE_OTHER);
    let linda_client = signed_in(&app, "linda@ede.example").await;
    assert_eq!(linda_client.get(&item_page).await.status, StatusCode::OK);
    let log_page = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await;
    let log = log_page.visible_text();
    let section = &log[log
        .find("Toegang van buiten het samenwerkingsverband")
        .unwrap()..];
    assert!(
        section.contains("Linda Bos") && section.contains(reason),
        "{section}"
    );
    let marked = log_page
        .html()
        .select(&scraper::Selector::parse("#inzagelog tbody tr").unwrap())
        .map(crate::common::folded_text)
        .any(|row| row.contains("Linda Bos") && row.contains("van buiten"));
    assert!(marked, "{log}");
}
