//! The "Top 3"-methodiek of an agenda item about a family: before the item, each invited professional and
//! each family member names up to three concerns (zorgen) and strengths (krachten); the director, or the
//! chair in the meeting, merges them into one prioritised list with an explanatory analysis ("wat
//! verklaart de onveiligheid?"), each concern linked to a goal of the safety plan. The merged list is a
//! versioned document (see `versioned`): every save is a new version, and versions compare part by part.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::versioned::{self, Part, Saved};
use crate::db::DbConn;
use crate::domain::safety::{self, PlanKind, PlanRef};
use crate::schema::{organisations, persons, top3_analyses, top3_entries, users};

/// At most this many concerns and this many strengths, in a participant's top 3 and in the merged list.
pub const MAX: usize = 3;
/// The longest concern or strength, in characters.
pub const LINE_LIMIT: usize = 300;
/// The longest explanatory analysis, in characters.
pub const ANALYSIS_LIMIT: usize = 10_000;

/// Up to three concerns and three strengths, most important first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Top3 {
    pub concerns: Vec<String>,
    pub strengths: Vec<String>,
}

/// A field of a form that is wrong, and the text key that says why.
pub type Problem = (&'static str, &'static str);

/// One line as typed: a line break becomes a space, spaces around are gone.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The filled lines of a list, in the order typed, and what is wrong with them: more than three, or a
/// line that is too long. Empty fields are skipped.
fn list(field: &'static str, typed: &[String]) -> (Vec<String>, Vec<Problem>) {
    let lines: Vec<String> = typed
        .iter()
        .map(|t| one_line(t))
        .filter(|t| !t.is_empty())
        .collect();
    let mut problems = Vec::new();
    if lines.len() > MAX {
        problems.push((field, "top3.too_many"));
    }
    if lines.iter().any(|l| l.chars().count() > LINE_LIMIT) {
        problems.push((field, "form.too_long"));
    }
    (lines, problems)
}

impl Top3 {
    /// A participant's top 3 as typed, and what is wrong with it: nothing named at all, more than three
    /// of either, or a line that is too long.
    pub fn read(concerns: &[String], strengths: &[String]) -> (Top3, Vec<Problem>) {
        let (concerns, mut problems) = list("concern", concerns);
        let (strengths, more) = list("strength", strengths);
        problems.extend(more);
        if concerns.is_empty() && strengths.is_empty() {
            problems.push(("concern", "top3.empty"));
        }
        (
            Top3 {
                concerns,
                strengths,
            },
            problems,
        )
    }
}

/// A concern of the merged list, and the goal of the safety plan it is linked to ("" for none).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Priority {
    pub text: String,
    #[serde(default)]
    pub goal: String,
}

/// The merged list: the concerns in order of priority, the strengths, and the explanatory analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Analysis {
    pub concerns: Vec<Priority>,
    pub strengths: Vec<String>,
    pub explanation: String,
}

impl Analysis {
    /// The merged list as typed: concerns with the goal chosen beside each (by position), strengths,
    /// the analysis; and what is wrong: no concern, no analysis, more than three, too long, or a goal
    /// that is not (or no longer) one of the safety plan's `goals`.
    pub fn read(
        concerns: &[String],
        goals: &[String],
        strengths: &[String],
        explanation: &str,
        plan_goals: &[String],
    ) -> (Analysis, Vec<Problem>) {
        let mut priorities = Vec::new();
        for (i, typed) in concerns.iter().enumerate() {
            let text = one_line(typed);
            if !text.is_empty() {
                let goal = goals.get(i).map(|g| one_line(g)).unwrap_or_default();
                priorities.push(Priority { text, goal });
            }
        }
        let texts: Vec<String> = priorities.iter().map(|p| p.text.clone()).collect();
        let (_, mut problems) = list("concern", &texts);
        if priorities.is_empty() {
            problems.push(("concern", "top3.merged_empty"));
        }
        if priorities
            .iter()
            .any(|p| !p.goal.is_empty() && !plan_goals.contains(&p.goal))
        {
            problems.push(("goal", "top3.goal_unknown"));
        }
        let (strengths, more) = list("strength", strengths);
        problems.extend(more);
        let explanation = explanation.replace("\r\n", "\n").trim().to_string();
        if explanation.is_empty() {
            problems.push(("explanation", "top3.explanation_required"));
        } else if explanation.chars().count() > ANALYSIS_LIMIT {
            problems.push(("explanation", "form.too_long"));
        }
        (
            Analysis {
                concerns: priorities,
                strengths,
                explanation,
            },
            problems,
        )
    }

