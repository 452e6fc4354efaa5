//! A family member's copy of their data (GDPR art. 15), as JSON and as a PDF: what the record holds
//! about them and their family, cut to what the director shares with that member. What is left out is
//! listed for the director with its reason (`left_out`), never printed in the member's copy.

use serde::Serialize;

use super::pdf::Style;
use crate::i18n::I18n;

/// One part of the record, as a heading and lines of text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Part {
    /// What the part is ("plan", "decisions", ...): its text key is `data_request.part.<key>`.
    pub key: String,
    pub lines: Vec<String>,
}

/// What is left out of a member's copy, and why (shown to the director only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// The part, as in `Part::key`, or "document" / "recovery_plan".
    pub part: String,
    /// What exactly (a document's name, another member's plan), when it is one thing.
    pub what: String,
    pub reason: String,
}

/// The member's copy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SubjectExport {
    pub case_number: String,
    pub family: String,
    pub member: String,
    pub date_of_birth: Option<String>,
    pub role: String,
    pub generated_at: String,
    pub parts: Vec<Part>,
    /// Never in the member's copy: `for_member` empties it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

impl SubjectExport {
    /// The copy the member receives: the parts, without the list of what was left out.
    pub fn for_member(&self) -> SubjectExport {
        SubjectExport {
            left_out: Vec::new(),
            ..self.clone()
        }
    }

    pub fn json(&self) -> anyhow::Result<Vec<u8>> {
        Ok(serde_json::to_vec_pretty(&self.for_member())?)
    }
}

/// The member's copy as a PDF in the member's language.
pub fn pdf(export: &SubjectExport, i18n: &I18n) -> anyhow::Result<Vec<u8>> {
    let title = i18n.t("data_request.pdf_title");
    let mut out = super::documents::layout(
        i18n,
        &format!("{title} · {}", export.case_number),
        super::documents::footer(i18n, &export.generated_at, None),
    );
    out.paragraph(&title, Style::Title, 0.0);
    out.paragraph(
        &format!("{} ({})", export.member, export.case_number),
        Style::Heading,
        0.0,
    );
    out.paragraph(&i18n.t("data_request.pdf_intro"), Style::Body, 0.0);
    out.field(&i18n.t("data_request.field_family"), &export.family, 0.0);
    if let Some(born) = &export.date_of_birth {
        out.field(&i18n.t("data_request.field_born"), born, 0.0);
    }
    out.field(&i18n.t("data_request.field_role"), &export.role, 0.0);
    for part in &export.parts {
        out.space(8.0);
        out.keep(40.0);
        out.paragraph(
            &i18n.t(&format!("data_request.part.{}", part.key)),
            Style::Subheading,
            0.0,
        );
        if part.lines.is_empty() {
            out.paragraph(&i18n.t("data_request.part_empty"), Style::Body, 0.0);
        }
        for line in &part.lines {
            out.paragraph(line, Style::Body, 0.0);
        }
    }
    out.finish(&title)
}
