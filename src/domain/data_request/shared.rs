//! The parts of a member's copy that are cut thing by thing (plan sections, decisions, actions), through
//! the portal's sharing rule (`portal::Sharing::shows`): what the member may not see is left out, and
//! listed for the director with the reason.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::date;
use crate::db::DbConn;
use crate::domain::family::Person;
use crate::domain::portal::{Sharing, Thing};
use crate::export::subject::{LeftOut, Part};
use crate::i18n::I18n;
use crate::policy::sharing::{Seen, Why};
use crate::schema::decisions;

/// The sharing rule for one member, and the list of what it left out.
pub struct Cut<'a> {
    pub sharing: &'a Sharing,
    pub me: i64,
    pub members: &'a [Person],
    pub i18n: &'a I18n,
    pub left_out: Vec<LeftOut>,
}

impl Cut<'_> {
    /// Whether the member sees `thing`; if not, it is listed as left out (`part`, `what`), except when
    /// its whole category is kept from the member (that is listed once, for the category).
    pub fn keeps(&mut self, thing: &Thing, part: &str, what: String) -> bool {
        let why = match self.sharing.seen(self.me, thing) {
            Seen::Shown => return true,
            Seen::Hidden(Why::Category(_)) => return false,
            Seen::Hidden(why) => why,
        };
        let reason = match why {
            Why::Kept(reason) | Why::Category(reason) => reason,
            Why::Health(of) => {
                let name = self.name_of(of);
                self.i18n.t_with("sharing.why_health", &[("name", &name)])
            }
            Why::NotByDefault => self.i18n.t("sharing.why_not_by_default"),
        };
        self.left_out.push(LeftOut {
            part: part.into(),
            what,
            reason,
        });
        false
    }

    /// A member's name.
    pub fn name_of(&self, person: i64) -> String {
        self.members
            .iter()
            .find(|p| p.id == person)
            .map(|p| p.name.clone())
            .unwrap_or_default()
    }

    pub fn plan_part(&mut self, conn: &mut DbConn, family_id: i64) -> QueryResult<Part> {
        let mut lines = Vec::new();
        if let Some(plan) = crate::domain::plan::version(conn, family_id, None)? {
            for (domain, section) in &plan.sections {
                if section.is_empty() {
                    continue;
                }
                let label = self.i18n.t(&domain.label_key());
                if !self.keeps(&Thing::plan_section(*domain), "plan", label.clone()) {
                    continue;
                }
                for name in crate::domain::plan::PARTS {
                    let text = section.part(name).trim();
                    if !text.is_empty() {
                        lines.push(format!(
                            "{label} — {}: {text}",
                            self.i18n.t(&format!("plan.part.{name}"))
                        ));
                    }
                }
            }
        }
        Ok(Part {
            key: "plan".into(),
            lines,
        })
    }

    pub fn decisions_part(&mut self, conn: &mut DbConn, family_id: i64) -> QueryResult<Part> {
        let rows: Vec<(i64, NaiveDateTime, String, String, String)> = decisions::table
            .filter(decisions::family_id.eq(family_id))
            .order(decisions::created_at.asc())
            .select((
                decisions::id,
                decisions::created_at,
                decisions::outcome,
                decisions::text,
                decisions::family_words,
            ))
            .load(conn)?;
        let mut lines = Vec::new();
        for (id, at, outcome, text, words) in rows {
            let what = format!("{} — {outcome}", date(at));
            if !self.keeps(&Thing::decision(id), "decisions", what.clone()) {
                continue;
            }
            let mut line = format!("{what}: {text}");
            if !words.is_empty() {
                line.push_str(&format!(" («{words}»)"));
            }
            lines.push(line);
        }
        Ok(Part {
            key: "decisions".into(),
            lines,
        })
    }

    pub fn actions_part(&mut self, conn: &mut DbConn, family_id: i64) -> QueryResult<Part> {
        let mut lines = Vec::new();
        for a in crate::domain::decision::actions_for_family(conn, family_id)? {
            let what = a.action.description.clone();
            if self.keeps(&Thing::action(a.action.id), "actions", what) {
                lines.push(format!(
                    "{} — {} ({})",
                    a.action.description, a.owner_name, a.action.due_on
                ));
            }
        }
        Ok(Part {
            key: "actions".into(),
            lines,
        })
    }
}
