//! The safety scale over time as an SVG drawn on the server: no script, readable without colour
//! (professionals: solid line and circles; family: dashed line and squares), with a title and a
//! description for screen readers. The page puts a table with the same scores next to it.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::domain::safety::ScoreSource;

/// One score on the chart.
#[derive(Clone, Debug)]
pub struct ChartPoint {
    pub date: NaiveDate,
    pub score: i32,
    pub source: ScoreSource,
    pub given_by: String,
}

/// The words on the chart, in the reader's language.
pub struct ChartText {
    pub title: String,
    pub description: String,
    pub professionals: String,
    pub family: String,
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 36.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 56.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Where a date falls: proportional to the days between the first and the last score, so a gap
/// between scores shows as space; a single date sits in the middle.
fn x_of(date: NaiveDate, first: NaiveDate, last: NaiveDate) -> f64 {
    let width = WIDTH - LEFT - RIGHT;
    let span = (last - first).num_days();
    if span == 0 {
        return LEFT + width / 2.0;
    }
    LEFT + width * (date - first).num_days() as f64 / span as f64
}

fn y_of(score: i32) -> f64 {
    TOP + (HEIGHT - TOP - BOTTOM) * f64::from(10 - score.clamp(0, 10)) / 10.0
}

/// The chart of `points` (any order). Empty when there are no points.
pub fn scale_chart(points: &[ChartPoint], text: &ChartText, id: &str) -> String {
    let (Some(first), Some(last)) = (
        points.iter().map(|p| p.date).min(),
        points.iter().map(|p| p.date).max(),
    ) else {
        return String::new();
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="ss-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(&text.title),
        escape(&text.description)
    );
    draw_scale(&mut svg);
    draw_dates(&mut svg, first, last);
    for source in ScoreSource::ALL {
        draw_series(&mut svg, points, *source, first, last);
    }
    draw_legend(&mut svg, text);
    svg.push_str("</svg>");
    svg
}

/// The scale: lines at 0, 2, ..., 10.
fn draw_scale(svg: &mut String) {
    for score in (0..=10).step_by(2) {
        let y = y_of(score);
        let _ = write!(
            svg,
            r#"<line class="ss-chart-grid" x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{score}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y + 4.0
        );
    }
}

/// The first and the last date under the chart (one, in the middle, when they are the same).
fn draw_dates(svg: &mut String, first: NaiveDate, last: NaiveDate) {
    let axis_y = HEIGHT - BOTTOM;
    let mut dates: Vec<NaiveDate> = vec![first, last];
    dates.dedup();
    for (i, date) in dates.iter().enumerate() {
        let anchor = match (dates.len(), i) {
            (1, _) => "middle",
            (_, 0) => "start",
            _ => "end",
        };
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
            x_of(*date, first, last),
            axis_y + 18.0,
            date.format("%d-%m-%Y")
        );
    }
}

