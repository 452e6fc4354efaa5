//! The PDF documents: besluitenlijst, actielijst, and the family's plans in plain language.

use super::pdf::{Layout, Style};
use super::{DocAction, DocAnalysis, DocItem, MeetingDoc, by_organisation};
use crate::i18n::I18n;

const INDENT: f32 = 14.0;

pub(super) fn layout(i18n: &I18n, title: &str, footer: String) -> Layout {
    layout_with(i18n, &i18n.t("export.confidential"), title, footer)
}

fn layout_with(i18n: &I18n, header: &str, title: &str, footer: String) -> Layout {
    let (page, of) = (i18n.t("export.page"), i18n.t("export.of"));
    Layout::new(header, title, &footer, move |n, total| {
        format!("{page} {n} {of} {total}")
    })
}

pub(super) fn footer(i18n: &I18n, generated: &str, reference: Option<&str>) -> String {
    let mut text = format!("{} {generated}", i18n.t("export.generated"));
    if let Some(r) = reference {
        text.push_str(&format!(" · {} {r}", i18n.t("export.reference")));
    }
    text
}

/// The reference as printed in footers: the meeting and the start of its closing hash.
pub fn short_reference(meeting_id: i64, hash: &str) -> String {
    format!("SAMENSPEL-{meeting_id}-{}", &hash[..hash.len().min(12)])
}

/// How many hex characters of the closing hash a reference must give at least (48 bits).
pub const REFERENCE_HEX: usize = 12;

/// The meeting and the start of its closing hash (lower case) from a reference as a reader types it:
/// "SAMENSPEL-12-0123456789ab", in any case, with spaces around; or None when it is no reference.
pub fn parse_reference(text: &str) -> Option<(i64, String)> {
    let text = text.trim();
    let (prefix, rest) = text.split_once('-')?;
    if !prefix.eq_ignore_ascii_case("SAMENSPEL") {
        return None;
    }
    let (meeting, hash) = rest.split_once('-')?;
    let meeting = meeting.parse::<i64>().ok().filter(|m| *m > 0)?;
    let hash = hash.trim().to_ascii_lowercase();
    let valid =
        (REFERENCE_HEX..=64).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then_some((meeting, hash))
}

/// The line at the top of every page of a meeting document: "CONCEPT" first while the meeting is
/// open, and a confidentiality line that fits who the version is for.
fn meeting_header(doc: &MeetingDoc, i18n: &I18n) -> String {
    let line = if doc.pseudonymised {
        i18n.t("export.confidential_pseudonymised")
    } else {
        i18n.t("export.confidential")
    };
    if doc.reference.is_none() {
        format!("{} · {line}", i18n.t("export.draft_mark"))
    } else {
        line
    }
}

/// The besluitenlijst of one meeting.
pub fn besluitenlijst(doc: &MeetingDoc, i18n: &I18n) -> anyhow::Result<Vec<u8>> {
    let title = i18n.t("export.besluitenlijst");
    let mut out = layout_with(
        i18n,
        &meeting_header(doc, i18n),
        &format!("{title} · {}", doc.table),
        footer(
            i18n,
            &doc.generated,
            doc.reference.as_deref().map(|r| &r[..r.len().min(30)]),
        ),
    );
    out.paragraph(&title, Style::Title, 0.0);
    meeting_heading(&mut out, doc, i18n);
    out.space(8.0);
    out.keep(60.0);
    attendance(&mut out, doc, i18n);
    for (n, item) in doc.items.iter().enumerate() {
        meeting_item(&mut out, n + 1, item, i18n);
    }
    out.finish(&title)
}

/// The table, when and where, the chair, whose version, and the reference to check it by (or that it
/// is a draft).
fn meeting_heading(out: &mut Layout, doc: &MeetingDoc, i18n: &I18n) {
    out.paragraph(
        &format!("{} ({})", doc.table, doc.kind),
        Style::Heading,
        0.0,
    );
    out.space(4.0);
    out.field(&i18n.t("export.when"), &doc.when, 0.0);
    if !doc.place.is_empty() {
        out.field(&i18n.t("export.place"), &doc.place, 0.0);
    }
    out.field(&i18n.t("export.chair"), &doc.chairs.join(", "), 0.0);
    out.field(&i18n.t("export.version"), &doc.version, 0.0);
    match (&doc.reference, &doc.check_url) {
        (Some(reference), Some(url)) => {
            out.field(&i18n.t("export.reference"), reference, 0.0);
            out.paragraph(
                &i18n.t_with("export.check", &[("url", url.as_str())]),
                Style::Small,
                0.0,
            );
        }
        _ => out.paragraph(&i18n.t("export.draft"), Style::Bold, 0.0),
    }
}

