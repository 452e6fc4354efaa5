//! The monitor's sections, made from what `load` reads, and the small-number rule applied to them.

mod flow;
mod record;

use chrono::NaiveDate;
use diesel::QueryResult;

use super::small::{self, Shown};
use super::{
    Cell, Display, Grouping, Label, Period, Scope, Section, ShownCell, ShownRow, ShownSection,
};
use crate::db::DbConn;

/// The two halves of the monitor: the flow through the tables, then the families' records. They read
/// different facts and rows, so they can be made at the same time on two connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Flow,
    Record,
}

/// The sections of one half, in the order of the page.
pub fn sections(
    conn: &mut DbConn,
    scope: Scope,
    period: Period,
    today: NaiveDate,
    part: Part,
) -> QueryResult<Vec<Section>> {
    match part {
        Part::Flow => flow::sections(conn, scope, period),
        Part::Record => record::sections(conn, scope, period, today),
    }
}

/// The value at quantile `q` (0 < q ≤ 1) of `values` by the nearest rank; None when empty.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

/// A count cell of `families` (one per item counted; the list behind it is each family once).
pub(super) fn count(mut families: Vec<i64>) -> Cell {
    let n = families.len() as u64;
    families.sort_unstable();
    families.dedup();
    Cell::Count { n, families }
}

pub(super) fn key(text: &str) -> Label {
    Label::Key(text.to_string())
}

fn count_of(cell: &Cell) -> Option<u64> {
    match cell {
        Cell::Count { n, .. } => Some(*n),
        _ => None,
    }
}

/// The section as shown: the rule applied cell by cell, or to each group with its total.
pub fn show(section: &Section) -> ShownSection {
    let figure = |r: usize, c: usize, cell: &Cell| match cell {
        Cell::Count { n, .. } if *n > 0 => Some(format!("{}:{r}:{c}", section.id)),
        _ => None,
    };
    let mut rows: Vec<ShownRow> = section
        .rows
        .iter()
        .enumerate()
        .map(|(r, row)| ShownRow {
            label: row.label.clone(),
            cells: row
                .cells
                .iter()
                .enumerate()
                .map(|(c, cell)| ShownCell {
                    display: alone(cell),
                    figure: figure(r, c, cell),
                })
                .collect(),
        })
        .collect();
    let mut columns = section.columns.clone();
    match section.grouping {
        Grouping::None => {}
        Grouping::Rows => {
            columns.push(key("monitor.total"));
            for (row, shown) in section.rows.iter().zip(rows.iter_mut()) {
                let at: Vec<usize> = (0..row.cells.len())
                    .filter(|&c| count_of(&row.cells[c]).is_some())
                    .collect();
                let counts: Vec<u64> = at.iter().filter_map(|&c| count_of(&row.cells[c])).collect();
                let (cells, total) = small::group(&counts);
                for (c, s) in at.iter().zip(cells) {
                    shown.cells[*c].display = s.into();
                }
                shown.cells.push(ShownCell {
                    display: total.into(),
                    figure: None,
                });
            }
        }
        Grouping::Column => {
            let counts: Vec<u64> = section
                .rows
                .iter()
                .map(|r| r.cells.first().and_then(count_of).unwrap_or(0))
                .collect();
            let (cells, total) = small::group(&counts);
            for (shown, s) in rows.iter_mut().zip(cells) {
                if let Some(first) = shown.cells.first_mut() {
                    first.display = s.into();
                }
            }
            let width = section.columns.len().max(1);
            let mut cells = vec![ShownCell {
                display: total.into(),
                figure: None,
            }];
            cells.resize(
                width,
                ShownCell {
                    display: Display::Nothing,
                    figure: None,
                },
            );
            rows.push(ShownRow {
                label: key("monitor.total"),
                cells,
            });
        }
    }
    ShownSection {
        id: section.id,
        columns,
        rows,
    }
}

/// One cell on its own.
fn alone(cell: &Cell) -> Display {
    match cell {
        Cell::Count { n, .. } => small::one(*n).into(),
        Cell::Days { value, basis } => match (value, small::one(*basis)) {
            (_, Shown::Count(0)) | (None, _) => Display::Nothing,
            (Some(days), _) if small::statistic_shown(*basis) => Display::Days(*days),
            _ => Display::Small,
        },
        Cell::Share { part, whole } => match small::share(*part, *whole) {
            _ if *whole == 0 => Display::Nothing,
            Some(percent) => Display::Percent(percent),
            None => Display::Hidden,
        },
        Cell::Text(text) => Display::Text(text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn families(n: usize) -> Cell {
        count((0..n as i64).collect())
    }

    #[test]
    fn quantiles_take_the_nearest_rank() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), Some(2.0));
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.0));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(quantile(&ten, 0.9), Some(9.0));
    }

    #[test]
    fn a_row_group_gets_its_total_and_hides_what_would_give_a_small_cell_away() {
        let section = Section {
            id: "outcomes",
            columns: vec![key("a"), key("b"), key("c")],
            rows: vec![Row {
                label: key("row"),
                cells: vec![families(3), families(10), families(50)],
            }],
            grouping: Grouping::Rows,
        };
        let shown = show(&section);
        let displays: Vec<Display> = shown.rows[0]
            .cells
            .iter()
            .map(|c| c.display.clone())
            .collect();
        assert_eq!(
            displays,
            [
                Display::Small,
                Display::Hidden,
                Display::Count(50),
                Display::Count(63)
            ]
        );
        assert_eq!(shown.columns.len(), 4);
        assert_eq!(
            shown.rows[0].cells[0].figure.as_deref(),
            Some("outcomes:0:0")
        );
    }

    #[test]
    fn a_median_over_fewer_than_five_is_not_shown() {
        let cell = |basis| Cell::Days {
            value: Some(4.0),
            basis,
        };
        assert_eq!(alone(&cell(4)), Display::Small);
        assert_eq!(alone(&cell(5)), Display::Days(4.0));
        assert_eq!(alone(&cell(0)), Display::Nothing);
    }

    use super::super::Row;
}
