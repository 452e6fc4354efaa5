//! The monitor (issue 20), on a generated region: a year of referrals, meetings, decisions, phases,
//! measures and closings written through the record functions. The monitor's figures match the
//! generator's own list of what it made; groups under five show as "< 5" on the page, in the CSV and
//! in the XLSX (read back); a professional opening a figure sees only the families they may see, and
//! an organisation admin sees the figures alone.

use std::collections::{BTreeMap, HashMap, HashSet};

use calamine::Reader;
use chrono::{Datelike, NaiveDateTime};
use reqwest::StatusCode;
use samenspel::demo_region::{Made, RegionSpec};
use samenspel::domain::decision::FamilyView;
use samenspel::domain::family::Urgency;
use samenspel::domain::monitor::small::{self, Shown};
use samenspel::domain::monitor::{self, Cell, Label, Monitor, Period, Scope};

use crate::common::world::{signed_in, today};
use crate::common::{Client, DEFAULT_PARTNERSHIP, PASSWORD, TestApp};

const COORDINATOR: &str = "coordinator@zvh.example";

/// The region of last year, and a coordinator of its partnership.
fn region(app: &TestApp) -> (Made, Period) {
    let year = today().year() - 1;
    let spec = RegionSpec {
        partnership_id: DEFAULT_PARTNERSHIP,
        families: 70,
        year,
        seed: 7,
        password_hash: samenspel::auth::password::hash(PASSWORD).unwrap(),
        tag: "a".into(),
    };
    let made = samenspel::demo_region::generate(&mut app.conn(), &spec).expect("a region");
    app.coordinator(
        COORDINATOR,
        "Carla Coördinator",
        "ZVH Regio",
        DEFAULT_PARTNERSHIP,
    );
    (made, Period::year(year))
}

fn computed(app: &TestApp, scope: Scope, period: Period) -> Monitor {
    monitor::compute(&mut app.conn(), scope, period, today()).expect("the monitor")
}

fn section<'a>(m: &'a Monitor, id: &str) -> &'a monitor::Section {
    m.sections.iter().find(|s| s.id == id).expect(id)
}

fn n(cell: &Cell) -> u64 {
    match cell {
        Cell::Count { n, .. } => *n,
        other => panic!("a count: {other:?}"),
    }
}

/// The count in the row named `row` (a table's name or a text key) and column `col`.
fn count_at(s: &monitor::Section, row: &Label, col: usize) -> u64 {
    s.rows
        .iter()
        .find(|r| r.label == *row)
        .map_or(0, |r| n(&r.cells[col]))
}

fn in_period(at: NaiveDateTime, p: Period) -> bool {
    at >= p.start() && at < p.end()
}

fn days(from: NaiveDateTime, to: NaiveDateTime) -> f64 {
    (to - from).num_seconds() as f64 / 86_400.0
}

const URGENCIES: [Urgency; 3] = [Urgency::Crisis, Urgency::Urgent, Urgency::Regular];

