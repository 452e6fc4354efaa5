//! The monitor: figures about a partnership, a table or an organisation over a period, made from the
//! event log (the events of the primary process and the rows they are about), never from numbers
//! typed in. Every figure is a section of rows and columns; `Section::shown` applies the small-number
//! rule (`small`), so the page, the CSV and the XLSX show exactly the same.

pub mod facts;
mod figures;
mod load;
pub mod notes;
pub mod small;

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::QueryResult;

use crate::db::DbConn;
use crate::events::EventKind;
/// One half of the monitor's sections (`Part`), on facts already brought up to the log
/// (`facts::catch_up`). The page makes both halves at once on two connections; put together (flow
/// first) they are the sections `compute` makes.
pub use figures::{Part, sections as compute_part};
use small::Shown;

/// The family status events the monitor counts: into aftercare, out of it with its evaluation, closed
/// and reopened.
pub const STATUS_KINDS: [EventKind; 4] = [
    EventKind::AftercareStarted,
    EventKind::AftercareEvaluated,
    EventKind::FamilyClosed,
    EventKind::FamilyReopened,
];

/// Whose figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Partnership(i64),
    Table(i64),
    Organisation(i64),
}

/// A period of whole days, both ends included, in Amsterdam time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// The calendar year.
    pub fn year(year: i32) -> Period {
        Period {
            from: NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default(),
            to: NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or_default(),
        }
    }

    /// The period from two dates as typed; the text key of what is wrong otherwise.
    pub fn parse(from: &str, to: &str) -> Result<Period, &'static str> {
        let (Some(from), Some(to)) = (crate::time::parse_date(from), crate::time::parse_date(to))
        else {
            return Err("monitor.error.date");
        };
        if to < from {
            return Err("monitor.error.order");
        }
        if (to - from).num_days() > 5 * 366 {
            return Err("monitor.error.long");
        }
        Ok(Period { from, to })
    }

    /// The first moment of the period (UTC).
    pub fn start(&self) -> NaiveDateTime {
        crate::time::utc_of_local(self.from.and_time(chrono::NaiveTime::MIN))
    }

    /// The first moment after the period (UTC).
    pub fn end(&self) -> NaiveDateTime {
        let next = self.to.succ_opt().unwrap_or(self.to);
        crate::time::utc_of_local(next.and_time(chrono::NaiveTime::MIN))
    }

    /// The current calendar year of `today`.
    pub fn this_year(today: NaiveDate) -> Period {
        Period::year(today.year())
    }
}

/// A row's or a column's name: a text key, or a name from the record (a table, an organisation, an
/// outcome).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Label {
    Key(String),
    Text(String),
}

/// One figure in a section.
#[derive(Clone, Debug)]
pub enum Cell {
    /// How many (referrals, decisions, families, ...), with the families behind them.
    Count { n: u64, families: Vec<i64> },
    /// A number of days over `basis` items (a median or a 90th percentile).
    Days { value: Option<f64>, basis: u64 },
    /// `part` of `whole`, in percent.
    Share { part: u64, whole: u64 },
    /// A fact that is no count (a deadline).
    Text(String),
}

/// Which counts add up to a total shown with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// None: each count stands alone.
    None,
    /// Each row's counts, with a total column.
    Rows,
    /// The first column's counts, with a total row.
    Column,
}

#[derive(Clone, Debug)]
pub struct Row {
    pub label: Label,
    pub cells: Vec<Cell>,
}

/// One figure of the monitor: title and explanation are `monitor.section.<id>` and
/// `monitor.section.<id>.about`.
#[derive(Clone, Debug)]
pub struct Section {
    pub id: &'static str,
    pub columns: Vec<Label>,
    pub rows: Vec<Row>,
    pub grouping: Grouping,
}

/// How a cell is shown after the small-number rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Display {
    Count(u64),
    /// 1 to 4: "< 5".
    Small,
    /// Hidden so that a total does not give a small group away.
    Hidden,
    Days(f64),
    Percent(f64),
    /// Nothing to show (no items).
    Nothing,
    Text(String),
}

