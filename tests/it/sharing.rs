//! Finer sharing in the family portal (issue 21, Must show 2): a member marked "deelt niet standaard
//! mee" sees nothing new until the director shares one item; a decision kept from a member leaves no
//! trace in that member's portal, news mail or data copy (PDF read back, JSON), while the director sees
//! what was left out and why; a decision about one member's health is theirs alone; and the member
//! cannot reach what is kept from them by guessing addresses.

use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::domain::family::PersonRole;
use samenspel::schema::{data_requests, decisions};

use crate::common::meeting::{assert_taken, run_meeting};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in};
use crate::common::{Client, TestApp};

/// Why Mark does not see new things by default.
pub(crate) const SUSPECTED: &str = "Verdacht van geweld tegen Sandra";
pub(crate) const SHARED_LATER: &str = "Omgang in het buurthuis, onder begeleiding.";
const KEPT: &str = "Politie onderzoekt de melding van huiselijk geweld verder.";
const KEPT_REASON: &str = "Lopend politieonderzoek naar Mark";
const AFTER: &str = "Over zes weken samen terugkijken.";
const HEALTH: &str = "GGZ start behandeling voor Sandra.";

/// The chair records a decision with this text on the item; returns its id.
pub(crate) async fn decide(
    app: &TestApp,
    chair: &Client,
    (meeting, item): (i64, i64),
    text: &str,
) -> i64 {
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    let page = chair
        .submit(
            &path,
            &format!("{path}/besluiten"),
            &[
                ("outcome", "Fase 1: directe veiligheid"),
                ("text", text),
                ("rationale", "Besproken aan tafel."),
                ("family_view", "agrees"),
                ("family_words", "Goed zo."),
                ("supersedes", ""),
            ],
        )
        .await;
    assert_taken(&page);
    decisions::table
        .filter(decisions::text.eq(text))
        .select(decisions::id)
        .first(&mut *app.conn())
        .unwrap()
}

/// The director marks the member "deelt niet standaard mee" (`by_default` "nee") or ends it ("ja").
pub(crate) async fn mark(
    ahmed: &Client,
    family: i64,
    person: i64,
    by_default: &str,
    reason: &str,
) -> crate::common::Page {
    let sharing = format!("/gezinnen/{family}/portaal/delen");
    ahmed
        .submit(
            &sharing,
            &format!("{sharing}/standaard"),
            &[
                ("person_id", &person.to_string()),
                ("by_default", by_default),
                ("reason", reason),
            ],
        )
        .await
}

/// The portal's text for the member.
async fn portal_text(member: &Client) -> String {
    let page = member.get("/portaal").await;
    assert_eq!(page.status, StatusCode::OK);
    page.visible_text()
}

/// The mails to `to` since `before`.
fn mails_to(app: &TestApp, before: usize, to: &str) -> Vec<samenspel::mail::Mail> {
    app.mails()
        .into_iter()
        .skip(before)
        .filter(|m| m.to == to)
        .collect()
}

/// The director's choice for one decision and one member.
pub(crate) async fn choose(
    ahmed: &Client,
    family: i64,
    decision: i64,
    person: i64,
    mode: &str,
    reason: &str,
) {
    assert_taken(&rule(ahmed, family, decision, person, (mode, reason)).await);
}

/// The director's sharing form for one decision and one member, as sent; the page answered.
async fn rule(
    ahmed: &Client,
    family: i64,
    decision: i64,
    person: i64,
    (mode, reason): (&str, &str),
) -> crate::common::Page {
    ahmed
        .submit(
            &format!("/gezinnen/{family}/portaal/delen"),
            &format!("/gezinnen/{family}/portaal/delen/onderdeel"),
            &[
                ("kind", "decision"),
                ("key", &decision.to_string()),
                ("person_id", &person.to_string()),
                ("mode", mode),
                ("reason", reason),
            ],
        )
        .await
}

