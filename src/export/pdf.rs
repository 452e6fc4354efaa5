//! A small PDF typesetter on top of krilla: paragraphs wrapped to the page width (measured with the
//! font's own advance widths), page breaks, and on every page a header ("Vertrouwelijk — alleen voor
//! deelnemers") and a footer with "pagina 2 van 5", the generation time and the document's reference.
//!
//! The font (DejaVu Sans, regular and bold, in assets/fonts) is embedded as a subset, so every Dutch
//! diacritic prints and copies as itself.

use std::sync::LazyLock;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

static REGULAR_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

struct Face {
    font: Font,
    metrics: ttf_parser::Face<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        Face {
            font: Font::new(data.to_vec().into(), 0).expect("the embedded font is valid"),
            metrics: ttf_parser::Face::parse(data, 0).expect("the embedded font is valid"),
        }
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, size: f32) -> f32 {
        let per_em = f32::from(self.metrics.units_per_em());
        let units: u32 = text
            .chars()
            .map(|c| {
                self.metrics
                    .glyph_index(c)
                    .and_then(|g| self.metrics.glyph_hor_advance(g))
                    .map_or(u32::from(self.metrics.units_per_em()) / 2, u32::from)
            })
            .sum();
        units as f32 * size / per_em
    }
}

static REGULAR: LazyLock<Face> = LazyLock::new(|| Face::load(REGULAR_DATA));
static BOLD: LazyLock<Face> = LazyLock::new(|| Face::load(BOLD_DATA));

fn face(bold: bool) -> &'static Face {
    if bold { &BOLD } else { &REGULAR }
}

/// A4 in points, and the margins.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const LEFT: f32 = 56.0;
const RIGHT: f32 = 56.0;
const TOP: f32 = 78.0;
const BOTTOM: f32 = 70.0;

/// How a paragraph looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Style {
    Title,
    Heading,
    Subheading,
    Body,
    Bold,
    Small,
}

impl Style {
    fn size(self) -> f32 {
        match self {
            Style::Title => 20.0,
            Style::Heading => 14.0,
            Style::Subheading => 11.5,
            Style::Body | Style::Bold => 10.0,
            Style::Small => 8.5,
        }
    }
    fn bold(self) -> bool {
        matches!(
            self,
            Style::Title | Style::Heading | Style::Subheading | Style::Bold
        )
    }
    fn leading(self) -> f32 {
        self.size() * 1.35
    }
}

struct TextOp {
    x: f32,
    y: f32,
    bold: bool,
    size: f32,
    text: String,
}

/// Text laid out on pages; `finish` writes the PDF.
pub struct Layout {
    pages: Vec<Vec<TextOp>>,
    y: f32,
    /// The line under the header, on every page.
    header: String,
    /// The document's name, at the right of the header.
    title: String,
    /// Left part of the footer: generation time and reference.
    footer: String,
    /// "pagina {page} van {pages}" in the reader's language.
    page_of: Box<dyn Fn(usize, usize) -> String>,
}

impl Layout {
    pub fn new(
        header: &str,
        title: &str,
        footer: &str,
        page_of: impl Fn(usize, usize) -> String + 'static,
    ) -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: TOP,
            header: header.to_string(),
            title: title.to_string(),
            footer: footer.to_string(),
            page_of: Box::new(page_of),
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Vertical space; at the top of a page it is left out.
    pub fn space(&mut self, points: f32) {
        if self.y > TOP {
            self.y += points;
        }
    }

    /// Starts a new page unless `points` of height still fit on this one (keeps a heading with what
    /// follows it).
    pub fn keep(&mut self, points: f32) {
        if self.y + points > HEIGHT - BOTTOM {
            self.new_page();
        }
    }

    /// A paragraph, wrapped to the width and broken across pages; line breaks in `text` are kept.
    pub fn paragraph(&mut self, text: &str, style: Style, indent: f32) {
        let (size, bold) = (style.size(), style.bold());
        let width = WIDTH - LEFT - RIGHT - indent;
        for line in text.lines().flat_map(|l| wrap(l, face(bold), size, width)) {
            if self.y + style.leading() > HEIGHT - BOTTOM {
                self.new_page();
            }
            self.y += style.leading();
            let page = self.pages.last_mut().expect("there is always a page");
            if !line.is_empty() {
                page.push(TextOp {
                    x: LEFT + indent,
                    y: self.y - style.leading() * 0.25,
                    bold,
                    size,
                    text: line,
                });
            }
        }
    }

