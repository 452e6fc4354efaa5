//! Finer sharing (issue 21): what the director keeps from a named member or shares with them item by
//! item, things about one member's health or treatment, and members marked "deelt niet standaard mee".
//!
//! `Sharing::load(conn, family_id)` reads all of it for one family once; `Sharing::shows(person, thing)`
//! then answers, through the one rule in `policy::sharing::may_see`, whether that member sees the thing.
//! Every place the family reads uses it: the portal pages, the portal's news mail, the member's copy of
//! their data, and the family room.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Category;
use crate::db::DbConn;
use crate::domain::coded_enum;
use crate::domain::plan::LifeDomain;
use crate::policy::sharing::{MemberFacts, Seen, ThingFacts, may_see};
use crate::schema::{
    actions, agenda_items, decisions, plan_sections, plan_versions, portal_item_concerns,
    portal_item_rules, portal_not_by_default, shared_minutes,
};

coded_enum!(
    /// What the director can keep or share one by one.
    ThingKind, "portal_thing", [
        Decision => "decision",
        Action => "action",
        PlanSection => "plan_section",
        Minutes => "minutes",
    ]
);

impl std::hash::Hash for ThingKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code().hash(state);
    }
}

impl ThingKind {
    /// The category of the portal the thing belongs to (what the director can keep as a whole).
    pub fn category(self) -> Category {
        match self {
            ThingKind::Decision | ThingKind::Minutes => Category::Decisions,
            ThingKind::Action => Category::Actions,
            ThingKind::PlanSection => Category::Plan,
        }
    }
}

/// One decision, action, plan section (a life domain of the family plan) or the minutes of one item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Thing {
    pub kind: ThingKind,
    /// The id, or the life domain's code.
    pub key: String,
}

impl Thing {
    pub fn new(kind: ThingKind, key: impl ToString) -> Thing {
        Thing {
            kind,
            key: key.to_string(),
        }
    }
    pub fn decision(id: i64) -> Thing {
        Thing::new(ThingKind::Decision, id)
    }
    pub fn action(id: i64) -> Thing {
        Thing::new(ThingKind::Action, id)
    }
    pub fn plan_section(domain: LifeDomain) -> Thing {
        Thing::new(ThingKind::PlanSection, domain.code())
    }
    /// The minutes of an agenda item.
    pub fn minutes(item_id: i64) -> Thing {
        Thing::new(ThingKind::Minutes, item_id)
    }
}

coded_enum!(
    /// What the director decided for one thing and one member.
    RuleMode, "portal_rule", [
        Keep => "keep",
        Share => "share",
    ]
);

/// The director's choice for one thing and one member.
#[derive(Clone, Debug)]
pub struct ItemRule {
    pub thing: Thing,
    pub person_id: i64,
    pub mode: RuleMode,
    pub reason: String,
    pub created_at: NaiveDateTime,
}

/// A member marked "deelt niet standaard mee".
#[derive(Clone, Debug)]
pub struct NotByDefault {
    pub person_id: i64,
    pub reason: String,
    pub since: NaiveDateTime,
}

/// Everything the sharing rule needs for one family, read once.
#[derive(Clone, Debug, Default)]
pub struct Sharing {
    pub rules: Vec<ItemRule>,
    /// Thing → the member whose health or treatment it concerns.
    pub concerns: HashMap<Thing, i64>,
    pub not_by_default: Vec<NotByDefault>,
    /// (member, category, reason): the categories kept from members as a whole.
    pub categories: Vec<(i64, Category, String)>,
    /// When each thing came to be; a thing not listed (minutes not shared yet) counts as new.
    came: HashMap<Thing, NaiveDateTime>,
    /// Action → the decision it belongs to.
    action_decision: HashMap<i64, i64>,
}

