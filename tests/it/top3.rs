//! The "Top 3"-methodiek (issue 22): before an item, those invited for it and the family name up to three
//! concerns and strengths; the director merges them into one prioritised list with an explanatory
//! analysis, versioned like the plans. Here: who may read, give and merge (a professional who is not
//! invited gets 404, as for the item itself), and bad input refused with a Dutch message and nothing
//! lost. The whole way through a browser is in top3_browser.rs.

use chrono::Duration;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::family::PersonRole;
use samenspel::domain::safety::{PlanContent, PlanKind, PlanRef};
use samenspel::record;

use crate::common::meeting::{accept, item_ids, on_meeting, plan_meeting, refer};
use crate::common::portal::{family_account, member};
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, Page, TestApp};

/// The goals of the Jansens' safety plan, one per line: what a merged concern can be linked to.
pub(crate) const GOALS: [&str; 2] = [
    "Mark komt niet aan huis",
    "Contact met de kinderen alleen begeleid bij oma",
];

/// A planned, published meeting with the Jansens on its agenda: Esther invited for the item, Karin
/// involved with the family, Ahmed its director, Sandra with a portal account; the safety plan has
/// goals. Returns the app, the cast, the meeting and the item.
pub(crate) async fn a_jansen_item() -> (TestApp, Cast, i64, i64) {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let plan = PlanRef {
        family_id: c.jansen,
        kind: PlanKind::Safety,
        person_id: None,
    };
    let content = PlanContent {
        texts: [("goals".to_string(), GOALS.join("\n"))].into(),
        rows: Vec::new(),
    };
    db::write(&mut app.conn(), |conn| {
        record::save_phase_plan(conn, &c.ahmed, plan, 0, None, &content)
    })
    .unwrap();
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let meeting = plan_meeting(&ingrid, c.table, today() + Duration::days(3)).await;
    let referral = refer(&ahmed, c.jansen, c.table, "Wat verklaart het geweld?").await;
    accept(&ingrid, referral, Some(meeting)).await;
    let items = item_ids(&ingrid.get(&format!("/bijeenkomsten/{meeting}")).await);
    let item = *items.last().unwrap();
    let page = ingrid
        .submit(
            &format!("/bijeenkomsten/{meeting}/punten/{item}"),
            &format!("/bijeenkomsten/{meeting}/punten/{item}/uitnodigen"),
            &[("user_id", &c.esther.user_id.to_string())],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let page = on_meeting(&ingrid, meeting, "publiceren").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    (app, c, meeting, item)
}

/// Sandra Jansen, a member of the family with a portal account.
pub(crate) async fn sandra(app: &TestApp, c: &Cast) -> Client {
    let person = member(app, c, "Sandra Jansen", PersonRole::Parent, 34);
    let ahmed = signed_in(app, "ahmed@vt.example").await;
    family_account(app, &ahmed, c.jansen, person, "sandra@example.nl", "").await
}

fn top3_path(meeting: i64, item: i64) -> String {
    format!("/bijeenkomsten/{meeting}/punten/{item}/top3")
}

/// The values of the inputs called `name` on the page, in order.
fn values(page: &Page, name: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(&format!("input[name={name}]")).unwrap();
    page.html()
        .select(&sel)
        .map(|e| e.value().attr("value").unwrap_or_default().to_string())
        .collect()
}

#[actix_web::test]
async fn a_professional_not_invited_for_the_item_can_neither_read_nor_give_a_top_3() {
    let (app, _, meeting, item) = a_jansen_item().await;
    let path = top3_path(meeting, item);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let given = karin
        .submit(
            &path,
            &path,
            &[
                ("concern", "Geweld als Mark komt"),
                ("strength", "Oma helpt"),
            ],
        )
        .await;
    assert_eq!(
        given.status,
        StatusCode::SEE_OTHER,
        "{}",
        given.visible_text()
    );

    // Ruud sits at the table but is not invited for this item and does not work with the family.
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let before = (app.count("top3_entries"), app.count("top3_analyses"));
    assert_eq!(ruud.get(&path).await.status, StatusCode::NOT_FOUND);
    let token = ruud.get("/account").await.csrf();
    for (to, fields) in [
        (path.clone(), vec![("concern", "Iets")]),
        (
            format!("{path}/analyse"),
            vec![
                ("base_version", "0"),
                ("concern", "Iets"),
                ("explanation", "Uitleg"),
            ],
        ),
    ] {
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend(fields);
        let res = ruud
            .http
            .post(ruud.url(&to))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{to}");
    }
    assert_eq!(
        ruud.get(&format!("{path}/versies/1")).await.status,
        StatusCode::NOT_FOUND
    );
    // Nor does the item page give his eyes what Karin wrote.
    let item_page = ruud
        .get(&format!("/bijeenkomsten/{meeting}/punten/{item}"))
        .await;
    assert!(!item_page.visible_text().contains("Geweld als Mark komt"));
    assert_eq!(
        (app.count("top3_entries"), app.count("top3_analyses")),
        before
    );

    // Karin takes part, but merging is the director's (the chair's only in the meeting): 403.
    let merge = karin
        .submit(
            &path,
            &format!("{path}/analyse"),
            &[
                ("base_version", "0"),
                ("concern", "Geweld"),
                ("explanation", "Uitleg"),
            ],
        )
        .await;
    assert_eq!(merge.status, StatusCode::FORBIDDEN);
    let ingrid = signed_in(&app, "ingrid@vt.example").await;
    let page = ingrid.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.visible_text().contains("Geweld als Mark komt"),
        "the chair reads it"
    );
    assert!(
        page.html()
            .select(&scraper::Selector::parse("form[action$='/analyse']").unwrap())
            .next()
            .is_none(),
        "the chair merges only in the meeting"
    );
    assert_eq!(app.count("top3_analyses"), 0);
}