    /// "Label: value", wrapped like a paragraph, indented under the current heading.
    pub fn field(&mut self, label: &str, value: &str, indent: f32) {
        self.paragraph(&format!("{label}: {value}"), Style::Body, indent);
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Writes the PDF: the laid-out text, then header and footer on every page.
    pub fn finish(self, subject: &str) -> anyhow::Result<Vec<u8>> {
        let mut document = Document::new();
        let total = self.pages.len();
        for (n, ops) in self.pages.iter().enumerate() {
            let mut page = document.start_page_with(
                PageSettings::from_wh(WIDTH, HEIGHT).ok_or_else(|| anyhow::anyhow!("page size"))?,
            );
            let mut surface = page.surface();
            let draw = |surface: &mut krilla::surface::Surface,
                        x: f32,
                        y: f32,
                        bold: bool,
                        size: f32,
                        text: &str| {
                surface.draw_text(
                    Point::from_xy(x, y),
                    face(bold).font.clone(),
                    size,
                    text,
                    false,
                    TextDirection::Auto,
                );
            };
            // Header: confidentiality at the left, the document at the right, a rule under both.
            draw(&mut surface, LEFT, 40.0, true, 9.0, &self.header);
            let room = WIDTH - RIGHT - LEFT - face(true).width(&self.header, 9.0) - 12.0;
            let title = fit(&self.title, room, 9.0);
            let title_width = face(false).width(&title, 9.0);
            draw(
                &mut surface,
                WIDTH - RIGHT - title_width,
                40.0,
                false,
                9.0,
                &title,
            );
            let mut rule = PathBuilder::new();
            rule.move_to(LEFT, 48.0);
            rule.line_to(WIDTH - RIGHT, 48.0);
            if let Some(path) = rule.finish() {
                surface.set_stroke(Some(krilla::paint::Stroke::default()));
                surface.set_fill(None);
                surface.draw_path(&path);
                surface.set_stroke(None);
                surface.set_fill(Some(krilla::paint::Fill::default()));
            }
            for op in ops {
                draw(&mut surface, op.x, op.y, op.bold, op.size, &op.text);
            }
            // Footer: generation time and reference at the left, the page number at the right.
            let page_of = (self.page_of)(n + 1, total);
            let page_width = face(false).width(&page_of, 8.0);
            draw(&mut surface, LEFT, HEIGHT - 36.0, false, 8.0, &self.footer);
            draw(
                &mut surface,
                WIDTH - RIGHT - page_width,
                HEIGHT - 36.0,
                false,
                8.0,
                &page_of,
            );
            surface.finish();
            page.finish();
        }
        let metadata = krilla::metadata::Metadata::new()
            .title(self.title.clone())
            .description(subject.to_string())
            .creator("Samenspel".to_string())
            .producer("Samenspel".to_string())
            .language("nl".to_string());
        document.set_metadata(metadata);
        document
            .finish()
            .map_err(|e| anyhow::anyhow!("the PDF could not be written: {e:?}"))
    }
}

/// `text` as it fits in `width` on one line: whole, or cut with "…" at the end.
fn fit(text: &str, width: f32, size: f32) -> String {
    let face = face(false);
    if face.width(text, size) <= width {
        return text.to_string();
    }
    let mut chars: Vec<char> = text.chars().collect();
    while !chars.is_empty() {
        chars.pop();
        let cut = format!("{}…", chars.iter().collect::<String>().trim_end());
        if face.width(&cut, size) <= width {
            return cut;
        }
    }
    String::new()
}

/// Breaks `text` into lines no wider than `width`: at spaces, and inside a word only when the word alone
/// is wider than the line.
fn wrap(text: &str, face: &Face, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if face.width(&candidate, size) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the line is cut where it must be.
        let mut rest = word.to_string();
        while face.width(&rest, size) > width {
            let mut cut = String::new();
            for c in rest.chars() {
                if face.width(&format!("{cut}{c}"), size) > width {
                    break;
                }
                cut.push(c);
            }
            if cut.is_empty() {
                break;
            }
            rest = rest[cut.len()..].to_string();
            lines.push(cut);
        }
        line = rest;
    }
    lines.push(line);
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fit_the_width_and_keep_every_word() {
        let text = "De veiligheidsafspraken worden nageleefd; Sandra wil het omgangscontact graag in het \
                    buurthuis. Één afspraak per regel, met ë, ï, ü en é.";
        let lines = wrap(text, &REGULAR, 10.0, 150.0);
        assert!(lines.len() > 3);
        for line in &lines {
            assert!(REGULAR.width(line, 10.0) <= 150.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut() {
        let word = "a".repeat(200);
        let lines = wrap(&word, &REGULAR, 10.0, 100.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
    }

    #[test]
    fn a_title_too_long_for_the_header_is_cut_with_an_ellipsis() {
        let title = "Besluitenlijst · MDA++ Zuid-Holland Zuid en Alblasserwaard";
        assert_eq!(fit(title, 1000.0, 9.0), title);
        let cut = fit(title, 120.0, 9.0);
        assert!(cut.ends_with('…') && cut.len() < title.len(), "{cut}");
        assert!(face(false).width(&cut, 9.0) <= 120.0);
    }
}
