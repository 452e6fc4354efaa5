//! The monitor as a spreadsheet (XLSX: one sheet, a block per figure, numbers as numbers) and as CSV
//! (UTF-8 with a byte order mark), with the small-number rule already applied: what the page shows,
//! "< 5" included, and nothing more.

use rust_xlsxwriter::{Format, Workbook};

use crate::domain::monitor::{Display, Label, ShownSection};
use crate::i18n::{I18n, Locale};

/// A row or column name in the reader's language.
pub fn label_text(i18n: &I18n, label: &Label) -> String {
    match label {
        Label::Key(key) => i18n.t(key),
        Label::Text(text) => text.clone(),
    }
}

/// A cell as text: "< 5" for a small group, the reader's decimal comma for days.
pub fn display_text(i18n: &I18n, display: &Display) -> String {
    let decimal = |text: String| match i18n.locale {
        Locale::Nl => text.replace('.', ","),
        Locale::En => text,
    };
    match display {
        Display::Count(n) => n.to_string(),
        Display::Small => "< 5".into(),
        Display::Hidden => i18n.t("monitor.hidden"),
        Display::Days(d) => decimal(format!("{d:.1}")),
        Display::Percent(p) => format!("{p:.0}%"),
        Display::Nothing => "–".into(),
        Display::Text(text) => text.clone(),
    }
}

/// Text that starts like a formula gets a leading apostrophe (a table's or organisation's name is
/// typed by people).
fn inert(value: String) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value
    }
}

/// The monitor as CSV: per figure its title, its header and its rows, a blank line between figures.
pub fn monitor_csv(
    i18n: &I18n,
    heading: &[String],
    sections: &[ShownSection],
    delimiter: u8,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        for line in heading {
            writer.write_record([inert(line.clone())])?;
        }
        for section in sections {
            writer.write_record([""])?;
            writer.write_record([i18n.t(&format!("monitor.section.{}", section.id))])?;
            let mut header = vec![String::new()];
            header.extend(section.columns.iter().map(|c| inert(label_text(i18n, c))));
            writer.write_record(&header)?;
            for row in &section.rows {
                let mut record = vec![inert(label_text(i18n, &row.label))];
                record.extend(row.cells.iter().map(|c| display_text(i18n, &c.display)));
                writer.write_record(&record)?;
            }
        }
        writer.flush()?;
    }
    Ok(out)
}

/// The monitor as XLSX: the same blocks as the CSV; counts, days and shares as numbers, "< 5" as text.
pub fn monitor_xlsx(
    i18n: &I18n,
    heading: &[String],
    sections: &[ShownSection],
) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Monitor")?;
    let bold = Format::new().set_bold();
    let one_decimal = Format::new().set_num_format("0.0");
    let percent = Format::new().set_num_format("0%");
    sheet.set_column_width(0, 40.0)?;
    let mut row = 0u32;
    for line in heading {
        sheet.write_string_with_format(row, 0, line, &bold)?;
        row += 1;
    }
    for section in sections {
        row += 1;
        let title = i18n.t(&format!("monitor.section.{}", section.id));
        sheet.write_string_with_format(row, 0, &title, &bold)?;
        row += 1;
        for (c, column) in section.columns.iter().enumerate() {
            sheet.write_string_with_format(row, c as u16 + 1, label_text(i18n, column), &bold)?;
        }
        row += 1;
        for line in &section.rows {
            sheet.write_string(row, 0, label_text(i18n, &line.label))?;
            for (c, cell) in line.cells.iter().enumerate() {
                let col = c as u16 + 1;
                match &cell.display {
                    Display::Count(n) => sheet.write_number(row, col, *n as f64)?,
                    Display::Days(d) => {
                        sheet.write_number_with_format(row, col, *d, &one_decimal)?
                    }
                    Display::Percent(p) => {
                        sheet.write_number_with_format(row, col, p / 100.0, &percent)?
                    }
                    other => sheet.write_string(row, col, display_text(i18n, other))?,
                };
            }
            row += 1;
        }
    }
    Ok(workbook.save_to_buffer()?)
}