impl Sharing {
    pub fn load(conn: &mut DbConn, family_id: i64) -> QueryResult<Sharing> {
        let (came, action_decision) = came_times(conn, family_id)?;
        Ok(Sharing {
            rules: rules(conn, family_id)?,
            concerns: concerns(conn, family_id)?,
            not_by_default: not_by_default(conn, family_id)?,
            categories: super::withheld_in_family(conn, family_id)?,
            came,
            action_decision,
        })
    }

    /// Whether the member sees the thing, and if not, why (for the director only).
    pub fn seen(&self, person_id: i64, thing: &Thing) -> Seen {
        let own = self.seen_alone(person_id, thing);
        match thing.kind {
            ThingKind::Action => match thing
                .key
                .parse::<i64>()
                .ok()
                .and_then(|a| self.action_decision.get(&a))
            {
                Some(decision) => {
                    own.within(self.seen_alone(person_id, &Thing::decision(*decision)))
                }
                None => own,
            },
            _ => own,
        }
    }

    /// Whether the thing is kept from no member and concerns no member's health (nor, for an action,
    /// its decision): what someone of the network may see, who is not a member with rules of their own.
    pub fn open_to_all(&self, thing: &Thing) -> bool {
        let open = |t: &Thing| {
            !self.concerns.contains_key(t)
                && !self
                    .rules
                    .iter()
                    .any(|r| r.thing == *t && r.mode == RuleMode::Keep)
        };
        let decision = match thing.kind {
            ThingKind::Action => thing
                .key
                .parse::<i64>()
                .ok()
                .and_then(|a| self.action_decision.get(&a))
                .map(|d| Thing::decision(*d)),
            _ => None,
        };
        open(thing) && decision.is_none_or(|d| open(&d))
    }

    /// Whether the member sees the thing.
    pub fn shows(&self, person_id: i64, thing: &Thing) -> bool {
        self.seen(person_id, thing).shown()
    }

    fn seen_alone(&self, person_id: i64, thing: &Thing) -> Seen {
        let rule = self
            .rules
            .iter()
            .find(|r| r.person_id == person_id && r.thing == *thing);
        let category = thing.kind.category();
        let member = MemberFacts {
            person_id,
            not_by_default_since: self.marked_since(person_id),
        };
        let facts = ThingFacts {
            came_at: self
                .came
                .get(thing)
                .copied()
                .unwrap_or_else(crate::domain::now),
            kept: rule
                .filter(|r| r.mode == RuleMode::Keep)
                .map(|r| r.reason.as_str()),
            shared: rule.is_some_and(|r| r.mode == RuleMode::Share),
            category_withheld: self
                .categories
                .iter()
                .find(|(p, c, _)| *p == person_id && *c == category)
                .map(|(_, _, r)| r.as_str()),
            concerns: self.concerns.get(thing).copied(),
        };
        may_see(&member, &facts)
    }

    /// Since when the member is marked "deelt niet standaard mee", if they are.
    pub fn marked_since(&self, person_id: i64) -> Option<NaiveDateTime> {
        self.not_by_default
            .iter()
            .find(|n| n.person_id == person_id)
            .map(|n| n.since)
    }

    /// The director's rule for the thing and the member, if any.
    pub fn rule(&self, person_id: i64, thing: &Thing) -> Option<&ItemRule> {
        self.rules
            .iter()
            .find(|r| r.person_id == person_id && r.thing == *thing)
    }
}

type Came = (HashMap<Thing, NaiveDateTime>, HashMap<i64, i64>);