#[actix_web::test]
async fn a_member_who_does_not_share_by_default_sees_nothing_new_and_a_kept_decision_leaves_no_trace()
 {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    let mark_id = member(&app, &c, "Mark Jansen", PersonRole::Parent, 38);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let sandra = family_account(&app, &ahmed, c.jansen, sandra_id, "sandra@example.org", "").await;
    let mark_client = family_account(&app, &ahmed, c.jansen, mark_id, "mark@example.org", "").await;
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let item = (meeting, jansen_item);
    // Before the marking: Mark sees the first decision like everyone.
    assert!(portal_text(&mark_client).await.contains("Fase 1 gaat door"));

    // Marking needs a reason: a clear message, nothing lost.
    let sharing = format!("/gezinnen/{}/portaal/delen", c.jansen);
    let page = mark(&ahmed, c.jansen, mark_id, "nee", "").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text().contains("Schrijf de reden op."),
        "{}",
        page.visible_text()
    );
    let page = mark(&ahmed, c.jansen, mark_id, "nee", SUSPECTED).await;
    assert_taken(&page);

    // New decisions: Sandra hears of them and reads them, Mark does not.
    let before = app.mails().len();
    let shared_later = decide(&app, &ingrid, item, SHARED_LATER).await;
    let kept = decide(&app, &ingrid, item, KEPT).await;
    assert_eq!(mails_to(&app, before, "mark@example.org").len(), 0);
    assert_eq!(mails_to(&app, before, "sandra@example.org").len(), 2);
    let text = portal_text(&mark_client).await;
    assert!(text.contains("Fase 1 gaat door"), "what was there stays");
    for new in [SHARED_LATER, KEPT] {
        assert!(!text.contains(new), "{new} in {text}");
        assert!(portal_text(&sandra).await.contains(new));
    }

    // The director keeps one from Mark for good, and shares the other with him, one item.
    choose(&ahmed, c.jansen, kept, mark_id, "keep", KEPT_REASON).await;
    choose(&ahmed, c.jansen, shared_later, mark_id, "share", "").await;
    let text = portal_text(&mark_client).await;
    assert!(text.contains(SHARED_LATER), "shared item by item: {text}");
    assert!(!text.contains(KEPT));

    // The director's page says, per decision, who does not see it and why.
    let page = ahmed.get(&sharing).await;
    assert_eq!(page.status, StatusCode::OK);
    let panel = page
        .text(&format!("#decision-{kept}"))
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        panel.contains(&format!("Mark Jansen: ziet dit niet — {KEPT_REASON}")),
        "{panel}"
    );
    assert!(panel.contains("Sandra Jansen: ziet dit"), "{panel}");

    // Back to sharing by default: later news reaches Mark again, the kept decision never does.
    let page = mark(&ahmed, c.jansen, mark_id, "ja", "").await;
    assert_taken(&page);
    let before = app.mails().len();
    decide(&app, &ingrid, item, AFTER).await;
    assert_eq!(mails_to(&app, before, "mark@example.org").len(), 1);

    // About Sandra's health: hers alone.
    let health = decide(&app, &ingrid, item, HEALTH).await;
    let page = ahmed
        .submit(
            &sharing,
            &format!("{sharing}/gezondheid"),
            &[
                ("kind", "decision"),
                ("key", &health.to_string()),
                ("person_id", &sandra_id.to_string()),
            ],
        )
        .await;
    assert_taken(&page);
    assert!(portal_text(&sandra).await.contains(HEALTH));

    // No trace in Mark's portal: no text, no reason, no gap or count, no word that something is hidden.
    let page = mark_client.get("/portaal").await;
    let text = page.visible_text();
    assert!(
        text.contains(AFTER) && text.contains(SHARED_LATER),
        "{text}"
    );
    for trace in [
        KEPT,
        KEPT_REASON,
        HEALTH,
        "verborgen",
        "niet gedeeld",
        "achtergehouden",
        "ziet dit niet",
        "Verdacht",
    ] {
        assert!(!page.body.contains(trace), "{trace} in Mark's portal");
    }
    let articles = scraper::Selector::parse("section[aria-labelledby=besluiten] article").unwrap();
    assert_eq!(
        page.html().select(&articles).count(),
        3,
        "Fase 1, shared later, after"
    );
    // Nor in any mail Mark got.
    for mail in mails_to(&app, 0, "mark@example.org") {
        for trace in [KEPT, KEPT_REASON, "verborgen", "Politie"] {
            assert!(!mail.text.contains(trace) && !mail.html.contains(trace));
        }
    }

    copy_leaves_out(&app, &ahmed, &mark_client, c.jansen).await;
    guessing_reaches_nothing(&app, &mark_client, c.jansen, (meeting, jansen_item), kept).await;
}

