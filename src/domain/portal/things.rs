//! The things of a family the director can keep or share one by one, as the director's sharing page
//! lists them: plan sections, decisions, actions, and the minutes of the family's items.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::sharing::{Thing, ThingKind};
use crate::db::DbConn;
use crate::schema::{actions, agenda_items, decisions, meetings};

/// One thing, with what the director recognises it by.
#[derive(Clone, Debug)]
pub struct ThingSummary {
    pub thing: Thing,
    /// When it was decided, agreed or discussed (none for a plan section).
    pub when: Option<NaiveDateTime>,
    /// Its text, cut short; for a plan section the text key of its life domain.
    pub text: String,
}

impl ThingSummary {
    /// An id for the page's fields, unique per thing.
    pub fn slug(&self) -> String {
        format!("{}-{}", self.thing.kind.code(), self.thing.key)
    }
}

fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default().trim();
    if line.chars().count() > 120 {
        format!("{}…", line.chars().take(120).collect::<String>())
    } else {
        line.to_string()
    }
}

/// Every thing of the family the director can keep or share, in the order of the page.
pub fn things_of(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<ThingSummary>> {
    let mut out = Vec::new();
    if let Some(plan) = crate::domain::plan::version(conn, family_id, None)? {
        for (domain, section) in &plan.sections {
            if !section.is_empty() {
                out.push(ThingSummary {
                    thing: Thing::plan_section(*domain),
                    when: None,
                    text: domain.label_key(),
                });
            }
        }
    }
    let rows: Vec<(i64, NaiveDateTime, String, String)> = decisions::table
        .filter(decisions::family_id.eq(family_id))
        .order(decisions::id.asc())
        .select((
            decisions::id,
            decisions::created_at,
            decisions::outcome,
            decisions::text,
        ))
        .load(conn)?;
    out.extend(
        rows.into_iter()
            .map(|(id, at, outcome, text)| ThingSummary {
                thing: Thing::decision(id),
                when: Some(at),
                text: short(&format!("{outcome}: {text}")),
            }),
    );
    let rows: Vec<(i64, NaiveDateTime, String)> = actions::table
        .filter(actions::family_id.eq(family_id))
        .order(actions::id.asc())
        .select((actions::id, actions::created_at, actions::description))
        .load(conn)?;
    out.extend(rows.into_iter().map(|(id, at, text)| ThingSummary {
        thing: Thing::action(id),
        when: Some(at),
        text: short(&text),
    }));
    let rows: Vec<(i64, NaiveDateTime, String)> = agenda_items::table
        .inner_join(meetings::table.on(meetings::id.eq(agenda_items::meeting_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .filter(agenda_items::minutes.ne(""))
        .order(agenda_items::id.asc())
        .select((agenda_items::id, meetings::starts_at, agenda_items::minutes))
        .load(conn)?;
    out.extend(rows.into_iter().map(|(id, at, text)| ThingSummary {
        thing: Thing::minutes(id),
        when: Some(at),
        text: short(&text),
    }));
    Ok(out)
}

/// Whether `thing` is one of the family's (so a form cannot name another family's decision).
pub fn belongs_to(conn: &mut DbConn, family_id: i64, thing: &Thing) -> QueryResult<bool> {
    Ok(things_of(conn, family_id)?
        .iter()
        .any(|t| t.thing == *thing)
        || (thing.kind == ThingKind::PlanSection
            && crate::domain::plan::LifeDomain::from_code(&thing.key).is_some()))
}