/// One source's scores: a line through them (when there are two or more) and a point for each, a
/// circle for professionals and a square for the family, each with its date, score and who gave it.
fn draw_series(
    svg: &mut String,
    points: &[ChartPoint],
    source: ScoreSource,
    first: NaiveDate,
    last: NaiveDate,
) {
    let mut series: Vec<&ChartPoint> = points.iter().filter(|p| p.source == source).collect();
    series.sort_by_key(|p| p.date);
    if series.len() > 1 {
        let coords: Vec<String> = series
            .iter()
            .map(|p| format!("{:.1},{:.1}", x_of(p.date, first, last), y_of(p.score)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline class="ss-chart-line ss-chart-{}" points="{}"/>"#,
            source.code(),
            coords.join(" ")
        );
    }
    for p in series {
        let (x, y) = (x_of(p.date, first, last), y_of(p.score));
        let title = format!(
            "{}: {} ({})",
            p.date.format("%d-%m-%Y"),
            p.score,
            p.given_by
        );
        let data = format!(
            r#"data-date="{}" data-score="{}" class="ss-chart-point ss-chart-{}""#,
            p.date,
            p.score,
            source.code()
        );
        let _ = match source {
            ScoreSource::Professional => write!(
                svg,
                r#"<circle {data} cx="{x:.1}" cy="{y:.1}" r="5"><title>{}</title></circle>"#,
                escape(&title)
            ),
            ScoreSource::Family => write!(
                svg,
                r#"<rect {data} x="{:.1}" y="{:.1}" width="10" height="10"><title>{}</title></rect>"#,
                x - 5.0,
                y - 5.0,
                escape(&title)
            ),
        };
    }
}

/// The legend, below the dates: shape and line style, not colour, tell the series apart.
fn draw_legend(svg: &mut String, text: &ChartText) {
    let ly = HEIGHT - 12.0;
    let _ = write!(
        svg,
        r#"<g class="ss-chart-legend"><line class="ss-chart-line ss-chart-professional" x1="{LEFT}" y1="{ly}" x2="{}" y2="{ly}"/><circle class="ss-chart-point ss-chart-professional" cx="{}" cy="{ly}" r="5"/><text x="{}" y="{}">{}</text><line class="ss-chart-line ss-chart-family" x1="260" y1="{ly}" x2="290" y2="{ly}"/><rect class="ss-chart-point ss-chart-family" x="270" y="{}" width="10" height="10"/><text x="298" y="{}">{}</text></g>"#,
        LEFT + 30.0,
        LEFT + 15.0,
        LEFT + 38.0,
        ly + 4.0,
        escape(&text.professionals),
        ly - 5.0,
        ly + 4.0,
        escape(&text.family),
    );
}

/// One bar of a bar chart: its name, its value (None when the small-number rule hides it) and the
/// text shown at its end ("< 5" for a hidden one).
#[derive(Clone, Debug)]
pub struct Bar {
    pub label: String,
    pub value: Option<u64>,
    pub text: String,
}

const BAR_HEIGHT: f64 = 22.0;
const BAR_LABEL: f64 = 220.0;

/// A horizontal bar chart (the monitor's figures): one bar per row, its number at its end, no colour
/// needed to read it; a title and a description for screen readers. The page puts the table with the
/// same numbers under it. Empty when there are no bars.
pub fn bar_chart(bars: &[Bar], title: &str, description: &str, id: &str) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let height = TOP + BAR_HEIGHT * bars.len() as f64 + 8.0;
    let most = bars
        .iter()
        .filter_map(|b| b.value)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let room = WIDTH - BAR_LABEL - RIGHT - 48.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="ss-chart ss-bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + BAR_HEIGHT * i as f64;
        let width = bar.value.map_or(0.0, |v| room * v as f64 / most);
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="ss-bar" x="{BAR_LABEL}" y="{:.1}" width="{width:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            BAR_LABEL - 6.0,
            y + 15.0,
            escape(&bar.label),
            y + 3.0,
            BAR_HEIGHT - 6.0,
            BAR_LABEL + width + 6.0,
            y + 15.0,
            escape(&bar.text),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_chart_draws_no_bar_for_a_hidden_value_and_says_so() {
        let bars = [
            Bar {
                label: "MDA++".into(),
                value: Some(40),
                text: "40".into(),
            },
            Bar {
                label: "Actieoverleg <Ede>".into(),
                value: None,
                text: "< 5".into(),
            },
        ];
        let svg = bar_chart(&bars, "Aanmeldingen", "per overleg", "b");
        assert!(svg.contains(r#"aria-labelledby="b-title b-desc""#));
        assert!(svg.contains("Actieoverleg &lt;Ede&gt;"));
        assert!(svg.contains(">&lt; 5</text>"));
        assert_eq!(svg.matches(r#"width="0.0""#).count(), 1);
        assert!(bar_chart(&[], "t", "d", "x").is_empty());
    }

    fn text() -> ChartText {
        ChartText {
            title: "Veiligheidsschaal".into(),
            description: "3 scores".into(),
            professionals: "Professionals".into(),
            family: "Gezin".into(),
        }
    }

    fn point(date: &str, score: i32, source: ScoreSource) -> ChartPoint {
        ChartPoint {
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            score,
            source,
            given_by: "Karin <VT>".into(),
        }
    }

    /// The (x, y) of every marker of a series, in the order drawn.
    fn markers(svg: &str, source: &str) -> Vec<(f64, f64)> {
        let doc = scraper::Html::parse_fragment(svg);
        let selector =
            scraper::Selector::parse(&format!(".ss-chart-point.ss-chart-{source}[data-score]"))
                .unwrap();
        doc.select(&selector)
            .map(|e| {
                let attr = |n: &str| e.value().attr(n).unwrap().parse::<f64>().unwrap();
                match e.value().name() {
                    "circle" => (attr("cx"), attr("cy")),
                    _ => (attr("x") + 5.0, attr("y") + 5.0),
                }
            })
            .collect()
    }

    #[test]
    fn a_gap_between_scores_shows_as_space() {
        let svg = scale_chart(
            &[
                point("2026-10-01", 3, ScoreSource::Professional),
                point("2026-10-02", 4, ScoreSource::Professional),
                // Nine weeks without a score.
                point("2026-12-04", 6, ScoreSource::Professional),
            ],
            &text(),
            "c",
        );
        let m = markers(&svg, "professional");
        assert_eq!(m.len(), 3);
        let (first, second) = (m[1].0 - m[0].0, m[2].0 - m[1].0);
        // 1 day against 63 days.
        assert!((second / first - 63.0).abs() < 0.5, "{first} {second}");
        // Higher scores are higher on the chart.
        assert!(m[2].1 < m[1].1 && m[1].1 < m[0].1);
        assert!(svg.contains("<polyline"));
        assert!(svg.contains("Karin &lt;VT&gt;"));
    }

    #[test]
    fn a_single_score_is_one_marker_in_the_middle_without_a_line() {
        let svg = scale_chart(&[point("2026-11-20", 7, ScoreSource::Family)], &text(), "c");
        let m = markers(&svg, "family");
        assert_eq!(m.len(), 1);
        assert!((m[0].0 - (LEFT + (WIDTH - LEFT - RIGHT) / 2.0)).abs() < 0.01);
        assert!((m[0].1 - y_of(7)).abs() < 0.01);
        assert!(!svg.contains("<polyline"));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"c-title\">"));
    }

    #[test]
    fn series_with_missing_dates_are_drawn_on_the_same_time_axis() {
        let svg = scale_chart(
            &[
                point("2026-10-01", 3, ScoreSource::Professional),
                point("2026-11-30", 6, ScoreSource::Professional),
                point("2026-10-31", 5, ScoreSource::Family),
            ],
            &text(),
            "c",
        );
        let pro = markers(&svg, "professional");
        let fam = markers(&svg, "family");
        assert_eq!((pro.len(), fam.len()), (2, 1));
        // The family's one score in the middle of the period sits halfway; its series has no line.
        assert!((fam[0].0 - (pro[0].0 + pro[1].0) / 2.0).abs() < 0.5);
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(scale_chart(&[], &text(), "c").is_empty());
    }
}
