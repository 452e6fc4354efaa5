//! The actielijst as a spreadsheet: XLSX (dates as dates, column widths, a frozen header, a filter) and
//! CSV (UTF-8 with a byte order mark so Excel reads the accents; comma, or semicolon for Dutch Excel).

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use super::{DocAction, by_organisation};
use crate::i18n::I18n;

/// The columns, as (text key, width in characters).
const COLUMNS: [(&str, f64); 9] = [
    ("export.col.organisation", 28.0),
    ("export.col.owner", 22.0),
    ("export.col.action", 50.0),
    ("export.col.family", 24.0),
    ("export.col.due", 12.0),
    ("export.col.overdue", 9.0),
    ("export.col.status", 12.0),
    ("export.col.meeting", 12.0),
    ("export.col.condition", 36.0),
];

/// The rows in the order of the PDF: by organisation, overdue first.
fn rows(actions: &[DocAction]) -> Vec<&DocAction> {
    by_organisation(actions)
        .into_iter()
        .flat_map(|(_, list)| list)
        .collect()
}

pub fn actielijst_xlsx(
    i18n: &I18n,
    sheet_name: &str,
    actions: &[DocAction],
) -> anyhow::Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    // Sheet names are at most 31 characters and may not hold []:*?/\.
    let name: String = sheet_name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    sheet.set_name(if name.trim().is_empty() {
        "Acties"
    } else {
        name.trim()
    })?;
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let date = Format::new().set_num_format("dd-mm-yyyy");
    let wrap = Format::new().set_text_wrap();
    for (col, (key, width)) in COLUMNS.iter().enumerate() {
        let col = col as u16;
        sheet.write_string_with_format(0, col, i18n.t(key), &header)?;
        sheet.set_column_width(col, *width)?;
    }
    let (yes, no) = (i18n.t("form.yes"), i18n.t("form.no"));
    for (i, a) in rows(actions).into_iter().enumerate() {
        let row = (i + 1) as u32;
        sheet.write_string(row, 0, &a.organisation)?;
        sheet.write_string(row, 1, &a.owner)?;
        sheet.write_string_with_format(row, 2, &a.description, &wrap)?;
        sheet.write_string(row, 3, &a.family)?;
        if let Some(due) = a.due {
            sheet.write_date_with_format(row, 4, due, &date)?;
        }
        sheet.write_string(row, 5, if a.overdue { &yes } else { &no })?;
        sheet.write_string(row, 6, &a.status)?;
        if let Some(on) = a.meeting_on {
            sheet.write_date_with_format(row, 7, on, &date)?;
        }
        sheet.write_string_with_format(row, 8, &a.condition, &wrap)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last = actions.len() as u32;
    sheet.autofilter(0, 0, last.max(1), (COLUMNS.len() - 1) as u16)?;
    Ok(workbook.save_to_buffer()?)
}

/// A cell as a spreadsheet will not run it: text that starts like a formula gets a leading apostrophe
/// (what a person typed in an action could otherwise become `=HYPERLINK(...)` in Excel).
fn inert(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

pub fn actielijst_csv(
    i18n: &I18n,
    actions: &[DocAction],
    delimiter: u8,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::from("\u{feff}".as_bytes());
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        writer.write_record(COLUMNS.iter().map(|(key, _)| i18n.t(key)))?;
        let (yes, no) = (i18n.t("form.yes"), i18n.t("form.no"));
        let date = |d: Option<chrono::NaiveDate>| {
            d.map(|d| d.format("%d-%m-%Y").to_string())
                .unwrap_or_default()
        };
        for a in rows(actions) {
            writer.write_record([
                inert(&a.organisation),
                inert(&a.owner),
                inert(&a.description),
                inert(&a.family),
                date(a.due),
                if a.overdue { yes.clone() } else { no.clone() },
                inert(&a.status),
                date(a.meeting_on),
                inert(&a.condition),
            ])?;
        }
        writer.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[test]
    fn a_csv_cell_that_looks_like_a_formula_stays_text() {
        let action = DocAction {
            description: "=HYPERLINK(\"http://example.org\",\"klik\")".into(),
            owner: "-Ahmed".into(),
            organisation: "Veilig Thuis".into(),
            ..DocAction::default()
        };
        let csv = actielijst_csv(&I18n::new(Locale::Nl), &[action], b',').unwrap();
        let text = String::from_utf8(csv).unwrap();
        let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[2], "'=HYPERLINK(\"http://example.org\",\"klik\")");
        assert_eq!(&row[1], "'-Ahmed");
        assert_eq!(&row[0], "Veilig Thuis");
    }
}
