//! The figures of the flow through the tables: referrals by table and urgency, their lead times
//! (submitted → answered → discussed → first decision) against the table kind's answer deadline, the
//! outcomes of the decisions and how often the family's view was recorded.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::super::load::{self, DecisionEvent, TableRow};
use super::super::{Cell, Grouping, Label, Period, Row, Scope, Section};
use super::{count, key, quantile};
use crate::db::DbConn;
use crate::domain::decision::FamilyView;
use crate::domain::family::Urgency;
use crate::domain::referral::answer_due;
use crate::domain::table::AnswerDeadlines;

/// A referral submitted in the period and when it reached each step (first time after submitting).
#[derive(Clone, Debug)]
pub struct Flow {
    pub family_id: i64,
    pub table_id: i64,
    pub urgency: Urgency,
    pub submitted: NaiveDateTime,
    pub answered: Option<NaiveDateTime>,
    pub discussed: Option<NaiveDateTime>,
    pub decided: Option<NaiveDateTime>,
}

pub fn sections(conn: &mut DbConn, scope: Scope, period: Period) -> QueryResult<Vec<Section>> {
    let (start, end) = (period.start(), period.end());
    let events = load::referral_events(conn, scope, start)?;
    let discussed = load::discussed(conn, scope, start)?;
    let decisions = load::decisions(conn, scope, start)?;
    let flows = flows(&events, &discussed, &decisions, (start, end));
    let mut ids: Vec<i64> = flows.iter().map(|f| f.table_id).collect();
    ids.extend(decisions.iter().map(|d| d.2));
    ids.sort_unstable();
    ids.dedup();
    let tables = load::tables(conn, &ids)?;
    let in_period: Vec<&DecisionEvent> = decisions
        .iter()
        .filter(|d| d.0 >= start && d.0 < end)
        .collect();
    Ok(vec![
        by_table(&flows, &tables),
        lead_times(&flows, &tables),
        outcomes(&in_period, &tables),
        family_view(&in_period, &tables),
    ])
}

/// The first of `times` at or after `since`.
fn first_after(times: Option<&Vec<NaiveDateTime>>, since: NaiveDateTime) -> Option<NaiveDateTime> {
    let times = times?;
    times.get(times.partition_point(|t| *t < since)).copied()
}

/// Each referral submitted in the period with its steps.
fn flows(
    events: &[load::ReferralEvent],
    discussed: &[(NaiveDateTime, i64, i64)],
    decisions: &[DecisionEvent],
    (start, end): (NaiveDateTime, NaiveDateTime),
) -> Vec<Flow> {
    let by_family_table = |rows: Vec<(i64, i64, NaiveDateTime)>| {
        let mut map: HashMap<(i64, i64), Vec<NaiveDateTime>> = HashMap::new();
        for (family, table, at) in rows {
            map.entry((family, table)).or_default().push(at);
        }
        map.values_mut().for_each(|v| v.sort_unstable());
        map
    };
    let discussed = by_family_table(discussed.iter().map(|d| (d.1, d.2, d.0)).collect());
    let decided = by_family_table(decisions.iter().map(|d| (d.1, d.2, d.0)).collect());
    let mut answers: HashMap<i64, NaiveDateTime> = HashMap::new();
    for (submitted, at, referral, ..) in events {
        if !submitted {
            answers.entry(*referral).or_insert(*at);
        }
    }
    events
        .iter()
        .filter(|e| e.0 && e.1 >= start && e.1 < end)
        .map(|(_, at, referral, family, table, urgency)| Flow {
            family_id: *family,
            table_id: *table,
            urgency: Urgency::from_code(urgency).unwrap_or(Urgency::Regular),
            submitted: *at,
            answered: answers.get(referral).copied().filter(|a| a >= at),
            discussed: first_after(discussed.get(&(*family, *table)), *at),
            decided: first_after(decided.get(&(*family, *table)), *at),
        })
        .collect()
}

fn name(tables: &[TableRow], id: i64) -> Label {
    Label::Text(
        tables
            .iter()
            .find(|t| t.0 == id)
            .map(|t| t.1.clone())
            .unwrap_or_default(),
    )
}

/// The tables in order of name that appear in `ids`.
fn rows_of(tables: &[TableRow], ids: &BTreeSet<i64>) -> Vec<i64> {
    tables
        .iter()
        .filter(|t| ids.contains(&t.0))
        .map(|t| t.0)
        .collect()
}

const URGENCIES: [Urgency; 3] = [Urgency::Crisis, Urgency::Urgent, Urgency::Regular];

/// Referrals per table and urgency.
fn by_table(flows: &[Flow], tables: &[TableRow]) -> Section {
    let mut per: HashMap<(i64, &str), Vec<i64>> = HashMap::new();
    for f in flows {
        per.entry((f.table_id, f.urgency.code()))
            .or_default()
            .push(f.family_id);
    }
    let ids: BTreeSet<i64> = flows.iter().map(|f| f.table_id).collect();
    let rows = rows_of(tables, &ids)
        .into_iter()
        .map(|table| Row {
            label: name(tables, table),
            cells: URGENCIES
                .iter()
                .map(|u| count(per.remove(&(table, u.code())).unwrap_or_default()))
                .collect(),
        })
        .collect();
    Section {
        id: "referrals",
        columns: URGENCIES.iter().map(|u| key(&u.label_key())).collect(),
        rows,
        grouping: Grouping::Rows,
    }
}