#[actix_web::test]
async fn a_top_3_that_is_empty_too_long_or_more_than_three_is_refused_in_dutch_and_kept() {
    let (app, c, meeting, item) = a_jansen_item().await;
    let path = top3_path(meeting, item);
    let esther = signed_in(&app, "esther@ggz.example").await;
    let long = "Lang ".repeat(70);
    let four = [
        ("concern", "Geweld"),
        ("concern", "Drank"),
        ("concern", "Schulden"),
        ("concern", "Mila slaapt slecht"),
    ];
    let cases: [(&[(&str, &str)], &str); 3] = [
        (&four, "Noem er niet meer dan drie"),
        (
            &[("concern", " "), ("strength", "")],
            "Noem ten minste één zorg of één kracht",
        ),
        (
            &[("concern", "Geweld"), ("strength", &long)],
            "Deze tekst is te lang",
        ),
    ];
    for (fields, message) in cases {
        let page = esther.submit(&path, &path, fields).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{message}");
        assert!(
            page.visible_text().contains(message),
            "{}",
            page.visible_text()
        );
        // Everything typed is back in the form.
        let mut shown = values(&page, "concern");
        shown.extend(values(&page, "strength"));
        for (_, typed) in fields.iter().filter(|(_, v)| !v.trim().is_empty()) {
            assert!(shown.contains(&typed.to_string()), "{typed} kept");
        }
    }
    assert_eq!(app.count("top3_entries"), 0);

    // The family in the portal: the same rules, in the portal's words.
    let sandra = sandra(&app, &c).await;
    let portal = format!("/portaal/punten/{item}/top3");
    let page = sandra.submit(&portal, &portal, &four).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Noem er niet meer dan drie"));
    assert_eq!(values(&page, "concern").len(), 4, "all four kept");
    assert_eq!(app.count("top3_entries"), 0);

    // The director's merged list: without the analysis, or with a goal the plan does not have.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let merge = format!("{path}/analyse");
    let page = ahmed
        .submit(
            &path,
            &merge,
            &[
                ("base_version", "0"),
                ("concern", "Geweld als Mark komt"),
                ("goal", GOALS[0]),
                ("explanation", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Schrijf de verklarende analyse op.")
    );
    assert_eq!(values(&page, "concern")[3], "Geweld als Mark komt", "kept");
    let page = ahmed
        .submit(
            &path,
            &merge,
            &[
                ("base_version", "0"),
                ("concern", "Geweld"),
                ("goal", "Een doel dat er niet is"),
                ("explanation", "Spanning."),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Dit doel staat niet (meer) in het veiligheidsplan.")
    );
    assert_eq!(app.count("top3_analyses"), 0);

    // Two saves on the same version: the second is refused as a conflict, its text kept.
    let first = [
        ("base_version", "0"),
        ("concern", "Geweld als Mark komt"),
        ("goal", GOALS[0]),
        ("explanation", "Spanning sinds de scheiding."),
    ];
    assert_eq!(
        ahmed.submit(&path, &merge, &first).await.status,
        StatusCode::SEE_OTHER
    );
    let late = [
        ("base_version", "0"),
        ("concern", "Mila is bang"),
        ("goal", ""),
        ("explanation", "Een andere uitleg."),
    ];
    let page = ahmed.submit(&path, &merge, &late).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.visible_text().contains("Een andere uitleg."),
        "typed text kept"
    );
    assert_eq!(app.count("top3_analyses"), 1);
}

#[actix_web::test]
async fn the_family_sees_its_own_top_3_and_the_merged_list_not_what_each_professional_wrote() {
    use diesel::prelude::*;
    use samenspel::domain::portal::Category;
    use samenspel::events::EventKind;
    use samenspel::schema::events;

    let (app, c, meeting, item) = a_jansen_item().await;
    let path = top3_path(meeting, item);
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let given = karin
        .submit(&path, &path, &[("concern", "Karin ziet schulden")])
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);
    let sandra = sandra(&app, &c).await;
    let portal = format!("/portaal/punten/{item}/top3");
    let given = sandra
        .submit(
            &portal,
            &portal,
            &[
                ("concern", "Ik ben bang als Mark komt"),
                ("strength", "Mijn moeder helpt"),
            ],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER);

    // The professionals read hers as the family's.
    let text = karin.get(&path).await.visible_text();
    assert!(text.contains("Sandra Jansen (gezin)"), "{text}");
    assert!(text.contains("Ik ben bang als Mark komt"), "{text}");

    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let merged = ahmed
        .submit(
            &path,
            &format!("{path}/analyse"),
            &[
                ("base_version", "0"),
                ("concern", "Geweld als Mark komt"),
                ("goal", GOALS[0]),
                ("explanation", "Spanning sinds de scheiding."),
            ],
        )
        .await;
    assert_eq!(merged.status, StatusCode::SEE_OTHER);

    // Sandra sees her own top 3 and the merged list, never what Karin wrote.
    let page = sandra.get(&portal).await;
    assert_eq!(values(&page, "concern")[0], "Ik ben bang als Mark komt");
    let text = page.visible_text();
    assert!(text.contains("Spanning sinds de scheiding."), "{text}");
    assert!(!text.contains("Karin ziet schulden"), "{text}");

    // Once the director keeps decisions from her, the merged list is no longer shown to her.
    let person = samenspel::domain::family::persons(&mut app.conn(), c.jansen)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Sandra Jansen")
        .unwrap();
    db::write(&mut app.conn(), |conn| {
        record::set_withheld(
            conn,
            &c.ahmed,
            c.jansen,
            &person,
            Category::Decisions,
            Some("Eerst met haar bespreken."),
        )
    })
    .unwrap();
    let text = sandra.get(&portal).await.visible_text();
    assert!(!text.contains("Spanning sinds de scheiding."), "{text}");
    assert!(text.contains("Onze top 3"), "her own form stays");

    // Every giving and merging is an event on the family's record.
    let kinds: Vec<String> = events::table
        .filter(events::family_id.eq(c.jansen))
        .select(events::kind)
        .load(&mut app.conn())
        .unwrap();
    let count = |k: EventKind| kinds.iter().filter(|n| *n == k.name()).count();
    assert_eq!(count(EventKind::Top3Given), 2);
    assert_eq!(count(EventKind::Top3Merged), 1);
}