/// When each thing of the family came to be (see `policy::sharing`), and the decision of each action.
fn came_times(conn: &mut DbConn, family_id: i64) -> QueryResult<Came> {
    let mut came = HashMap::new();
    let rows: Vec<(i64, NaiveDateTime)> = decisions::table
        .filter(decisions::family_id.eq(family_id))
        .select((decisions::id, decisions::created_at))
        .load(conn)?;
    came.extend(rows.into_iter().map(|(id, at)| (Thing::decision(id), at)));
    let rows: Vec<(i64, NaiveDateTime, Option<i64>)> = actions::table
        .filter(actions::family_id.eq(family_id))
        .select((actions::id, actions::created_at, actions::decision_id))
        .load(conn)?;
    let mut action_decision = HashMap::new();
    for (id, at, decision) in rows {
        came.insert(Thing::action(id), at);
        if let Some(d) = decision {
            action_decision.insert(id, d);
        }
    }
    let rows: Vec<(i64, NaiveDateTime)> = shared_minutes::table
        .inner_join(agenda_items::table.on(agenda_items::id.eq(shared_minutes::agenda_item_id)))
        .filter(agenda_items::family_id.eq(family_id))
        .select((shared_minutes::agenda_item_id, shared_minutes::shared_at))
        .load(conn)?;
    came.extend(rows.into_iter().map(|(id, at)| (Thing::minutes(id), at)));
    came.extend(section_changes(conn, family_id)?);
    Ok((came, action_decision))
}

/// When the text of each life domain of the family plan last changed.
fn section_changes(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<(Thing, NaiveDateTime)>> {
    type Texts = (String, String, String, String, String);
    let rows: Vec<(NaiveDateTime, String, Texts)> = plan_sections::table
        .inner_join(plan_versions::table)
        .filter(plan_versions::family_id.eq(family_id))
        .order(plan_versions::version.asc())
        .select((
            plan_versions::created_at,
            plan_sections::domain,
            (
                plan_sections::strengths,
                plan_sections::concerns,
                plan_sections::wishes,
                plan_sections::goals,
                plan_sections::agreements,
            ),
        ))
        .load(conn)?;
    let mut last: HashMap<String, ([String; 5], NaiveDateTime)> = HashMap::new();
    for (at, domain, (a, b, c, d, e)) in rows {
        let text = [a, b, c, d, e];
        match last.get(&domain) {
            Some((before, _)) if *before == text => {}
            _ => {
                last.insert(domain, (text, at));
            }
        }
    }
    Ok(last
        .into_iter()
        .map(|(domain, (_, at))| (Thing::new(ThingKind::PlanSection, domain), at))
        .collect())
}

fn rules(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<ItemRule>> {
    let rows: Vec<(String, String, i64, String, String, NaiveDateTime)> = portal_item_rules::table
        .filter(portal_item_rules::family_id.eq(family_id))
        .order(portal_item_rules::id.asc())
        .select((
            portal_item_rules::thing_kind,
            portal_item_rules::thing_key,
            portal_item_rules::person_id,
            portal_item_rules::mode,
            portal_item_rules::reason,
            portal_item_rules::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, key, person_id, mode, reason, created_at)| {
            Some(ItemRule {
                thing: Thing::new(ThingKind::from_code(&kind)?, key),
                person_id,
                mode: RuleMode::from_code(&mode)?,
                reason,
                created_at,
            })
        })
        .collect())
}

fn concerns(conn: &mut DbConn, family_id: i64) -> QueryResult<HashMap<Thing, i64>> {
    let rows: Vec<(String, String, i64)> = portal_item_concerns::table
        .filter(portal_item_concerns::family_id.eq(family_id))
        .select((
            portal_item_concerns::thing_kind,
            portal_item_concerns::thing_key,
            portal_item_concerns::person_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, key, person)| {
            Some((Thing::new(ThingKind::from_code(&kind)?, key), person))
        })
        .collect())
}

