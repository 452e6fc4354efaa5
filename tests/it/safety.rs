//! Phased work on safety: phase transitions by a table and by the director with their checklists, the
//! versioned safety plan and who may change it, the safety scale, recovery plans per member, and the
//! daily digest of overdue reviews.

use chrono::Duration;
use diesel::prelude::*;
use reqwest::StatusCode;
use samenspel::db;
use samenspel::domain::DomainResult;
use samenspel::domain::family::{PersonDetails, PersonRole};
use samenspel::domain::safety::{self, PlanContent, PlanKind, PlanRef};
use samenspel::record;

use crate::common::meeting::run_meeting;
use crate::common::world::{Cast, signed_in, today};
use crate::common::{Client, Page, TestApp};

fn ymd(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn current_phase(app: &TestApp, family: i64) -> Option<i32> {
    safety::current(&mut app.conn(), family)
        .unwrap()
        .map(|c| c.phase.number())
}

/// The texts of the phase history on a page, newest first.
fn history(page: &Page) -> Vec<String> {
    let html = page.html();
    let sel = scraper::Selector::parse("ol.ss-phase-history > li").unwrap();
    html.select(&sel).map(crate::common::folded_text).collect()
}

async fn change_phase(client: &Client, family: i64, fields: &[(&str, &str)]) -> Page {
    let path = format!("/gezinnen/{family}/fase");
    client.submit(&path, &path, fields).await
}

#[actix_web::test]
async fn a_family_goes_from_phase_1_to_2_to_3_and_back_with_decisions_and_ticked_criteria() {
    let app = TestApp::spawn().await;
    let c = Cast::new(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let (meeting, jansen_item, _) = run_meeting(&app, &c, false).await;
    let ingrid = signed_in(&app, "ingrid@vt.example").await;

    // The director puts the family in phase 1: no checklist, a rationale is enough.
    let page = change_phase(&ahmed, c.jansen, &[("to", "1"), ("rationale", "")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Schrijf op waarom de fase verandert.")
    );
    let page = change_phase(
        &ahmed,
        c.jansen,
        &[
            ("to", "1"),
            ("rationale", "Drie politiemeldingen in zes maanden."),
        ],
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    assert_eq!(current_phase(&app, c.jansen), Some(1));

    // At the meeting: the item shows the phase, and the decision form the checklist of the MDA++.
    let item_path = format!("/bijeenkomsten/{meeting}/punten/{jansen_item}");
    let item = ingrid.get(&item_path).await;
    assert!(
        item.text("#veiligheid + p")
            .unwrap_or_default()
            .contains("Fase 1: directe veiligheid")
    );
    let criteria = item
        .html()
        .select(&scraper::Selector::parse("input[name^=phase_check_2_]").unwrap())
        .count();
    assert_eq!(
        criteria, 4,
        "the default checklist to phase 2 has four criteria"
    );

    // Three of four criteria: refused, with the message, the typed text kept and nothing recorded.
    let decisions_before = app.count("decisions");
    let decide = |ticks: &'static [&'static str]| {
        let mut fields: Vec<(&str, &str)> = vec![
            ("outcome", "Fase 2: stabiele veiligheid"),
            ("text", "Het gezin gaat naar fase 2."),
            (
                "rationale",
                "Acht weken zonder incidenten; de afspraken houden.",
            ),
            ("family_view", "agrees"),
            ("family_words", "Sandra is blij dat het rustiger is."),
            ("supersedes", ""),
            ("phase_to", "2"),
        ];
        fields.extend(ticks.iter().map(|t| (*t, "ja")));
        let (ingrid, path) = (&ingrid, item_path.clone());
        async move {
            ingrid
                .submit(&path, &format!("{path}/besluiten"), &fields)
                .await
        }
    };
    let page = decide(&["phase_check_2_0", "phase_check_2_1", "phase_check_2_2"]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Vink alle voorwaarden aan."));
    assert!(
        page.body
            .contains("Acht weken zonder incidenten; de afspraken houden.")
    );
    assert!(
        page.html()
            .select(&scraper::Selector::parse("input[name=phase_check_2_1][checked]").unwrap())
            .next()
            .is_some(),
        "the ticks are kept"
    );
    assert_eq!(app.count("decisions"), decisions_before);
    assert_eq!(current_phase(&app, c.jansen), Some(1));

    let page = decide(&[
        "phase_check_2_0",
        "phase_check_2_1",
        "phase_check_2_2",
        "phase_check_2_3",
    ])
    .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    assert_eq!(app.count("decisions"), decisions_before + 1);
    assert_eq!(current_phase(&app, c.jansen), Some(2));
    let change = safety::current(&mut app.conn(), c.jansen).unwrap().unwrap();
    assert_eq!(change.meeting_id, Some(meeting));
    assert!(change.decision_id.is_some());
    assert!(change.criteria.iter().all(|k| k.ticked) && change.criteria.len() == 4);

    // A decision can add a safety agreement: the plan gets a new version at once. Without "who" it is
    // refused, with everything typed kept.
    let agreement = |who: &'static str| {
        let (ingrid, path) = (&ingrid, item_path.clone());
        async move {
            ingrid
                .submit(
                    &path,
                    &format!("{path}/besluiten"),
                    &[
                        ("outcome", "Fase 2: stabiele veiligheid"),
                        ("text", "Omgang voortaan in het buurthuis."),
                        ("rationale", "Sandra vroeg erom; oma Jansen vindt het goed."),
                        ("family_view", "agrees"),
                        ("family_words", "Graag."),
                        ("supersedes", ""),
                        ("phase_to", ""),
                        ("agreement_who", who),
                        ("agreement_what", "Begeleidt de omgang in het buurthuis."),
                        ("agreement_when", "Zaterdag"),
                        ("agreement_check", ""),
                        ("agreement_review_on", ""),
                    ],
                )
                .await
        }
    };
    let page = agreement("").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("Vul in wie deze afspraak uitvoert.")
    );
    assert_eq!(
        page.value("#agreement_what").as_deref(),
        Some("Begeleidt de omgang in het buurthuis.")
    );
    let safety_plan = PlanRef {
        family_id: c.jansen,
        kind: PlanKind::Safety,
        person_id: None,
    };
    assert!(
        safety::plan_version(&mut app.conn(), safety_plan, None)
            .unwrap()
            .is_none()
    );
    let page = agreement("Oma Jansen").await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    let plan = safety::plan_version(&mut app.conn(), safety_plan, None)
        .unwrap()
        .unwrap();
    assert_eq!(plan.version, 1);
    assert_eq!(safety::cell(&plan.content.rows[0], "who"), "Oma Jansen");
    assert_eq!(
        current_phase(&app, c.jansen),
        Some(2),
        "no phase step asked, none taken"
    );

    // Going back needs at least one reason ticked.
    let page = change_phase(&ahmed, c.jansen, &[("to", "1"), ("rationale", "x")]).await;
    assert_ne!(
        page.status,
        StatusCode::SEE_OTHER,
        "back needs a reason ticked"
    );
    assert!(page.visible_text().contains("Vink minstens één reden aan"));

    // The director: 2 → 3, first without the criteria, then with them.
    let page = change_phase(
        &ahmed,
        c.jansen,
        &[
            ("to", "3"),
            ("rationale", "Al een jaar veilig."),
            ("check_0", "ja"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Vink alle voorwaarden aan."));
    assert!(
        page.body.contains("Al een jaar veilig."),
        "the rationale is kept"
    );
    assert_eq!(current_phase(&app, c.jansen), Some(2));
    let page = change_phase(
        &ahmed,
        c.jansen,
        &[
            ("to", "3"),
            ("rationale", "Al een jaar veilig."),
            ("check_0", "ja"),
            ("check_1", "ja"),
            ("check_2", "ja"),
        ],
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    assert_eq!(current_phase(&app, c.jansen), Some(3));

    // Safety breaks down: back to phase 1 with one reason ticked.
    let page = change_phase(
        &ahmed,
        c.jansen,
        &[
            ("to", "1"),
            (
                "rationale",
                "Mark stond vannacht aan de deur en heeft Sandra bedreigd.",
            ),
            ("check_0", "ja"),
        ],
    )
    .await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );
    assert_eq!(current_phase(&app, c.jansen), Some(1));
    // From 1, phase 3 is not a step.
    let page = change_phase(
        &ahmed,
        c.jansen,
        &[
            ("to", "3"),
            ("rationale", "x"),
            ("check_0", "ja"),
            ("check_1", "ja"),
            ("check_2", "ja"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert_eq!(current_phase(&app, c.jansen), Some(1));

    // The family page shows the whole history, newest first, with who decided and what was ticked.
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    let steps = history(&family);
    assert_eq!(steps.len(), 4, "{steps:?}");
    assert!(
        steps[0].starts_with("Fase 1: directe veiligheid (terug van fase 3)"),
        "{}",
        steps[0]
    );
    assert!(steps[0].contains("Mark stond vannacht aan de deur"));
    assert!(steps[1].starts_with("Fase 3: herstel"));
    assert!(steps[2].starts_with("Fase 2: stabiele veiligheid"));
    assert!(
        steps[2].contains("Besloten in MDA++ Zuid-Holland Zuid"),
        "{}",
        steps[2]
    );
    assert!(steps[2].contains("Aangevinkt: Het geweld is gestopt"));
    assert!(steps[3].contains("Besloten door de regisseur, Ahmed Benali"));
    let events: i64 = {
        use samenspel::schema::events::dsl::*;
        events
            .filter(kind.eq("phase.changed"))
            .count()
            .get_result(&mut app.conn())
            .unwrap()
    };
    assert_eq!(events, 4);

    // Only the director and co-worker take the step themselves; an involved professional reads.
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let phase_page = karin.get(&format!("/gezinnen/{}/fase", c.jansen)).await;
    assert_eq!(phase_page.status, StatusCode::OK);
    assert!(
        phase_page
            .html()
            .select(&scraper::Selector::parse("form[action$='/fase']").unwrap())
            .next()
            .is_none()
    );
    let page = karin
        .post(
            &format!("/gezinnen/{}/fase", c.jansen),
            &[
                ("csrf_token", &phase_page.csrf()),
                ("to", "2"),
                ("rationale", "x"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(current_phase(&app, c.jansen), Some(1));
}

fn agreement_fields(n: usize, who: &str, what: &str, review: &str) -> Vec<(String, String)> {
    vec![
        (format!("row{n}_who"), who.into()),
        (format!("row{n}_what"), what.into()),
        (format!("row{n}_when"), String::new()),
        (format!("row{n}_check"), String::new()),
        (format!("row{n}_review_on"), review.into()),
    ]
}

async fn save_safety_plan(
    client: &Client,
    family: i64,
    base: &str,
    rows: Vec<(String, String)>,
) -> Page {
    let path = format!("/gezinnen/{family}/plannen/veiligheidsplan");
    let mut fields: Vec<(String, String)> = vec![
        ("base_version".into(), base.into()),
        (
            "danger".into(),
            "We zijn bang dat Mark weer geweld gebruikt tegen Sandra.".into(),
        ),
        ("goals".into(), "Geen geweld meer in huis.".into()),
        ("signals".into(), String::new()),
        (
            "contingency".into(),
            "Als Mark aan de deur komt, dan belt Sandra 112.".into(),
        ),
        ("network".into(), "Oma Jansen en buurvrouw Els.".into()),
        ("review_on".into(), ymd(today() + Duration::days(30))),
    ];
    fields.extend(rows);
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    client
        .submit(&format!("{path}/bewerken"), &path, &borrowed)
        .await
}

#[actix_web::test]
async fn the_safety_plan_is_versioned_and_only_director_and_co_worker_change_it() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let karin = signed_in(&app, "karin@wijkteam.example").await;
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let esther = signed_in(&app, "esther@ggz.example").await;
    let linda = signed_in(&app, "linda@ede.example").await;
    let path = format!("/gezinnen/{}/plannen/veiligheidsplan", c.jansen);

    let mut rows = agreement_fields(0, "Mark", "Komt niet aan huis.", "");
    rows.extend(agreement_fields(
        1,
        "Oma Jansen",
        "Omgang onder toezicht op zaterdag.",
        &ymd(today() + Duration::days(14)),
    ));
    let page = save_safety_plan(&ahmed, c.jansen, "0", rows).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );

    // The co-worker changes agreement 2 and adds a third.
    let mut rows = agreement_fields(0, "Mark", "Komt niet aan huis.", "");
    rows.extend(agreement_fields(
        1,
        "Oma Jansen",
        "Omgang onder toezicht in het buurthuis.",
        &ymd(today() + Duration::days(14)),
    ));
    rows.extend(agreement_fields(
        2,
        "School",
        "Meldt dezelfde dag aan Karin als Mila van slag is.",
        "",
    ));
    let page = save_safety_plan(&karin, c.jansen, "1", rows).await;
    assert_eq!(
        page.status,
        StatusCode::SEE_OTHER,
        "{}",
        page.visible_text()
    );

    let v2 = ruud.get(&format!("{path}/versies/2")).await;
    assert_eq!(v2.status, StatusCode::OK);
    let removed = v2.text(".ss-diff__removed").unwrap_or_default();
    let added: Vec<String> = v2
        .html()
        .select(&scraper::Selector::parse(".ss-diff__added").unwrap())
        .map(|e| e.text().collect::<String>())
        .collect();
    assert!(
        removed.contains("Oma Jansen · Omgang onder toezicht op zaterdag."),
        "{removed}"
    );
    assert!(
        added
            .iter()
            .any(|a| a.contains("Oma Jansen · Omgang onder toezicht in het buurthuis.")),
        "{added:?}"
    );
    assert!(
        added
            .iter()
            .any(|a| a.contains("School · Meldt dezelfde dag aan Karin")),
        "{added:?}"
    );
    assert!(
        !v2.visible_text().contains("+ Mark · Komt niet aan huis."),
        "unchanged lines are not shown as added"
    );

    // The involved professional reads, without an edit button, and cannot edit.
    let plan = ruud.get(&path).await;
    assert_eq!(plan.status, StatusCode::OK);
    assert!(
        plan.visible_text()
            .contains("Omgang onder toezicht in het buurthuis.")
    );
    assert!(!plan.visible_text().contains("Plan bewerken"));
    assert_eq!(
        ruud.get(&format!("{path}/bewerken")).await.status,
        StatusCode::FORBIDDEN
    );
    let page = ruud
        .post(
            &path,
            &[
                ("csrf_token", &plan.csrf()),
                ("base_version", "2"),
                ("danger", "Overschreven"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Everyone else: as if the family does not exist.
    for client in [&esther, &linda] {
        assert_eq!(client.get(&path).await.status, StatusCode::NOT_FOUND);
        assert_eq!(
            client.get(&format!("{path}/versies/1")).await.status,
            StatusCode::NOT_FOUND
        );
        let token = client.get("/").await.csrf();
        let page = client
            .post(
                &path,
                &[
                    ("csrf_token", &token),
                    ("base_version", "2"),
                    ("danger", "x"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
    }
    let plan_of_other = format!("/gezinnen/{}/plannen/veiligheidsplan", c.el_amrani);
    assert_eq!(
        ahmed.get(&plan_of_other).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        ahmed
            .get(&format!("/gezinnen/{}/plannen/onbekend", c.jansen))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A save on top of version 1, after version 2 exists: a conflict, the typed text kept, nothing saved.
    let rows = agreement_fields(0, "Mark", "Belt alleen via de advocaat.", "");
    let page = save_safety_plan(&ahmed, c.jansen, "1", rows).await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.visible_text().contains("Karin de Vries"),
        "says who saved in the meantime"
    );
    assert_eq!(
        page.value("#row0_what").as_deref(),
        Some("Belt alleen via de advocaat.")
    );
    // Bad input: a date that is not a date, and an agreement without who. Nothing saved, all kept.
    let mut rows = agreement_fields(0, "Mark", "Komt niet aan huis.", "31-02-2026");
    rows.extend(agreement_fields(1, "", "Zonder wie", ""));
    let page = save_safety_plan(&ahmed, c.jansen, "2", rows).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Dit is geen geldige datum."));
    assert!(
        page.visible_text()
            .contains("Vul in wie deze afspraak uitvoert.")
    );
    assert_eq!(page.value("#row0_review_on").as_deref(), Some("31-02-2026"));
    assert_eq!(page.value("#row1_what").as_deref(), Some("Zonder wie"));
    let versions = safety::plan_versions(
        &mut app.conn(),
        PlanRef {
            family_id: c.jansen,
            kind: PlanKind::Safety,
            person_id: None,
        },
    )
    .unwrap();
    assert_eq!(versions.len(), 2);

    // Ruud's reading is in the access log the director sees.
    let log = ahmed
        .get(&format!("/gezinnen/{}/inzagelog", c.jansen))
        .await;
    assert!(log.visible_text().contains("Ruud Verbeek"));
    assert!(log.visible_text().contains("Plan van een veiligheidsfase"));
}

/// Posts the safety-scale form: [score, date, source, given by, explanation].
async fn submit_score(client: &Client, path: &str, fields: [&str; 5]) -> Page {
    let names = ["score", "scored_on", "source", "given_by", "explanation"];
    let form: Vec<(&str, &str)> = names.into_iter().zip(fields).collect();
    client.submit(path, path, &form).await
}

fn markers(page: &Page) -> Vec<(String, f64)> {
    let html = page.html();
    let sel = scraper::Selector::parse("svg.ss-chart .ss-chart-point[data-score]").unwrap();
    html.select(&sel)
        .map(|e| {
            let x = e
                .value()
                .attr("cx")
                .map(|v| v.parse::<f64>().unwrap())
                .unwrap_or_else(|| e.value().attr("x").unwrap().parse::<f64>().unwrap() + 5.0);
            (e.value().attr("data-score").unwrap().to_string(), x)
        })
        .collect()
}

#[actix_web::test]
async fn the_safety_scale_is_a_chart_with_a_table_for_gaps_and_for_a_single_score() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let ruud = signed_in(&app, "ruud@politie.example").await;
    let linda = signed_in(&app, "linda@ede.example").await;
    let path = format!("/gezinnen/{}/veiligheidsschaal", c.jansen);

    // Bad input keeps what was typed and saves nothing.
    let page = submit_score(
        &ruud,
        &path,
        ["11", &ymd(today()), "professional", "", "Twijfel"],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.visible_text().contains("Kies een score van 0 tot 10."));
    assert!(page.body.contains("Twijfel"));
    let page = submit_score(
        &ruud,
        &path,
        ["5", &ymd(today() + Duration::days(3)), "family", "", ""],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.visible_text()
            .contains("De datum ligt in de toekomst.")
    );
    assert!(
        page.visible_text()
            .contains("Vul in welk gezinslid de score geeft.")
    );
    assert_eq!(app.count("safety_scores"), 0);

    // A series with a gap: two scores 60 days ago, one yesterday.
    for (score, days_ago, source, given_by) in [
        ("3", 61, "professional", ""),
        ("5", 60, "family", "Sandra Jansen"),
        ("6", 1, "professional", ""),
    ] {
        let page = submit_score(
            &ruud,
            &path,
            [
                score,
                &ymd(today() - Duration::days(days_ago)),
                source,
                given_by,
                "Uitleg",
            ],
        )
        .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{}",
            page.visible_text()
        );
    }
    let page = ruud.get(&path).await;
    let svg = page.html();
    let svg_el = svg
        .select(&scraper::Selector::parse("svg.ss-chart").unwrap())
        .next()
        .expect("an SVG chart");
    assert_eq!(svg_el.value().attr("role"), Some("img"));
    assert!(page.text("svg.ss-chart desc").unwrap().contains("3 scores"));
    let m = markers(&page);
    assert_eq!(m.len(), 3, "{m:?}");
    let pro: Vec<f64> = m
        .iter()
        .filter(|(s, _)| s != "5")
        .map(|(_, x)| *x)
        .collect();
    let fam = m.iter().find(|(s, _)| s == "5").unwrap().1;
    // 1 day from the first to the family's score, 59 more to the last: the gap shows as space.
    assert!(
        ((pro[1] - fam) / (fam - pro[0]) - 59.0).abs() < 1.0,
        "{m:?}"
    );
    // The table holds the same scores, newest first, for screen readers and for reading.
    let rows: Vec<String> = page
        .html()
        .select(&scraper::Selector::parse("details table tbody tr").unwrap())
        .map(|r| r.text().collect::<String>())
        .collect();
    assert_eq!(rows.len(), 3);
    assert!(
        rows[0].contains('6') && rows[0].contains("Ruud Verbeek (Politie Zuid-Holland Zuid)"),
        "{rows:?}"
    );
    assert!(
        rows[1].contains("Sandra Jansen") && rows[1].contains("Gezin"),
        "{rows:?}"
    );
    // The family page shows the chart too.
    let family = ruud.get(&format!("/gezinnen/{}", c.jansen)).await;
    assert_eq!(markers(&family).len(), 3);

    // A single score: one marker, no line.
    let other = format!("/gezinnen/{}/veiligheidsschaal", c.el_amrani);
    let page = submit_score(&linda, &other, ["4", &ymd(today()), "professional", "", ""]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = linda.get(&other).await;
    assert_eq!(markers(&page).len(), 1);
    assert!(!page.body.contains("<polyline"));
    // Someone without a relation to the family does not get the scale.
    assert_eq!(ruud.get(&other).await.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn a_family_of_three_gets_three_recovery_plans_each_readable_on_its_own() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let mut conn = app.conn();
    let members: Vec<i64> = db::write(&mut conn, |conn| -> DomainResult<Vec<i64>> {
        let mut ids = Vec::new();
        for (name, role) in [
            ("Anouk Bakker", PersonRole::Parent),
            ("Sem Bakker", PersonRole::Child),
            ("Noor Bakker", PersonRole::Child),
        ] {
            let p = record::save_person(
                conn,
                &c.ahmed,
                c.jansen,
                None,
                &PersonDetails {
                    name: name.into(),
                    date_of_birth: None,
                    role,
                    parental_authority: role == PersonRole::Parent,
                    identity: None,
                },
            )?;
            ids.push(p);
        }
        Ok(ids)
    })
    .unwrap();
    drop(conn);
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let goals = [
        "Anouk: minder herbelevingen.",
        "Sem: weer meedoen met sport.",
        "Noor: fijn naar school.",
    ];
    for (person, goal) in members.iter().zip(goals) {
        let path = format!("/gezinnen/{}/plannen/herstelplan-{person}", c.jansen);
        let page = ahmed
            .submit(
                &format!("{path}/bewerken"),
                &path,
                &[
                    ("base_version", "0"),
                    ("goals", goal),
                    ("interventions", ""),
                    ("trauma_informed", "Rust en vaste tijden."),
                    ("supporters", ""),
                    ("review_on", ""),
                ],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{}",
            page.visible_text()
        );
    }
    for (i, person) in members.iter().enumerate() {
        let page = ahmed
            .get(&format!(
                "/gezinnen/{}/plannen/herstelplan-{person}",
                c.jansen
            ))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let text = page.visible_text();
        assert!(text.contains(goals[i]), "{text}");
        for (j, other) in goals.iter().enumerate() {
            if j != i {
                assert!(
                    !text.contains(other),
                    "plan {i} shows the goal of member {j}"
                );
            }
        }
    }
    let family = ahmed.get(&format!("/gezinnen/{}", c.jansen)).await;
    for name in ["Anouk Bakker", "Sem Bakker", "Noor Bakker"] {
        assert!(
            family
                .visible_text()
                .contains(&format!("Herstelplan van {name} (versie 1)")),
            "{name}"
        );
    }
    // A member of another family through this family's address: 404.
    let stranger = db::write(&mut app.conn(), |conn| {
        record::save_person(
            conn,
            &c.ahmed,
            c.el_amrani,
            None,
            &PersonDetails {
                name: "Adam El Amrani".into(),
                date_of_birth: None,
                role: PersonRole::Child,
                parental_authority: false,
                identity: None,
            },
        )
    });
    // The director of this family is not involved with the other one: the record layer refuses nothing,
    // but the page does.
    let stranger = stranger.unwrap();
    let page = ahmed
        .get(&format!(
            "/gezinnen/{}/plannen/herstelplan-{stranger}",
            c.jansen
        ))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_daily_digest_lists_exactly_the_overdue_reviews_of_that_director() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let day = today();
    let past = day - Duration::days(2);
    let future = day + Duration::days(10);
    let row = |who: &str, review: Option<chrono::NaiveDate>| {
        let mut r = std::collections::BTreeMap::new();
        r.insert("who".to_string(), who.to_string());
        r.insert("what".to_string(), "Afspraak".to_string());
        if let Some(d) = review {
            r.insert("review_on".to_string(), d.to_string());
        }
        r
    };
    let plan = |family_id, kind, rows| {
        (
            PlanRef {
                family_id,
                kind,
                person_id: None,
            },
            rows,
        )
    };
    db::write(&mut app.conn(), |conn| -> DomainResult<()> {
        // Ahmed's family: the safety plan is overdue as a whole, and agreement 2 of 3 is overdue.
        let (r, rows) = plan(
            c.jansen,
            PlanKind::Safety,
            vec![
                row("Mark", Some(future)),
                row("Oma Jansen", Some(past)),
                row("School", None),
            ],
        );
        record::save_phase_plan(
            conn,
            &c.ahmed,
            r,
            0,
            Some(past),
            &PlanContent {
                texts: Default::default(),
                rows,
            },
        )?;
        // Its care plan is not due yet.
        let (r, _) = plan(c.jansen, PlanKind::Care, vec![]);
        record::save_phase_plan(conn, &c.ahmed, r, 0, Some(future), &PlanContent::default())?;
        // Linda's family is overdue too, but that is Linda's digest.
        let (r, _) = plan(c.el_amrani, PlanKind::Safety, vec![]);
        let linda_id = samenspel::domain::user::find_by_email(conn, "linda@ede.example")?
            .unwrap()
            .id;
        let linda = record::who(conn, linda_id)?;
        record::save_phase_plan(conn, &linda, r, 0, Some(past), &PlanContent::default())?;
        Ok(())
    })
    .unwrap();

    let sent = samenspel::digest::send_due(
        &app.pool,
        &app.mailer,
        "samenspel@example.org",
        &app.base_url,
        day,
    )
    .unwrap();
    assert_eq!(sent, 2, "Ahmed and Linda");
    let mails = app.mails();
    let to_ahmed: Vec<_> = mails
        .iter()
        .filter(|m| m.to == "ahmed@vt.example")
        .collect();
    assert_eq!(to_ahmed.len(), 1);
    let text = &to_ahmed[0].text;
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("- ")).collect();
    let when = past.format("%d-%m-%Y").to_string();
    assert_eq!(
        lines,
        vec![
            format!(
                "- Gezin J., {}: Veiligheidsplan — evalueren op {when}",
                case_number(&app, c.jansen)
            ),
            format!(
                "- Gezin J., {}: Veiligheidsplan, afspraak 2 — evalueren op {when}",
                case_number(&app, c.jansen)
            ),
        ],
        "{text}"
    );
    assert!(to_ahmed[0].subject.contains("2 evaluaties te laat"));
    assert!(text.contains("voorbij voor 2 onderdelen:"), "{text}");
    assert!(
        !text.contains("El Amrani"),
        "another director's family is not in it"
    );

    // Once a day: a second run sends nothing.
    assert_eq!(
        samenspel::digest::send_due(
            &app.pool,
            &app.mailer,
            "samenspel@example.org",
            &app.base_url,
            day
        )
        .unwrap(),
        0
    );
    assert_eq!(app.mails().len(), 2);

    // The start page of the director lists the same.
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let home = ahmed.get("/").await;
    let overdue = home.text("#te-evalueren + ul").unwrap_or_default();
    assert!(overdue.contains("afspraak 2 (Oma Jansen)"), "{overdue}");
    assert!(!overdue.contains("Hulpverleningsplan"));
}

fn case_number(app: &TestApp, family: i64) -> String {
    samenspel::domain::family::find(&mut app.conn(), family)
        .unwrap()
        .unwrap()
        .case_number
}

#[actix_web::test]
async fn the_start_page_names_the_member_of_an_overdue_recovery_plan() {
    let app = TestApp::spawn().await;
    let c = Cast::with_jansens_past(&app);
    let past = today() - Duration::days(2);
    db::write(&mut app.conn(), |conn| -> DomainResult<()> {
        let member = record::save_person(
            conn,
            &c.ahmed,
            c.jansen,
            None,
            &PersonDetails {
                name: "Sem Jansen".into(),
                date_of_birth: None,
                role: PersonRole::Child,
                parental_authority: false,
                identity: None,
            },
        )?;
        let r = PlanRef {
            family_id: c.jansen,
            kind: PlanKind::Recovery,
            person_id: Some(member),
        };
        record::save_phase_plan(conn, &c.ahmed, r, 0, Some(past), &PlanContent::default())?;
        Ok(())
    })
    .unwrap();
    let ahmed = signed_in(&app, "ahmed@vt.example").await;
    let home = ahmed.get("/").await;
    let overdue = home.text("#te-evalueren + ul").unwrap_or_default();
    assert!(overdue.contains("Herstelplan (Sem Jansen)"), "{overdue}");
}