#[actix_web::test]
async fn the_monitor_counts_what_the_generated_region_made() {
    let app = TestApp::spawn().await;
    let (made, period) = region(&app);
    let m = computed(&app, Scope::Partnership(DEFAULT_PARTNERSHIP), period);
    assert!(made.referrals.len() >= 60, "{}", made.referrals.len());

    // Referrals per table and urgency.
    let referrals = section(&m, "referrals");
    for (table, name) in &made.tables {
        for (col, u) in URGENCIES.iter().enumerate() {
            let expected = made
                .referrals
                .iter()
                .filter(|r| {
                    r.table_id == *table && r.urgency == *u && in_period(r.submitted, period)
                })
                .count() as u64;
            assert_eq!(
                count_at(referrals, &Label::Text(name.clone()), col),
                expected,
                "{name} {u:?}"
            );
        }
    }
    // Outcomes and the family's view, per table.
    let decided: Vec<_> = made
        .decisions
        .iter()
        .filter(|d| in_period(d.at, period))
        .collect();
    assert!(!decided.is_empty());
    let outcomes = section(&m, "outcomes");
    for (table, name) in &made.tables {
        for (col, outcome) in outcomes.columns.iter().enumerate() {
            let Label::Text(outcome) = outcome else {
                panic!("an outcome")
            };
            let expected = decided
                .iter()
                .filter(|d| d.table_id == *table && d.outcome == *outcome)
                .count();
            assert_eq!(
                count_at(outcomes, &Label::Text(name.clone()), col),
                expected as u64
            );
        }
        let views = section(&m, "family_view");
        for (col, view) in [
            FamilyView::Agrees,
            FamilyView::Disagrees,
            FamilyView::NotHeard,
        ]
        .iter()
        .enumerate()
        {
            let expected = decided
                .iter()
                .filter(|d| d.table_id == *table && d.view == *view)
                .count();
            assert_eq!(
                count_at(views, &Label::Text(name.clone()), col),
                expected as u64
            );
        }
    }
    // Phases at the end of the year, and the steps in it.
    let mut last: HashMap<i64, i32> = HashMap::new();
    for (family, _, to, at) in &made.phases {
        if *at < period.end() {
            last.insert(*family, *to);
        }
    }
    for p in 1..=3 {
        let expected = last.values().filter(|to| **to == p).count() as u64;
        assert_eq!(
            count_at(section(&m, "phases"), &Label::Key(format!("phase.{p}")), 0),
            expected
        );
    }
    let steps = |back: bool| {
        made.phases
            .iter()
            .filter(|(_, from, to, at)| {
                in_period(*at, period) && from.is_some_and(|f| (*to < f) == back && *to != f)
            })
            .count() as u64
    };
    let moves = section(&m, "phase_moves");
    assert_eq!(
        count_at(moves, &Label::Key("monitor.row.forward".into()), 0),
        steps(false)
    );
    assert_eq!(
        count_at(moves, &Label::Key("monitor.row.back".into()), 0),
        steps(true)
    );
    // Measures per kind and the families closed.
    for kind in samenspel::domain::measure::MeasureKind::ALL {
        let expected = made
            .measures
            .iter()
            .filter(|(_, k, at)| k == kind && in_period(*at, period))
            .count();
        assert_eq!(
            count_at(section(&m, "measures"), &Label::Key(kind.label_key()), 0),
            expected as u64
        );
    }
    let closed = made
        .closed
        .iter()
        .filter(|(_, at)| in_period(*at, period))
        .count() as u64;
    assert!(closed > 0, "the region closes families");
    assert_eq!(
        count_at(
            section(&m, "status"),
            &Label::Key("monitor.row.family.closed".into()),
            0
        ),
        closed
    );

    // Professionals per family referred in the period: each family's open involvements, looked up
    // one family at a time.
    let referred: HashSet<i64> = made
        .referrals
        .iter()
        .filter(|r| in_period(r.submitted, period))
        .map(|r| r.family_id)
        .collect();
    let mut per_bucket = [0u64; 5];
    for family in &referred {
        use diesel::prelude::*;
        use samenspel::schema::involvements;
        let n: i64 = involvements::table
            .filter(involvements::family_id.eq(family))
            .filter(involvements::ended_on.is_null())
            .count()
            .get_result(&mut app.conn())
            .unwrap();
        if n > 0 {
            per_bucket[(n.min(5) - 1) as usize] += 1;
        }
    }
    assert!(
        per_bucket.iter().sum::<u64>() > 0,
        "referred families have professionals"
    );
    let professionals = section(&m, "professionals");
    for (i, expected) in per_bucket.iter().enumerate() {
        let row = Label::Key(format!("monitor.row.professionals_{}", i + 1));
        assert_eq!(count_at(professionals, &row, 0), *expected, "{row:?}");
    }

    // Lead times per urgency: the median and the 90th percentile of the generator's own times.
    let lead = section(&m, "lead_times");
    for (row, u) in URGENCIES.iter().enumerate() {
        let these: Vec<_> = made
            .referrals
            .iter()
            .filter(|r| r.urgency == *u && in_period(r.submitted, period))
            .collect();
        for (col, step) in [(1, 0), (4, 1), (6, 2)] {
            let values: Vec<f64> = these
                .iter()
                .filter_map(|r| {
                    [r.answered, r.discussed, r.decided][step].map(|at| days(r.submitted, at))
                })
                .collect();
            let Cell::Days { value, basis } = &lead.rows[row].cells[col] else {
                panic!("days")
            };
            assert_eq!(*basis, values.len() as u64, "{u:?} step {step}");
            let expected = monitor_quantile(&values, 0.5);
            match (value, expected) {
                (Some(v), Some(e)) => {
                    assert!((v - e).abs() < 0.01, "{u:?} step {step}: {v} against {e}")
                }
                (v, e) => assert_eq!(v.is_some(), e.is_some()),
            }
        }
    }
}