fn days(from: NaiveDateTime, to: NaiveDateTime) -> f64 {
    (to - from).num_seconds() as f64 / 86_400.0
}

/// Median and 90th percentile of the days from submitting to a step.
fn spread(flows: &[&Flow], step: impl Fn(&Flow) -> Option<NaiveDateTime>) -> [Cell; 2] {
    let values: Vec<f64> = flows
        .iter()
        .filter_map(|f| step(f).map(|at| days(f.submitted, at)))
        .collect();
    let basis = values.len() as u64;
    [0.5, 0.9].map(|q| Cell::Days {
        value: quantile(&values, q),
        basis,
    })
}

/// Lead times per urgency; the answer against the deadline of the table's kind.
fn lead_times(flows: &[Flow], tables: &[TableRow]) -> Section {
    let deadlines: HashMap<i64, AnswerDeadlines> = tables
        .iter()
        .map(|t| {
            let d = AnswerDeadlines {
                crisis_hours: t.2,
                urgent_days: t.3,
                regular_days: t.4,
            };
            (t.0, d)
        })
        .collect();
    let rows = URGENCIES
        .iter()
        .map(|u| {
            let these: Vec<&Flow> = flows.iter().filter(|f| f.urgency == *u).collect();
            let answered: Vec<&&Flow> = these.iter().filter(|f| f.answered.is_some()).collect();
            let in_time = answered
                .iter()
                .filter(|f| {
                    let d = deadlines.get(&f.table_id).copied().unwrap_or_default();
                    f.answered
                        .is_some_and(|a| a <= answer_due(d, f.urgency, f.submitted))
                })
                .count() as u64;
            let mut cells = vec![count(these.iter().map(|f| f.family_id).collect())];
            cells.extend(spread(&these, |f| f.answered));
            cells.push(Cell::Share {
                part: in_time,
                whole: answered.len() as u64,
            });
            cells.extend(spread(&these, |f| f.discussed));
            cells.extend(spread(&these, |f| f.decided));
            Row {
                label: key(&u.label_key()),
                cells,
            }
        })
        .collect();
    let columns = [
        "submitted",
        "answered_median",
        "answered_p90",
        "in_time",
        "discussed_median",
        "discussed_p90",
        "decided_median",
        "decided_p90",
    ];
    Section {
        id: "lead_times",
        columns: columns
            .iter()
            .map(|c| key(&format!("monitor.col.{c}")))
            .collect(),
        rows,
        grouping: Grouping::None,
    }
}

/// Decisions per table and outcome.
fn outcomes(decisions: &[&DecisionEvent], tables: &[TableRow]) -> Section {
    let names: BTreeSet<&str> = decisions.iter().map(|d| d.3.as_str()).collect();
    let ids: BTreeSet<i64> = decisions.iter().map(|d| d.2).collect();
    let mut per: HashMap<(i64, &str), Vec<i64>> = HashMap::new();
    for d in decisions {
        per.entry((d.2, d.3.as_str())).or_default().push(d.1);
    }
    let rows = rows_of(tables, &ids)
        .into_iter()
        .map(|table| Row {
            label: name(tables, table),
            cells: names
                .iter()
                .map(|outcome| count(per.remove(&(table, *outcome)).unwrap_or_default()))
                .collect(),
        })
        .collect();
    Section {
        id: "outcomes",
        columns: names.iter().map(|n| Label::Text(n.to_string())).collect(),
        rows,
        grouping: Grouping::Rows,
    }
}

/// The family's view on each table's decisions, and the share where it was recorded.
fn family_view(decisions: &[&DecisionEvent], tables: &[TableRow]) -> Section {
    let views = [
        FamilyView::Agrees,
        FamilyView::Disagrees,
        FamilyView::NotHeard,
    ];
    let mut per: HashMap<i64, Vec<&DecisionEvent>> = HashMap::new();
    for d in decisions {
        per.entry(d.2).or_default().push(d);
    }
    let ids: BTreeSet<i64> = per.keys().copied().collect();
    let rows = rows_of(tables, &ids)
        .into_iter()
        .map(|table| {
            let at = per.remove(&table).unwrap_or_default();
            let mut cells: Vec<Cell> = views
                .iter()
                .map(|v| count(at.iter().filter(|d| d.4 == v.code()).map(|d| d.1).collect()))
                .collect();
            let heard = at
                .iter()
                .filter(|d| d.4 != FamilyView::NotHeard.code())
                .count();
            cells.push(Cell::Share {
                part: heard as u64,
                whole: at.len() as u64,
            });
            Row {
                label: name(tables, table),
                cells,
            }
        })
        .collect();
    let mut columns: Vec<Label> = views.iter().map(|v| key(&v.label_key())).collect();
    columns.push(key("monitor.col.view_recorded"));
    Section {
        id: "family_view",
        columns,
        rows,
        grouping: Grouping::Rows,
    }
}
