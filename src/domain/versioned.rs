//! A versioned document: every save is a new version on top of the version it was based on. A save based
//! on an older version than the current one is refused as a conflict, and what changed in between is
//! shown as a line diff per part. The family plan and the plan of each safety phase are such documents;
//! each keeps its versions in its own table and says which parts it has.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConn;

/// The result of a save: the new version, or the version that was saved in the meantime.
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Version(i32),
    Conflict { current: i32 },
}

/// One part of a version as text, for comparing versions: its name as text keys (shown joined by
/// " — ") and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub labels: Vec<String>,
    pub text: String,
}

/// Which version, by whom, when.
#[derive(Clone, Copy, Debug)]
pub struct Head<'a> {
    pub number: i32,
    pub author_name: &'a str,
    pub created_at: NaiveDateTime,
}

impl<'a> Head<'a> {
    pub fn new(number: i32, author_name: &'a str, created_at: NaiveDateTime) -> Head<'a> {
        Head {
            number,
            author_name,
            created_at,
        }
    }
}

/// One version of a versioned document.
pub trait Version {
    fn head(&self) -> Head<'_>;
    /// The parts compared between versions, in the order they are shown.
    fn parts(&self) -> Vec<Part>;
}

/// Where the versions of one document are kept.
pub trait Store {
    type Version: Version;
    /// The number of the current version; 0 before the first save.
    fn current_number(&self, conn: &mut DbConn) -> QueryResult<i32>;
    /// A version; `None` for the number means the current one. None when there is no such version.
    fn version(&self, conn: &mut DbConn, number: Option<i32>)
    -> QueryResult<Option<Self::Version>>;
}

/// Saves a new version on top of `base_version`: `write` stores the content as the version number it
/// is given. If someone saved after `base_version` was read, nothing is written and the conflict is
/// returned: the caller keeps the typed text and shows what changed. Run inside a write transaction;
/// a UNIQUE version per document refuses a lost race on any engine.
pub fn save<S: Store>(
    conn: &mut DbConn,
    store: &S,
    base_version: i32,
    write: impl FnOnce(&mut DbConn, i32) -> QueryResult<()>,
) -> QueryResult<Saved> {
    let current = store.current_number(conn)?;
    if current != base_version {
        return Ok(Saved::Conflict { current });
    }
    write(conn, current + 1)?;
    Ok(Saved::Version(current + 1))
}

/// One changed part between two versions: its name as text keys, and the lines ("removed", "added",
/// "same").
#[derive(Clone, Debug)]
pub struct Change {
    pub labels: Vec<String>,
    pub lines: Vec<(&'static str, String)>,
}

/// What changed from `before` to `after`, part by part. Without `before` (the first version)
/// everything is added.
pub fn diff<V: Version>(before: Option<&V>, after: &V) -> Vec<Change> {
    let old = before.map(Version::parts).unwrap_or_default();
    after
        .parts()
        .into_iter()
        .filter_map(|part| {
            let was = old
                .iter()
                .find(|p| p.labels == part.labels)
                .map_or("", |p| p.text.as_str());
            line_diff(was, &part.text).map(|lines| Change {
                labels: part.labels,
                lines,
            })
        })
        .collect()
}

/// The lines of `b` against those of `a`; None when they are the same.
pub fn line_diff(a: &str, b: &str) -> Option<Vec<(&'static str, String)>> {
    if a == b {
        return None;
    }
    // Every line ends in a newline for the comparison, so adding a last line does not show the line
    // before it as changed.
    let (a, b) = (with_final_newline(a), with_final_newline(b));
    Some(
        similar::TextDiff::from_lines(&a, &b)
            .iter_all_changes()
            .map(|c| {
                let kind = match c.tag() {
                    similar::ChangeTag::Delete => "removed",
                    similar::ChangeTag::Insert => "added",
                    similar::ChangeTag::Equal => "same",
                };
                (kind, c.value().trim_end_matches('\n').to_string())
            })
            .collect(),
    )
}

fn with_final_newline(text: &str) -> String {
    if text.is_empty() || text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

/// A refused save: the version someone else saved in the meantime, and what they changed since the
/// version the save was based on.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub version: i32,
    pub author_name: String,
    pub created_at: NaiveDateTime,
    pub changes: Vec<Change>,
}

/// After a save on top of `base_version`: None when it was saved, the conflict when it was refused.
pub fn conflict<S: Store>(
    conn: &mut DbConn,
    store: &S,
    base_version: i32,
    saved: Saved,
) -> QueryResult<Option<Conflict>> {
    let Saved::Conflict { current } = saved else {
        return Ok(None);
    };
    let theirs = store
        .version(conn, Some(current))?
        .ok_or(diesel::result::Error::NotFound)?;
    let base = store.version(conn, Some(base_version))?;
    let head = theirs.head();
    Ok(Some(Conflict {
        version: head.number,
        author_name: head.author_name.to_string(),
        created_at: head.created_at,
        changes: diff(base.as_ref(), &theirs),
    }))
}

/// A version shown: the version, what changed since the version before it, the current number.
pub type Shown<V> = (V, Vec<Change>, i32);

/// One version with what changed since the version before it, and the number of the current version.
pub fn with_changes<S: Store>(
    conn: &mut DbConn,
    store: &S,
    number: i32,
) -> QueryResult<Option<Shown<S::Version>>> {
    let Some(shown) = store.version(conn, Some(number))? else {
        return Ok(None);
    };
    let before = store.version(conn, Some(number - 1))?;
    let changes = diff(before.as_ref(), &shown);
    Ok(Some((shown, changes, store.current_number(conn)?)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::domain::plan::{LifeDomain, PlanVersion, Section};
    use crate::domain::safety::{PhasePlan, PlanContent, PlanKind};

    fn version(n: i32, safety_agreements: &str) -> PlanVersion {
        PlanVersion {
            version: n,
            author_name: "Ahmed".into(),
            created_at: NaiveDateTime::default(),
            sections: vec![(
                LifeDomain::Safety,
                Section {
                    agreements: safety_agreements.into(),
                    ..Section::default()
                },
            )],
        }
    }

    #[test]
    fn the_diff_names_the_changed_part_and_its_lines() {
        let before = version(1, "Mark komt niet aan huis.\nOma Jansen let op.");
        let after = version(
            2,
            "Mark komt niet aan huis.\nOma Jansen en buurvrouw Els letten op.",
        );
        let changes = diff(Some(&before), &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].labels, ["domain.safety", "plan.part.agreements"]);
        assert!(
            changes[0]
                .lines
                .contains(&("same", "Mark komt niet aan huis.".into()))
        );
        assert!(
            changes[0]
                .lines
                .contains(&("removed", "Oma Jansen let op.".into()))
        );
        assert!(
            changes[0]
                .lines
                .contains(&("added", "Oma Jansen en buurvrouw Els letten op.".into()))
        );
    }

    #[test]
    fn the_first_version_shows_everything_as_added() {
        let changes = diff(None, &version(1, "Afspraak"));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].lines, vec![("added", "Afspraak".to_string())]);
    }