/// The nearest-rank quantile, as the monitor's documentation defines it.
fn monitor_quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied()
}

/// The texts expected in the referrals table: per table (name) its cells and total, by the rule.
fn expected_referral_rows(made: &Made, period: Period) -> BTreeMap<String, Vec<String>> {
    let mut rows = BTreeMap::new();
    for (table, name) in &made.tables {
        let counts: Vec<u64> = URGENCIES
            .iter()
            .map(|u| {
                made.referrals
                    .iter()
                    .filter(|r| {
                        r.table_id == *table && r.urgency == *u && in_period(r.submitted, period)
                    })
                    .count() as u64
            })
            .collect();
        if counts.iter().sum::<u64>() == 0 {
            continue;
        }
        let (cells, total) = small::group(&counts);
        let text = |s: Shown| match s {
            Shown::Count(n) => n.to_string(),
            Shown::Small => "< 5".to_string(),
            Shown::Hidden => "verborgen".to_string(),
        };
        let mut texts: Vec<String> = cells.into_iter().map(text).collect();
        texts.push(text(total));
        rows.insert(name.clone(), texts);
    }
    rows
}

/// The rows of the page's table of a section: row name → cell texts.
fn page_rows(body: &str, id: &str) -> BTreeMap<String, Vec<String>> {
    let html = scraper::Html::parse_document(body);
    let rows = scraper::Selector::parse(&format!("section[aria-labelledby=cijfer-{id}] tbody tr"))
        .unwrap();
    let th = scraper::Selector::parse("th").unwrap();
    let td = scraper::Selector::parse("td").unwrap();
    html.select(&rows)
        .map(|tr| {
            let name = tr
                .select(&th)
                .next()
                .map(|e| e.text().collect::<String>())
                .unwrap_or_default();
            let cells = tr
                .select(&td)
                .map(|e| e.text().collect::<String>().trim().to_string())
                .collect();
            (name.trim().to_string(), cells)
        })
        .collect()
}

/// The rows of a section's block in the CSV (or the XLSX as rows of texts).
fn block_rows(rows: &[Vec<String>], title: &str) -> BTreeMap<String, Vec<String>> {
    let start = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == title))
        .expect(title);
    rows[start + 2..]
        .iter()
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| (r[0].clone(), r[1..].to_vec()))
        .collect()
}

/// No count of 1 to 4 anywhere: every cell that is a whole number is 0 or at least 5.
fn no_small_number(rows: &[Vec<String>]) {
    for row in rows {
        for cell in row.iter().skip(1) {
            if let Ok(n) = cell.trim().parse::<u64>() {
                assert!(!(1..5).contains(&n), "a small number {n} in {row:?}");
            }
        }
    }
}

async fn fetch(client: &Client, path: &str) -> (StatusCode, Vec<u8>) {
    let res = client.http.get(client.url(path)).send().await.unwrap();
    (res.status(), res.bytes().await.unwrap().to_vec())
}