    /// The concerns as lines, most important first: "1. text → goal".
    pub fn concern_lines(&self) -> Vec<String> {
        self.concerns
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if p.goal.is_empty() {
                    format!("{}. {}", i + 1, p.text)
                } else {
                    format!("{}. {} → {}", i + 1, p.text, p.goal)
                }
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------------
// The participants' top 3

/// Who gives a top 3: a professional, or a family member through the portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Giver {
    User(i64),
    Person(i64),
}

/// One participant's top 3 on an item, with who gave it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub giver: Giver,
    pub name: String,
    /// The organisation of a professional; empty for a family member.
    pub organisation: String,
    pub top3: Top3,
    pub updated_at: NaiveDateTime,
}

impl Entry {
    pub fn is_family(&self) -> bool {
        matches!(self.giver, Giver::Person(_))
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

type EntryRow = (
    Option<i64>,
    Option<i64>,
    String,
    String,
    NaiveDateTime,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Every top 3 given for the item: the professionals' first, then the family's, each in the order given.
pub fn entries(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<Entry>> {
    let rows: Vec<EntryRow> = top3_entries::table
        .left_join(users::table.on(top3_entries::user_id.eq(users::id.nullable())))
        .left_join(organisations::table.on(users::organisation_id.eq(organisations::id.nullable())))
        .left_join(persons::table.on(top3_entries::person_id.eq(persons::id.nullable())))
        .filter(top3_entries::agenda_item_id.eq(item_id))
        .order(top3_entries::id.asc())
        .select((
            top3_entries::user_id,
            top3_entries::person_id,
            top3_entries::concerns,
            top3_entries::strengths,
            top3_entries::updated_at,
            users::name.nullable(),
            organisations::name.nullable(),
            persons::name.nullable(),
        ))
        .load(conn)?;
    let mut out: Vec<Entry> = rows
        .into_iter()
        .filter_map(
            |(user, person, concerns, strengths, at, uname, org, pname)| {
                let (giver, name) = match (user, person) {
                    (Some(u), _) => (Giver::User(u), uname.unwrap_or_default()),
                    (None, Some(p)) => (Giver::Person(p), pname.unwrap_or_default()),
                    (None, None) => return None,
                };
                Some(Entry {
                    giver,
                    name,
                    organisation: org.unwrap_or_default(),
                    top3: Top3 {
                        concerns: lines(&concerns),
                        strengths: lines(&strengths),
                    },
                    updated_at: at,
                })
            },
        )
        .collect();
    out.sort_by_key(Entry::is_family);
    Ok(out)
}

/// Writes (or rewrites) the giver's top 3 on the item.
pub fn save_entry(
    conn: &mut DbConn,
    (item_id, family_id): (i64, i64),
    giver: Giver,
    top3: &Top3,
) -> QueryResult<()> {
    let now = super::now();
    let (concerns, strengths) = (top3.concerns.join("\n"), top3.strengths.join("\n"));
    let (user_id, person_id) = match giver {
        Giver::User(u) => (Some(u), None),
        Giver::Person(p) => (None, Some(p)),
    };
    let mine = top3_entries::table
        .filter(top3_entries::agenda_item_id.eq(item_id))
        .into_boxed();
    let mine = match giver {
        Giver::User(u) => mine.filter(top3_entries::user_id.eq(u)),
        Giver::Person(p) => mine.filter(top3_entries::person_id.eq(p)),
    };
    let existing: Option<i64> = mine.select(top3_entries::id).first(conn).optional()?;
    match existing {
        Some(id) => diesel::update(top3_entries::table.find(id))
            .set((
                top3_entries::concerns.eq(&concerns),
                top3_entries::strengths.eq(&strengths),
                top3_entries::updated_at.eq(now),
            ))
            .execute(conn)?,
        None => diesel::insert_into(top3_entries::table)
            .values((
                top3_entries::agenda_item_id.eq(item_id),
                top3_entries::family_id.eq(family_id),
                top3_entries::user_id.eq(user_id),
                top3_entries::person_id.eq(person_id),
                top3_entries::concerns.eq(&concerns),
                top3_entries::strengths.eq(&strengths),
                top3_entries::created_at.eq(now),
                top3_entries::updated_at.eq(now),
            ))
            .execute(conn)?,
    };
    Ok(())
}

/// The giver's own top 3 on the item, if given.
pub fn entry_of(conn: &mut DbConn, item_id: i64, giver: Giver) -> QueryResult<Option<Top3>> {
    Ok(entries(conn, item_id)?
        .into_iter()
        .find(|e| e.giver == giver)
        .map(|e| e.top3))
}

// ---------------------------------------------------------------------------------------------------
// The merged list, versioned

/// One version of an item's merged list.
#[derive(Clone, Debug)]
pub struct AnalysisVersion {
    pub version: i32,
    pub author_name: String,
    pub created_at: NaiveDateTime,
    pub analysis: Analysis,
}

/// The versions of one item's merged list.
#[derive(Clone, Copy, Debug)]
pub struct ItemAnalysis {
    pub item_id: i64,
}

/// A version of the item's merged list; `None` for the current one.
pub fn version(
    conn: &mut DbConn,
    item_id: i64,
    number: Option<i32>,
) -> QueryResult<Option<AnalysisVersion>> {
    let mut query = top3_analyses::table
        .inner_join(users::table.on(users::id.eq(top3_analyses::author_user_id)))
        .filter(top3_analyses::agenda_item_id.eq(item_id))
        .into_boxed();
    if let Some(n) = number {
        query = query.filter(top3_analyses::version.eq(n));
    }
    let row: Option<(i32, String, NaiveDateTime, String)> = query
        .order(top3_analyses::version.desc())
        .select((
            top3_analyses::version,
            users::name,
            top3_analyses::created_at,
            top3_analyses::content,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(
        |(version, author_name, created_at, content)| AnalysisVersion {
            version,
            author_name,
            created_at,
            analysis: serde_json::from_str(&content).unwrap_or_default(),
        },
    ))
}

/// The versions of the item's merged list, newest first: (number, author, when).
pub fn versions(conn: &mut DbConn, item_id: i64) -> QueryResult<Vec<(i32, String, NaiveDateTime)>> {
    top3_analyses::table
        .inner_join(users::table.on(users::id.eq(top3_analyses::author_user_id)))
        .filter(top3_analyses::agenda_item_id.eq(item_id))
        .order(top3_analyses::version.desc())
        .select((
            top3_analyses::version,
            users::name,
            top3_analyses::created_at,
        ))
        .load(conn)
}

impl versioned::Store for ItemAnalysis {
    type Version = AnalysisVersion;
    fn current_number(&self, conn: &mut DbConn) -> QueryResult<i32> {
        Ok(version(conn, self.item_id, None)?.map_or(0, |v| v.version))
    }
    fn version(
        &self,
        conn: &mut DbConn,
        number: Option<i32>,
    ) -> QueryResult<Option<AnalysisVersion>> {
        version(conn, self.item_id, number)
    }
}

impl versioned::Version for AnalysisVersion {
    fn head(&self) -> versioned::Head<'_> {
        versioned::Head::new(self.version, &self.author_name, self.created_at)
    }
    /// The prioritised concerns (one line each, with their goal), the strengths, the analysis.
    fn parts(&self) -> Vec<Part> {
        let part = |label: &str, text: String| Part {
            labels: vec![label.to_string()],
            text,
        };
        vec![
            part(
                "top3.merged_concerns",
                self.analysis.concern_lines().join("\n"),
            ),
            part("top3.merged_strengths", self.analysis.strengths.join("\n")),
            part("top3.explanation", self.analysis.explanation.clone()),
        ]
    }
}

/// Saves a new version of the item's merged list on top of `base_version`; a save based on an older
/// version is a conflict and writes nothing (see `versioned::save`).
pub fn save_analysis(
    conn: &mut DbConn,
    (item_id, family_id): (i64, i64),
    base_version: i32,
    author_user_id: i64,
    analysis: &Analysis,
) -> QueryResult<Saved> {
    versioned::save(
        conn,
        &ItemAnalysis { item_id },
        base_version,
        |conn, number| {
            diesel::insert_into(top3_analyses::table)
                .values((
                    top3_analyses::agenda_item_id.eq(item_id),
                    top3_analyses::family_id.eq(family_id),
                    top3_analyses::version.eq(number),
                    top3_analyses::author_user_id.eq(author_user_id),
                    top3_analyses::content.eq(serde_json::to_string(analysis).unwrap_or_default()),
                    top3_analyses::created_at.eq(super::now()),
                ))
                .execute(conn)?;
            Ok(())
        },
    )
}

/// The goals of the family's current safety plan, one per line: what a concern can be linked to.
pub fn safety_goals(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<String>> {
    let plan = safety::plan_version(
        conn,
        PlanRef {
            family_id,
            kind: PlanKind::Safety,
            person_id: None,
        },
        None,
    )?;
    Ok(plan
        .map(|p| {
            p.content
                .text("goals")
                .lines()
                .map(|l| one_line(l.trim_start_matches(['-', '•', '*'])))
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_top_3_keeps_the_filled_lines_in_order() {
        let (top3, problems) = Top3::read(
            &strings(&["  Geweld  als Mark\r\nkomt ", "", "Mila is stil"]),
            &strings(&["Oma helpt", ""]),
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(top3.concerns, ["Geweld als Mark komt", "Mila is stil"]);
        assert_eq!(top3.strengths, ["Oma helpt"]);
    }

    #[test]
    fn a_top_3_is_refused_when_empty_too_many_or_too_long() {
        let long = "x".repeat(LINE_LIMIT + 1);
        // (concerns, strengths, the problems)
        let cases: &[(&[&str], &[&str], &[Problem])] = &[
            (&["", " "], &[""], &[("concern", "top3.empty")]),
            (&["a", "b", "c", "d"], &[], &[("concern", "top3.too_many")]),
            (&[], &["a", "b", "c", "d"], &[("strength", "top3.too_many")]),
            (&[long.as_str()], &[], &[("concern", "form.too_long")]),
            (&["a"], &[long.as_str()], &[("strength", "form.too_long")]),
            (&[], &["Oma helpt"], &[]),
        ];
        for (concerns, strengths, expected) in cases {
            let (_, problems) = Top3::read(&strings(concerns), &strings(strengths));
            assert_eq!(&problems, expected, "{concerns:?} {strengths:?}");
        }
    }

    #[test]
    fn the_merged_list_links_each_concern_to_a_goal_of_the_safety_plan() {
        let plan_goals = strings(&["Mark komt niet aan huis", "Contact alleen begeleid"]);
        let (analysis, problems) = Analysis::read(
            &strings(&["Geweld", "", "Mila is bang"]),
            &strings(&["Mark komt niet aan huis", "", ""]),
            &strings(&["Oma"]),
            "Spanning na de scheiding.\r\n",
            &plan_goals,
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            analysis.concern_lines(),
            ["1. Geweld → Mark komt niet aan huis", "2. Mila is bang"]
        );
        assert_eq!(analysis.explanation, "Spanning na de scheiding.");

        let (_, problems) = Analysis::read(
            &strings(&["Geweld"]),
            &strings(&["Een doel dat er niet meer is"]),
            &[],
            "",
            &plan_goals,
        );
        assert_eq!(
            problems,
            [
                ("goal", "top3.goal_unknown"),
                ("explanation", "top3.explanation_required")
            ]
        );
        let (_, problems) = Analysis::read(&[], &[], &[], "Uitleg", &plan_goals);
        assert_eq!(problems, [("concern", "top3.merged_empty")]);
    }

    #[test]
    fn versions_of_the_merged_list_compare_by_part() {
        let at = |n: i32, second: &str| AnalysisVersion {
            version: n,
            author_name: "Ahmed".into(),
            created_at: NaiveDateTime::default(),
            analysis: Analysis {
                concerns: vec![
                    Priority {
                        text: "Geweld".into(),
                        goal: String::new(),
                    },
                    Priority {
                        text: second.into(),
                        goal: String::new(),
                    },
                ],
                strengths: vec!["Oma".into()],
                explanation: "Spanning.".into(),
            },
        };
        let changes = versioned::diff(Some(&at(1, "Schulden")), &at(2, "Mila is bang"));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].labels, ["top3.merged_concerns"]);
        assert!(
            changes[0]
                .lines
                .contains(&("removed", "2. Schulden".into()))
        );
        assert!(
            changes[0]
                .lines
                .contains(&("added", "2. Mila is bang".into()))
        );
    }
}