/// Who was present, absent with notice and absent, by organisation.
fn attendance(out: &mut Layout, doc: &MeetingDoc, i18n: &I18n) {
    out.paragraph(&i18n.t("export.attendance"), Style::Heading, 0.0);
    for (label, groups) in [
        (i18n.t("attendance.present"), &doc.present),
        (i18n.t("attendance.absent_notice"), &doc.absent_with_notice),
        (i18n.t("attendance.absent"), &doc.absent),
    ] {
        out.paragraph(&label, Style::Subheading, 0.0);
        if groups.is_empty() {
            out.paragraph("—", Style::Body, INDENT);
        }
        for (organisation, names) in groups {
            out.field(organisation, &names.join(", "), INDENT);
        }
    }
}

/// Item `n` with its decisions and actions, or only its title for a reader who was not invited.
fn meeting_item(out: &mut Layout, n: usize, item: &DocItem, i18n: &I18n) {
    out.space(10.0);
    out.keep(70.0);
    out.paragraph(&format!("{n}. {}", item.title), Style::Heading, 0.0);
    if !item.visible {
        out.paragraph(&i18n.t("export.not_invited"), Style::Body, 0.0);
        return;
    }
    if !item.family_present.is_empty() {
        let names = item.family_present.join(", ");
        out.paragraph(
            &i18n.t_with("export.family_present", &[("names", names.as_str())]),
            Style::Body,
            0.0,
        );
    }
    if let Some(analysis) = &item.analysis {
        item_analysis(out, analysis, i18n);
    }
    if item.decisions.is_empty() && item.actions.is_empty() {
        out.paragraph(&i18n.t("export.nothing_decided"), Style::Body, 0.0);
    }
    for d in &item.decisions {
        out.space(4.0);
        out.keep(40.0);
        out.paragraph(
            &format!("{}: {}", i18n.t("export.decision"), d.outcome),
            Style::Subheading,
            0.0,
        );
        if let Some(replaced) = &d.replaced {
            out.paragraph(replaced, Style::Bold, INDENT);
        }
        out.paragraph(&d.text, Style::Body, INDENT);
        out.field(&i18n.t("decision.rationale"), &d.rationale, INDENT);
        out.field(&i18n.t("export.family_view"), &d.family_view, INDENT);
    }
    if !item.actions.is_empty() {
        out.space(4.0);
        out.keep(30.0);
        out.paragraph(&i18n.t("export.actions"), Style::Subheading, 0.0);
        for a in &item.actions {
            out.paragraph(&action_line(i18n, a, false), Style::Body, INDENT);
        }
    }
}

/// The item's merged top 3 and its explanatory analysis.
fn item_analysis(out: &mut Layout, a: &DocAnalysis, i18n: &I18n) {
    out.space(4.0);
    out.keep(50.0);
    out.paragraph(
        &format!(
            "{} ({} {})",
            i18n.t("top3.merged_title"),
            i18n.t("plan.version").to_lowercase(),
            a.version
        ),
        Style::Subheading,
        0.0,
    );
    out.paragraph(&i18n.t("top3.merged_concerns"), Style::Bold, INDENT);
    for line in &a.concerns {
        out.paragraph(line, Style::Body, INDENT);
    }
    if !a.strengths.is_empty() {
        out.field(
            &i18n.t("top3.merged_strengths"),
            &a.strengths.join("; "),
            INDENT,
        );
    }
    out.field(&i18n.t("top3.explanation"), &a.explanation, INDENT);
}