    #[test]
    fn the_diff_shows_a_changed_agreement_as_one_line() {
        let mut row = BTreeMap::new();
        row.insert("who".to_string(), "Sandra".to_string());
        row.insert("what".to_string(), "belt 112".to_string());
        let plan = |rows: Vec<BTreeMap<String, String>>, v| PhasePlan {
            kind: PlanKind::Safety,
            person_id: None,
            version: v,
            author_name: "Ahmed".into(),
            created_at: NaiveDateTime::default(),
            review_on: None,
            content: PlanContent {
                texts: BTreeMap::new(),
                rows,
            },
        };
        let before = plan(vec![row.clone()], 1);
        let mut changed = row.clone();
        changed.insert("what".into(), "belt 112 en daarna Ahmed".into());
        let after = plan(vec![changed], 2);
        let changes = diff(Some(&before), &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].labels, ["phase_plan.safety.rows"]);
        assert!(
            changes[0]
                .lines
                .contains(&("removed", "Sandra · belt 112".into()))
        );
        assert!(
            changes[0]
                .lines
                .contains(&("added", "Sandra · belt 112 en daarna Ahmed".into()))
        );
    }

    #[test]
    fn adding_a_last_line_leaves_the_line_before_it_the_same() {
        let lines = line_diff("Oma let op.", "Oma let op.\nEls belt.").unwrap();
        assert_eq!(
            lines,
            [
                ("same", "Oma let op.".into()),
                ("added", "Els belt.".into())
            ]
        );
        assert_eq!(line_diff("Gelijk", "Gelijk"), None);
    }
}