fn not_by_default(conn: &mut DbConn, family_id: i64) -> QueryResult<Vec<NotByDefault>> {
    let rows: Vec<(i64, String, NaiveDateTime)> = portal_not_by_default::table
        .filter(portal_not_by_default::family_id.eq(family_id))
        .select((
            portal_not_by_default::person_id,
            portal_not_by_default::reason,
            portal_not_by_default::since,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(person_id, reason, since)| NotByDefault {
            person_id,
            reason,
            since,
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------------
// The director's choices (through `record::portal`, which appends the events)

/// Keeps the thing from the member or shares it with them (`Some`), or takes the choice back (`None`).
pub fn set_rule(
    conn: &mut DbConn,
    family_id: i64,
    thing: &Thing,
    person_id: i64,
    choice: Option<(RuleMode, &str)>,
    by: i64,
) -> QueryResult<usize> {
    let removed = diesel::delete(
        portal_item_rules::table
            .filter(portal_item_rules::family_id.eq(family_id))
            .filter(portal_item_rules::thing_kind.eq(thing.kind.code()))
            .filter(portal_item_rules::thing_key.eq(&thing.key))
            .filter(portal_item_rules::person_id.eq(person_id)),
    )
    .execute(conn)?;
    let Some((mode, reason)) = choice else {
        return Ok(removed);
    };
    diesel::insert_into(portal_item_rules::table)
        .values((
            portal_item_rules::family_id.eq(family_id),
            portal_item_rules::thing_kind.eq(thing.kind.code()),
            portal_item_rules::thing_key.eq(&thing.key),
            portal_item_rules::person_id.eq(person_id),
            portal_item_rules::mode.eq(mode.code()),
            portal_item_rules::reason.eq(reason),
            portal_item_rules::created_by_user_id.eq(by),
            portal_item_rules::created_at.eq(crate::domain::now()),
        ))
        .execute(conn)
}

/// Marks the thing as concerning one member's health or treatment, or takes the mark away (`None`).
pub fn set_concerns(
    conn: &mut DbConn,
    family_id: i64,
    thing: &Thing,
    person_id: Option<i64>,
    by: i64,
) -> QueryResult<usize> {
    let removed = diesel::delete(
        portal_item_concerns::table
            .filter(portal_item_concerns::family_id.eq(family_id))
            .filter(portal_item_concerns::thing_kind.eq(thing.kind.code()))
            .filter(portal_item_concerns::thing_key.eq(&thing.key)),
    )
    .execute(conn)?;
    let Some(person_id) = person_id else {
        return Ok(removed);
    };
    diesel::insert_into(portal_item_concerns::table)
        .values((
            portal_item_concerns::family_id.eq(family_id),
            portal_item_concerns::thing_kind.eq(thing.kind.code()),
            portal_item_concerns::thing_key.eq(&thing.key),
            portal_item_concerns::person_id.eq(person_id),
            portal_item_concerns::created_by_user_id.eq(by),
            portal_item_concerns::created_at.eq(crate::domain::now()),
        ))
        .execute(conn)
}

/// Marks the member "deelt niet standaard mee" from now on (`Some(reason)`), or ends the mark.
pub fn set_not_by_default(
    conn: &mut DbConn,
    family_id: i64,
    person_id: i64,
    reason: Option<&str>,
    by: i64,
) -> QueryResult<usize> {
    let Some(reason) = reason else {
        return diesel::delete(portal_not_by_default::table.find(person_id)).execute(conn);
    };
    let updated = diesel::update(portal_not_by_default::table.find(person_id))
        .set(portal_not_by_default::reason.eq(reason))
        .execute(conn)?;
    if updated > 0 {
        return Ok(updated);
    }
    diesel::insert_into(portal_not_by_default::table)
        .values((
            portal_not_by_default::person_id.eq(person_id),
            portal_not_by_default::family_id.eq(family_id),
            portal_not_by_default::reason.eq(reason),
            portal_not_by_default::since.eq(crate::domain::now()),
            portal_not_by_default::created_by_user_id.eq(by),
        ))
        .execute(conn)
}

/// The family's newest decision (what a news mail about a decision is about).
pub fn latest_decision(conn: &mut DbConn, family_id: i64) -> QueryResult<Option<i64>> {
    decisions::table
        .filter(decisions::family_id.eq(family_id))
        .order(decisions::id.desc())
        .select(decisions::id)
        .first(conn)
        .optional()
}
