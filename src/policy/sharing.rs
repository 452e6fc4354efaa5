//! Finer sharing in the family portal (issue 21): may family member M see thing T (one decision,
//! action, plan section or minutes)? This one rule decides it for every place the family reads: the
//! portal pages, the portal's news mail, the member's copy of their data (PDF and JSON) and the family
//! room. `domain::portal::Visibility` gathers the facts from the database and asks `may_see`.
//!
//! The order, first match wins:
//! 1. the director kept this thing from this member (`kept`, with a reason): hidden;
//! 2. the director shared this thing with this member (`shared`): shown;
//! 3. the director keeps the thing's whole category from the member: hidden;
//! 4. the thing concerns the health or treatment of another member: hidden;
//! 5. the member is marked "deelt niet standaard mee" and the thing came after the marking: hidden;
//! 6. otherwise: shown.
//!
//! A thing inside another (an action of a decision) is shown only when both are (`Seen::within`).
//! "Came" is when the thing came to be: a decision or action when it was recorded, a plan section when
//! its text last changed, minutes when they were shared with the family.

use chrono::NaiveDateTime;

/// What the rule knows of the member.
#[derive(Clone, Copy, Debug)]
pub struct MemberFacts {
    pub person_id: i64,
    /// Since when the member is marked "deelt niet standaard mee", if they are.
    pub not_by_default_since: Option<NaiveDateTime>,
}

/// What the rule knows of the thing, for this member.
#[derive(Clone, Copy, Debug)]
pub struct ThingFacts<'a> {
    /// When the thing came to be (see the module's text).
    pub came_at: NaiveDateTime,
    /// The director keeps this very thing from the member, with this reason.
    pub kept: Option<&'a str>,
    /// The director shared this very thing with the member.
    pub shared: bool,
    /// The director keeps the thing's whole category from the member, with this reason.
    pub category_withheld: Option<&'a str>,
    /// The member whose health or treatment the thing concerns, if it is marked so.
    pub concerns: Option<i64>,
}

/// Why a thing is hidden from a member (shown to the director, never to the member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// Kept from this member, with the director's reason.
    Kept(String),
    /// The category is kept from this member, with the director's reason.
    Category(String),
    /// It concerns the health or treatment of this other member.
    Health(i64),
    /// The member is marked "deelt niet standaard mee" and this came after the marking.
    NotByDefault,
}

/// Whether the member sees the thing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    Shown,
    Hidden(Why),
}

impl Seen {
    pub fn shown(&self) -> bool {
        matches!(self, Seen::Shown)
    }

    /// A thing inside `outer` (an action of a decision): hidden when either is, for the outer reason
    /// first.
    pub fn within(self, outer: Seen) -> Seen {
        match outer {
            Seen::Shown => self,
            hidden => hidden,
        }
    }
}

/// May the member see the thing? See the module's text for the order of the rules.
pub fn may_see(member: &MemberFacts, thing: &ThingFacts) -> Seen {
    if let Some(reason) = thing.kept {
        return Seen::Hidden(Why::Kept(reason.to_string()));
    }
    if thing.shared {
        return Seen::Shown;
    }
    if let Some(reason) = thing.category_withheld {
        return Seen::Hidden(Why::Category(reason.to_string()));
    }
    if let Some(of) = thing.concerns.filter(|of| *of != member.person_id) {
        return Seen::Hidden(Why::Health(of));
    }
    match member.not_by_default_since {
        Some(since) if thing.came_at >= since => Seen::Hidden(Why::NotByDefault),
        _ => Seen::Shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> NaiveDateTime {
        chrono::NaiveDate::from_ymd_opt(2026, 12, day)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    const MARK: i64 = 1;
    const SANDRA: i64 = 2;

    fn thing() -> ThingFacts<'static> {
        ThingFacts {
            came_at: at(10),
            kept: None,
            shared: false,
            category_withheld: None,
            concerns: None,
        }
    }

    #[test]
    fn the_rule_in_a_table() {
        let plain = MemberFacts {
            person_id: MARK,
            not_by_default_since: None,
        };
        let marked = MemberFacts {
            person_id: MARK,
            not_by_default_since: Some(at(5)),
        };
        let hidden = |why| Seen::Hidden(why);
        let cases: Vec<(&str, MemberFacts, ThingFacts, Seen)> = vec![
            ("nothing special", plain, thing(), Seen::Shown),
            (
                "kept from him",
                plain,
                ThingFacts {
                    kept: Some("veiligheid"),
                    ..thing()
                },
                hidden(Why::Kept("veiligheid".into())),
            ),
            (
                "kept wins over shared category",
                plain,
                ThingFacts {
                    kept: Some("veiligheid"),
                    category_withheld: Some("alles"),
                    ..thing()
                },
                hidden(Why::Kept("veiligheid".into())),
            ),
            (
                "category kept",
                plain,
                ThingFacts {
                    category_withheld: Some("alles"),
                    ..thing()
                },
                hidden(Why::Category("alles".into())),
            ),
            (
                "shared one despite the category",
                plain,
                ThingFacts {
                    category_withheld: Some("alles"),
                    shared: true,
                    ..thing()
                },
                Seen::Shown,
            ),
            (
                "about his own health",
                plain,
                ThingFacts {
                    concerns: Some(MARK),
                    ..thing()
                },
                Seen::Shown,
            ),
            (
                "about Sandra's health",
                plain,
                ThingFacts {
                    concerns: Some(SANDRA),
                    ..thing()
                },
                hidden(Why::Health(SANDRA)),
            ),
            (
                "about Sandra's health, shared further with him",
                plain,
                ThingFacts {
                    concerns: Some(SANDRA),
                    shared: true,
                    ..thing()
                },
                Seen::Shown,
            ),
            (
                "marked, came after",
                marked,
                thing(),
                hidden(Why::NotByDefault),
            ),
            (
                "marked, came at the very moment",
                marked,
                ThingFacts {
                    came_at: at(5),
                    ..thing()
                },
                hidden(Why::NotByDefault),
            ),
            (
                "marked, came before",
                marked,
                ThingFacts {
                    came_at: at(4),
                    ..thing()
                },
                Seen::Shown,
            ),
            (
                "marked, shared item by item",
                marked,
                ThingFacts {
                    shared: true,
                    ..thing()
                },
                Seen::Shown,
            ),
            (
                "marked, about his own health, came after",
                marked,
                ThingFacts {
                    concerns: Some(MARK),
                    ..thing()
                },
                hidden(Why::NotByDefault),
            ),
        ];
        for (name, member, facts, expected) in cases {
            assert_eq!(may_see(&member, &facts), expected, "{name}");
        }
    }

    #[test]
    fn a_thing_inside_a_hidden_one_is_hidden() {
        let kept = Seen::Hidden(Why::Kept("veiligheid".into()));
        assert_eq!(Seen::Shown.within(kept.clone()), kept);
        assert_eq!(Seen::Shown.within(Seen::Shown), Seen::Shown);
        assert_eq!(
            Seen::Hidden(Why::NotByDefault).within(Seen::Shown),
            Seen::Hidden(Why::NotByDefault)
        );
    }
}
