//! The figures of the families' records: safety phases (where families are at the end of the period,
//! the steps forward and back, the time from phase 1 to phase 2), measures, closing and aftercare,
//! overdue actions and reviews per organisation, and how many professionals work with each family.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::QueryResult;

use super::super::load;
use super::super::{Cell, Grouping, Label, Period, Row, STATUS_KINDS, Scope, Section};
use super::{count, key, quantile};
use crate::db::DbConn;
use crate::domain::measure::MeasureKind;
use crate::events::EventKind;

pub fn sections(
    conn: &mut DbConn,
    scope: Scope,
    period: Period,
    today: NaiveDate,
) -> QueryResult<Vec<Section>> {
    let (start, end) = (period.start(), period.end());
    let changes = load::phase_changes(conn, scope, end)?;
    let mut all = phases(&changes, start);
    all.push(measures(&load::measures(conn, scope, (start, end))?));
    all.push(status(
        &load::status_changes(conn, scope, (start, end))?,
        load::in_aftercare(conn, scope)?,
    ));
    all.push(overdue(
        load::overdue_actions(conn, scope, today)?,
        &load::reviews(conn, scope, today)?,
        today,
    ));
    all.push(professionals(&load::professionals(
        conn,
        scope,
        (start, end),
    )?));
    Ok(all)
}

use super::super::load::Change;

/// Families per phase at the end of the period, the steps in it, and the time from 1 to 2.
fn phases(changes: &[Change], start: NaiveDateTime) -> Vec<Section> {
    let mut current: HashMap<i64, i32> = HashMap::new();
    let mut entered_one: HashMap<i64, NaiveDateTime> = HashMap::new();
    let (mut forward, mut back, mut to_two) = (Vec::new(), Vec::new(), Vec::new());
    for &(at, family, to, from) in changes {
        current.insert(family, to);
        if to == 1 {
            entered_one.insert(family, at);
        }
        if at < start {
            continue;
        }
        match from {
            Some(from) if to > from => forward.push(family),
            Some(from) if to < from => back.push(family),
            _ => {}
        }
        if let (Some(1), 2, Some(since)) = (from, to, entered_one.get(&family)) {
            to_two.push((family, (at - *since).num_seconds() as f64 / 86_400.0));
        }
    }
    let per_phase = Section {
        id: "phases",
        columns: vec![key("monitor.col.families")],
        rows: (1..=3)
            .map(|p| Row {
                label: key(&format!("phase.{p}")),
                cells: vec![count(
                    current
                        .iter()
                        .filter(|(_, to)| **to == p)
                        .map(|(f, _)| *f)
                        .collect(),
                )],
            })
            .collect(),
        grouping: Grouping::Column,
    };
    let moves = Section {
        id: "phase_moves",
        columns: vec![key("monitor.col.steps")],
        rows: vec![
            Row {
                label: key("monitor.row.forward"),
                cells: vec![count(forward)],
            },
            Row {
                label: key("monitor.row.back"),
                cells: vec![count(back)],
            },
        ],
        grouping: Grouping::None,
    };
    vec![per_phase, moves, phase_time(&to_two)]
}

/// The days from entering phase 1 to the step to phase 2, per step: (family, days).
fn phase_time(to_two: &[(i64, f64)]) -> Section {
    let values: Vec<f64> = to_two.iter().map(|(_, d)| *d).collect();
    let basis = values.len() as u64;
    Section {
        id: "phase_time",
        columns: ["families", "median", "p90"]
            .iter()
            .map(|c| key(&format!("monitor.col.{c}")))
            .collect(),
        rows: vec![Row {
            label: key("monitor.row.one_to_two"),
            cells: vec![
                count(to_two.iter().map(|(f, _)| *f).collect()),
                Cell::Days {
                    value: quantile(&values, 0.5),
                    basis,
                },
                Cell::Days {
                    value: quantile(&values, 0.9),
                    basis,
                },
            ],
        }],
        grouping: Grouping::None,
    }
}

/// The measures recorded in the period, per kind.
fn measures(recorded: &[(i64, String)]) -> Section {
    Section {
        id: "measures",
        columns: vec![key("monitor.col.recorded")],
        rows: MeasureKind::ALL
            .iter()
            .map(|k| Row {
                label: key(&k.label_key()),
                cells: vec![count(
                    recorded
                        .iter()
                        .filter(|(_, kind)| kind == k.code())
                        .map(|(f, _)| *f)
                        .collect(),
                )],
            })
            .collect(),
        grouping: Grouping::Column,
    }
}

/// Families closed and reopened in the period (their status events), and in aftercare now.
fn status(changes: &[(String, i64)], aftercare: Vec<i64>) -> Section {
    let of = |kind: EventKind| {
        count(
            changes
                .iter()
                .filter(|(k, _)| k == kind.name())
                .map(|(_, f)| *f)
                .collect(),
        )
    };
    let mut rows: Vec<Row> = STATUS_KINDS
        .iter()
        .map(|k| Row {
            label: key(&format!("monitor.row.{}", k.name())),
            cells: vec![of(*k)],
        })
        .collect();
    rows.push(Row {
        label: key("monitor.row.aftercare"),
        cells: vec![count(aftercare)],
    });
    Section {
        id: "status",
        columns: vec![key("monitor.col.families")],
        rows,
        grouping: Grouping::None,
    }
}

/// Open actions past their date per owning organisation, and phase plans past their review date per
/// directing organisation (the latest version of each plan counts).
fn overdue(actions: Vec<(String, i64)>, reviews: &[load::ReviewRow], today: NaiveDate) -> Section {
    let mut per_org: BTreeMap<String, (Vec<i64>, Vec<i64>)> = BTreeMap::new();
    for (org, family) in actions {
        per_org.entry(org).or_default().0.push(family);
    }
    let mut latest: HashMap<(i64, &str, Option<i64>), &load::ReviewRow> = HashMap::new();
    for row in reviews {
        let slot = latest.entry((row.1, row.2.as_str(), row.3)).or_insert(row);
        if row.4 > slot.4 {
            *slot = row;
        }
    }
    for row in latest.values() {
        if row.5.is_some_and(|on| on < today) {
            per_org.entry(row.0.clone()).or_default().1.push(row.1);
        }
    }
    Section {
        id: "overdue",
        columns: vec![key("monitor.col.actions"), key("monitor.col.reviews")],
        rows: per_org
            .into_iter()
            .map(|(org, (actions, reviews))| Row {
                label: Label::Text(org),
                cells: vec![count(actions), count(reviews)],
            })
            .collect(),
        grouping: Grouping::None,
    }
}

/// Families referred in the period by how many professionals work with them.
fn professionals(per_family: &[(i64, i64)]) -> Section {
    let bucket = |n: i64| (n.clamp(1, 5) - 1) as usize;
    let mut buckets: [Vec<i64>; 5] = Default::default();
    for (family, n) in per_family {
        buckets[bucket(*n)].push(*family);
    }
    Section {
        id: "professionals",
        columns: vec![key("monitor.col.families")],
        rows: buckets
            .into_iter()
            .enumerate()
            .map(|(i, families)| Row {
                label: key(&format!("monitor.row.professionals_{}", i + 1)),
                cells: vec![count(families)],
            })
            .collect(),
        grouping: Grouping::Column,
    }
}