impl From<Shown> for Display {
    fn from(s: Shown) -> Display {
        match s {
            Shown::Count(n) => Display::Count(n),
            Shown::Small => Display::Small,
            Shown::Hidden => Display::Hidden,
        }
    }
}

/// A cell as shown, and the figure's key when the list behind it can be opened.
#[derive(Clone, Debug)]
pub struct ShownCell {
    pub display: Display,
    pub figure: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ShownRow {
    pub label: Label,
    pub cells: Vec<ShownCell>,
}

/// A section as everyone sees it: the rule applied, the totals added (a total column for `Rows`, a
/// total row for `Column`).
#[derive(Clone, Debug)]
pub struct ShownSection {
    pub id: &'static str,
    pub columns: Vec<Label>,
    pub rows: Vec<ShownRow>,
}

impl Section {
    pub fn shown(&self) -> ShownSection {
        figures::show(self)
    }

    /// The families behind the count in row `row`, column `col`.
    pub fn families(&self, row: usize, col: usize) -> Option<&[i64]> {
        match self.rows.get(row)?.cells.get(col)? {
            Cell::Count { families, .. } => Some(families),
            _ => None,
        }
    }
}

/// The monitor of a scope over a period.
#[derive(Clone, Debug)]
pub struct Monitor {
    pub scope: Scope,
    pub period: Period,
    pub sections: Vec<Section>,
}

impl Monitor {
    /// The families behind a figure (`section:row:col`), if there is such a count.
    pub fn families_of(&self, figure: &str) -> Option<(&Section, usize, usize, &[i64])> {
        let mut parts = figure.split(':');
        let id = parts.next()?;
        let row: usize = parts.next()?.parse().ok()?;
        let col: usize = parts.next()?.parse().ok()?;
        let section = self.sections.iter().find(|s| s.id == id)?;
        Some((section, row, col, section.families(row, col)?))
    }
}

/// Computes the monitor of `scope` over `period`, as of `today`, on one connection.
pub fn compute(
    conn: &mut DbConn,
    scope: Scope,
    period: Period,
    today: NaiveDate,
) -> QueryResult<Monitor> {
    facts::catch_up(conn)?;
    let mut sections = compute_part(conn, scope, period, today, Part::Flow)?;
    sections.extend(compute_part(conn, scope, period, today, Part::Record)?);
    Ok(Monitor {
        scope,
        period,
        sections,
    })
}

/// The families a user might see (directs or co-directs, is or was involved with, was invited to
/// discuss, or keeps as a coordinator once closed): a cheap first cut before `family::relation`
/// decides for each, so a list of thousands does not ask the relation thousands of times.
pub fn candidates(conn: &mut DbConn, user_id: i64) -> QueryResult<HashSet<i64>> {
    use crate::schema::{
        agenda_items, directorships, families, involvements, item_invitees,
        partnership_coordinators,
    };
    use diesel::prelude::*;
    let mut found: HashSet<i64> = directorships::table
        .filter(
            directorships::director_user_id
                .eq(user_id)
                .or(directorships::co_worker_user_id.eq(user_id)),
        )
        .select(directorships::family_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    found.extend(
        involvements::table
            .filter(involvements::user_id.eq(user_id))
            .select(involvements::family_id)
            .load::<i64>(conn)?,
    );
    found.extend(
        item_invitees::table
            .inner_join(agenda_items::table)
            .filter(item_invitees::user_id.eq(user_id))
            .select(agenda_items::family_id)
            .load::<Option<i64>>(conn)?
            .into_iter()
            .flatten(),
    );
    let coordinated = partnership_coordinators::table
        .filter(partnership_coordinators::user_id.eq(user_id))
        .select(partnership_coordinators::partnership_id);
    found.extend(
        families::table
            .filter(families::partnership_id.eq_any(coordinated))
            .filter(families::status.eq(crate::domain::family::FamilyStatus::Closed.code()))
            .select(families::id)
            .load::<i64>(conn)?,
    );
    Ok(found)
}