#[actix_web::test]
async fn groups_under_five_show_as_under_five_on_the_page_in_the_csv_and_in_the_xlsx() {
    let app = TestApp::spawn().await;
    let (made, period) = region(&app);
    let expected = expected_referral_rows(&made, period);
    let all: Vec<&String> = expected.values().flatten().collect();
    assert!(
        all.iter().any(|t| *t == "< 5"),
        "the region has a small group: {expected:?}"
    );
    assert!(
        all.iter().any(|t| t.parse::<u64>().is_ok_and(|n| n >= 5)),
        "and a large one"
    );

    let coordinator = signed_in(&app, COORDINATOR).await;
    let base = format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/monitor");
    let query = format!("van={}&tot={}", period.from, period.to);
    let page = coordinator.get(&format!("{base}?{query}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page_rows(&page.body, "referrals"), expected, "the page");
    for id in [
        "referrals",
        "outcomes",
        "phases",
        "measures",
        "professionals",
        "status",
        "overdue",
    ] {
        let rows: Vec<Vec<String>> = page_rows(&page.body, id)
            .into_iter()
            .map(|(k, mut v)| {
                v.insert(0, k);
                v
            })
            .collect();
        no_small_number(&rows);
    }
    assert!(
        page.body.contains("<svg class=\"ss-chart ss-bars\""),
        "a chart"
    );

    let (status, csv) = fetch(
        &coordinator,
        &format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/monitor.csv?{query}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(csv).unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    assert_eq!(
        block_rows(&rows, "Aanmeldingen per overleg en urgentie"),
        expected,
        "the CSV"
    );
    no_small_number(&rows);

    let (status, xlsx) = fetch(
        &coordinator,
        &format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/monitor.xlsx?{query}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an XLSX workbook");
    let range = book.worksheet_range("Monitor").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            let mut cells: Vec<String> = r.iter().map(|c| c.to_string()).collect();
            while cells.last().is_some_and(String::is_empty) {
                cells.pop();
            }
            cells
        })
        .collect();
    assert_eq!(
        block_rows(&rows, "Aanmeldingen per overleg en urgentie"),
        expected,
        "the XLSX"
    );
    let counted = [
        "Aanmeldingen per overleg en urgentie",
        "Uitkomsten per overleg",
        "Gezinnen per fase van veiligheid",
        "Maatregelen",
    ];
    for title in counted {
        let block: Vec<Vec<String>> = block_rows(&rows, title)
            .into_iter()
            .map(|(k, mut v)| {
                v.insert(0, k);
                v
            })
            .collect();
        no_small_number(&block);
    }
}

#[actix_web::test]
async fn a_figure_opens_only_to_the_families_the_reader_may_see() {
    let app = TestApp::spawn().await;
    let (made, period) = region(&app);
    let coordinator_id = app.id_of(COORDINATOR);
    // The coordinator works with three open families of the region; closed ones they keep reading.
    let phase_one: Vec<i64> = {
        let m = computed(&app, Scope::Partnership(DEFAULT_PARTNERSHIP), period);
        let s = section(&m, "phases");
        s.families(0, 0).unwrap().to_vec()
    };
    assert!(phase_one.len() >= 5, "{phase_one:?}");
    let closed: HashSet<i64> = made.closed.iter().map(|(f, _)| *f).collect();
    let involved: Vec<i64> = phase_one
        .iter()
        .copied()
        .filter(|f| !closed.contains(f))
        .take(3)
        .collect();
    {
        let mut conn = app.conn();
        let by = samenspel::record::who(&mut conn, made.professional_id).unwrap();
        let coordinator = samenspel::record::who(&mut conn, coordinator_id).unwrap();
        for f in &involved {
            samenspel::db::write(&mut conn, |conn| {
                samenspel::record::add_involvement(
                    conn,
                    &by,
                    *f,
                    &coordinator,
                    "Meekijker",
                    today(),
                )
            })
            .unwrap();
        }
    }
    let expected: HashSet<i64> = phase_one
        .iter()
        .copied()
        .filter(|f| involved.contains(f) || closed.contains(f))
        .collect();
    let coordinator = signed_in(&app, COORDINATOR).await;
    let base = format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/monitor");
    let query = format!("van={}&tot={}", period.from, period.to);
    let page = coordinator.get(&format!("{base}?{query}")).await;
    let link = format!("{base}/lijst?{query}&cijfer=phases:0:0");
    let anchors = scraper::Selector::parse("section[aria-labelledby=cijfer-phases] td a").unwrap();
    let hrefs: Vec<String> = scraper::Html::parse_document(&page.body)
        .select(&anchors)
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(hrefs.contains(&link), "the figure opens: {hrefs:?}");
    let list = coordinator
        .get(&format!("{base}/lijst?{query}&cijfer=phases:0:0"))
        .await;
    assert_eq!(list.status, StatusCode::OK);
    let html = scraper::Html::parse_document(&list.body);
    let links = scraper::Selector::parse(".ss-monitor-list a").unwrap();
    let shown: HashSet<i64> = html
        .select(&links)
        .filter_map(|a| {
            a.value()
                .attr("href")?
                .strip_prefix("/gezinnen/")?
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(shown, expected, "only the families the coordinator may see");
    assert!(shown.len() < phase_one.len());

    // The organisation admin of Veilig Thuis: the figures of the families it works with, no lists.
    let admin = signed_in(&app, "beheer.a@regio.example").await;
    let org = {
        use samenspel::domain::organisation;
        organisation::find_by_name(&mut app.conn(), "Veilig Thuis a")
            .unwrap()
            .unwrap()
            .id
    };
    let page = admin
        .get(&format!("/beheer/organisaties/{org}/monitor?{query}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        !page.body.contains("/monitor/lijst"),
        "no list behind the figures"
    );
    assert!(page.body.contains("Je ziet alleen de cijfers"));
    let list = admin
        .get(&format!(
            "/beheer/organisaties/{org}/monitor/lijst?{query}&cijfer=phases:0:0"
        ))
        .await;
    assert!(!list.body.contains("/gezinnen/"), "an admin sees no family");
    // Someone else's monitor does not exist for them.
    let other = admin.get(&format!("{base}?{query}")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

#[actix_web::test]
async fn the_story_behind_the_numbers_is_kept_per_period() {
    let app = TestApp::spawn().await;
    app.coordinator(
        COORDINATOR,
        "Carla Coördinator",
        "ZVH Regio",
        DEFAULT_PARTNERSHIP,
    );
    let coordinator = signed_in(&app, COORDINATOR).await;
    let base = format!("/beheer/samenwerkingsverbanden/{DEFAULT_PARTNERSHIP}/monitor");
    let page = coordinator
        .get(&format!("{base}?van=2025-01-01&tot=2025-12-31"))
        .await;
    assert!(
        page.body
            .contains("Voor deze periode is nog geen verhaal geschreven.")
    );
    let empty = coordinator
        .submit(
            &format!("{base}?van=2025-01-01&tot=2025-12-31"),
            &format!("{base}/verhaal"),
            &[("van", "2025-01-01"), ("tot", "2025-12-31"), ("text", "  ")],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("Schrijf het verhaal bij de cijfers."));
    let story = "Meer spoedaanmeldingen na de zomer: de wachtlijst bij de GGZ liep op.";
    let saved = coordinator
        .submit(
            &format!("{base}?van=2025-01-01&tot=2025-12-31"),
            &format!("{base}/verhaal"),
            &[
                ("van", "2025-01-01"),
                ("tot", "2025-12-31"),
                ("text", story),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = coordinator
        .get(&format!("{base}?van=2025-01-01&tot=2025-12-31"))
        .await;
    assert!(page.body.contains(story));
    let other_year = coordinator
        .get(&format!("{base}?van=2024-01-01&tot=2024-12-31"))
        .await;
    assert!(
        !other_year.body.contains(story),
        "a story belongs to its period"
    );
    // A period that is not one: a message, and this year's figures.
    let wrong = coordinator
        .get(&format!("{base}?van=2025-12-31&tot=2025-01-01"))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("De einddatum ligt voor de begindatum."));
}

/// Every count of a section, added up.
fn total(s: &monitor::Section) -> u64 {
    s.rows
        .iter()
        .flat_map(|r| &r.cells)
        .filter_map(|c| match c {
            Cell::Count { n, .. } => Some(*n),
            _ => None,
        })
        .sum()
}

#[actix_web::test]
async fn the_monitor_follows_the_log_as_it_grows() {
    let app = TestApp::spawn().await;
    let (first, period) = region(&app);
    let referred = |made: &Made| {
        made.referrals
            .iter()
            .filter(|r| in_period(r.submitted, period))
            .count() as u64
    };
    let before = computed(&app, Scope::Partnership(DEFAULT_PARTNERSHIP), period);
    assert_eq!(total(section(&before, "referrals")), referred(&first));

    // More of the year is recorded after the monitor was first read: the next reading counts it too
    // (the facts are caught up from where they were, not read once).
    let spec = RegionSpec {
        partnership_id: DEFAULT_PARTNERSHIP,
        families: 30,
        year: period.from.year(),
        seed: 8,
        password_hash: samenspel::auth::password::hash(PASSWORD).unwrap(),
        tag: "b".into(),
    };
    let second = samenspel::demo_region::generate(&mut app.conn(), &spec).expect("more");
    assert!(referred(&second) > 0);
    let after = computed(&app, Scope::Partnership(DEFAULT_PARTNERSHIP), period);
    assert_eq!(
        total(section(&after, "referrals")),
        referred(&first) + referred(&second)
    );
    let decided = |made: &Made| {
        made.decisions
            .iter()
            .filter(|d| in_period(d.at, period))
            .count() as u64
    };
    assert!(decided(&second) > 0);
    assert_eq!(
        total(section(&after, "outcomes")),
        decided(&first) + decided(&second)
    );
}
