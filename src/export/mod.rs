//! Exports: the besluitenlijst and actielijst as PDF, the actielijst as XLSX and CSV, and the family's
//! plans as PDF. This module renders plain data (below) that the web layer has gathered and cut to what
//! the reader may see; it reads no database and knows no permissions.

pub mod documents;
pub mod monitor;
pub mod pdf;
pub mod sheet;
pub mod subject;

use chrono::NaiveDate;

/// One meeting's decisions and actions as one reader may see them.
#[derive(Clone, Debug, Default)]
pub struct MeetingDoc {
    pub table: String,
    pub kind: String,
    /// "23-11-2026, 09:00–10:30".
    pub when: String,
    pub place: String,
    pub chairs: Vec<String>,
    /// (organisation, names) of those present, and of those absent with notice.
    pub present: Vec<(String, Vec<String>)>,
    pub absent_with_notice: Vec<(String, Vec<String>)>,
    /// (organisation, names) of those absent without notice, or never marked present.
    pub absent: Vec<(String, Vec<String>)>,
    /// Whose version this is: "Versie voor Ingrid Smit" or "Gepseudonimiseerde versie".
    pub version: String,
    pub items: Vec<DocItem>,
    /// The reference: meeting id and the hash of its closing event. None while the meeting is open.
    pub reference: Option<String>,
    /// Where anyone can check the reference.
    pub check_url: Option<String>,
    /// "23-11-2026 12:03".
    pub generated: String,
    /// The version without names, for wider distribution than the participants.
    pub pseudonymised: bool,
}

#[derive(Clone, Debug, Default)]
pub struct DocItem {
    pub title: String,
    /// False when the reader was not invited: the item shows by its pseudonym, without content.
    pub visible: bool,
    pub decisions: Vec<DocDecision>,
    pub actions: Vec<DocAction>,
    /// The merged top 3 with its explanatory analysis, when there is one.
    pub analysis: Option<DocAnalysis>,
    /// Who of the family was present at the item (invited to their own item).
    pub family_present: Vec<String>,
}

/// The merged top 3 of an item as printed: the concerns in order of priority (each with its goal of the
/// safety plan), the strengths and the explanatory analysis.
#[derive(Clone, Debug, Default)]
pub struct DocAnalysis {
    pub version: i32,
    pub concerns: Vec<String>,
    pub strengths: Vec<String>,
    pub explanation: String,
}

#[derive(Clone, Debug, Default)]
pub struct DocDecision {
    pub outcome: String,
    pub text: String,
    pub rationale: String,
    /// The family's view in words: "Eens — 'Graag in het buurthuis.'".
    pub family_view: String,
    /// Set when a correction replaced this decision.
    pub replaced: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DocAction {
    pub description: String,
    pub owner: String,
    pub organisation: String,
    /// The family's name, its pseudonym, or empty for an action without a family.
    pub family: String,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    pub status: String,
    /// The date of the meeting that agreed it.
    pub meeting_on: Option<NaiveDate>,
    pub condition: String,
}

/// Replaces the names of families and their members in free text, for the pseudonymised version: a
/// family's name by its pseudonym ("Gezin J., 2026-0042"), a member's full name and first name by their
/// initial ("S.").
#[derive(Clone, Debug, Default)]
pub struct Scrubber {
    /// (name, replacement), longest names first so "Sandra Jansen" goes before "Sandra".
    names: Vec<(String, String)>,
}

impl Scrubber {
    pub fn add_family(&mut self, display_name: &str, pseudonym: &str, members: &[String]) {
        self.names
            .push((display_name.to_string(), pseudonym.to_string()));
        // "Gezin Jansen": "Jansen" alone is the family name too.
        if let Some(surname) = display_name.split_whitespace().last()
            && surname != display_name
        {
            self.names.push((surname.to_string(), initial(surname)));
        }
        for member in members {
            self.names.push((member.clone(), initial(member)));
            for part in member.split_whitespace() {
                if part.chars().count() > 1 {
                    self.names.push((part.to_string(), initial(part)));
                }
            }
        }
        self.names
            .sort_by_key(|n| std::cmp::Reverse(n.0.chars().count()));
        self.names.dedup_by(|a, b| a.0 == b.0);
    }

    /// `text` with every known name replaced where it stands as a whole word.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, replacement) in &self.names {
            out = replace_word(&out, name, replacement);
        }
        out
    }
}

fn initial(name: &str) -> String {
    name.chars()
        .next()
        .map(|c| format!("{c}."))
        .unwrap_or_default()
}

fn replace_word(text: &str, word: &str, replacement: &str) -> String {
    if word.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let whole =
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
        out.push_str(&rest[..at]);
        // An initial at the end of a sentence: "M." and its full stop make one, not "M..".
        let replacement = match replacement.strip_suffix('.') {
            Some(short) if after == Some('.') => short,
            _ => replacement,
        };
        out.push_str(if whole { replacement } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Actions grouped by owner organisation (alphabetical), overdue first within a group, then by due date.
pub fn by_organisation(actions: &[DocAction]) -> Vec<(String, Vec<&DocAction>)> {
    let mut groups: Vec<(String, Vec<&DocAction>)> = Vec::new();
    for action in actions {
        match groups.iter_mut().find(|(o, _)| *o == action.organisation) {
            Some((_, list)) => list.push(action),
            None => groups.push((action.organisation.clone(), vec![action])),
        }
    }
    groups.sort_by_key(|g| g.0.to_lowercase());
    for (_, list) in &mut groups {
        list.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.due.cmp(&b.due)));
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_replaced_as_whole_words_longest_first() {
        let mut s = Scrubber::default();
        s.add_family(
            "Gezin Jansen",
            "Gezin J., 2026-0042",
            &["Sandra Jansen".into(), "Mila Jansen".into()],
        );
        assert_eq!(
            s.scrub("Gezin Jansen: Sandra Jansen belt; Sandra en Mila. Jansens? Sandrasteeg."),
            "Gezin J., 2026-0042: S. belt; S. en M. Jansens? Sandrasteeg."
        );
    }

    #[test]
    fn overdue_actions_come_first_in_their_organisation() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d);
        let action = |org: &str, due, overdue| DocAction {
            organisation: org.into(),
            due,
            overdue,
            ..DocAction::default()
        };
        let actions = [
            action("Politie", day(30), false),
            action("GGZ", day(25), false),
            action("Politie", day(2), true),
            action("GGZ", day(1), true),
        ];
        let groups = by_organisation(&actions);
        assert_eq!(groups[0].0, "GGZ");
        assert!(groups[0].1[0].overdue && groups[1].1[0].overdue);
        assert_eq!(groups[1].1[1].due, day(30));
    }
}