/// Mark asks for his data: his copy (PDF read back, JSON) has no trace of the kept decision or of
/// Sandra's health; the director sees both listed as left out, with why.
async fn copy_leaves_out(app: &TestApp, ahmed: &Client, mark: &Client, family: i64) {
    let asked = mark.submit("/portaal", "/portaal/inzageverzoek", &[]).await;
    assert_taken(&asked);
    let request: i64 = data_requests::table
        .filter(data_requests::family_id.eq(family))
        .select(data_requests::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = format!("/gezinnen/{family}/inzageverzoeken/{request}");
    let shown = ahmed.get(&page).await;
    let left_out = shown.text("#weggelaten-lijst").unwrap_or_default();
    assert!(left_out.contains(KEPT_REASON), "{left_out}");
    assert!(
        left_out.contains("Gaat over de gezondheid of behandeling van Sandra Jansen"),
        "{left_out}"
    );

    let pdf = ahmed
        .http
        .get(ahmed.url(&format!("{page}/pdf")))
        .send()
        .await;
    let pdf = pdf.unwrap().bytes().await.unwrap();
    let read = pdf_extract::extract_text_from_mem(&pdf).expect("the PDF reads back");
    let flat = read.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Omgang in het buurthuis"), "{flat}");
    let json = ahmed
        .http
        .get(ahmed.url(&format!("{page}/json")))
        .send()
        .await;
    let json = String::from_utf8(json.unwrap().bytes().await.unwrap().to_vec()).unwrap();
    assert!(
        json.contains(SHARED_LATER) && json.contains(AFTER),
        "{json}"
    );
    // The rest of the record is in the copy too (issue 20): phase plans, phases, scores, measures and
    // the meetings that discussed the family.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let part = |key: &str| {
        value["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["key"] == key)
            .map(|p| p["lines"].to_string())
    };
    for key in ["phase_plans", "phases", "scores", "measures", "meetings"] {
        assert!(part(key).is_some(), "{key} missing: {json}");
    }
    assert!(
        part("meetings")
            .unwrap()
            .contains("MDA++ Zuid-Holland Zuid"),
        "{json}"
    );
    assert!(
        flat.contains("Veiligheidsfases") && flat.contains("Overleggen"),
        "{flat}"
    );
    for trace in [
        "Politie onderzoekt",
        "Lopend politieonderzoek",
        "GGZ start behandeling",
        "gezondheid",
        "weggelaten",
        "verborgen",
    ] {
        assert!(!flat.contains(trace), "{trace} in the PDF: {flat}");
        assert!(!json.contains(trace), "{trace} in the JSON: {json}");
    }
}

/// Guessing addresses with the kept decision's id, item and family gets Mark nothing.
async fn guessing_reaches_nothing(
    app: &TestApp,
    mark: &Client,
    family: i64,
    (meeting, item): (i64, i64),
    kept: i64,
) {
    for path in [
        format!("/gezinnen/{family}/portaal/delen"),
        format!("/gezinnen/{family}/portaal"),
        format!("/bijeenkomsten/{meeting}/punten/{item}"),
        format!("/bijeenkomsten/{meeting}/besluitenlijst.pdf"),
        format!("/api/v1/besluit/{kept}"),
        format!("/portaal/besluiten/{kept}"),
    ] {
        let page = mark.get(&path).await;
        assert!(!page.status.is_success(), "{path}: {}", page.status);
        assert!(!page.body.contains(KEPT), "{path}");
    }
    // Nor can he share it with himself.
    let page = mark
        .post(
            &format!("/gezinnen/{family}/portaal/delen/onderdeel"),
            &[
                ("kind", "decision"),
                ("key", &kept.to_string()),
                ("mode", "share"),
            ],
        )
        .await;
    assert!(!page.status.is_success() && page.status != StatusCode::SEE_OTHER);
    assert!(!portal_text(mark).await.contains(KEPT));
    let _ = app;
}

#[actix_web::test]
async fn another_familys_decision_cannot_be_named_on_the_sharing_page() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let sandra_id = member(&app, &c, "Sandra Jansen", PersonRole::Parent, 34);
    run_meeting(&app, &c, false).await;
    let bakker_decision: i64 = decisions::table
        .filter(decisions::family_id.eq(c.bakker))
        .select(decisions::id)
        .first(&mut *app.conn())
        .unwrap();
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let page = rule(&ahmed, c.jansen, bakker_decision, sandra_id, ("share", "")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // Keeping one of Jansen's own without a reason: a clear message at that decision's form.
    let jansen_decision: i64 = decisions::table
        .filter(decisions::family_id.eq(c.jansen))
        .select(decisions::id)
        .first(&mut *app.conn())
        .unwrap();
    let page = rule(&ahmed, c.jansen, jansen_decision, sandra_id, ("keep", "  ")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let at = format!("reason-decision-{jansen_decision}");
    assert_eq!(
        page.text(&format!("#{at}-error")).as_deref(),
        Some("Schrijf de reden op.")
    );
    assert!(page.text(&format!("a[href='#{at}']")).is_some());
}

#[actix_web::test]
async fn plan_sections_and_actions_follow_the_same_rule() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let mark_id = member(&app, &c, "Mark Jansen", PersonRole::Parent, 38);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let mark_client = family_account(&app, &ahmed, c.jansen, mark_id, "mark@example.org", "").await;
    let plan = format!("/gezinnen/{}/plan", c.jansen);
    let save = |version: &'static str, fields: Vec<(&'static str, &'static str)>| {
        let (ahmed, plan) = (&ahmed, &plan);
        async move {
            let mut all = vec![("base_version", version)];
            all.extend(fields);
            let page = ahmed.submit(&format!("{plan}/bewerken"), plan, &all).await;
            assert_taken(&page);
        }
    };
    save(
        "0",
        vec![("safety__agreements", "Mark komt niet aan huis.")],
    )
    .await;
    let (meeting, item, _) = run_meeting(&app, &c, false).await;
    let first: i64 = decisions::table
        .filter(decisions::family_id.eq(c.jansen))
        .order(decisions::id.asc())
        .select(decisions::id)
        .first(&mut *app.conn())
        .unwrap();
    // An action that belongs to the first decision.
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let path = format!("/bijeenkomsten/{meeting}/punten/{item}");
    let page = ingrid
        .submit(
            &path,
            &format!("{path}/acties"),
            &[
                ("description", "Huisbezoek bij Sandra"),
                ("owner_user_id", &c.ahmed.user_id.to_string()),
                ("due_on", "2030-01-01"),
                ("condition", ""),
                ("family_informed_how", "Ahmed belt Sandra"),
                ("decision_id", &first.to_string()),
            ],
        )
        .await;
    assert_taken(&page);
    assert!(
        portal_text(&mark_client)
            .await
            .contains("Huisbezoek bij Sandra")
    );

    // Marked: a plan section whose text changes afterwards is new; the unchanged one stays.
    let page = mark(&ahmed, c.jansen, mark_id, "nee", SUSPECTED).await;
    assert_taken(&page);
    save(
        "1",
        vec![
            ("safety__agreements", "Mark komt niet aan huis."),
            ("housing__goals", "Sandra zoekt een eigen woning."),
        ],
    )
    .await;
    let text = portal_text(&mark_client).await;
    assert!(text.contains("Mark komt niet aan huis."), "{text}");
    assert!(!text.contains("Sandra zoekt een eigen woning."), "{text}");

    // The first decision kept from him: its action goes with it; an action of no decision stays.
    choose(&ahmed, c.jansen, first, mark_id, "keep", KEPT_REASON).await;
    let text = portal_text(&mark_client).await;
    assert!(!text.contains("Fase 1 gaat door"), "{text}");
    assert!(!text.contains("Huisbezoek bij Sandra"), "{text}");
    assert!(text.contains("GGZ-intake voor Sandra"), "{text}");
}
