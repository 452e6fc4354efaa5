//! What the monitor page shows of the computed figures: each section's words in the reader's language,
//! its cells as text (the small-number rule applied in the domain), a link to the list behind a count
//! for those who may open it, and a bar chart with the same numbers.

use askama::Template;

use super::super::PageCtx;
use super::super::chart::{Bar, bar_chart};
use super::super::forms::FieldErrors;
use crate::domain::monitor::notes::Note;
use crate::domain::monitor::{Display, Label, Period, ShownSection};
use crate::export::monitor::{display_text, label_text};
use crate::i18n::I18n;

pub struct CellView {
    pub text: String,
    /// The list behind the figure, for someone who may open lists.
    pub href: Option<String>,
}

pub struct RowView {
    pub label: String,
    pub cells: Vec<CellView>,
}

pub struct SectionView {
    pub id: &'static str,
    pub title: String,
    pub about: String,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
    pub chart: String,
}

/// Sections whose cells are no counts of one kind side by side: a table alone, no chart.
const NO_CHART: [&str; 3] = ["lead_times", "phase_time", "family_view"];

fn is_total(label: &Label) -> bool {
    *label == Label::Key("monitor.total".into())
}

/// The bars of a section: per row its total (a row group) or its first count.
fn bars(i18n: &I18n, section: &ShownSection) -> Vec<Bar> {
    let last = section.columns.last().is_some_and(is_total);
    section
        .rows
        .iter()
        .filter(|r| !is_total(&r.label))
        .filter_map(|r| {
            let cell = if last {
                r.cells.last()
            } else {
                r.cells.first()
            }?;
            Some(Bar {
                label: label_text(i18n, &r.label),
                value: match cell.display {
                    Display::Count(n) => Some(n),
                    _ => None,
                },
                text: display_text(i18n, &cell.display),
            })
        })
        .collect()
}

/// The sections as the page shows them; `list` is the address of the list page (with the period) when
/// the reader may open lists.
pub fn sections(i18n: &I18n, shown: &[ShownSection], list: Option<&str>) -> Vec<SectionView> {
    shown
        .iter()
        .map(|section| {
            let title = i18n.t(&format!("monitor.section.{}", section.id));
            let chart = if NO_CHART.contains(&section.id) {
                String::new()
            } else {
                bar_chart(
                    &bars(i18n, section),
                    &title,
                    &i18n.t("monitor.chart_description"),
                    &format!("grafiek-{}", section.id),
                )
            };
            SectionView {
                id: section.id,
                about: i18n.t(&format!("monitor.section.{}.about", section.id)),
                title,
                columns: section
                    .columns
                    .iter()
                    .map(|c| label_text(i18n, c))
                    .collect(),
                rows: section
                    .rows
                    .iter()
                    .map(|r| RowView {
                        label: label_text(i18n, &r.label),
                        cells: r
                            .cells
                            .iter()
                            .map(|c| CellView {
                                text: display_text(i18n, &c.display),
                                href: list
                                    .zip(c.figure.as_ref())
                                    .map(|(base, f)| format!("{base}&cijfer={f}")),
                            })
                            .collect(),
                    })
                    .collect(),
                chart,
            }
        })
        .collect()
}

/// The lines above the figures in an export: whose monitor, which period, and the rule.
pub fn heading(i18n: &I18n, name: &str, period: Period) -> Vec<String> {
    vec![
        format!("{} · {name}", i18n.t("monitor.title")),
        format!(
            "{} {} – {}",
            i18n.t("monitor.period"),
            period.from.format("%d-%m-%Y"),
            period.to.format("%d-%m-%Y")
        ),
        i18n.t("monitor.rule"),
    ]
}

#[derive(Template)]
#[template(path = "monitor/show.html")]
pub struct MonitorPage {
    pub ctx: PageCtx,
    pub name: String,
    /// The monitor's own address, without the period.
    pub base: String,
    pub from: String,
    pub to: String,
    pub period_error: Option<&'static str>,
    pub sections: Vec<SectionView>,
    /// Notes on the partnership's monitor for this period (newest first); None where there are none
    /// to show (an organisation's monitor).
    pub notes: Option<Vec<Note>>,
    /// Where the note form posts, for a coordinator.
    pub note_action: Option<String>,
    pub note_text: String,
    pub note_errors: FieldErrors,
    pub lists_open: bool,
}

impl MonitorPage {
    pub fn query(&self) -> String {
        format!("van={}&tot={}", self.from, self.to)
    }
}

/// A family in the list behind a figure.
pub struct ListedFamily {
    pub id: i64,
    pub name: String,
    pub case_number: String,
}

#[derive(Template)]
#[template(path = "monitor/list.html")]
pub struct ListPage {
    pub ctx: PageCtx,
    pub name: String,
    pub back: String,
    pub section: String,
    pub row: String,
    pub column: String,
    pub figure: String,
    pub families: Vec<ListedFamily>,
}

/// One monitor the user may open, for the index.
pub struct MonitorLink {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template)]
#[template(path = "monitor/index.html")]
pub struct IndexPage {
    pub ctx: PageCtx,
    pub links: Vec<MonitorLink>,
}