/// "GGZ-intake voor Sandra — Esther Kok (GGZ), uiterlijk 07-12-2026 (te laat)".
fn action_line(i18n: &I18n, a: &DocAction, with_organisation: bool) -> String {
    let mut line = format!("• {} — {}", a.description, a.owner);
    if with_organisation {
        if !a.family.is_empty() {
            line.push_str(&format!(" · {}", a.family));
        }
    } else {
        line.push_str(&format!(" ({})", a.organisation));
    }
    if let Some(due) = a.due {
        line.push_str(&format!(
            ", {} {}",
            i18n.t("export.due"),
            due.format("%d-%m-%Y")
        ));
    }
    if a.overdue {
        line.push_str(&format!(" ({})", i18n.t("action.overdue")));
    }
    if !a.status.is_empty() {
        line.push_str(&format!(" · {}", a.status));
    }
    line
}

/// The actielijst: open actions grouped by the owner's organisation, overdue first.
pub fn actielijst(
    i18n: &I18n,
    subtitle: &str,
    version: &str,
    actions: &[DocAction],
    generated: &str,
) -> anyhow::Result<Vec<u8>> {
    let title = i18n.t("export.actielijst");
    let mut out = layout(
        i18n,
        &format!("{title} · {subtitle}"),
        footer(i18n, generated, None),
    );
    out.paragraph(&title, Style::Title, 0.0);
    out.paragraph(subtitle, Style::Heading, 0.0);
    out.field(&i18n.t("export.version"), version, 0.0);
    if actions.is_empty() {
        out.space(8.0);
        out.paragraph(&i18n.t("export.no_actions"), Style::Body, 0.0);
    }
    for (organisation, list) in by_organisation(actions) {
        out.space(10.0);
        out.keep(50.0);
        out.paragraph(&organisation, Style::Heading, 0.0);
        for a in list {
            out.paragraph(&action_line(i18n, a, true), Style::Body, INDENT);
            if !a.condition.is_empty() {
                out.field(&i18n.t("action.condition"), &a.condition, INDENT * 2.0);
            }
        }
    }
    out.finish(&title)
}

/// A plan in plain language: a title, then parts with a heading and their text. Parts without text
/// are left out; an empty plan says so.
pub fn plan(
    i18n: &I18n,
    title: &str,
    family: &str,
    intro: &str,
    parts: &[(String, String)],
    generated: &str,
) -> anyhow::Result<Vec<u8>> {
    let mut out = layout(
        i18n,
        &format!("{title} · {family}"),
        footer(i18n, generated, None),
    );
    out.paragraph(title, Style::Title, 0.0);
    out.paragraph(family, Style::Heading, 0.0);
    out.paragraph(intro, Style::Body, 0.0);
    let filled: Vec<&(String, String)> =
        parts.iter().filter(|(_, t)| !t.trim().is_empty()).collect();
    if filled.is_empty() {
        out.space(8.0);
        out.paragraph(&i18n.t("phase_plan.empty"), Style::Body, 0.0);
    }
    for (heading, text) in filled {
        out.space(8.0);
        out.keep(40.0);
        out.paragraph(heading, Style::Subheading, 0.0);
        out.paragraph(text, Style::Body, 0.0);
    }
    out.finish(title)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{DocDecision, DocItem};
    use crate::i18n::Locale;

    fn doc(items: usize, text_len: usize) -> MeetingDoc {
        let long = "De veiligheidsafspraken worden nageleefd en Sandra wil het omgangscontact in het buurthuis; \
                    oma Jansen en buurvrouw Els letten op. "
            .repeat(text_len);
        MeetingDoc {
            table: "MDA++ Zuid-Holland Zuid".into(),
            kind: "MDA++".into(),
            when: "23-11-2026, 09:00–10:30".into(),
            place: "Stadskantoor Dordrecht".into(),
            chairs: vec!["Ingrid Smit".into()],
            present: vec![(
                "Veilig Thuis".into(),
                vec!["Ingrid Smit".into(), "Ahmed Benali".into()],
            )],
            absent_with_notice: vec![("Politie".into(), vec!["Ruud Verbeek".into()])],
            absent: Vec::new(),
            version: "Versie voor Ingrid Smit".into(),
            items: (0..items)
                .map(|i| DocItem {
                    title: format!("Gezin Jansen-{i} (2026-{i:04})"),
                    visible: true,
                    decisions: vec![DocDecision {
                        outcome: "Fase 2: stabiele veiligheid".into(),
                        text: format!("Besluit {i}: één gezin, één plan — ë ï ü é è ç. {long}"),
                        rationale: "Acht weken zonder incidenten.".into(),
                        family_view: "Eens".into(),
                        replaced: None,
                    }],
                    actions: vec![DocAction {
                        description: format!("GGZ-intake voor Sandra ({i})"),
                        owner: "Esther Kok".into(),
                        organisation: "GGZ".into(),
                        due: chrono::NaiveDate::from_ymd_opt(2026, 12, 7),
                        ..DocAction::default()
                    }],
                    analysis: None,
                    family_present: Vec::new(),
                })
                .collect(),
            reference: Some("SAMENSPEL-12-0123456789abcdef".into()),
            check_url: Some("https://samenspel.example/controle/12/0123".into()),
            generated: "23-11-2026 12:03".into(),
            pseudonymised: false,
        }
    }

    #[test]
    fn a_long_besluitenlijst_breaks_across_numbered_pages_and_reads_back() {
        let pdf = besluitenlijst(&doc(40, 6), &I18n::new(Locale::Nl)).unwrap();
        let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
        assert!(text.contains("Besluitenlijst"));
        assert!(
            text.contains("één gezin, één plan — ë ï ü é è ç"),
            "diacritics survive"
        );
        assert!(text.contains("Besluit 39"));
        assert!(text.contains("Vertrouwelijk — alleen voor deelnemers"));
        let pages = text.matches("pagina 1 van ").count();
        assert_eq!(pages, 1);
        let total: usize = text
            .split("pagina 1 van ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(total > 5, "{total} pages");
        assert!(text.contains(&format!("pagina {total} van {total}")));
    }

    /// Pages of `text` (split at each "pagina N van"), so a test can look at every page.
    fn pages(text: &str) -> usize {
        text.matches("pagina ").count()
    }

    #[test]
    fn a_draft_says_concept_on_every_page_and_the_pseudonymised_version_its_own_line() {
        let i18n = I18n::new(Locale::Nl);
        let mut draft = doc(30, 6);
        draft.reference = None;
        draft.check_url = None;
        let text =
            pdf_extract::extract_text_from_mem(&besluitenlijst(&draft, &i18n).unwrap()).unwrap();
        let total = pages(&text);
        assert!(total > 3, "{total} pages");
        assert_eq!(
            text.matches("CONCEPT · Vertrouwelijk — alleen voor deelnemers")
                .count(),
            total,
            "the draft mark heads every page"
        );
        let closed =
            pdf_extract::extract_text_from_mem(&besluitenlijst(&doc(30, 6), &i18n).unwrap())
                .unwrap();
        assert!(!closed.contains("CONCEPT"));

        let mut wide = doc(2, 1);
        wide.pseudonymised = true;
        let text =
            pdf_extract::extract_text_from_mem(&besluitenlijst(&wide, &i18n).unwrap()).unwrap();
        assert!(text.contains("Vertrouwelijk — zonder namen, niet openbaar"));
        assert!(!text.contains("alleen voor deelnemers"));
    }

    #[test]
    fn a_reference_is_read_as_typed_and_anything_else_is_refused() {
        let hash = "0123456789abcdef".repeat(4);
        let short = short_reference(12, &hash);
        assert_eq!(short, "SAMENSPEL-12-0123456789ab");
        assert_eq!(
            parse_reference(&short),
            Some((12, "0123456789ab".to_string()))
        );
        assert_eq!(
            parse_reference("  samenspel-12-0123456789AB "),
            Some((12, "0123456789ab".to_string()))
        );
        assert_eq!(
            parse_reference(&format!("SAMENSPEL-12-{hash}")),
            Some((12, hash.clone()))
        );
        for bad in [
            "",
            "SAMENSPEL-12",
            "SAMENSPEL-12-0123456789a",
            "SAMENSPEL-x-0123456789ab",
            "SAMENSPEL-0-0123456789ab",
            "SAMENSPEL-12-0123456789ag",
            "ANDERS-12-0123456789ab",
        ] {
            assert_eq!(parse_reference(bad), None, "{bad}");
        }
    }
}
